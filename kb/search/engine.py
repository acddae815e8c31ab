"""The one search engine: pasted text in, ranked catalog rows out.

parse the text -> gather candidates through the database's indexes (by code, by
message prefix, by HTTP status, by full text) -> rank them in Python -> load the
few rows shown -> diagnose the best of them from the detail the paste carries
(`kb.diagnosis`). The search page, the JSON API and `manage.py lookup` all call
`search()` and only format its answer.
"""

import bisect
import hashlib
import itertools
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, wraps

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kb.diagnosis.causes import Diagnosis, attach_diagnoses, no_diagnosis_json
from kb.models import ErrorEntry
from kb.pagecache import KeptUntilCatalogChanges
from kb.search.index import (
    KNOWN_TEXTS,
    alias_keys,
    candidates_by_alias_keys,
    candidates_by_codes,
    candidates_by_full_text,
    candidates_by_ids,
    candidates_by_message_keys,
    candidates_by_status,
    candidates_by_twins,
    first_rows_said,
    known_rows,
    known_texts,
    load_entries,
    message_key_first_words,
    message_key_tokens,
    token_row_counts,
    token_row_counts_read,
)
from kb.search.parse import ParsedQuery, QueryError, parse
from kb.search.synonyms import (
    Term,
    alternatives,
    group_tokens,
    held_terms,
    lacked_terms,
    lookup_tokens,
    query_groups,
    refused_terms,
    said_groups,
)
from kb.text.addresses import IPV4_RE
from kb.text.spelling import SHORTEST, english_neighbours, not_words
from kb.text.tokens import (
    LINE_MARK,
    SECTION_MARK,
    fold_width,
    fold_width_and_case,
    tokens,
    undenied,
)

__all__ = ["Hit", "QueryError", "SearchResult", "forget_rankings", "search"]

CANDIDATE_LIMIT = 40
STATUS_CANDIDATE_LIMIT = 30
# Without the index's word counts (a small catalog, PostgreSQL before its first ANALYZE)
# the telling words are unknown: rows holding every word are looked up first, and rows
# holding some only when fewer than FEW_CANDIDATES do; a paste with more words than
# ALL_WORDS_GROUPS (a log line, a stack trace) goes straight to rows holding some.
FEW_CANDIDATES = 10
ALL_WORDS_GROUPS = 12
RESULT_LIMIT = 10
# The same failure is often in both catalogs; unless the text points at the shared
# gateway of cloud services, the customer's own gateway (APIG) is the likelier one, and
# when it does, the shared gateway (APIGW) is.
SHARED_GATEWAY_PENALTY = 3.0
# A text that names a cloud service's API is rarely about a row of the customer's gateway.
NAMED_GATEWAY_PENALTY = 13.0
# How much one customer phrasing that holds the query's words counts (kb/models/catalog.py).
PHRASING_WEIGHT = 10.0
# How much of that hangs on the share of the phrasing's own words the query says: a
# phrasing that says much else (`凭据绑定的访问控制策略没有放行新服务器的IP`, of the
# credential's access control) describes another failure than a query that holds some of
# its words (`API绑定的访问控制没有放行新服务器`, of the API's).
PHRASING_OWN_WORDS = 0.7
# A word of what the description says the gateway said (`says the backend does not
# exist`, `提示找不到后端`) counts this many times: the rest of a long text tells its story.
SAID_WEIGHT = 2.0
# A pasted message this alike to a row's documented one quotes it (with drift); one
# SIMILAR or more alike adds to the row's score (`_fixed_score`).
QUOTED_SIMILARITY = 85
SIMILAR = 80
# A row found by its words is a sure answer when it holds this share of them.
SURE_COVERAGE = 0.6
# ...and when one of them is a word: a number (`1` of `TLSv1.1`) or a letter pair (`id` of
# `client_id`) alone is a piece of many things, whatever share of the query it is.
SURE_WORD_LENGTH = 3
# A row found by its words is no sure answer when a row that says something else (another
# message or status) scores within this of it: the words do not decide between them.
SURE_MARGIN = 2.0
# Rows shown under a sure answer besides the sure ones: a near miss is worth a look,
# a long tail of weak matches only hides the answer.
SHOWN_ALTERNATIVES = 2
# Where a term is found counts: the message names the error, the meaning explains
# it, the remedy and the linked FAQ articles only mention it; customer phrasings say
# it as customers do.
SECTION_WEIGHTS = (1.0, 0.85, 0.35, 0.6, 0.8)
TOP_SECTION_WEIGHT = max(SECTION_WEIGHTS)
# How much an identifier the query names (`grant_type`) counts when the row's message
# names it too: the message is about that very field.
IDENTIFIER_WEIGHT = 8.0
# The token of a row's message that says a field was not sent (`Lack of client_id.`), and
# how much the row counts when the words around what a query says is missing name its
# field (`lacked_terms`): a text names the fields it sent too (`they post client_id and
# client_secret but left out the grant type`), and only the missing one is the answer.
LACK = "lack"
LACK_WEIGHT = 2 * IDENTIFIER_WEIGHT
# What a lack-of row loses when a description that says nothing is missing shows its field
# sent with a value (`curl -d 'grant_type=password&client_id=abc&client_secret=xyz'` is no
# Lack of client_secret), or says it was sent (`we send client_id and client_secret`): as
# much as saying the field was not sent would give it.
GIVEN_LACK_PENALTY = LACK_WEIGHT
# A description that says every word of a row's message (`the gateway returns 400 saying
# the refresh token is bad`: Refresh token is invalid), in whatever order and among
# whatever else. Not of a message of one or two words (`Backend unavailable.`), which
# texts of other failures say as well.
MESSAGE_SAID_WEIGHT = 3.0
MESSAGE_SAID_WORDS = 3
# What a text may say of a row word for word to bring the row in: its message, its Chinese
# meaning (only to bring it in: counted as well, it put rows whose meaning is a few common
# words, 请求不合法, above the row a text describes).
SAID_COLUMNS = ("message_key", "meaning_zh")
# The ways a caller proves who it is, each by the tokens with which a row's message names
# it and by what names it in a text. A text that names one way and no other is not
# about a row whose message names only others (`IAM token`: not `Incorrect app
# authentication information`; `the OIDC plugin`: not `The JWT authentication plug-in
# ...`); such a row loses OTHER_SIGN_IN_PENALTY.
SIGN_IN_WAYS = {
    # IAM, by the word.
    "iam": (frozenset(["iam"]), re.compile(r"(?<![a-z0-9])iam(?![a-z])")),
    # An app's key and secret only by saying so (`app authentication`, `AppKey`, APP认证):
    # `app` alone is as often the customer's own application.
    "app": (
        frozenset(["app", "appkey", "appsecret"]),
        re.compile(
            r"(?<![a-z0-9])app[ -]?(?:auth\w*|key|secret|code|sign\w*|认证|签名)"
            r"|appkey|appsecret"
        ),
    ),
    "oidc": (frozenset(["oidc"]), re.compile("oidc")),
    # The JWT plug-in, not a token in the JWT format (which OIDC's are as well).
    "jwt": (frozenset(["jwt"]), re.compile(r"jwt[ -]?(?:auth\w*|plug[ -]?in|认证|插件)")),
    "third-party": (frozenset(["third"]), re.compile(r"third[ -]party|第三方")),
}
OTHER_SIGN_IN_PENALTY = 8.0
# The tokens of every way: a way's others are these less its own.
SIGN_IN_TOKENS = frozenset().union(*(tokens for tokens, _ in SIGN_IN_WAYS.values()))
# Beside IAM, any word of an app or a credential may be of an app's way after all (an
# SDK too: API Gateway's signs with an app's key and secret).
MAY_NAME_APP = frozenset(tokens("app appkey appsecret appcode credential 凭据 应用 sdk"))
# A credential (`created a new credential`, `the credential's access control policy`) is an
# app, as the console names it; credentials (`the credentials are wrong`, `passes
# credentials`) are whatever a caller signs in with, and name no way. Both are one token.
CREDENTIAL_RE = re.compile(r"(?<![a-z])credential(?![a-z])")
# What a row's message may be about that a text names when it is: an app (or credential),
# an IP address (or a list of them), IAM (its name, keys or users: a token alone may be an
# app's), the debugging of an API. Each: the token by which a message names it, and the
# terms by which a text does (an IP also by an address, IPV4_RE). A text that names one of
# them not at all is rarely about a row whose message is about it: such a row loses
# UNNAMED_SUBJECT_PENALTY (a new server blocked by an IP list of the API's own: not the
# credential's trusted addresses; a surge of throttled calls: not an unknown client IP;
# `authentication information is wrong` with no way named: the generic row, not IAM's nor
# the debugging one's; a text that names no third party, plug-in or authorizer: not the
# third-party authentication rows; `my script` with no Lua, plug-in or nginx named: not
# the custom Lua script's; a token too old with no refresh named: not the refresh token's;
# a protocol refused with no SSL or TLS named: not the TLS version's; an IAM user refused
# where no region is named: not the rows of a region's; a backend not found with no
# channel named: not the VPC channel's).
# At 4 the IP rows still answered texts of a generic refusal whose words their phrasings
# share (`调接口直接403拒绝`); at 6 five more tuning cases found their row and none lost it.
# A word of several tokens names a subject only whole (`alternatives`): a piece of it alone
# (访问 of 访问控制, 服务 of 鉴权服务, 定义 of 自定义) is in texts about anything.
# A text of one word (配额, 冻结) says what failed and nothing else: that it names no
# subject says nothing of one (`_ranking`). With the penalty, every row that said the
# word and whose message names no subject (at 100,000 rows, other services' rows:
# bench/distractors.py) ranked above the row the word is about.
SUBJECTS = (
    ("app", MAY_NAME_APP - frozenset(tokens("credential"))),
    (
        "ip",
        alternatives(
            "ip address whitelist blacklist allowlist denylist acl 白名单 黑名单 访问控制 网段 地址"
        ),
    ),
    ("iam", alternatives("iam ak sk aksk user account 账号 用户")),
    ("debug", alternatives("debug debugging explorer 调试")),
    (
        "thirdparti",
        alternatives(
            "third-party third party external plug-in plugin custom authorizer authoriser"
            " 第三方 三方 外部 插件 自定义 鉴权服务 认证服务"
        ),
    ),
    ("lua", alternatives("lua openresty nginx 插件 plugin plug-in")),
    # A region's rows answer a text that names a region (its ID is a region, REGION_RE).
    ("region", alternatives("region regions regional 区域 地域 局点 地区")),
    # A VPC channel's rows (a load balance channel's, as the console now calls it) answer a
    # text that names one.
    ("vpc", alternatives("vpc channel channels load balance balancing balancer 通道 负载")),
    # The OpenID Connect plug-in's rows answer a text that names it or its provider.
    ("oidc", alternatives("oidc openid idp discovery")),
    # The JWT plug-in's row answers a text that names JWT.
    ("jwt", alternatives("jwt jwks")),
    # A server group not found answers a text that names a group.
    ("group", alternatives("group groups 分组")),
    # A backend not found is its port's only when the text names a port.
    ("port", alternatives("port ports 端口")),
    # A token too old is a refresh token's only when the text says refresh.
    ("refresh", alternatives("refresh renew refreshtoken 刷新 续期")),
    # A TLS version refused is not the wrong one of HTTP and HTTPS.
    (
        "ssl",
        alternatives(
            "ssl tls tlsv1 tls1 certificate cert cipher handshake sslv3 证书 握手 加密套件"
        ),
    ),
)
UNNAMED_SUBJECT_PENALTY = 6.0
# An identifier given a value (`grant_type=refresh_token`) is a field the request carried;
# the value is what the text names.
IDENTIFIER_RE = re.compile(r"(?<![a-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![a-z0-9_]*\s?=)")
PHRASINGS = 4  # the index of the customer phrasings' section
# A word of a row's customer phrasings counts by how many of them say it: the word of one
# phrasing a third of its section's weight, of two two thirds, of three or more in full,
# and in full a word the row's documented texts use too. A phrasing's passing words (the
# client it was sent from, who noticed, what changed that day) do not make its row the
# answer to every text that shares one of them; the words a row's phrasings keep coming
# back to, and the row's own terms, are what its failure is.
PHRASING_SHARED = 3


