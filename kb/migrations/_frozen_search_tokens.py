"""The index tokens as migrations 0002 and 0003 compute them, frozen here.

A migration must give the same result whatever the app's code becomes, so it does not
import `kb.text.tokens` (which may change or move): this is a copy of that module's
scheme as of 0003. Django's migration loader skips modules whose name starts with `_`.
A later change to the scheme needs no migration: `manage.py rebuild_search_index`
recomputes every row with the current code.
"""

import re
import unicodedata

import snowballstemmer

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(f"[a-z0-9]+(?:[-_][a-z0-9]+)*|[{_HAN}]+")
_HAN_RE = re.compile(f"[{_HAN}]")
_PLACEHOLDER_RE = re.compile(r"\{[A-Za-z_]*\}")
_STOPWORDS = frozenset(
    "a an and are as at be been by can cannot could did do does for from has have i if in "
    "is it its my not of on or our so that the their there this to was we were what when "
    "which while why will with you your".split()
)
_SIZE_UNITS = {"b", "byte", "bytes", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib"}
_TIME_UNITS = {
    "ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
    "h", "hr", "hrs", "hour", "hours",
}  # fmt: skip
_QUANTITY_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_UNIT_WORDS = {
    **dict.fromkeys(("kb", "kib", "mb", "mib", "gb", "gib", "bytes"), "unitsize"),
    **dict.fromkeys(("ms", "secs", "seconds", "mins", "minutes", "hours"), "unittime"),
}
_stemmer = snowballstemmer.stemmer("english")


def _fold(text):
    return unicodedata.normalize("NFKC", text or "").lower()


def _stem(word):
    return _stemmer.stemWord(word) if word.isalpha() and len(word) > 3 else word


def _han(piece):
    return "z" + "".join(f"{ord(char):x}" for char in piece)


def _unit(suffix):
    if suffix in _SIZE_UNITS:
        return "unitsize"
    if suffix in _TIME_UNITS:
        return "unittime"
    return None


def tokens(text):
    out = []
    after_number = False
    for match in _WORD_RE.finditer(_PLACEHOLDER_RE.sub(" ", _fold(text))):
        word = match.group()
        unit = _UNIT_WORDS.get(word) or (_unit(word) if after_number else None)
        if unit and after_number:
            out[-1] = unit
        after_number = word.isdigit()
        if unit:
            if out[-1:] != [unit]:
                out.append(unit)
        elif _HAN_RE.match(word):
            if len(word) == 1:
                out.append(_han(word))
            else:
                out.extend(_han(word[i : i + 2]) for i in range(len(word) - 1))
        elif (quantity := _QUANTITY_RE.fullmatch(word)) and (unit := _unit(quantity.group(2))):
            out.append(unit)
        elif "-" in word or "_" in word:
            parts = re.split(r"[-_]", word)
            out.extend(_stem(part) for part in parts if part not in _STOPWORDS)
            out.append(_stem("".join(parts)))
        elif word not in _STOPWORDS:
            out.append(_stem(word))
    return out


def message_key(message):
    head = _PLACEHOLDER_RE.split(_fold(message), maxsplit=1)[0]
    head = re.split(r":\s", head, maxsplit=1)[0]
    return " ".join(re.findall(r"[a-z0-9]+", head))[:255]


def document_text(*sections):
    return " ~ ".join(" ".join(tokens(section)) for section in sections)
