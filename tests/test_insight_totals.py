"""The Insight page's period totals (kb.insight.report.sum_closed_days): summed
incrementally from the latest stored totals, they equal a full sum of the period, whatever
the gap since; and `manage.py insight_totals` stores them ahead of any staff request."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from kb.insight.models import RowDay, RowPeriodTotal
from kb.insight.report import OPEN_DAYS, sum_closed_days, top_rows, totals_as_of
from tests.factories import make_entry

pytestmark = pytest.mark.django_db

LAST = date(2026, 6, 30)
KINDS = ("view", "not_fixed")


def random_counts(entries, seed: int, days: int = 200) -> None:
    """Sparse counts: some rows have days without counts, one has a single day only."""
    rng = random.Random(seed)
    rows = []
    for entry in entries[:-1]:
        for back in range(days):
            for kind in KINDS:
                if rng.random() < 0.6:
                    day = LAST - timedelta(days=back)
                    rows.append(RowDay(entry=entry, kind=kind, day=day, count=rng.randint(1, 9)))
    # A row counted once, long ago: it leaves every window and must drop out, not stay at 0.
    rows.append(RowDay(entry=entries[-1], kind="view", day=LAST - timedelta(days=60), count=4))
    RowDay.objects.bulk_create(rows)


def expected(kind: str, as_of: date, period: int) -> dict[int, int]:
    """A full sum, in Python, of the settled days of a period: those up to as_of, the
    period without its OPEN_DAYS (today and yesterday, which the page reads as they are)."""
    span = period - OPEN_DAYS
    totals: dict[int, int] = {}
    for entry, day, count in RowDay.objects.filter(kind=kind).values_list("entry", "day", "count"):
        if as_of - timedelta(days=span - 1) <= day <= as_of:
            totals[entry] = totals.get(entry, 0) + count
    return totals


def stored(kind: str, as_of: date, period: int) -> dict[int, int]:
    return dict(
        RowPeriodTotal.objects.filter(kind=kind, as_of=as_of, period=period).values_list(
            "entry", "total"
        )
    )


@pytest.mark.parametrize("period", [30, 90])
@pytest.mark.parametrize("gap", [1, 2, 5, 27, 28, 29, 31, 87, 88, 89, 120])
def test_incremental_totals_equal_a_full_sum(period, gap):
    entries = [make_entry() for _ in range(6)]
    random_counts(entries, seed=gap * 1000 + period)
    for kind in KINDS:
        assert sum_closed_days(kind, LAST - timedelta(days=gap), period) == "full"
        how = sum_closed_days(kind, LAST, period)
        assert how == ("incremental" if gap < period - OPEN_DAYS else "full")
        assert stored(kind, totals_as_of(LAST), period) == expected(
            kind, totals_as_of(LAST), period
        )
        assert sum_closed_days(kind, LAST, period) == "stored"


def test_day_after_day_the_totals_stay_exact_and_old_ones_are_dropped():
    entries = [make_entry() for _ in range(4)]
    random_counts(entries, seed=7)
    start = LAST - timedelta(days=75)
    for back in range(75, -1, -1):
        last = LAST - timedelta(days=back)
        how = sum_closed_days("view", last, 30)
        assert how == ("full" if last == start else "incremental")
        assert stored("view", totals_as_of(last), 30) == expected("view", totals_as_of(last), 30)
    # The latest totals and the base they came from: nothing older piles up.
    assert RowPeriodTotal.objects.values("as_of").distinct().count() == 2


def test_the_page_adds_the_two_open_days_to_the_totals():
    entry = make_entry()
    for back, count in ((0, 1), (1, 10), (2, 100), (29, 1000), (30, 10000)):
        day = LAST - timedelta(days=back)
        RowDay.objects.create(entry=entry, kind="view", day=day, count=count)
    (row,) = top_rows("view", LAST, 30)
    assert row.total == 1111
    assert row.previous == 10000


def test_the_command_sums_ahead_so_the_page_finds_the_totals(editor_client):
    from kb.insight.counts import today

    entry = make_entry()
    RowDay.objects.create(entry=entry, kind="search", day=today() - timedelta(days=3), count=5)
    out = StringIO()
    call_command("insight_totals", stdout=out)
    assert "search/30d=full" in out.getvalue()
    as_of = totals_as_of(today())
    assert stored("search", as_of, 30) == {entry.pk: 5}
    assert stored("search", as_of, 90) == {entry.pk: 5}
    call_command("insight_totals", stdout=out)
    assert "search/30d=stored" in out.getvalue()
    assert entry.code in editor_client.get("/admin/insight/").content.decode()


def test_a_row_deleted_from_the_catalog_takes_its_totals_with_it():
    kept, gone = make_entry(), make_entry()
    for entry in (kept, gone):
        RowDay.objects.create(entry=entry, kind="view", day=LAST - timedelta(days=5), count=3)
    sum_closed_days("view", LAST, 30)
    gone.delete()
    assert stored("view", totals_as_of(LAST), 30) == {kept.pk: 3}
    assert [row.entry for row in top_rows("view", LAST, 30)] == [kept]


@pytest.mark.parametrize("gap", [1, 3, 20])
def test_the_page_adds_the_days_since_older_totals_and_stores_the_new_ones_later(gap, monkeypatch):
    from kb.insight import report

    entries = [make_entry() for _ in range(4)]
    random_counts(entries, seed=gap)
    sum_closed_days("view", LAST - timedelta(days=gap), 30)
    later = []
    monkeypatch.setattr(report, "_store_later", lambda *args: later.append(args))
    sums = report._period_sums("view", LAST, 30)
    window = {
        entry: sum(
            RowDay.objects.filter(
                entry=entry, kind="view", day__gt=LAST - timedelta(days=30), day__lte=LAST
            ).values_list("count", flat=True)
        )
        for entry in entries
    }
    assert sums == {entry.pk: n for entry, n in window.items() if n}
    assert later == [("view", LAST, 30)]
    assert not RowPeriodTotal.objects.filter(as_of=totals_as_of(LAST)).exists()
