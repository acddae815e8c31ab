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
from django.utils import timezone

from kb.models import UnansweredSearch, UnansweredSighting
from kb.redact import redact
from kb.tables import Table, default_db, insert_new
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
    insert that gives way to the increment when another process inserted first).
    `client` (kb.client_address.client_key) is bound by the queue's limits; without one
    (a caller with no request), every search counts.

    This runs on every unsure search, and a search from a reader not seen in this window
    (most of them, on a public site) runs three statements or more. They are written
    here as SQL, with the tables' and columns' names from the models (kb/tables.py): the ORM
    compiles each statement afresh at every call, 0.2 to 0.5 ms of CPU apiece, where the
    statement itself runs in 0.03 ms. `bench/search_page_profile.py --kind repeated`
    measures it.
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
    group = UnansweredSearch(
        normalized=normalized, text=text, language=language, count=1, first_seen=now, last_seen=now
    )
    if not insert_new(group, "normalized"):
        _count_again(normalized, text, language, now)  # another process inserted it first
        return
    _keep_queue_bounded(now)


def _first_sighting(normalized: str, client: str, now) -> bool:
    """Whether this client may count this group now: under its rate limit, and not
    counted in this group during this window yet (recorded, if so)."""
    window_seconds = settings.UNANSWERED_RATE_WINDOW
    since = now - timezone.timedelta(seconds=window_seconds)
    # The client's sightings in the last window (the index sighting_rate_limit).
    db = default_db()
    table = Table.of(UnansweredSighting, db.alias)
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table.name} "
            f"WHERE {table.columns['client_key']} = %s AND {table.columns['seen_at']} >= %s",
            [client, table.value("seen_at", since, db)],
        )
        if cursor.fetchone()[0] >= settings.UNANSWERED_RATE_LIMIT:
            return False
    sighting = UnansweredSighting(
        group_key=hashlib.sha256(normalized.encode()).hexdigest(),
        client_key=client,
        window=int(now.timestamp()) // window_seconds,
        seen_at=now,
    )
    # Not inserted: counted in this window already.
    return insert_new(sighting, "group_key", "client_key", "window")


def _keep_queue_bounded(now) -> None:
    """Past UNANSWERED_MAX_ENTRIES groups, drop the oldest resolved ones, then the open
    ones seen longest ago; and forget sightings older than a window. Run at each new
    group, and a full queue (its steady state on a busy site) drops one group for each
    new one. Nothing refers to a group and no history is kept of one, so a group is
    dropped with a DELETE of its own, in the order of an index, not through the ORM's
    collection (2.6 ms of CPU a new group on SQLite, 3 on PostgreSQL, with a full queue)."""
    cutoff = now - timezone.timedelta(seconds=settings.UNANSWERED_RATE_WINDOW)
    db = default_db()
    sightings = Table.of(UnansweredSighting, db.alias)
    groups = Table.of(UnansweredSearch, db.alias)
    with db.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {sightings.name} WHERE {sightings.columns['seen_at']} < %s",
            [sightings.value("seen_at", cutoff, db)],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {groups.name}")
        over = cursor.fetchone()[0] - settings.UNANSWERED_MAX_ENTRIES
        key, status, last_seen = (groups.columns[name] for name in ("id", "status", "last_seen"))
        for dropped in (UnansweredSearch.Status.RESOLVED, UnansweredSearch.Status.OPEN):
            if over <= 0:
                return
            # The index unanswered_drop_order holds them in this order.
            cursor.execute(
                f"DELETE FROM {groups.name} WHERE {key} IN (SELECT {key} FROM {groups.name} "
                f"WHERE {status} = %s ORDER BY {last_seen}, {key} LIMIT %s)",
                [dropped, over],
            )
            over -= cursor.rowcount


def _count_again(normalized: str, text: str, language: str, now) -> bool:
    """Raise the count of the group `normalized`, if stored (an atomic increment); whether
    it was. The ORM's `filter(normalized=...).update(count=F("count") + 1, ...)`, as SQL."""
    db = default_db()
    table = Table.of(UnansweredSearch, db.alias)
    column = table.columns
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table.name} SET {column['count']} = {column['count']} + 1, "
            f"{column['last_seen']} = %s, {column['text']} = %s, {column['language']} = %s "
            f"WHERE {column['normalized']} = %s",
            [table.value("last_seen", now, db), text, language, normalized],
        )
        return cursor.rowcount > 0
