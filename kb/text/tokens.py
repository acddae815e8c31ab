"""Text to index tokens, one scheme for documents and queries on every database.

English words are lower-cased and stemmed (Snowball); stop words are dropped.
Chinese has no spaces, so each run of Han characters becomes its overlapping
two-character pieces (`签名校验` -> 签名 名校 校验), which lets two-character
queries such as 限流 or 超时 match. Han pieces are written as ASCII (`z7b7e540d`)
so that SQLite FTS5 and PostgreSQL's text search split them the same way,
whatever the database's locale.
"""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

from kb.text.script import HAN_CHARS

WORD_RE = re.compile(f"[a-z0-9]+(?:[-_][a-z0-9]+)*|[{HAN_CHARS}]+")
PLACEHOLDER_RE = re.compile(r"\{[A-Za-z_]*\}")


class CuedPattern:
    """A pattern and words every one of its matches holds (`cues`, separated by spaces):
    a text that holds none of them is not searched. For patterns whose look-behinds are
    tried at each character of a text, which a few substring tests rule out at a part of
    the cost; the results are the pattern's own."""

    def __init__(self, pattern: re.Pattern, cues: str):
        self.pattern = pattern
        self.cues = tuple(cues.split())

    def may_match(self, text: str) -> bool:
        return any(cue in text for cue in self.cues)

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def findall(self, text: str) -> list:
        return self.pattern.findall(text) if self.may_match(text) else []

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return self.pattern.split(text, maxsplit) if self.may_match(text) else [text]

    def subn(self, repl: str, text: str) -> tuple[str, int]:
        return self.pattern.subn(repl, text) if self.may_match(text) else (text, 0)