@dataclass
class Candidate:
    id: int
    catalog: str
    code: str
    http_status: int
    message_key: str
    index_tokens: str
    sort_order: int
    # The query group whose look-up alone found the row, when that look-up came back full
    # (kb.search.index.candidates_by_full_text): the row holds that group because it was
    # asked for it.
    asked_for: int | None = None
    # Keys of the row's aliases that the pasted message starts with.
    alias_keys: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.message_key, *self.alias_keys)

    # Properties, not cached ones: `token_weights` keeps them per row text, and a
    # cached_property's first read (under a lock, Python 3.11) cost more than two look-ups
    # of the kept ones for the few dozen candidates of a search.
    @property
    def token_weights(self) -> dict[str, float]:
        return token_weights(self.index_tokens)

    @property
    def documented_weights(self) -> dict[str, float]:
        """The tokens of what the catalog documents, without the customer phrasings."""
        return token_weights(self.index_tokens, PHRASINGS)

    def weights_for(self, describes: bool) -> dict[str, float]:
        """A description is matched with the phrasings too; a quoted message or a code not."""
        return self.token_weights if describes else self.documented_weights


def held_for_first_rows(read):
    """`read`, a reading of a row's text (kept per text by the `lru_cache` around it),
    that looks first among the readings held for the first rows' texts (`held`, filled by
    `hold_first_rows`): those are never read again while they are the first rows', however
    many other rows' readings the cache dropped meanwhile."""
    held: dict[tuple, object] = {}

    @wraps(read)
    def reading(*args):
        try:
            return held[args]
        except KeyError:
            return read(*args)

    reading.held = held
    return reading


@lru_cache(maxsize=2048)
@held_for_first_rows
def token_weights(index_tokens: str, sections: int | None = None) -> dict[str, float]:
    """Each token of a row, with the weight of the best section it is in (a phrasing's
    word, by how many phrasings say it: PHRASING_SHARED).

    Kept per row text, so that the rows many searches meet (the real catalog's) are
    read once; an edited row has a new text and is read afresh. A row has up to two
    entries (with and without its phrasings, `sections`), of about 7 KB each: the bound
    keeps a process near 14 MB for it, however large the catalog.
    """
    weights: dict[str, float] = {}
    parts = index_tokens.split(SECTION_MARK)[:sections]
    for index, (weight, section) in enumerate(zip(SECTION_WEIGHTS, parts, strict=False)):
        if index != PHRASINGS:
            for token in section.split():
                if weights.get(token, 0.0) < weight:
                    weights[token] = weight
            continue
        # How many phrasings say each token. Counted here, not read from the row's
        # `phrasing_postings`: those are built only for the rows the ranking reads line
        # by line, and building them for every row a search meets made a cold search
        # allocate five times the objects (five times the garbage collections).
        said = Counter(token for line in section.split(LINE_MARK) for token in set(line.split()))
        for token, lines in said.items():
            held = weights.get(token)
            if held is None:
                weights[token] = weight * min(1.0, lines / PHRASING_SHARED)
            elif held < weight:  # a word the documented texts use counts in full
                weights[token] = weight
    return weights


