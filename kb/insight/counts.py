"""Raising the daily counts without costing a customer's request a database write.

A count is added to this process's buffer (a lock and a dictionary: no query), and a
flusher thread writes the buffer at most once a second (KB_INSIGHT_FLUSH_SECONDS): one
upsert (`INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count`) per kind of
count with the summed count of each key, all in one transaction, so that any number of
workers and hosts add to the same row of a day without reading it first and without
losing an increment, on SQLite and on PostgreSQL alike. What is still buffered is written
when the process exits normally (atexit: gunicorn's worker leaves through sys.exit on a
graceful stop, a reload or a timeout); a worker killed outright (SIGKILL, a crash of the
machine) loses the counts of its last second at most.

The flusher starts with the first count of a process (after gunicorn forks its workers;
a child forgets what its parent had buffered, which the parent writes itself), on a
connection of its own. When the database fails, the buffer is kept and tried again every
second; it holds at most BUFFER_KEYS keys (a count of a new key past that is dropped and
logged; counts of keys it holds keep adding up), and counts of a day before yesterday are
dropped (the Insight page's stored totals have summed that day: kb.insight.report). A
count is never worth failing a search or a page.

KB_INSIGHT_FLUSH_SECONDS=0 writes each count at once instead, in the request (the tests
use it; inside a transaction, in a savepoint of its own).
"""

import atexit
import logging
import os
import threading
import time
from collections import Counter
from contextvars import ContextVar
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from kb.insight.models import CauseDay, Channel, Outcome, RowDay, SearchDay
from kb.models import Cause, ErrorEntry
from kb.tables import Table

logger = logging.getLogger(__name__)

# Set when this request's search was decided (and counted) by kb.search.answer: a search
# page's redirect served without it came from the page cache (kb.insight.middleware).
search_decided: ContextVar[bool] = ContextVar("insight_search_decided", default=False)

# Distinct keys a process buffers at most (a key: a day and what was counted); a few MB.
BUFFER_KEYS = 20_000
# Rows per INSERT statement (SQLite allows 32,766 parameters; five a row at most).
CHUNK = 500
# A failure to write is logged at most this often per process.
LOG_EVERY_SECONDS = 60

# Keys: ("search", day, language, channel, outcome), ("row", day, entry_id, kind),
# ("code", day, code, kind): every row of that code, ("cause", day, cause_id).
Key = tuple


def today() -> date:
    """Counts are kept by UTC day, on every host whatever its zone."""
    return timezone.now().date()


