"""The Insight page's charts as server-rendered SVG: stacked bars, one per day.

Computed here, written out by templates/insight/includes/chart.html with no script and
no style attribute (the site's CSP allows neither), like kb.triage_chart's timeline,
whose chart, bars and axes it reuses.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kb.triage_chart import BOTTOM, HEIGHT, LEFT, WIDTH, Chart, set_axes, stacked_bars


@dataclass
class Series:
    label: str
    colour: str
    values: list[int]


@dataclass
class DailyChart(Chart):
    slug: str = ""
    csv_url: str = ""
    days: list[date] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[date, list[int]]]:
        """The numbers as a table: a day, then each series' value (the text alternative)."""
        return [(day, [s.values[i] for s in self.series]) for i, day in enumerate(self.days)]


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def daily_chart(
    slug: str, title: str, days: list[date], series: list[Series], csv_url: str
) -> DailyChart | None:
    """Stacked bars of `series` over `days`; None when every value is zero (no data yet)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    if not any(totals):
        return None
    top = nice_ceiling(max(totals))
    busiest = max(range(len(days)), key=totals.__getitem__)
    chart = DailyChart(
        title=title,
        description=_(
            "%(total)s in all from %(first)s to %(last)s; the busiest day, %(peak_day)s, "
            "had %(peak)s. %(parts)s."
        )
        % {
            "total": sum(totals),
            "first": date_format(days[0], "SHORT_DATE_FORMAT"),
            "last": date_format(days[-1], "SHORT_DATE_FORMAT"),
            "peak_day": date_format(days[busiest], "SHORT_DATE_FORMAT"),
            "peak": totals[busiest],
            "parts": ", ".join(f"{s.label}: {sum(s.values)}" for s in series),
        },
        width=WIDTH,
        height=HEIGHT,
        plot_bottom=HEIGHT - BOTTOM,
        plot_left=LEFT,
        slug=slug,
        csv_url=csv_url,
        days=days,
        series=series,
        legend=[(s.label, s.colour, sum(s.values)) for s in series],
    )
    for index, day in enumerate(days):
        label = date_format(day, "SHORT_DATE_FORMAT")
        parts = [
            (s.values[index], s.colour, f"{label} {s.label}: {s.values[index]}") for s in series
        ]
        chart.bars += stacked_bars(index, len(days), top, parts)
    set_axes(chart, top, [date_format(day, "m-d") for day in days])
    return chart