@lru_cache(maxsize=1024)
def _named_tokens(text: str) -> tuple[tuple[str, ...], ...]:
    """The tokens of each identifier a query names: its words', then its own."""
    return tuple(
        tuple(tokens(name)) for name in IDENTIFIER_RE.findall(undenied(fold_width_and_case(text)))
    )


# A word of sending (`we pass client_id and client_secret in the body`, `sends a client_id
# with a trailing space`, `refreshes using its own client_id`, `带了client_id`, `用了应用B的
# client_id`, `表单带client_id、client_secret`, `发送的参数有client_id`, not `没带`), a
# request described with what it carried (`POST /oauth/token with client_id,
# client_secret`, not `with no grant_type`) or a body shown (`body {client_id,
# grant_type}`): the identifiers after it in its sentence were sent.
SENT_RE = re.compile(
    r"(?<![a-z0-9])(?:(?:send|pass|put|include|carr(?:y|ie)|provide)(?:s|es|ed|ing)?"
    r"|us(?:e|es|ed|ing))(?![a-z0-9])"
    r"|sent(?![a-z0-9])|(?<![a-z0-9])with\s+only(?![a-z0-9])"
    r"|带了|传了|携带了?|放了|填了|用了|发送(?:了|的)?"
    r"|(?<![a-z0-9])(?:post|put|patch)(?:s|ed|ing)?\s+(?:/\S*|to\s[^,;]{1,60}?)"
    r"\s+with(?![a-z0-9])(?!\s+(?:no|none|nothing)(?![a-z0-9]))"
    r"|(?<![a-z0-9])body\s*\{"
    r"|(?<![没未不])带(?=\s*[a-z])"
)
SENTENCE_RE = re.compile(r"[^.;。；！？!?\n]+")


@lru_cache(maxsize=1024)
def sent_identifiers(text: str) -> frozenset[str]:
    """The identifiers a query says it sent (SENT_RE), as index tokens: a field sent is not
    the field a lack-of row says is missing. Read from a query that says nothing is
    missing (`lacked_terms` is empty)."""
    sent: set[str] = set()
    for sentence in SENTENCE_RE.findall(fold_width_and_case(text)):
        if cue := SENT_RE.search(sentence):
            sent.update(identifiers(sentence[cue.end() :]))
    return frozenset(sent)


# A field written with its value (`client_secret=xyz`, `"grant_type": "password"`,
# `grant_type传的是password`); a value that says there is none (`client_secret: missing`,
# `"client_id": null`) is none.
GIVEN_FIELD_RE = re.compile(
    r"(?<![a-z0-9_])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)"
    r"(?:=|[\"']?\s?:\s?|\s?(?:传|填|设|写|给)(?:的|了)?(?:是|成|为)\s?)[\"']?(?=[^\s&\"',}])"
    r"(?!(?:null|none|nil|undefined|missing|required|empty|absent)(?![a-z0-9_]))"
)


@lru_cache(maxsize=1024)
def given_fields(text: str) -> frozenset[str]:
    """The fields `text` shows sent with a value, as index tokens (`clientsecret` of
    `client_secret=xyz`): a field given is no field missing."""
    return frozenset(tokens(name)[-1] for name in GIVEN_FIELD_RE.findall(fold_width_and_case(text)))


def identifiers(text: str) -> frozenset[str]:
    """The identifiers a query names (`grant_type`, `client_secret`), as index tokens."""
    return frozenset(named[-1] for named in _named_tokens(text))


def identifier_words(text: str) -> tuple[frozenset[str], ...]:
    """The tokens of the words of each identifier a query names (`refresh_token`:
    `refresh`, `token`): a message that says them (`Refresh token is invalid`) names the
    field as much as one that spells it (`Lack of refresh_token`)."""
    return tuple(frozenset(named[:-1]) for named in _named_tokens(text))


@lru_cache(maxsize=2048)
@held_for_first_rows
def message_tokens(index_tokens: str) -> frozenset[str]:
    """The tokens of a row's first section: its code, message and aliases."""
    return frozenset(index_tokens.split(SECTION_MARK, 1)[0].split())


@lru_cache(maxsize=1024)
@held_for_first_rows
def phrasing_postings(index_tokens: str) -> tuple[tuple[frozenset[str], ...], dict[str, tuple]]:
    """A row's phrasing lines (`phrasing_lines`), and the lines each of their tokens is in."""
    lines = phrasing_lines(index_tokens)
    where: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        for token in line:
            where.setdefault(token, []).append(number)
    return lines, {token: tuple(numbers) for token, numbers in where.items()}


def phrasing_lines(index_tokens: str) -> tuple[frozenset[str], ...]:
    """The tokens of each customer phrasing of a row (its last section, line by line)."""
    sections = index_tokens.split(SECTION_MARK)
    if len(sections) <= PHRASINGS:
        return ()
    return tuple(frozenset(line.split()) for line in sections[PHRASINGS].split(LINE_MARK) if line)


def _is_word(term: str) -> bool:
    """Whether a query's term is a word that can make an answer sure (SURE_WORD_LENGTH):
    not a number, nor a letter or two. A Chinese piece is one (`han_token` spells it with
    five characters or more), and so is a piece of another script."""
    return not term.isdigit() and (len(term) >= SURE_WORD_LENGTH or not term.isascii())


@dataclass
class Hit:
    entry: ErrorEntry
    score: float
    match: str  # "code", "message", "status" or "text"
    terms: frozenset[str] = frozenset()
    similarity: float = 0.0  # of the pasted message to the row's, 0-100
    coverage: float = 0.0  # share of the query's words the row holds, by weight, 0-1
    held_share: float = 0.0  # share of the query's words the row holds, each counted once
    # Found by words, with a row that says something else about as high (SURE_MARGIN).
    contested: bool = False
    # The known cause the paste's detail matched, for the best few rows.
    diagnosis: Diagnosis | None = None

    @property
    def confident(self) -> bool:
        """This row answers the query: its code, its message, or most of the words, by
        weight and by count, a word among them (a row that misses most of what was said is
        no sure answer, nor one that holds only a number or a letter pair of it)."""
        if self.match in ("code", "message", "status"):
            return True
        if self.contested:
            return False
        return (
            self.coverage >= SURE_COVERAGE
            and self.held_share >= SURE_COVERAGE
            and any(map(_is_word, self.terms))
        )

    def as_json(self) -> dict:
        """The row as a search result of the API (kb/openapi.py's Result)."""
        diagnosis = self.diagnosis.as_json() if self.diagnosis else no_diagnosis_json()
        return {
            **self.entry.as_json(),
            "match": self.match,
            "score": self.score,
            "sure": self.confident,
            "diagnosis": diagnosis,
        }


