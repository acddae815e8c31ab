"""The unknown-error queue: searches that found nothing, or nothing sure, grouped.

`kb.search` calls `record_unanswered()`; support editors work the queue in the admin
(`UnansweredSearch`), turning a group into a new row or into an alias of a row.
"""

import re
import unicodedata

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kb.models import UnansweredSearch
from kb.redact import redact
from kb.search.parse import clean

# What is kept of one search: enough to read the error, not a whole dump.
MAX_STORED_LENGTH = 2000
MAX_NORMALIZED_LENGTH = 500

_TIMES = [
    # 2026-11-27T01:23:45.678+08:00, 2026-11-27 01:23:45, 2026/11/27 01:23
    re.compile(
        r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[t ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?"
        r"(?:z|[+-]\d{2}:?\d{2}|\s?gmt|\s?utc)?"
    ),
    # Tue, 27 Nov 2026 01:23:45 GMT (HTTP dates)
    re.compile(
        r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+\d{1,2}\s+[a-z]{3,9}\s+\d{4}"
        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s?gmt|\s?utc)?"
    ),
    # 01:23:45, 01:23:45.678
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
    # x-sdk-date: 20261127T012345Z
    re.compile(r"\b\d{8}t\d{6}z\b"),
]
# Numbers of five digits or more: epoch times, ports, ids, sizes. Codes (`APIG.0303`)
# and HTTP statuses are shorter and stay.
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")
_WORD = re.compile(r"<[a-z-]+>|[^\W_]+(?:[._][^\W_]+)*")


def normalize_query(text: str) -> str:
    """One form for searches that are the same error: case, spacing, punctuation,
    times and long numbers do not matter. `text` should already be redacted."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for pattern in _TIMES:
        text = pattern.sub(" <time> ", text)
    text = _LONG_NUMBER.sub(" <n> ", text)
    return " ".join(_WORD.findall(text))[:MAX_NORMALIZED_LENGTH].strip()


def record_unanswered(query: str, language: str) -> None:
    """Count a search that found no answer (or only an unsure one) in the queue.

    Redacts first: nothing the customer pasted is stored unredacted. Safe when several
    processes or hosts record the same search at once (an atomic increment, and an
    insert that falls back to the increment when another process inserted first).
    """
    # As the search read it: no control characters, which PostgreSQL cannot store.
    text = redact(clean(query or "")).strip()[:MAX_STORED_LENGTH]
    normalized = normalize_query(text)
    if not normalized:
        return
    language = (language or "")[:8]
    now = timezone.now()
    if _count_again(normalized, text, language, now):
        return
    try:
        with transaction.atomic():
            UnansweredSearch.objects.create(
                normalized=normalized,
                text=text,
                language=language,
                count=1,
                first_seen=now,
                last_seen=now,
            )
    except IntegrityError:
        _count_again(normalized, text, language, now)


def _count_again(normalized: str, text: str, language: str, now) -> bool:
    return bool(
        UnansweredSearch.objects.filter(normalized=normalized).update(
            count=models.F("count") + 1, last_seen=now, text=text, language=language
        )
    )


def record_if_unanswered(text: str, result, language: str) -> None:
    """Queue a search whose best answer is missing or unsure (`SearchResult.confident`)."""
    if not result.confident:
        record_unanswered(text, language)