class CountBuffer:
    """The counts of this process not written yet: thread-safe, bounded."""

    def __init__(self, limit: int = BUFFER_KEYS):
        self.limit = limit
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.dropped = 0

    def add(self, key: Key, n: int = 1) -> None:
        with self.lock:
            if key in self.counts or len(self.counts) < self.limit:
                self.counts[key] += n
            else:
                self.dropped += n

    def take(self) -> tuple[Counter, int]:
        """Everything buffered, and the count dropped since the last take; empties it."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
            dropped, self.dropped = self.dropped, 0
        return counts, dropped

    def put_back(self, counts: Counter) -> None:
        """Counts that could not be written, for the next try (within the limit)."""
        for key, n in counts.items():
            self.add(key, n)

    def __len__(self) -> int:
        return len(self.counts)


def _upsert(model, keys: tuple[str, ...], rows: list[tuple]) -> None:
    """Add each row's last value (its count) to the count of the row with those keys; the
    rows in their order (sorted by the caller: concurrent writers lock rows in one order)."""
    quoted = Table.of(model)
    table, columns = quoted.name, [quoted.columns[name] for name in (*keys, "count")]
    count = columns[-1]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
            f"ON CONFLICT ({', '.join(columns[:-1])}) "
            f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


def write(counts: Counter) -> None:
    """Write counts: one upsert per model, in one transaction. A row or a cause deleted
    since it was counted is left out; so is the code of a page whose rows are gone."""
    searches, rows, causes = Counter(), Counter(), Counter()
    codes: dict[tuple, int] = {}
    for key, n in counts.items():
        kind, day, *rest = key
        if kind == "search":
            searches[(day, *rest)] += n
        elif kind == "row":
            rows[(rest[0], rest[1], day)] += n
        elif kind == "code":
            codes[(rest[0], rest[1], day)] = n
        elif kind == "cause":
            causes[(rest[0], day)] += n
    with transaction.atomic():
        if codes or rows:
            wanted = {code for code, _kind, _day in codes}
            by_code: dict[str, list[int]] = {}
            existing = set()
            entries = ErrorEntry.objects.filter(
                Q(pk__in={entry for entry, _kind, _day in rows}) | Q(code__in=wanted)
            )
            for pk, code in entries.values_list("pk", "code"):
                existing.add(pk)
                by_code.setdefault(code, []).append(pk)
            rows = Counter({key: n for key, n in rows.items() if key[0] in existing})
            for (code, kind, day), n in codes.items():
                for pk in by_code.get(code, ()):
                    rows[(pk, kind, day)] += n
        if causes:
            known = set(Cause.objects.filter(pk__in={c for c, _day in causes}).values_list("pk"))
            causes = Counter({key: n for key, n in causes.items() if (key[0],) in known})
        _upsert(
            SearchDay,
            ("day", "language", "channel", "outcome"),
            [(*key, n) for key, n in sorted(searches.items())],
        )
        _upsert(RowDay, ("entry", "kind", "day"), [(*key, n) for key, n in sorted(rows.items())])
        _upsert(CauseDay, ("cause", "day"), [(*key, n) for key, n in sorted(causes.items())])


class Flusher:
    """Writes the buffer of this process once a second, in a daemon thread of its own."""

    def __init__(self):
        self.buffer = CountBuffer()
        self.flush_lock = threading.Lock()
        self.start_lock = threading.Lock()
        self.pid: int | None = None
        self.last_logged = 0.0
        self.failing = False

    def after_fork(self) -> None:
        """In a forked child: the parent's buffer is the parent's to write, and a lock
        held by one of its threads at the fork would never be released here."""
        self.__init__()

    def add(self, key: Key, n: int = 1) -> None:
        if self.pid != os.getpid():
            self.start()
        self.buffer.add(key, n)

    def start(self) -> None:
        with self.start_lock:
            if self.pid == os.getpid():
                return
            threading.Thread(target=self.run, name="insight-flusher", daemon=True).start()
            self.pid = os.getpid()

    def run(self) -> None:
        while True:
            time.sleep(max(settings.KB_INSIGHT_FLUSH_SECONDS, 0.05))
            try:
                if not self.flush():
                    # Idle: no connection held open for nothing.
                    connection.close()
            except Exception:  # the thread must outlive anything a flush meets
                logger.exception("insight: the count flusher failed")

    def _log(self, message: str, *args, **kwargs) -> None:
        now = time.monotonic()
        if not self.last_logged or now - self.last_logged >= LOG_EVERY_SECONDS:
            self.last_logged = now
            logger.warning(message, *args, **kwargs)

    def flush(self, timeout: float = -1) -> int:
        """Write what is buffered; the number of keys written (0: nothing to write)."""
        if not self.flush_lock.acquire(timeout=timeout):
            return 0
        try:
            counts, dropped = self.buffer.take()
            oldest = today() - timedelta(days=1)
            stale = Counter({key: n for key, n in counts.items() if key[1] < oldest})
            counts -= stale
            if dropped or stale:
                logger.warning(
                    "insight: %d count(s) not recorded (%d past the buffer's %d keys, %d of "
                    "a day before yesterday)",
                    dropped + sum(stale.values()),
                    dropped,
                    self.buffer.limit,
                    sum(stale.values()),
                )
            if not counts:
                return 0
            if not connection.in_atomic_block:  # (a test's transaction is left alone)
                # The thread's connection: a broken one, or one past DB_CONN_MAX_AGE, is
                # closed here and opened afresh by the write.
                connection.close_if_unusable_or_obsolete()
            try:
                write(counts)
            except IntegrityError:
                # Not the database's absence: these counts would fail again. Dropped.
                logger.warning(
                    "insight: %d count(s) not recorded", sum(counts.values()), exc_info=True
                )
                return len(counts)
            except DatabaseError:
                self.buffer.put_back(counts)
                self.failing = True
                self._log(
                    "insight: %d count(s) kept in the buffer: the database failed; "
                    "trying again every second",
                    sum(counts.values()),
                    exc_info=True,
                )
                return 0
            if self.failing:
                self.failing = False
                self.last_logged = 0.0
                logger.warning("insight: the buffered counts are written again")
            return len(counts)
        finally:
            self.flush_lock.release()

    def at_exit(self) -> None:
        """The process is leaving normally: write what is left (waiting a little for a
        flush under way in the thread)."""
        if self.pid == os.getpid() and len(self.buffer):
            self.flush(timeout=5)
            connection.close()


flusher = Flusher()
os.register_at_fork(after_in_child=flusher.after_fork)
atexit.register(flusher.at_exit)


def _count(*keys: Key) -> None:
    """Buffer these counts, or, with KB_INSIGHT_FLUSH_SECONDS=0, write them at once
    (inside a transaction, in a savepoint: a failed count does not undo the caller's
    work); never raises a database error."""
    day = today()
    keys = tuple((kind, day, *rest) for kind, *rest in keys)
    if settings.KB_INSIGHT_FLUSH_SECONDS > 0:
        for key in keys:
            flusher.add(key)
        return
    try:
        write(Counter(keys))
    except DatabaseError:
        logger.warning("insight: a count was not recorded", exc_info=True)


def outcome_of(result) -> str:
    if result is None or not result.hits:
        return Outcome.NONE
    return Outcome.SURE if result.confident else Outcome.UNSURE


def record_search(language: str, channel: str, result) -> None:
    """One search answered: its outcome, the rows of a sure answer, the causes diagnosed."""
    search_decided.set(True)
    channel = channel if channel in Channel.values else Channel.PAGE
    keys = [("search", language[:8], channel, outcome_of(result))]
    if result is not None:
        sure = {hit.entry.pk for hit in result.hits if hit.confident}
        keys += [("row", pk, RowDay.Kind.SEARCH) for pk in sorted(sure)]
        keys += [("cause", hit.diagnosis.cause.pk) for hit in result.hits if hit.diagnosis]
    _count(*keys)


def record_code_view(code: str) -> None:
    """A code page was served (rendered or from the page cache): each of its rows seen."""
    _count(("code", code, RowDay.Kind.VIEW))


def record_cached_search(language: str, code: str) -> None:
    """A search the page cache answered with its redirect to a code page: only a code,
    which is a sure answer by every row of that code, as when it was first decided."""
    _count(
        ("search", language[:8], Channel.PAGE, Outcome.SURE),
        ("code", code, RowDay.Kind.SEARCH),
    )


def record_feedback(entry_id: int, helpful: bool) -> None:
    """An answer to "Did this fix it?"; buffered once the feedback is committed (a
    feedback rolled back is not counted)."""
    kind = RowDay.Kind.FIXED if helpful else RowDay.Kind.NOT_FIXED
    if settings.KB_INSIGHT_FLUSH_SECONDS > 0:
        transaction.on_commit(lambda: _count(("row", entry_id, kind)))
    else:
        _count(("row", entry_id, kind))