@dataclass
class SearchResult:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.hits[0].confident

    @property
    def shown(self) -> list[Hit]:
        """The hits a reader needs to see: under a sure answer, the other sure rows
        (every row of a code, say) and the closest few alternatives; otherwise all."""
        if not self.confident:
            return self.hits
        unsure = 0
        shown = []
        for hit in self.hits:
            if not hit.confident:
                if unsure == SHOWN_ALTERNATIVES:
                    continue
                unsure += 1
            shown.append(hit)
        return shown

    @property
    def asks_for_status(self) -> bool:
        """No sure answer to a text that states no HTTP status: the reader is asked for the
        one the gateway answered, which narrows the rows down (README, "Search")."""
        return not self.confident and self.query.http_status is None

    @property
    def statuses_to_ask(self) -> list[int]:
        """When the reader is asked for the status (`asks_for_status`): the statuses of the
        rows shown, in their order, when they have two or more; none otherwise."""
        if not self.asks_for_status:
            return []
        statuses = list(dict.fromkeys(hit.entry.http_status for hit in self.shown))
        return statuses if len(statuses) > 1 else []

    @property
    def single(self) -> Hit | None:
        """The one row the query names, when it names exactly one."""
        if not self.confident:
            return None
        if len(self.hits) == 1 or self.hits[0].score - self.hits[1].score >= 10:
            return self.hits[0]
        return None


def _candidates(rows: list[tuple]) -> list[Candidate]:
    return [Candidate(*row) for row in rows]


def _gather(
    query: ParsedQuery, groups, pasted: "PastedMessage", names: frozenset[str] = frozenset()
) -> tuple[list, list[str]]:
    """Candidates from the indexes; a known code, when the query has one, is authoritative."""
    unknown: list[str] = []
    if query.codes:
        rows = _candidates(candidates_by_codes(query.codes))
        if rows:
            return rows, unknown
        unknown = query.codes
    # The catalog a text points at when it names none: the customer's own gateway.
    catalog = "APIGW" if query.names_shared_gateway else "APIG"
    if query.status_only:
        rows = candidates_by_status(query.http_status, CANDIDATE_LIMIT, catalog)
        return _candidates(rows), unknown

    found: dict[int, Candidate] = {}
    if query.http_status:
        # A log line or curl output whose words say little: its status still does. So does
        # a reason phrase (`gateway timeout`): the look-ups by its words keep the first rows
        # by id, the customer gateway's, and would leave out the shared gateway's.
        rows = _candidates(candidates_by_status(query.http_status, STATUS_CANDIDATE_LIMIT, catalog))
        found.update((row.id, row) for row in rows)
    words = pasted.words[:40]
    prefixes = [" ".join(words[:n]) for n in range(1, len(words) + 1)]
    if prefixes:
        rows = candidates_by_message_keys(prefixes, CANDIDATE_LIMIT)
        found.update((row.id, row) for row in _candidates(rows))
        for *columns, alias_key in candidates_by_alias_keys(prefixes, CANDIDATE_LIMIT):
            row = found.setdefault(columns[0], Candidate(*columns))
            row.alias_keys += (alias_key,)
    documented = any(pasted.starts_with(key) for row in found.values() for key in row.keys)
    if groups and not documented:
        # The index is asked for tokens only; the ranking checks the words.
        counts = token_row_counts()
        asked = [lookup_tokens(group, counts) for group in groups]
        if counts or len(groups) == 1:
            # The rows its most telling words found (kb.search.index.telling_groups), not
            # rows that hold every word: in a large catalog thousands of rows hold every
            # common word of a description, the first of them by id filled the candidates,
            # the rows that hold its rare words were never asked for, and the words'
            # weights among the candidates (`_weigh`) went flat.
            rows = candidates_by_full_text(
                asked, CANDIDATE_LIMIT, match_all=len(groups) == 1, named=names
            )
        else:
            rows = []
            if len(groups) <= ALL_WORDS_GROUPS:
                rows = candidates_by_full_text(asked, CANDIDATE_LIMIT, match_all=True)
            if len(rows) < FEW_CANDIDATES:
                rows += candidates_by_full_text(
                    asked, CANDIDATE_LIMIT, match_all=False, named=names
                )
        for row in rows:
            found.setdefault(row[0], Candidate(*row))
        # A row of the catalog the knowledge base was loaded with whose message or Chinese
        # meaning the text says word for word (`access token ... not valid`, 应用找不到 of
        # App不存在), however common each word is: the look-ups by words keep the first
        # rows by id that hold them.
        said = _asked_tokens(groups)
        ids = list(
            dict.fromkeys(
                row_id
                for column in SAID_COLUMNS
                for row_id in first_rows_said(said, READ_AT_START, MESSAGE_SAID_WORDS, column)
                if row_id not in found
            )
        )
        for row in _candidates(candidates_by_ids(ids)) if ids else ():
            found[row.id] = row
    if query.names_shared_gateway:
        # The shared gateway's twin of each row found (the same message, whatever its
        # status): the look-ups by words keep the first rows by id, the customer gateway's,
        # which say more (their customer phrasings) and fill the look-ups first.
        held = {(row.catalog, row.message_key) for row in found.values()}
        twins = {key for catalog, key in held if catalog == "APIG" and ("APIGW", key) not in held}
        for row in _candidates(candidates_by_twins(twins, "APIGW")):
            found.setdefault(row.id, row)
    return list(found.values()), unknown


class PastedMessage:
    """A pasted message as words, each with the text that follows it."""

    DETAIL_MARK = re.compile(r"[:,.;(\[|]")

    def __init__(self, message: str):
        parts = re.findall(r"([a-z0-9]+)([^a-z0-9]*)", fold_width_and_case(message)[:2000])
        self.words = [word for word, _after in parts][:400]
        self.after = [after for _word, after in parts][:400]
        self.text = " ".join(self.words)

    def starts_with(self, key: str) -> bool:
        """The documented message, then its end or detail (`…information: verify …`)."""
        key_words = key.split()
        count = len(key_words)
        if not count or self.words[:count] != key_words:
            return False
        return count == len(self.words) or bool(self.DETAIL_MARK.search(self.after[count - 1]))

    def similarity(self, key: str) -> float:
        """100 when the pasted message is the documented one, perhaps with detail after
        it or its placeholder filled in; otherwise how alike the two are, when that is
        SIMILAR or more (0 else)."""
        if not self.text or not key:
            return 0.0
        if self.starts_with(key):
            return 100.0
        # Below SIMILAR the likeness counts for nothing: rapidfuzz gives up early on
        # texts that cannot reach it (a description is several times a message's length).
        similarity = fuzz.ratio(self.text, key, score_cutoff=SIMILAR)
        if len(self.text) > len(key):
            # A drifted message with detail after it: compare the part as long as the key.
            cut = fuzz.ratio(self.text[: len(key)], key, score_cutoff=SIMILAR + 3)
            similarity = max(similarity, cut - 3 if cut else 0.0)
        return similarity


