"""The detail a pasted message carries after its documented part, and staff-written
patterns matched against it without letting one pattern stall a search.

Patterns are written in the admin, so they run through the `regex` module, whose
matches take a time limit: a pattern that backtracks catastrophically on some
detail gives up (counts as no match) instead of holding a worker.
"""

import itertools
import logging
import re
import unicodedata
from functools import lru_cache

import regex

logger = logging.getLogger(__name__)

MAX_PATTERN_LENGTH = 300
# Only this much of a detail is matched or read for facts: gateway details are
# one line; more is a paste of something else.
MAX_DETAIL_CHARS = 4096
MATCH_TIMEOUT_SECONDS = 0.05

WORD_RE = re.compile(r"[a-z0-9]+", re.IGNORECASE)
# A value written as a template rather than given: `{x-sdk-date}`, `${AK}`, `<ak>`, `%s`,
# `%(limit)s`, `XX`, `xxx`, `***`, `...`. Documentation and redacted logs print these
# where the gateway printed a value. (The catalog's own `{xxx}` in a documented message is
# kb.text.tokens.PLACEHOLDER_RE.)
PASTED_PLACEHOLDER_RE = re.compile(
    r"\$?\{[^{}\s]{0,40}\}|<[^<>\s]{1,40}>|%(?:\([a-z_]{1,30}\))?[sd]|x{2,}|\*{2,}|\.{3}|…",
    re.IGNORECASE,
)
# Where a detail was cut short: `policy user over rat...`, `…`.
CUT_RE = re.compile(r"\.{3}|…")
# A cut-short detail names a cause only if this many words of its pattern survive the cut.
MIN_WORDS_BEFORE_CUT = 2
MAX_CUTS = 8  # a stack trace's `(...)` are cuts too: only the first few are read
LEADING_PUNCTUATION = " \t\r\n:：,，.。;；-–—"


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> regex.Pattern:
    if not pattern or not pattern.strip():
        raise PatternError("empty pattern")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except (regex.error, OverflowError, RecursionError) as error:
        raise PatternError(str(error)) from error


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether `pattern` (case-insensitive) is found in `text`.

    A pattern that does not compile or runs out of time matches nothing: a broken
    cause never breaks a search.
    """
    if not text:
        return False
    try:
        compiled = compile_pattern(pattern)
        return compiled.search(text[:MAX_DETAIL_CHARS], timeout=MATCH_TIMEOUT_SECONDS) is not None
    except PatternError:
        return False
    except TimeoutError:
        logger.warning("cause pattern %r timed out; treated as no match", pattern)
        return False


def words_before_cut(pattern: str, text: str) -> int:
    """How many words of a match of `pattern` a detail cut short shows: the words from
    where the match would begin up to a cut (`...`, `…`), when all of them match the
    pattern's beginning; 0 when the detail is not cut or shows fewer than
    MIN_WORDS_BEFORE_CUT of them (`pol...` could be any policy)."""
    text = (text or "")[:MAX_DETAIL_CHARS]
    most = 0
    for cut in itertools.islice(CUT_RE.finditer(text), MAX_CUTS):
        try:
            match = compile_pattern(pattern).search(
                text[: cut.start()], partial=True, timeout=MATCH_TIMEOUT_SECONDS
            )
        except (PatternError, TimeoutError):
            return 0
        if match is not None and match.partial:
            most = max(most, len(WORD_RE.findall(match.group())))
    return most if most >= MIN_WORDS_BEFORE_CUT else 0


def is_placeholder(value: str) -> bool:
    """Whether `value` is a template's placeholder (or a mask), not a value."""
    return bool(PASTED_PLACEHOLDER_RE.fullmatch((value or "").strip().strip("\"'").strip()))


def detail_of(message: str, key: str) -> str:
    """What follows the documented message in `message`.

    `key` is the row's `message_key` (its documented words, lower case). When the
    documented words are found, the detail is what follows them
    (`Incorrect app authentication information: app not found, appkey …` ->
    `app not found, appkey …`); otherwise the whole message is the detail.
    """
    text, end = _after_key(message, key)
    if end is None:
        return text
    return text[end:].lstrip(LEADING_PUNCTUATION).strip()


def stated_detail(message: str, key: str) -> str:
    """The detail the gateway states after its documented message and a colon, as in
    `Incorrect app authentication information: app not found`; empty when the documented
    words are not there or no colon follows them (`…information, but I …`)."""
    text, end = _after_key(message, key)
    if end is None:
        return ""
    rest = text[end:].lstrip(" \t.")
    return rest[1:].strip() if rest[:1] in (":", "：") else ""


def _after_key(message: str, key: str) -> tuple[str, int | None]:
    """`message` normalised, and where the documented words end in it (None if absent)."""
    text, lowered, ends = _message_words(message)
    key_words = tuple(key.split())
    if not text or not key_words:
        return text, None
    count = len(key_words)
    for start in range(len(lowered) - count + 1):
        if lowered[start : start + count] == key_words:
            return text, ends[start + count - 1]
    return text, None


@lru_cache(maxsize=64)
def _message_words(message: str) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    """`message` normalised, its words in lower case and where each ends: read once for
    the several rows a search diagnoses the same text against."""
    text = unicodedata.normalize("NFKC", message or "")[:MAX_DETAIL_CHARS].strip()
    words = list(WORD_RE.finditer(text))
    return text, tuple(word.group().lower() for word in words), tuple(word.end() for word in words)
