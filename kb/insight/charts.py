"""The Insight page's charts as server-rendered SVG: stacked bars, one per day.

Computed here, written out by templates/insight/includes/chart.html with no script and
no style attribute (the site's CSP allows neither), like kb.triage_chart's timeline,
whose Bar and Chart it reuses.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kb.triage_chart import Bar, Chart

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 34


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
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / len(days)
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
        base = HEIGHT - BOTTOM
        for s in series:
            value = s.values[index]
            if not value:
                continue
            height = value / top * plot_height
            base -= height
            chart.bars.append(
                Bar(
                    x=round(LEFT + index * step + step * 0.1, 2),
                    y=round(base, 2),
                    width=round(max(step * 0.8, 1), 2),
                    height=round(height, 2),
                    colour=s.colour,
                    label=f"{date_format(day, 'SHORT_DATE_FORMAT')} {s.label}: {value}",
                )
            )
    chart.y_ticks = [
        (round(HEIGHT - BOTTOM - plot_height * f, 2), round(top * f)) for f in (0, 0.5, 1)
    ]
    every = max(1, len(days) // 6)
    chart.x_labels = [
        (round(LEFT + i * step + step / 2, 2), date_format(days[i], "m-d"))
        for i in range(0, len(days), every)
    ]
    return chart