# A word no candidate holds may be a slip of the keyboard (`forbiden`, `expird`, `recieve`):
# when it is no English word (kb.text.spelling) and has at least MISSPELT_LETTERS
# letters, it stands for the candidates' words this few edits away (a letter added,
# dropped or changed, or two swapped). Shorter words are a letter away from too many.
MISSPELT_LETTERS = SHORTEST
MISSPELT_EDITS = ((8, 2), (MISSPELT_LETTERS, 1))
MISSPELT_RE = re.compile(r"[a-z]+")
# Only a word as typed in a sentence may be a slip: not a part of a URL, a host, a path or
# a dotted name (`requests.exceptions`), nor a name in CamelCase (`HTTPError`).
TYPED_WORD_RE = re.compile(r"(?<![\w./:@#=-])[A-Za-z][a-z]+(?![\w./:@#=-])")


@lru_cache(maxsize=2048)
@held_for_first_rows
def spelt_words(index_tokens: str) -> frozenset[str]:
    """The tokens of a row (with its phrasings) that a misspelt word may be a slip of:
    letters only. Kept per row text, as `token_weights` is: a row's phrasings hold
    hundreds of tokens, and checking each one in every search that meets a misspelt word
    cost such a search milliseconds."""
    return frozenset(token for token in token_weights(index_tokens) if MISSPELT_RE.fullmatch(token))


def _misspelt_as_held(groups, candidates, text: str, present: list[list[int]]) -> tuple:
    """`groups` of a description, each misspelt word of `text` that no candidate holds (a
    group of one token) with the candidates' words nearest it (MISSPELT_EDITS) added; the
    very `groups` when there is none. `present`: the groups each candidate holds
    (`_weigh`). A quoted message or a code needs none: its rows are found by what it
    quotes."""
    held = set(itertools.chain.from_iterable(present))
    unheld = {
        token: g
        for g, group in enumerate(groups)
        if g not in held
        and len(group) == 1
        and isinstance(token := next(iter(group)), str)
        and len(token) >= MISSPELT_LETTERS
        and MISSPELT_RE.fullmatch(token)
    }
    if not unheld:
        return groups
    words = TYPED_WORD_RE.findall(fold_width(text))
    long_words = sorted({word.lower() for word in words if len(word) >= MISSPELT_LETTERS})
    misspelt = {token: word for word in not_words(long_words) for token in tokens(word)}
    if misspelt.keys().isdisjoint(unheld):
        return groups
    vocabulary = frozenset().union(*(spelt_words(c.index_tokens) for c in candidates))
    spelt = list(groups)
    for token, g in unheld.items():
        if token not in misspelt:
            continue
        edits = next(edits for letters, edits in MISSPELT_EDITS if len(token) >= letters)
        found = process.extract(
            token, vocabulary, scorer=OSA.distance, score_cutoff=edits, limit=None
        )
        if found:
            nearest = min(distance for _word, distance, _i in found)
            spelt[g] = frozenset([token, *(w for w, distance, _i in found if distance == nearest)])
        # A slip past the end of a word's stem (`orchestraton`: `orchestr`), too many
        # letters from the stem the rows hold: the stems of the English words a letter away.
        elif meant := vocabulary & {
            stem for word in english_neighbours(misspelt[token]) for stem in tokens(word)
        }:
            spelt[g] = frozenset([token, *meant])
    return tuple(spelt) if spelt != list(groups) else groups


def _weigh(groups, candidates, describes: bool) -> tuple[list[float], list[list[int]]]:
    """How much each query group counts, and which groups each candidate holds.

    Rare terms among the candidates count most; a group no candidate has (a typo,
    a junk two-character piece of a Chinese phrase) counts for nothing. A group is
    weighed by the candidates found otherwise than by asking for it alone: in a large
    catalog the look-up of a common word comes back full of rows that hold it, and
    counting them would make every word of the query look as common as the next.
    """
    present = []
    words = _word_groups(groups)
    owners = _token_owners(groups)
    for candidate in candidates:
        held = candidate.weights_for(describes)
        found = {g for token in held.keys() & owners.keys() for g in owners[token]}
        if words:
            found.update(g for g in words if held_terms(groups[g], held))
        present.append(sorted(found))
    frequency = Counter(itertools.chain.from_iterable(present))
    asked = Counter(candidate.asked_for for candidate in candidates)
    # The candidates that hold each group, but those that hold it because it was asked for.
    sampled = frequency.copy()
    sampled.subtract(
        candidate.asked_for
        for candidate, found in zip(candidates, present, strict=True)
        if candidate.asked_for is not None and candidate.asked_for in found
    )
    weights = [
        math.log((len(candidates) - asked[g] + 1) / (sampled[g] + 0.5)) + 0.2
        if frequency[g]
        else 0.0
        for g in range(len(groups))
    ]
    return weights, present


@dataclass(frozen=True)
class Asked:
    """What one ranking asks of every candidate, worked out once: the parsed query, its
    groups and how much each counts, whether it describes a failure (else it quotes a
    documented message or carries a code), the identifiers it names, the way of
    signing in it names alone (`_sign_in_named`), and what a row may be about that it
    does not name (SUBJECTS)."""

    query: ParsedQuery
    groups: tuple[frozenset[Term], ...] = ()
    weights: tuple[float, ...] = ()
    describes: bool = False
    names: frozenset[str] = frozenset()
    # The tokens of each identifier's words (`identifier_words`).
    name_words: tuple[frozenset[str], ...] = ()
    sign_in: tuple[frozenset[str], frozenset[str]] | None = None
    # What a row's message may be about (SUBJECTS) that the query does not name.
    unnamed: frozenset[str] = frozenset()
    # The tokens of what the query says was not sent (`lacked_terms`).
    lacking: frozenset[str] = frozenset()
    # The identifiers it says were sent (`sent_identifiers`), when it says none was not.
    sent: frozenset[str] = frozenset()
    # The fields it shows sent with a value (`given_fields`), or says were refused
    # (`refused_terms`): either way sent.
    given: frozenset[str] = frozenset()

    @cached_property
    def said(self) -> frozenset[str]:
        """Every token any group of the query may match."""
        return _asked_tokens(self.groups)

    @cached_property
    def total(self) -> float:
        return sum(self.weights)

    @cached_property
    def known(self) -> float:
        """The share of the groups some candidate holds: words that match nothing at all
        make every row a weaker answer."""
        return sum(1 for weight in self.weights if weight) / len(self.weights)

    @cached_property
    def shown_sent(self) -> frozenset[str]:
        """The fields the query says it sent or shows with a value: no lack-of row's."""
        return self.given | self.sent


def _fixed_score(asked: Asked, candidate, similarity: float) -> tuple[float, str]:
    """The part of a candidate's score its words do not decide (its code, status and
    catalog, what its message names, its message's likeness to the pasted one), and how
    it matched."""
    query = asked.query
    score, match = 0.0, "text"
    if query.codes and candidate.code in query.codes:
        score, match = 60.0, "code"
    if query.http_status:
        if candidate.http_status == query.http_status:
            score += 8.0 if query.status_implied else 15.0
        elif not query.status_implied:
            score -= 12.0
        if query.status_only:
            score, match = score + 50.0, "status"
    if match != "code" and (candidate.catalog == "APIGW") != query.names_shared_gateway:
        # The catalog the text does not point at (APIG unless it names a cloud service's API).
        score -= NAMED_GATEWAY_PENALTY if query.names_shared_gateway else SHARED_GATEWAY_PENALTY
    if match != "code" and not asked.unnamed.isdisjoint(message_tokens(candidate.index_tokens)):
        score -= UNNAMED_SUBJECT_PENALTY
    if asked.sign_in and match != "code":
        named, other = asked.sign_in
        message = message_tokens(candidate.index_tokens)
        if not message.isdisjoint(other) and message.isdisjoint(named):
            score -= OTHER_SIGN_IN_PENALTY
    if similarity >= SIMILAR:
        score += similarity - 60
        if match == "text" and similarity >= QUOTED_SIMILARITY:
            match = "message"
    return score, match


