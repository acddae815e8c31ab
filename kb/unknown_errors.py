"""The unknown-error queue: searches that found nothing, or nothing sure, grouped.

`kb.search.answer.answer()` calls `record_unknown_error()` for the search page and the API
(not for `manage.py lookup`); support editors work the queue in the admin
(`UnansweredSearch`), turning a group into a new row or into an alias of a row.

Bounded, so that nobody can flood it or steer what editors work on: one client (a
keyed hash of its address) adds to at most UNANSWERED_RATE_LIMIT groups in
UNANSWERED_RATE_WINDOW seconds, raises a group's count at most once per window (so a
count is the number of clients that met the error, window by window), and past
UNANSWERED_MAX_ENTRIES groups the oldest resolved groups are dropped first, then the
open ones seen longest ago. Twenty clients sending the same search at once make one
group counted twenty times; one client sending it twenty times, one group counted once.
"""

import hashlib
import re
import unicodedata

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kb.models import UnansweredSearch, UnansweredSighting
from kb.redact import redact
from kb.text.lines import clean

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


def queue_group_key(text: str) -> str:
    """One form for searches that are the same error: case, spacing, punctuation,
    times and long numbers do not matter. `text` should already be redacted."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for pattern in _TIMES:
        text = pattern.sub(" <time> ", text)
    text = _LONG_NUMBER.sub(" <n> ", text)
    return " ".join(_WORD.findall(text))[:MAX_NORMALIZED_LENGTH].strip()


def record_unknown_error(query: str, language: str, client: str = "") -> None:
    """Count a search that found no answer (or only an unsure one) in the queue.

    Redacts first: nothing the customer pasted is stored unredacted. Safe when several
    processes or hosts record the same search at once (an atomic increment, and an
    insert that falls back to the increment when another process inserted first).
    `client` (kb.client_address.client_key) is bound by the queue's limits; without one
    (a caller with no request), every search counts.
    """
    # As the search read it: no control characters, which PostgreSQL cannot store.
    text = redact(clean(query or "")).strip()[:MAX_STORED_LENGTH]
    normalized = queue_group_key(text)
    if not normalized:
        return
    language = (language or "")[:8]
    now = timezone.now()
    if client and not _first_sighting(normalized, client, now):
        return
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
        return
    _keep_queue_bounded(now)


def _first_sighting(normalized: str, client: str, now) -> bool:
    """Whether this client may count this group now: under its rate limit, and not
    counted in this group during this window yet (recorded, if so)."""
    window_seconds = settings.UNANSWERED_RATE_WINDOW
    since = now - timezone.timedelta(seconds=window_seconds)
    sightings = UnansweredSighting.objects.of_client_since(client, since)
    if sightings.count() >= settings.UNANSWERED_RATE_LIMIT:
        return False
    try:
        with transaction.atomic():
            UnansweredSighting.objects.create(
                group_key=hashlib.sha256(normalized.encode()).hexdigest(),
                client_key=client,
                window=int(now.timestamp()) // window_seconds,
                seen_at=now,
            )
    except IntegrityError:
        return False  # counted in this window already
    return True


def _keep_queue_bounded(now) -> None:
    """Past UNANSWERED_MAX_ENTRIES groups, drop the oldest resolved ones, then the open
    ones seen longest ago; and forget sightings older than a window."""
    cutoff = now - timezone.timedelta(seconds=settings.UNANSWERED_RATE_WINDOW)
    UnansweredSighting.objects.filter(seen_at__lt=cutoff).delete()
    over = UnansweredSearch.objects.count() - settings.UNANSWERED_MAX_ENTRIES
    for status in (UnansweredSearch.Status.RESOLVED, UnansweredSearch.Status.OPEN):
        if over <= 0:
            return
        oldest = UnansweredSearch.objects.filter(status=status).order_by("last_seen", "pk")
        dropped = list(oldest.values_list("pk", flat=True)[:over])
        over -= UnansweredSearch.objects.filter(pk__in=dropped).delete()[0]


def _count_again(normalized: str, text: str, language: str, now) -> bool:
    return bool(
        UnansweredSearch.objects.filter(normalized=normalized).update(
            count=models.F("count") + 1, last_seen=now, text=text, language=language
        )
    )
