"""What the Insight page shows, read from the daily counts (and from the queue and the
catalog themselves, which are small and bounded): one function per section."""

import logging
import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import (
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import Cast, Substr

from kb.insight.models import CauseDay, Channel, Outcome, RowDay, RowPeriodTotal, SearchDay
from kb.models import Cause, ErrorEntry, UnansweredSearch

logger = logging.getLogger(__name__)

PERIODS = (30, 90)
TOP = 10
# The share of "did not fix it" answers at 95% confidence (Wilson's interval).
WILSON_Z = 1.96
# Causes that matched nothing in this many days are listed under content health.
CAUSE_SILENCE_DAYS = 90


def days_until(last: date, count: int) -> list[date]:
    return [last - timedelta(days=count - 1 - i) for i in range(count)]


# --- searches per day ---------------------------------------------------------------


@dataclass
class SearchCounts:
    days: list[date]
    # outcome -> one value per day
    by_outcome: dict[str, list[int]]
    # (language, channel) -> outcome -> total over the period
    breakdown: dict[tuple[str, str], dict[str, int]]
    # (day, language, channel, outcome, count), for the CSV
    rows: list[tuple]


def search_counts(last: date, period: int) -> SearchCounts:
    days = days_until(last, period)
    index = {day: i for i, day in enumerate(days)}
    by_outcome = {outcome: [0] * period for outcome in Outcome.values}
    breakdown: dict[tuple[str, str], dict[str, int]] = {}
    rows = list(
        SearchDay.objects.filter(day__gte=days[0], day__lte=last)
        .order_by("day", "language", "channel", "outcome")
        .values_list("day", "language", "channel", "outcome", "count")
    )
    for day, language, channel, outcome, count in rows:
        by_outcome.setdefault(outcome, [0] * period)[index[day]] += count
        cell = breakdown.setdefault((language, channel), dict.fromkeys(Outcome.values, 0))
        cell[outcome] = cell.get(outcome, 0) + count
    return SearchCounts(days, by_outcome, dict(sorted(breakdown.items())), rows)


# --- the rows customers reach most ----------------------------------------------------


@dataclass
class RowTrend:
    entry: ErrorEntry
    total: int
    previous: int
    daily: list[int] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.total - self.previous

    def sparkline(self, width: int = 120, height: int = 24) -> str:
        """The points of an SVG polyline of the daily counts."""
        peak = max(self.daily) or 1
        step = width / max(len(self.daily) - 1, 1)
        return " ".join(
            f"{i * step:.1f},{height - 1 - value / peak * (height - 2):.1f}"
            for i, value in enumerate(self.daily)
        )


def _totals(kind: str, start: date, last: date, entries) -> dict[int, int]:
    counts = RowDay.objects.filter(kind=kind, day__gte=start, day__lte=last, entry__in=entries)
    return dict(counts.values("entry").annotate(total=Sum("count")).values_list("entry", "total"))


# The stored totals cover the days before yesterday; yesterday and today are read from
# RowDay itself. A worker writes its counts up to a second after they happen
# (kb.insight.counts), so yesterday's counts may still grow just after midnight; a day
# before yesterday never does (the buffer drops what it could not write by then), and
# totals summed once stay exact.
OPEN_DAYS = 2


def totals_as_of(last: date) -> date:
    """The last day the stored totals of a page showing `last` include."""
    return last - timedelta(days=OPEN_DAYS)


def _quoted_tables() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(RowPeriodTotal._meta.db_table),
        quote(RowDay._meta.db_table),
        quote("count"),
    )


def _latest_totals(kind: str, period: int, before: date) -> date | None:
    """The day of the latest totals stored before `before`."""
    stored = RowPeriodTotal.objects.filter(period=period, kind=kind, as_of__lt=before)
    return stored.aggregate(latest=Max("as_of"))["latest"]