def _best_possible(asked: Asked, candidate, fixed: tuple[float, str], present: list[int]) -> float:
    """No less than the score `_rank` gives `candidate`, of this fixed part, holding the
    groups `present`: each group's words in the row's weightiest section, in a phrasing
    that says nothing else, and what the text says of its message (`_message_said`)."""
    score, match = fixed
    if asked.total:
        share = sum(map(asked.weights.__getitem__, present)) / asked.total
        score += share * TOP_SECTION_WEIGHT * (0.5 + 0.5 * asked.known) * _words_weight(match)
        if asked.describes:
            score += PHRASING_WEIGHT * share + _message_said(asked, candidate)
    return score + 0.05 + 1e-6  # `_rank` rounds to a tenth


def _message_said(asked: Asked, candidate) -> float:
    """What a row's message adds to its score for a description that says it: every word
    of the message (MESSAGE_SAID_WEIGHT); the field a lack-of row names, as much as the
    description says that field was not sent (LACK_WEIGHT); else an identifier the
    description names that the message names too (IDENTIFIER_WEIGHT), unless the row says
    it is missing and the description that it was sent; less GIVEN_LACK_PENALTY for a
    lack-of row whose field the description shows with a value or says it sent. Worked out
    for a candidate's best possible score too: it costs a few set operations."""
    score = 0.0
    if _message_words(candidate.message_key) <= asked.said:
        score += MESSAGE_SAID_WEIGHT
    message = message_tokens(candidate.index_tokens)
    if asked.lacking and LACK in message:
        score += LACK_WEIGHT * _lacked_share(asked.lacking, message, candidate.code)
    elif (
        asked.names
        and _names_identifier(asked, message)
        and (LACK not in message or message.isdisjoint(asked.sent))
    ):
        score += IDENTIFIER_WEIGHT
    shown = asked.shown_sent
    if shown and LACK in message and _lacked_share(shown, message, candidate.code) == 1:
        score -= GIVEN_LACK_PENALTY
    return score


def _words_weight(match: str) -> float:
    """What the words a row holds count for: for a known code they only break ties
    between its rows."""
    return 20.0 if match == "code" else 45.0


def _rank(
    asked: Asked, candidate, present: list[int], similarity: float, fixed: tuple[float, str]
) -> Hit:
    """How well `candidate` answers: its score, how it matched, the query's tokens it
    holds; `present` are the groups it holds, `similarity` its message's to the pasted
    one, `fixed` the part of its score its words do not decide (`_fixed_score`)."""
    groups, weights = asked.groups, asked.weights
    score, match = fixed
    terms: set[str] = set()
    coverage = 0.0
    total = asked.total
    if total:
        held = candidate.weights_for(asked.describes)
        covered = 0.0
        words = _word_groups(groups)
        for g in present:
            if g not in words:  # a group of tokens alone, as most are: each is a term
                if found := held.keys() & groups[g]:
                    terms.update(found)
                    covered += max(map(held.__getitem__, found)) * weights[g]
            elif found := held_terms(groups[g], held):
                terms.update(group_tokens(frozenset(found)))
                covered += max(_held_weight(held, term) for term in found) * weights[g]
        coverage = covered / total * (0.5 + 0.5 * asked.known)
        score += coverage * _words_weight(match)
        if asked.describes:
            # One customer phrasing that says most of what the query says: a description
            # of this very failure, not words scattered over the row's texts.
            score += PHRASING_WEIGHT * _best_line_share(
                phrasing_postings(candidate.index_tokens), groups, weights, present, total
            )
            # Every word of the row's message said, the field it says is missing (`Lack
            # of grant_type.`) said not sent, an identifier it names named.
            score += _message_said(asked, candidate)
    return Hit(
        entry=None,
        score=round(score, 1),
        match=match,
        terms=frozenset(terms),
        similarity=similarity,
        coverage=round(coverage, 3),
        held_share=round(len(present) / len(groups), 3) if groups else 0.0,
    )


@lru_cache(maxsize=2048)
def _message_words(message_key: str) -> frozenset[str]:
    """The tokens of a row's message (its key), when it has MESSAGE_SAID_WORDS or more: a
    description that says each of them says the message. (A token no query holds, else.)"""
    words = message_key_tokens(message_key)
    return words if len(words) >= MESSAGE_SAID_WORDS else frozenset([""])


def _lacked_share(lacking: frozenset[str], message: frozenset[str], code: str) -> float:
    """How much of the field a lack-of row names (its message's tokens but `lack` and its
    code's) the query says was not sent: all of it when it spells the field (`clientid`),
    else the share of the field's words (`client`, `id`) it says."""
    field = message - {LACK, *tokens(code)}
    spelled = {
        token for token in field if any(token != word and token.startswith(word) for word in field)
    }
    if not spelled.isdisjoint(lacking):
        return 1.0
    words = field - spelled
    return len(words & lacking) / len(words) if words else 0.0


def _names_identifier(asked: Asked, message: frozenset[str]) -> bool:
    """Whether a row's message names an identifier the query names, spelt or in words."""
    return not asked.names.isdisjoint(message) or any(
        words <= message for words in asked.name_words
    )


def _sign_in_named(
    asked: frozenset[str], folded: str, cloud_service: bool = False
) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the tokens by which a row's message names the way of signing in the text names,
    the tokens of every other way), when the text names one way and no other; else None.
    `folded`: the text's first 2,000 characters, width and case folded. A text about a
    cloud service's own API (`cloud_service`) that names none names IAM's: the services'
    APIs are called with an IAM token or an IAM user's keys, unless a word of an app or a
    credential says otherwise."""
    named = [way for way, (_, pattern) in SIGN_IN_WAYS.items() if pattern.search(folded)]
    if not named and cloud_service:
        named = ["iam"]
    if len(named) != 1 or (named == ["iam"] and not asked.isdisjoint(MAY_NAME_APP)):
        return None
    own = SIGN_IN_WAYS[named[0]][0]
    return own, SIGN_IN_TOKENS - own


def _without_services(groups: tuple, services: frozenset[str]) -> tuple:
    """The groups but those of a cloud service's name whose API the text names, and of the
    operation it names the API by: where the call went, not a word of the failure (`vpc` of
    `the VPC API returns 500` is not the VPC channel of `The VPC backend does not exist`,
    `iam` of `calling the IAM API` not IAM authentication, `publish` of `SMN publish calls`
    not an API not published). The text still points at the shared gateway by them."""
    named = {token for name in services for token in tokens(name)}
    kept = tuple(group for group in groups if not group <= named)
    return kept or groups


def _unnamed_subjects(asked: frozenset[str], folded: str) -> frozenset[str]:
    """The tokens by which a row's message names a subject (SUBJECTS) the query does not;
    `folded` as `_sign_in_named` reads it."""
    named = {"ip"} if IPV4_RE.search(folded) else set()
    if CREDENTIAL_RE.search(folded):
        named.add("app")
    return frozenset(
        token for token, naming in SUBJECTS if token not in named and not held_terms(naming, asked)
    )


@lru_cache(maxsize=1024)
def _token_owners(groups) -> dict[str, tuple[int, ...]]:
    """The groups each token term of the query's groups is in (a word of several tokens
    is not: `held_terms` checks those)."""
    owners: dict[str, list[int]] = {}
    for g, group in enumerate(groups):
        for term in group:
            if isinstance(term, str):
                owners.setdefault(term, []).append(g)
    return {token: tuple(found) for token, found in owners.items()}


@lru_cache(maxsize=1024)
def _word_groups(groups) -> tuple[int, ...]:
    """The groups with a word of several tokens (`调用次数用完`): checked term by term."""
    return tuple(g for g, group in enumerate(groups) if any(not isinstance(t, str) for t in group))


def _held_weight(held: dict[str, float], term) -> float:
    """A token's weight in the row; a word's of several tokens, its weakest token's."""
    return held[term] if isinstance(term, str) else min(held[token] for token in term)