STOPWORDS = frozenset(
    "a an and are as at be been by can cannot could did do does for from has have i if in "
    "is it its my not of on or our so that the their there this to was we were what when "
    "which while why will with you your".split()
)
# A quantity stands for its kind, whatever the number: `15MB`, `32 KB` and `12 MiB` all
# say "a size", `70 seconds` and `500ms` "a duration", so that a customer's numbers meet
# the catalog's (and its phrasings') own.
SIZE_UNITS = {"b", "byte", "bytes", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib"}
TIME_UNITS = {
    "ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours",
}  # fmt: skip
QUANTITY_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
SIZE_TOKEN, TIME_TOKEN = "unitsize", "unittime"
# A size says its magnitude too: a body's limit is megabytes (`12M`), a URI's and a
# header's kilobytes (`32K`), so that `a 20 MB body` and `40k of query string` tell them apart.
LARGE_SIZE_UNITS = {"m", "mb", "mib", "g", "gb", "gib"}
MEGABYTES_TOKEN, KILOBYTES_TOKEN = "unitmb", "unitkb"
# A quantity written in Chinese (`24小时`, `30秒`, `12兆`, `20M`) is the same kind as in English;
# read as a number with a unit the pattern above knows. Only with digits: `几个小时` (a few
# hours) says no number, and is left as words.
HAN_QUANTITY_RE = re.compile(
    r"[0-9]+ ?个?(?:(毫秒|秒钟?|分钟|小时|天|周)|(字节|兆|千字节|[KMG]B?(?![A-Za-z])))",
    re.IGNORECASE,
)
# A thousand or a million of something counted (`1k rps`, `2.4k req/min`, `30k calls`,
# `2K QPS`, `5k并发`) is a number, not a size: its `k` is no kilobyte.
COUNTED_RE = re.compile(
    r"(?<![a-z0-9.])(\d+(?:\.\d+)?) ?[km](?="
    r" ?(?:rps|qps|tps|req|reqs|requests?|calls?|users?|clients?|devices?|connections?"
    r"|concurrent|records?|rows?|items?|messages?|events?|hits?)(?![a-z])"
    r"| ?(?:并发|次|个|条|请求|用户|连接))"
)
_COUNT_HINT_RE = re.compile(r"\d ?[km]")
# Unit words that say a quantity even apart from a number (`KB`); the others, such as
# `second` ("the second call") or `m`, only right after a number (`5s`, `1 minute`).
UNIT_WORDS = {
    **dict.fromkeys(("kb", "kib", "mb", "mib", "gb", "gib", "bytes"), SIZE_TOKEN),
    **dict.fromkeys(("ms", "secs", "seconds", "mins", "minutes", "hours"), TIME_TOKEN),
}
# A Snowball stemmer keeps the word it works on in itself: one per thread, so that the
# threads of a gunicorn worker (--threads) never stem into each other's word.
_stemmers = threading.local()


def fold_width(text: str) -> str:
    """Fold width: full-width `ＡＰＩＧ．０３０３` reads as `APIG.0303`."""
    return unicodedata.normalize("NFKC", text or "")


def fold_width_and_case(text: str) -> str:
    """Fold width and case: full-width `ＡＰＩＧ．０３０３` reads as `apig.0303`."""
    return fold_width(text).lower()


# Words Snowball stems onto the stem of another word: a customer is no `custom` (a custom
# authorizer), which every ticket about one (`Customer reports ...`) would otherwise say.
OWN_STEMS = {"customer": "customer", "customers": "customer"}


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    if not (word.isalpha() and len(word) > 3):
        return word
    if word in OWN_STEMS:
        return OWN_STEMS[word]
    if not hasattr(_stemmers, "english"):
        _stemmers.english = snowballstemmer.stemmer("english")
    return _stemmers.english.stemWord(word)


def han_token(piece: str) -> str:
    return "z" + "".join(f"{ord(char):x}" for char in piece)


def tokens(text: str) -> list[str]:
    """Index tokens of `text`, in order, repeats kept."""
    out: list[str] = []
    after_number = False
    text = han_quantities(counted(PLACEHOLDER_RE.sub(" ", fold_width_and_case(text))))
    for match in WORD_RE.finditer(text):
        word = match.group()
        unit = UNIT_WORDS.get(word) or (_unit(word) if after_number else None)
        if unit and after_number:
            out[-1] = unit  # `12 MB` reads as `12MB`: the quantity, not the number
        after_number = word.isdigit()
        if unit:
            if out[-1:] != [unit]:
                out.append(unit)
            if unit == SIZE_TOKEN:
                out.append(_magnitude(word))
        elif not word.isascii():  # a run of Han characters (WORD_RE)
            if len(word) == 1:
                out.append(han_token(word))
            else:
                out.extend(han_token(word[i : i + 2]) for i in range(len(word) - 1))
        else:
            out.extend(_word_tokens(word))
    return out


@lru_cache(maxsize=20000)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of a word of letters, digits, `-` and `_` (WORD_RE) that is no unit:
    kept per word, as its stem is, since the words of descriptions recur."""
    if (quantity := QUANTITY_RE.fullmatch(word)) and (unit := _unit(quantity.group(2))):
        return (unit, _magnitude(quantity.group(2))) if unit == SIZE_TOKEN else (unit,)
    if "-" in word or "_" in word:
        # `plug-ins` is also written `plugins`, `third-party` as `thirdparty`; an
        # identifier such as `client_secret` is also one word, rarer than its parts.
        parts = re.split(r"[-_]", word)
        return (*(stem(part) for part in parts if part not in STOPWORDS), stem("".join(parts)))
    return () if word in STOPWORDS else (stem(word),)


def counted(text: str) -> str:
    """`1k rps` as `1 rps`: a count's thousand is no size (COUNTED_RE). `text` is folded.
    Most texts have no number before a `k` or an `m` (_COUNT_HINT_RE) and are returned as
    they are: `tokens()` reads every word of a paste, and the substitution cost a short
    word more than half of its reading."""
    return COUNTED_RE.sub(r"\1 ", text) if _COUNT_HINT_RE.search(text) else text


HAN_SIZE_UNITS = {"字节": "b", "兆": "mb", "千字节": "kb"}


def han_quantities(text: str) -> str:
    """`24小时` as `1s`, `12兆` as `1mb`, `32K` as `1k`: what `tokens()` reads as a
    duration or a size (digits only: `十几兆` says no number and stays words)."""

    def quantity(match: re.Match) -> str:
        if match.group(1):
            return " 1s "
        size = match.group(2).lower()
        return f" 1{HAN_SIZE_UNITS.get(size, size)} "

    return HAN_QUANTITY_RE.sub(quantity, text)


def _magnitude(unit: str) -> str:
    """The token of a size's magnitude: megabytes and more, or less."""
    return MEGABYTES_TOKEN if unit in LARGE_SIZE_UNITS else KILOBYTES_TOKEN


def _unit(suffix: str) -> str | None:
    if suffix in SIZE_UNITS:
        return SIZE_TOKEN
    if suffix in TIME_UNITS:
        return TIME_TOKEN
    return None


def message_key(message: str) -> str:
    """A documented message reduced to the words before its first placeholder or colon.

    Pasted messages start with this key whatever detail follows or fills the
    placeholder: `The following protocol is supported: HTTPS` starts with the key
    of `The following protocol is supported: {xxx}.`, and `SSL protocol is not
    supported: SSLv3` with that of `SSL protocol is not supported: TLSv1.1.`
    """
    head = PLACEHOLDER_RE.split(fold_width_and_case(message), maxsplit=1)[0]
    head = re.split(r":\s", head, maxsplit=1)[0]
    return " ".join(re.findall(r"[a-z0-9]+", head))[:255]


# Between a row's sections (message, meaning, remedy, FAQ) and between its phrasing lines
# in its index tokens (`document_text`); the databases' full-text indexes skip both.
SECTION_MARK = " ~ "
LINE_MARK = " ; "

# A text may say what the failure is not: those words must not find a row. Only in a text
# of several clauses: alone, `应用不是从受信任的IP访问的` is the failure itself.
CLAUSE_RE = re.compile(r"[^,，;；]+[,，;；]?")
# A query's sentences end clauses too (`... from one IP. No API-level ACL bound. Found an
# instance-level ACL ...`); a dot inside a word (`TLSv1.1`, a domain) does not.
QUERY_CLAUSE_RE = re.compile(r"(?:[^,，;；。！？!?.]|\.(?!\s|$))+(?:[,，;；。！？!?]|\.(?=\s|$))?")


def _before_denials(text: str, denial: re.Pattern) -> str:
    """`text` with each of its clauses (CLAUSE_RE) cut at its first `denial`, when it has
    several."""
    clauses = CLAUSE_RE.findall(text)
    if len(clauses) < 2:
        return text
    return " ".join(denial.split(clause, maxsplit=1)[0] for clause in clauses)


# A customer phrasing: `access token expired, not IAM token`, `是IAM Token，不是access token`.
RATHER_THAN_RE = re.compile(r"而不是[^,，;；]*")
PHRASING_DENIAL_RE = re.compile(r"^\s*not\s|(?<!是)不是", re.IGNORECASE)  # 是不是 asks


def affirmed(line: str) -> str:
    """A phrasing without what it says the failure is not: the words after 而不是, and,
    in a line of several clauses, a clause that starts with `not`, and a clause's words
    from 不是 on."""
    return _before_denials(RATHER_THAN_RE.sub(" ", line), PHRASING_DENIAL_RE)


# A query: `500 from the gateway, not by our backend` (or a clause that starts `not the`:
# `..., not the service itself`, or what the answer leaves out: `..., not which ones`),
# `网关返回500，不是后端返回的`, what was never set up,
# `返回403，没有配过IP访问控制`, `no IP ACL configured`, what was neither sent nor set (`sends
# neither a token nor a signature`), what was ruled out (`no IP rules
# are involved`, `we ruled out the backend`, `已排除IP黑名单`), what was sent, which is not
# what is missing: `grant type missing, I only send client id and secret`,
# `只传了客户端ID，密钥忘了带`, and what has not expired (`got it 5 minutes ago, it should not
# expire yet`, `it hasn't expired`).
DENIED_RE = CuedPattern(
    re.compile(
        r"(?<![a-z0-9'])(?:not|never)\s+(?:by|from|caused by|due to|configured|set up)(?![a-z0-9])"
        r"|(?<![a-z0-9'])no\s+(?=(?:[a-z0-9-]+\s+){1,3}(?:(?:is|are|was|were)\s+)?"
        r"(?:configured|set up|bound|attached|involved|applied|enabled|in place)(?![a-z0-9]))"
        r"|(?<![a-z0-9'])ruled\s+out(?![a-z0-9])|已经?排除了?|排除了"
        r"|(?<![a-z0-9'])neither(?![a-z0-9])"
        r"|(?<!是)不是|从来?没有?(?:配置?|设置)过?|没有?(?:配置?|设置)过"
        r"|(?:未|没有?)(?:(?:配置?|设置|开启|启用|绑定)任何|对任何)"
        r"|(?<![a-z0-9'])only\s+(?:sent|(?:send|pass|includ|provid)(?:e|es|ed|ing|s)?)(?![a-z0-9])"
        r"|只(?:传|带|给|填|放(?!行)|携带|附带|提供)了?"
        r"|^\s*not\s+(?:the|a|an|our|my|your|their|its|this|that|in|on|at|by|which|whether)\s"
        r"|(?:(?<![a-z0-9'])(?:not|never)|n['’]t)\s+(?:(?:yet|be|been|have|has)\s+)*"
        r"expir(?:e|es|ed|ing|y)?(?![a-z])"
    ),
    "no never ruled neither only expir 排除 不是 没 任何 只",
)
# What a clause says was never set up, or holds no restriction or fault, after naming it,
# which is the clause's whole subject: `黑白名单都没配`, `访问控制也没开过`, `IAM用户权限和来源IP
# 均无限制`, `路径和环境都没问题`.
SUBJECT_DENIED_RE = re.compile(
    r"(?:[都均也](?:没有?|未|无)(?:配置?|设置|开启?|启用|绑定|限制|问题|异常)过?了?"
    # ... or that it passed (`签名校验已通过`, `认证本身是通过的`): what failed is elsewhere.
    r"|(?:校验|验证|认证|验签|签名)(?:(?![不没未])[^,，;；。！？!?.]){0,4}通过(?:了|的)?)"
    r"\s*[,，;；。！？!?.]?\s*$"
)
# The caller saying what they did not specify (`I didn't specify the grant type`, `we never
# mentioned the secret`) says what was not sent, which is the failure: never cut. Before
# `no`, `not`, `never` and `without` (_CALLER), and before `n't` (_CALLER_NT).
_CALLERS = ("i", "we", "you")
_CALLER = "".join(rf"(?<!\b{who}{verb} )" for verb in ("", " did") for who in _CALLERS)
_CALLER_NT = "".join(rf"(?<!\b{who} {verb})" for verb in ("did", "do") for who in _CALLERS)
# What the answer does not mention: `no mention of IAM or app`, `not mention IP`, `without
# telling us whether it's IAM`, `doesn't say which field`, 也不告诉我哪个字段. Never the
# failure itself, in a text of one clause too, nor what the caller left out (_CALLER).
UNSAID_RE = CuedPattern(
    re.compile(
        rf"(?:{_CALLER}(?<![a-z0-9'])(?:no|not|never|without)"
        rf"|{_CALLER_NT}n['’]t)"
        r"\s+(?:any\s+)?"
        r"(?:(?:mention|say|specify|indicat)(?:s|ed|ing|e)?(?:\s+of)?"
        r"|tell(?:s|ing)?\s+(?:us|me|you|them))(?![a-z0-9])"
        r"|(?<![a-z0-9'])(?:says?|said|mentions?|tells?\s+(?:us|me|you|them))\s+nothing\s+"
        r"(?:about|of|on)(?![a-z0-9])"
        r"|没有?提到|未提及|没说是|未说明|没有?说明是|(?:不|没有?)告诉"
    ),
    "mention say said specify indicat tell 提到 提及 没说是 说明 告诉",
)


# `though`, `although` and `but` start a clause of their own, comma or not: `all APIs
# forbidden from some IPs though no policy is bound to any API`; so do 但, 但是 and 可是
# after a Chinese word (`签名校验已通过但请求仍被拒绝`), not 不但 (not only) nor 却, which
# ends words too (冷却).
CONTRAST_RE = re.compile(
    r"\s+(?=(?:even\s+)?(?:though|although|but)\s)|(?<=[\u4e00-\u9fff])(?<!不)(?=但|可是)",
    re.IGNORECASE,
)


# Kept per text: a description's is read for its groups and again for its identifiers.
@lru_cache(maxsize=1024)
def undenied(text: str) -> str:
    """A query without what it says the failure is not: in a text of several clauses (a
    comma, a sentence's end, `though` or `but` ends one), each clause from its denial
    (`not by`, `never configured`, `ruled out`, `only sent`, 不是, 没有配过, 已排除, 只传了)
    on, and without a clause that ends in what it says was never set up (`黑白名单都没配`,
    SUBJECT_DENIED_RE); and in any text, each clause from what it says the answer does not
    mention (UNSAID_RE) on."""
    text = CONTRAST_RE.sub(", ", text)
    if UNSAID_RE.search(text):
        text = " ".join(
            UNSAID_RE.split(clause, maxsplit=1)[0] for clause in QUERY_CLAUSE_RE.findall(text)
        )
    clauses = QUERY_CLAUSE_RE.findall(text)
    if len(clauses) < 2:
        return text
    kept = [clause for clause in clauses if not SUBJECT_DENIED_RE.search(clause)]
    if len(kept) < 2:
        return " ".join(kept)
    return " ".join(DENIED_RE.split(clause, maxsplit=1)[0] for clause in kept)


def document_text(*sections: str | list[str]) -> str:
    """Index tokens of a row in sections (message, meaning, remedy, FAQ), ` ~ ` between.

    A section given as a list of lines (customer phrasings) keeps ` ; ` between them, so
    that a query can be matched against each line on its own, and leaves out what a line
    says the failure is not (`affirmed()`). The databases' full-text
    indexes skip both marks.
    """
    return SECTION_MARK.join(
        LINE_MARK.join(" ".join(tokens(affirmed(line))) for line in section)
        if isinstance(section, list)
        else " ".join(tokens(section))
        for section in sections
    )