def _rebased(select: str, base: date, kind: str, period: int, upto: date, drop_until: date):
    """SQL and parameters of each row's total rebased from the totals stored as of `base`:
    those, plus the counts of the days after `base` up to `upto`, minus the counts of the
    days that left the window (from the first day of `base`'s window to `drop_until`);
    rows at zero left out. `select` starts the outer SELECT (it ends with entry_id, SUM(n))."""
    span = period - OPEN_DAYS
    target, source, count = _quoted_tables()
    sql = (
        f"{select} FROM ("
        f"SELECT entry_id, total AS n FROM {target} "
        "WHERE as_of = %s AND period = %s AND kind = %s "
        f"UNION ALL SELECT entry_id, {count} AS n FROM {source} "
        "WHERE kind = %s AND day > %s AND day <= %s "
        f"UNION ALL SELECT entry_id, -{count} AS n FROM {source} "
        "WHERE kind = %s AND day >= %s AND day <= %s"
        ") AS changes WHERE 1 = 1 GROUP BY entry_id HAVING SUM(n) > 0"
    )
    params = [
        base, period, kind,
        kind, base, upto,
        kind, base - timedelta(days=span - 1), drop_until,
    ]  # fmt: skip
    return sql, params


def sum_closed_days(kind: str, last: date, period: int) -> str:
    """Store each row's total of the period's settled days (up to totals_as_of(last)),
    once a day, in one statement, and say how: "stored" (already there), "incremental"
    or "full".

    Incremental: the latest stored totals (as of a day d0) plus the days after d0, minus
    the days that left the window since, rows that reach zero dropped; its cost follows
    the days since d0, not the period. A full sum only with no stored totals or d0 as
    far back as the window is long. Two processes doing it at once insert the same
    totals (ON CONFLICT DO NOTHING); the totals before d0 are then dropped."""
    as_of = totals_as_of(last)
    # The settled days of a period ending on `last`: up to as_of, `span` days.
    span = period - OPEN_DAYS
    stored = RowPeriodTotal.objects.filter(period=period, kind=kind)
    if stored.filter(as_of=as_of).exists():
        return "stored"
    base = _latest_totals(kind, period, as_of)
    target, source, count = _quoted_tables()
    insert = f"INSERT INTO {target} (as_of, period, kind, entry_id, total) "
    if base is not None and (as_of - base).days < span:
        how = "incremental"
        # Days as of d0: [d0 - span + 1, d0]; as of as_of: [as_of - span + 1, as_of].
        sql, params = _rebased(
            insert + "SELECT %s, %s, %s, entry_id, SUM(n)",
            base, kind, period, as_of, as_of - timedelta(days=span),
        )  # fmt: skip
        sql += " ON CONFLICT DO NOTHING"
        params = [as_of, period, kind, *params]
    else:
        how = "full"
        sql = (
            insert + f"SELECT %s, %s, kind, entry_id, SUM({count}) FROM {source} "
            "WHERE kind = %s AND day >= %s AND day <= %s GROUP BY kind, entry_id "
            "ON CONFLICT DO NOTHING"
        )
        params = [as_of, period, kind, as_of - timedelta(days=span - 1), as_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    # Keep the base one day more: a process that chose it at the same moment still reads it.
    stored.filter(as_of__lt=base if base is not None else as_of).delete()
    return how


# Totals being stored by a thread of this process, so that the page need not wait.
_storing: dict[tuple, threading.Thread] = {}
_storing_lock = threading.Lock()


def _store_later(kind: str, last: date, period: int) -> None:
    """Store the totals of `last` off the request: in a thread of this process (its own
    connection, closed when done), once per process at a time; in the request itself when
    KB_INSIGHT_FLUSH_SECONDS is 0 (the tests)."""
    if settings.KB_INSIGHT_FLUSH_SECONDS <= 0:
        sum_closed_days(kind, last, period)
        return
    key = (kind, last, period)

    def store() -> None:
        try:
            sum_closed_days(kind, last, period)
        except DatabaseError:
            logger.warning("insight: the period totals were not stored", exc_info=True)
        finally:
            connection.close()
            with _storing_lock:
                _storing.pop(key, None)

    with _storing_lock:
        if key in _storing:
            return
        _storing[key] = thread = threading.Thread(target=store, name="insight-totals")
    thread.start()


def wait_for_stored_totals() -> None:
    """Until the totals being stored by this process's threads are (the benchmark)."""
    while True:
        with _storing_lock:
            threads = list(_storing.values())
        if not threads:
            return
        for thread in threads:
            thread.join()


def _period_sums(kind: str, last: date, period: int, limit: int | None = None) -> dict:
    """Each row's count over the period ending on `last` (highest first, the first `limit`
    rows): the latest stored totals of its settled days plus the counts of the days after
    (today and yesterday), minus the days that have left the period since they were
    stored. Totals older than the day before yesterday are summed afresh by a thread
    (kb.insight.report._store_later: the page does not wait for their insert); with none
    to start from (a new site, or none for a whole period), the page sums them itself."""
    as_of = totals_as_of(last)
    base = _latest_totals(kind, period, as_of + timedelta(days=1))
    if base is None or (as_of - base).days >= period - OPEN_DAYS:
        sum_closed_days(kind, last, period)
        base = as_of
    elif base < as_of:
        _store_later(kind, last, period)
    sql, params = _rebased(
        "SELECT entry_id, SUM(n)", base, kind, period, last, last - timedelta(days=period)
    )
    if limit is not None:
        sql += " ORDER BY SUM(n) DESC, entry_id LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def sum_all_closed_days(last: date) -> dict[tuple[str, int], str]:
    """What the page will need for `last`, summed ahead (manage.py insight_totals)."""
    return {
        (kind, period): sum_closed_days(kind, last, period)
        for period in PERIODS
        for kind in RowDay.Kind.values
    }


def top_rows(kind: str, last: date, period: int, limit: int = TOP) -> list[RowTrend]:
    """The rows reached most in the period, with the period before it and their days."""
    days = days_until(last, period)
    totals = _period_sums(kind, last, period, limit)
    if not totals:
        return []
    previous = _totals(kind, days[0] - timedelta(days=period), days[0] - timedelta(days=1), totals)
    entries = ErrorEntry.objects.in_bulk(totals)
    daily: dict[int, list[int]] = defaultdict(lambda: [0] * period)
    index = {day: i for i, day in enumerate(days)}
    for entry, day, count in RowDay.objects.filter(
        kind=kind, day__gte=days[0], day__lte=last, entry__in=totals
    ).values_list("entry", "day", "count"):
        daily[entry][index[day]] = count
    return [
        RowTrend(entries[pk], total, previous.get(pk, 0), daily[pk])
        for pk, total in totals.items()
        if pk in entries
    ]


# --- remedies that do not help ------------------------------------------------------


def wilson_lower_bound(positive: int, total: int, z: float = WILSON_Z) -> float:
    """The lower bound of Wilson's score interval for a share of positive/total: 1 of 1
    gives 0.21, 40 of 100 gives 0.31, so many answers outweigh a single one."""
    if total <= 0:
        return 0.0
    share = positive / total
    centre = share + z * z / (2 * total)
    margin = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (centre - margin) / (1 + z * z / total)


@dataclass
class RemedyScore:
    entry: ErrorEntry
    not_fixed: int
    fixed: int
    score: float

    @property
    def answers(self) -> int:
        return self.not_fixed + self.fixed


def unhelpful_remedies(last: date, period: int, limit: int = TOP) -> list[RemedyScore]:
    """Rows with a "did not fix it", ranked by the Wilson lower bound of that share."""
    no = _period_sums(RowDay.Kind.NOT_FIXED, last, period)
    yes = _period_sums(RowDay.Kind.FIXED, last, period)
    scored = sorted(
        (
            (wilson_lower_bound(n, n + yes.get(pk, 0)), n, yes.get(pk, 0), pk)
            for pk, n in no.items()
        ),
        key=lambda item: (-item[0], -item[1], item[3]),
    )[:limit]
    entries = ErrorEntry.objects.in_bulk([pk for *_rest, pk in scored])
    return [RemedyScore(entries[pk], n, y, score) for score, n, y, pk in scored if pk in entries]


# --- the unknown-error queue ------------------------------------------------------


@dataclass
class QueueSummary:
    open: int
    days: list[date]
    new: list[int]
    resolved: list[int]
    median_resolution: timedelta | None
    top_open: list[UnansweredSearch]


def _per_day(groups, field_name: str, days: list[date], start: datetime) -> list[int]:
    # The day of a UTC time, in the database without a function of Django's: the text of
    # the time (SQLite stores it so; PostgreSQL writes it in the connection's zone, UTC).
    utc_day = Substr(Cast(field_name, CharField()), 1, 10)
    counts = dict(
        groups.filter(**{f"{field_name}__gte": start})
        .annotate(day=utc_day)
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [counts.get(day.isoformat(), 0) for day in days]


def _median_resolution(resolved) -> timedelta | None:
    """The middle of the resolution times (the lower one of an even count), in SQL."""
    count = resolved.count()
    if not count:
        return None
    took = ExpressionWrapper(F("resolved_at") - F("first_seen"), output_field=DurationField())
    return (
        resolved.annotate(took=took)
        .order_by("took")
        .values_list("took", flat=True)[(count - 1) // 2]
    )


def queue_summary(last: date, period: int, limit: int = TOP) -> QueueSummary:
    """The queue holds at most UNANSWERED_MAX_ENTRIES groups: read as it is."""
    days = days_until(last, period)
    start = datetime.combine(days[0], time.min, tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    groups = UnansweredSearch.objects.filter()
    open_groups = groups.filter(status=UnansweredSearch.Status.OPEN)
    return QueueSummary(
        open=open_groups.count(),
        days=days,
        new=_per_day(groups, "first_seen", days, start),
        resolved=_per_day(groups, "resolved_at", days, start),
        median_resolution=_median_resolution(
            groups.filter(resolved_at__gte=start, resolved_at__lt=end)
        ),
        top_open=list(open_groups.order_by("-count", "-last_seen")[:limit]),
    )


# --- content health ---------------------------------------------------------------


@dataclass
class HealthList:
    slug: str
    count: int
    items: list


def _listed(slug: str, queryset, limit: int) -> HealthList:
    """The first `limit` items and how many there are, in one query (one scan)."""
    items = list(queryset.annotate(listed_total=Window(Count("pk")))[:limit])
    return HealthList(slug, items[0].listed_total if items else 0, items)


def content_health(last: date, limit: int = TOP) -> list[HealthList]:
    rows = ErrorEntry.objects.order_by("catalog", "sort_order").only(
        "code", "http_status", "message_en"
    )
    faq_mentioned = Q(remedy_en__icontains="FAQ") | Q(remedy_zh__contains="常见问题")
    untranslated = (
        Q(meaning_en="")
        | Q(remedy_en="")
        | Q(meaning_en=F("meaning_zh"))
        | Q(remedy_en=F("remedy_zh"))
    )
    links = ErrorEntry.faqs.through.objects.all()
    matched = CauseDay.objects.filter(
        day__gt=last - timedelta(days=CAUSE_SILENCE_DAYS), day__lte=last
    ).values("cause")
    return [
        _listed("translation", rows.filter(translation_review=True), limit),
        _listed(
            "faq",
            rows.filter(faq_mentioned).exclude(Exists(links.filter(errorentry=OuterRef("pk")))),
            limit,
        ),
        _listed("english", rows.filter(untranslated), limit),
        _listed(
            "causes", Cause.objects.exclude(pk__in=matched).order_by("slug").only("slug"), limit
        ),
        _listed("edited", rows.filter(edited=True), limit),
    ]


def languages() -> dict[str, str]:
    return dict(settings.LANGUAGES)


__all__ = [
    "Channel",
    "PERIODS",
    "content_health",
    "queue_summary",
    "search_counts",
    "top_rows",
    "unhelpful_remedies",
    "wilson_lower_bound",
]