@lru_cache(maxsize=1024)
def _asked_tokens(groups) -> frozenset[str]:
    """Every index token of the query's groups, its words' tokens taken apart."""
    return frozenset(token for group in groups for token in group_tokens(group))


def _best_line_share(postings, groups, weights, present, total) -> float:
    """How well the best phrasing line and the query say the same: the share of the
    query's words (by weight) the line holds, less where the query leaves out much of
    the line (PHRASING_OWN_WORDS). `postings` are the row's lines and the lines each
    token is in (`phrasing_postings`): only the lines that hold a word of the query are
    read."""
    lines, where = postings
    shares: dict[int, float] = {}
    for g in present:
        group = groups[g]
        if len(group) == 1 and isinstance(term := next(iter(group)), str):
            holding = where.get(term, ())  # a group of one token, as most are
        else:
            holding = set()
            for term in group:
                if isinstance(term, str):
                    holding.update(where.get(term, ()))
                else:  # a word of several tokens: the lines that hold them all
                    holding.update(set.intersection(*(set(where.get(token, ())) for token in term)))
        weight = weights[g]
        for number in holding:
            shares[number] = shares.get(number, 0.0) + weight
    if not shares:
        return 0.0
    asked = _asked_tokens(groups)
    best = 0.0
    # The lines by their share of the query's words, the most first: a line's own words
    # only lower its share, so once a line's share is no more than the best, no line after
    # it can reach the best.
    for number, share in sorted(shares.items(), key=operator.itemgetter(1), reverse=True):
        if share <= best:
            break
        line = lines[number]
        share *= 1 - PHRASING_OWN_WORDS + PHRASING_OWN_WORDS * len(line & asked) / len(line)
        best = max(best, share)
    return best / total


def _ranked(
    asked: Asked, candidates, present, similarities, limit: int, primary: str
) -> list[tuple[Candidate, Hit]]:
    """The candidates that score above 0 with their hits, their scores after
    `_after_primary_twins`: every one that places among the first `limit` or within
    SURE_MARGIN of the first (which `_mark_contested` reads), if not every other.

    In a large catalog most of a description's candidates hold a common word or two of it
    and cannot place: they are ranked best possible score first (`_best_possible`, which
    costs a sum of a few weights), and the rest are left once none of them can reach the
    scores the ranked ones have. Which ones place is the same as when all are ranked.
    """
    fixed = [
        _fixed_score(asked, candidate, similarity)
        for candidate, similarity in zip(candidates, similarities, strict=True)
    ]
    if len(candidates) <= limit:  # every one may place (a code's rows, say): no bounds
        bounds = [math.inf] * len(candidates)
    else:
        bounds = [
            _best_possible(asked, *row) for row in zip(candidates, fixed, present, strict=True)
        ]
    order = sorted(range(len(candidates)), key=bounds.__getitem__, reverse=True)
    hits: dict[int, Hit] = {}

    def rank(i: int) -> None:
        hits[i] = _rank(asked, candidates[i], present[i], similarities[i], fixed[i])

    def placing() -> tuple[list[tuple[Candidate, Hit]], float]:
        """The ranked ones above 0 after their twins, and the score every one left
        unranked must stay below."""
        ranked = [(candidates[i], hits[i]) for i in sorted(hits) if hits[i].score > 0]
        _after_primary_twins(ranked, primary)
        scores = sorted((hit.score for _candidate, hit in ranked), reverse=True)
        if len(scores) < limit:
            return ranked, 0.0
        return ranked, min(scores[limit - 1], scores[0] - SURE_MARGIN)

    scores: list[float] = []  # the ranked ones' scores before their twins, best first
    for i in order:
        if len(scores) >= limit and bounds[i] < min(scores[limit - 1], scores[0] - SURE_MARGIN):
            break
        rank(i)
        bisect.insort(scores, hits[i].score, key=operator.neg)
    # A row's twin in the catalog the text points at may lower its score: every ranked
    # row's is ranked too.
    twins: dict[tuple[str, int], list[int]] = {}
    for i, candidate in enumerate(candidates):
        if candidate.catalog == primary:
            twins.setdefault((candidate.message_key, candidate.http_status), []).append(i)

    def rank_twins(ranked_ones) -> None:
        for i in ranked_ones:
            if candidates[i].catalog != primary:
                for twin in twins.get((candidates[i].message_key, candidates[i].http_status), ()):
                    if twin not in hits:
                        rank(twin)

    rank_twins(list(hits))
    ranked, below = placing()
    # Twins lowered the scores the stop was decided by, or too few place: the ones left
    # that may still place are ranked (with their twins), until none may. Once every
    # ranked row's twin is ranked, a row ranked later only adds a score: the bar (`below`)
    # never falls, and what places is what places when all are ranked.
    while more := [i for i in order if i not in hits and bounds[i] >= below and bounds[i] > 0]:
        for i in more:
            rank(i)
        rank_twins(more)
        ranked, below = placing()
    return ranked


def _after_primary_twins(ranked: list[tuple[Candidate, Hit]], primary: str) -> None:
    """A row scores no higher than its twin (the same message and status) in the catalog
    the text points at: the customer's own gateway (APIG), or the shared gateway of cloud
    services (APIGW) when the text names it, whatever their phrasings say."""
    scores = {
        (candidate.message_key, candidate.http_status): hit.score
        for candidate, hit in ranked
        if candidate.catalog == primary
    }
    for candidate, hit in ranked:
        twin = scores.get((candidate.message_key, candidate.http_status))
        if candidate.catalog != primary and twin is not None and hit.score > twin:
            hit.score = twin


def _mark_contested(ranked: list[tuple[Candidate, Hit]]) -> None:
    """When the first row was found by its words and a row that says something else
    scores about as high, no row found by words is a sure answer."""
    if not ranked or ranked[0][1].match != "text":
        return
    top, best = ranked[0]
    says = (top.message_key, top.http_status)
    rival = next(
        (
            hit
            for candidate, hit in ranked[1:]
            if (candidate.message_key, candidate.http_status) != says
        ),
        None,
    )
    if rival is not None and best.score - rival.score < SURE_MARGIN:
        for _candidate, hit in ranked:
            if hit.match == "text":
                hit.contested = True


