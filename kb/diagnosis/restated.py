"""A detail in plain words: the one cause of a row whose explanation it restates.

The gateway's details are matched by the causes' patterns. A detail written another way
(`the Authorization header has no Access`, `自定义认证函数拒绝了请求`) or what a paste
shows (`kb.diagnosis.evidence`) is matched here against the causes' explanations, in both
languages, by index tokens (`kb.text.tokens`: English stems, Chinese character pairs).

A sure cause that is wrong is worse than none, so a cause is named only when the
statement says mostly what its explanation says, and in at least two words that no other
cause of the row uses, more of them than all the other causes together have. Words of
the row's documented message, values (words with digits) and placeholders count for
nothing.
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from kb.text.patterns import PASTED_PLACEHOLDER_RE
from kb.text.tokens import tokens

# A statement restates a cause when this share of its words is in the cause's explanation.
MIN_COVERAGE = 0.5
# ... and at least this many of them are in no other cause's explanation of the row.
MIN_DISTINCTIVE = 2
MAX_STATEMENT_CHARS = 500
# A customer's own account (`I refreshed the token…`, `我已经同步了时间`) is no detail.
HAN_TOKEN_RE = re.compile(r"z(?:[0-9a-f]{4,5}){1,2}")
FIRST_PERSON_RE = re.compile(r"\b(?:i|i'm|i've|me|my|we|our|us)\b|我", re.IGNORECASE)


class Explained(Protocol):
    explanation_en: str
    explanation_zh: str


C = TypeVar("C", bound=Explained)


def first_person(text: str) -> bool:
    return bool(FIRST_PERSON_RE.search(text or ""))


def restated_cause(statement: str, causes: Sequence[C], ignored: str = "") -> C | None:
    """The cause among `causes` (one row's) whose explanation `statement` restates, if
    exactly one clearly is; `ignored` is text whose words say nothing of the cause (the
    row's documented message)."""
    words = _content(statement[:MAX_STATEMENT_CHARS]) - _words(ignored)
    if len(words) < MIN_DISTINCTIVE or not causes:
        return None
    explained = [_explanation_words(cause.explanation_en, cause.explanation_zh) for cause in causes]
    distinctive = []
    for index, own in enumerate(explained):
        others = set().union(*(words for i, words in enumerate(explained) if i != index))
        distinctive.append(len((words & own) - others))
    best = max(range(len(causes)), key=distinctive.__getitem__)
    rest = sum(distinctive) - distinctive[best]
    if distinctive[best] < MIN_DISTINCTIVE or distinctive[best] <= rest:
        return None
    if len(words & explained[best]) < MIN_COVERAGE * len(words):
        return None
    return causes[best]


def _content(text: str) -> set[str]:
    """The words of a statement that may say something: no values, no placeholders."""
    return {word for word in _words(PASTED_PLACEHOLDER_RE.sub(" ", text)) if not _is_value(word)}


def _is_value(word: str) -> bool:
    """A word with a digit is a value (an AK, a request ID, a time); Chinese characters
    are written as `z` and their code points in hex, which are no value."""
    return not HAN_TOKEN_RE.fullmatch(word) and any(char.isdigit() for char in word)


@lru_cache(maxsize=256)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


@lru_cache(maxsize=256)
def _explanation_words(english: str, chinese: str) -> frozenset[str]:
    return _words(english) | _words(chinese)
