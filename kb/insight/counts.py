"""Raising the daily counts: one upsert (`INSERT ... ON CONFLICT DO UPDATE`) per kind of
count, so that any number of workers and hosts add to the same row of a day without
reading it first and without losing an increment, on SQLite and on PostgreSQL alike.

A count that cannot be written (the database is busy or down) is dropped and logged: a
search or a page is never refused for its statistics.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kb.insight.models import CauseDay, Channel, Outcome, RowDay, SearchDay
from kb.models import ErrorEntry

logger = logging.getLogger(__name__)

# Set when this request's search was decided (and counted) by kb.search.answer: a search
# page's redirect served without it came from the page cache (kb.insight.middleware).
search_decided: ContextVar[bool] = ContextVar("insight_search_decided", default=False)


def _quoted(model, *names: str) -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    opts = model._meta
    return quote(opts.db_table), [quote(opts.get_field(name).column) for name in names]


def _upsert(model, keys: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Add each row's last value (its count) to the count of the row with those keys."""
    rows = list(rows)
    if not rows:
        return
    table, columns = _quoted(model, *keys, "count")
    count = columns[-1]
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
        f"ON CONFLICT ({', '.join(columns[:-1])}) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def today() -> date:
    """Counts are kept by UTC day, on every host whatever its zone."""
    return timezone.now().date()


def _safely(write, *args, together: bool = False) -> None:
    """Run `write`; inside a transaction, in a savepoint of its own, so that a failed
    count does not undo the caller's work (the feedback it counts, say). Outside one, an
    upsert commits alone (a cached page needs no BEGIN), unless `together`: the several
    upserts of one search then share one commit, not one each."""
    try:
        if together or connection.in_atomic_block:
            with transaction.atomic():
                write(*args)
        else:
            write(*args)
    except DatabaseError:
        logger.warning("insight: a count was not recorded", exc_info=True)


def outcome_of(result) -> str:
    if result is None or not result.hits:
        return Outcome.NONE
    return Outcome.SURE if result.confident else Outcome.UNSURE


def _record_search(language: str, channel: str, result, day: date) -> None:
    _upsert(
        SearchDay,
        ("day", "language", "channel", "outcome"),
        [(day, language[:8], channel, outcome_of(result), 1)],
    )
    if result is None:
        return
    sure = sorted({hit.entry.pk for hit in result.hits if hit.confident})
    _upsert(RowDay, ("entry", "kind", "day"), [(pk, RowDay.Kind.SEARCH, day, 1) for pk in sure])
    causes = Counter(hit.diagnosis.cause.pk for hit in result.hits if hit.diagnosis)
    _upsert(CauseDay, ("cause", "day"), [(pk, day, n) for pk, n in sorted(causes.items())])


def record_search(language: str, channel: str, result) -> None:
    """One search answered: its outcome, the rows of a sure answer, the causes diagnosed."""
    search_decided.set(True)
    channel = channel if channel in Channel.values else Channel.PAGE
    _safely(_record_search, language, channel, result, today(), together=True)


def _record_rows_of_code(code: str, kind: str, day: date) -> None:
    # Every row of the code at once, in one statement.
    table, (day_col, entry_col, kind_col, count_col) = _quoted(
        RowDay, "day", "entry", "kind", "count"
    )
    entries, (id_col, code_col) = _quoted(ErrorEntry, "id", "code")
    sql = (
        f"INSERT INTO {table} ({day_col}, {entry_col}, {kind_col}, {count_col}) "
        f"SELECT %s, {id_col}, %s, 1 FROM {entries} WHERE {code_col} = %s "
        f"ON CONFLICT ({entry_col}, {kind_col}, {day_col}) "
        f"DO UPDATE SET {count_col} = {table}.{count_col} + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, kind, code])


def record_code_view(code: str) -> None:
    """A code page was served (rendered or from the page cache): each of its rows seen,
    in one statement: a cached page costs one query."""
    _safely(_record_rows_of_code, code, RowDay.Kind.VIEW, today())


def _record_cached_search(language: str, code: str, day: date) -> None:
    key = (day, language[:8], Channel.PAGE, Outcome.SURE, 1)
    _upsert(SearchDay, ("day", "language", "channel", "outcome"), [key])
    _record_rows_of_code(code, RowDay.Kind.SEARCH, day)


def record_cached_search(language: str, code: str) -> None:
    """A search the page cache answered with its redirect to a code page: only a code,
    which is a sure answer by every row of that code, as when it was first decided."""
    _safely(_record_cached_search, language, code, today())


def record_feedback(entry_id: int, helpful: bool) -> None:
    kind = RowDay.Kind.FIXED if helpful else RowDay.Kind.NOT_FIXED
    _safely(_upsert, RowDay, ("entry", "kind", "day"), [(entry_id, kind, today(), 1)])