def search(text: str, limit: int = RESULT_LIMIT) -> SearchResult:
    """Rank catalog rows for whatever was pasted. Raises QueryError for text it cannot take."""
    query = parse(text)
    result = SearchResult(query=query)
    if not query.text:
        return result
    # A text asked again (the same page reloaded or in the other language, a shared link,
    # a common complaint) is not ranked again until the catalog or the counts of its words
    # this process holds (kb.search.index.token_row_counts) change.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    key = (digest, limit, token_row_counts_read())
    ranked, unknown_codes = _rankings.one(key, lambda: _ranking(query, limit))
    result.unknown_codes = list(unknown_codes)
    entries = load_entries([row_id for row_id, _hit in ranked])
    result.hits = [
        replace(hit, entry=entries[row_id]) for row_id, hit in ranked if row_id in entries
    ]
    attach_diagnoses(result.hits, text=query.text, message=query.message, free_text=query.free_text)
    return result


def _ranking(query: ParsedQuery, limit: int) -> tuple[tuple[tuple[int, Hit], ...], tuple[str, ...]]:
    """The ids of the best `limit` rows for the query, each with its hit (without its row),
    and the codes the query names that the catalog does not have."""
    message = query.message if query.message else ("" if query.code_only else query.free_text)
    words = message or ("" if query.code_only else query.free_text)
    groups = query_groups(words[:2000]) if words and not query.status_only else ()
    if groups and query.cloud_services:
        groups = _without_services(groups, query.cloud_services)
    pasted = PastedMessage(message)
    names = identifiers(words[:2000]) if groups else frozenset()
    candidates, unknown_codes = _gather(query, groups, pasted, names)

    similarities = [max(pasted.similarity(key) for key in c.keys) for c in candidates]
    # Customer phrasings count for a description; a text that quotes a documented message
    # or carries a code is judged by what the catalog documents, so that the phrasings of
    # rows with one message (APIG and APIGW twins, say) do not decide between them.
    describes = not query.codes and max(similarities, default=0) < QUOTED_SIMILARITY
    said = said_groups(words[:2000], groups) if describes and groups else frozenset()
    if describes and groups:
        # A description meets dozens of rows (the look-ups by its words read the first
        # rows' tokens at this catalog version anyway): the first rows' readings are
        # held again once the catalog changed.
        hold_first_rows()
    weights, present = (
        _weigh(groups, candidates, describes) if groups else ([], [[]] * len(candidates))
    )
    if describes and groups:
        spelt = _misspelt_as_held(groups, candidates, words[:2000], present)
        if spelt is not groups:  # a slip of the keyboard stands for words the rows hold
            groups = spelt
            weights, present = _weigh(groups, candidates, describes)
    if describes and groups:
        weights = [
            weight * SAID_WEIGHT if g in said else weight for g, weight in enumerate(weights)
        ]
    asked_tokens = _asked_tokens(groups)
    lacking = lacked_terms(words[:2000]) if describes and groups else frozenset()
    # The way of signing in and the subjects a text names weigh on rows found by their
    # words, never on a known code's (`_fixed_score`).
    by_words = bool(groups) and not (query.codes and not unknown_codes)
    folded = fold_width_and_case(words[:2000]) if by_words else ""
    asked = Asked(
        query,
        groups,
        tuple(weights),
        describes,
        names,
        identifier_words(words[:2000]) if names else (),
        _sign_in_named(asked_tokens, folded, query.names_cloud_service) if by_words else None,
        _unnamed_subjects(asked_tokens, folded) if by_words and len(groups) > 1 else frozenset(),
        lacking,
        sent_identifiers(words[:2000]) if names and not lacking else frozenset(),
        given_fields(words[:2000]) | refused_terms(words[:2000])
        if describes and groups and not lacking
        else frozenset(),
    )
    primary = "APIGW" if query.names_shared_gateway else "APIG"
    ranked = _ranked(asked, candidates, present, similarities, limit, primary)
    ranked.sort(
        key=lambda item: (
            -item[1].score,
            item[0].catalog != primary,
            item[0].catalog,
            item[0].sort_order,
        )
    )
    _mark_contested(ranked)
    return tuple((candidate.id, hit) for candidate, hit in ranked[:limit]), tuple(unknown_codes)


# The rankings of the texts searched lately, by a digest of the text (the text itself is
# not kept): about 6 KB each (ten hits; their tokens are the index's), 13 MB at most.
_rankings = KeptUntilCatalogChanges(limit=2048)


def forget_rankings() -> None:
    """Rank every text afresh at the next search (tests: each starts a new database)."""
    _rankings.forget()


# The rows a worker reads before its first request (`read_first_rows`, gunicorn.conf.py):
# the real catalog is its first hundred-odd rows by id.
READ_AT_START = KNOWN_TEXTS


def read_first_rows() -> int:
    """Read what the ranking reads of the first READ_AT_START rows by id (their token
    weights, with and without the phrasings, phrasing lines, message tokens, letter
    words) and hold it (`hold_first_rows`), and say how many rows were read. A worker
    does it before its first request: a catalog row's phrasings take about 0.2 ms to read,
    and the first descriptions a worker met after a start read up to thirty of them each
    while a reader waited.

    What every search reads once per catalog version is read too: the index's word
    counts (a read of SQLite's whole full-text index, about 0.14 s at 100,000 rows),
    the aliases' keys, the first words of the message keys, the first rows' messages
    and Chinese meanings, and which of them hold each token.
    """
    token_row_counts()
    alias_keys()
    message_key_first_words()
    known_rows()
    for column in SAID_COLUMNS:
        first_rows_said(frozenset(), READ_AT_START, MESSAGE_SAID_WORDS, column)
    return hold_first_rows()


# Each reading of a row's text the ranking asks for, with the arguments after the text.
HELD_READINGS = (
    (token_weights, ((), (PHRASINGS,))),
    (phrasing_postings, ((),)),
    (message_tokens, ((),)),
    (spelt_words, ((),)),
)


def hold_first_rows() -> int:
    """Hold what the ranking reads of the first rows' texts (`known_texts`: the catalog
    the knowledge base was loaded with), once per catalog version, in place of what was
    held for the texts they had before; say how many rows' readings are held. A text read
    before (held, or among the rows read last) is not read again: after an edit, only the
    edited row is.

    Every other row's readings are kept while they are among the 2,048 read last
    (`lru_cache`). Before, the first rows' were kept so too: a worker whose searches had
    read that many other rows' texts (at 100,000 rows, 2,000 English descriptions in a row
    read about 300) read the catalog's own rows, the answers, again one by one (about
    0.5 ms each) as searches met them; and a cold search (bench/search_speed.py) forgot
    them, a state no worker is in.
    """
    return _first_rows_held.one(READ_AT_START, _hold_first_rows)


def _hold_first_rows() -> int:
    texts = known_texts()
    for reading, arguments in HELD_READINGS:
        held = {(text, *more): reading(text, *more) for text in texts for more in arguments}
        reading.held.clear()
        reading.held.update(held)
    return len(texts)


# The catalog version at which the first rows' readings were last held.
_first_rows_held = KeptUntilCatalogChanges(limit=1)


def forget_row_texts() -> None:
    """Read every row's tokens afresh but the first rows' held ones (bench/search_speed.py:
    a cold search, from a worker that read none of the rows the query meets since its
    start): what each row text was read into is kept by the process per text."""
    for reading, _arguments in HELD_READINGS:
        reading.cache_clear()


def forget_held_rows() -> None:
    """Read the first rows afresh too, as a new worker does (tests: each starts a new
    database)."""
    for reading, _arguments in HELD_READINGS:
        reading.held.clear()
    _first_rows_held.forget()
