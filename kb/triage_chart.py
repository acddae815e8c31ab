"""The triage report's timeline as a server-rendered SVG: failed calls per minute by code.

`timeline_chart()` computes the bars, axis labels and the text alternative in Python;
`templates/kb/includes/triage_timeline.html` only writes them out. No script, no style
attribute (the site's CSP allows neither): colours are SVG presentation attributes.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kb.triage import Report

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 34
MAX_BARS = 180
# Bins wider than a minute when the log spans more than MAX_BARS minutes.
BIN_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440)
# Colour-blind-safe (Okabe–Ito), in order of the codes' counts; the rest share grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
OTHER = "#888888"


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # for the bar's <title>


@dataclass
class Chart:
    title: str
    description: str
    bars: list[Bar] = field(default_factory=list)
    legend: list[tuple[str, str, int]] = field(default_factory=list)  # code, colour, count
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    plot_left: int = LEFT


def timeline_chart(report: Report) -> Chart | None:
    """None when no failed call carries a time."""
    minutes = report.timeline()
    if not minutes:
        return None
    size = next((n for n in BIN_MINUTES if math.ceil(len(minutes) / n) <= MAX_BARS), 1440)
    bins: list[tuple[datetime, Counter]] = []
    for index in range(0, len(minutes), size):
        total = Counter()
        for _moment, codes in minutes[index : index + size]:
            total.update(codes)
        bins.append((minutes[index][0], total))
    totals = Counter()
    for _moment, codes in bins:
        totals.update(codes)
    ranked = [code for code, _count in totals.most_common()]
    colours = {code: PALETTE[i] if i < len(PALETTE) else OTHER for i, code in enumerate(ranked)}
    peak_start, peak_codes = max(bins, key=lambda item: sum(item[1].values()))
    peak = sum(peak_codes.values())

    chart = Chart(
        title=ngettext(
            "Failed calls per minute, by code", "Failed calls per %(count)d minutes, by code", size
        )
        % {"count": size},
        description=_(
            "%(total)s failed calls with a time, from %(first)s to %(last)s UTC; the busiest "
            "%(unit)s began at %(peak_time)s with %(peak)s calls. By code: %(codes)s."
        )
        % {
            "total": sum(totals.values()),
            "first": f"{minutes[0][0]:%Y-%m-%d %H:%M}",
            "last": f"{minutes[-1][0]:%Y-%m-%d %H:%M}",
            "unit": ngettext("minute", "%(count)d minutes", size) % {"count": size},
            "peak_time": f"{peak_start:%H:%M}",
            "peak": peak,
            "codes": ", ".join(f"{code} {count}" for code, count in totals.most_common()),
        },
        legend=[(code, colours[code], totals[code]) for code in ranked],
    )
    for index, (moment, codes) in enumerate(bins):
        parts = [
            (codes.get(code, 0), colours[code], f"{moment:%H:%M} {code}: {codes.get(code, 0)}")
            for code in ranked
        ]
        chart.bars += stacked_bars(index, len(bins), peak, parts)
    set_axes(chart, peak, [f"{moment:%H:%M}" for moment, _codes in bins])
    return chart


def stacked_bars(index: int, bins: int, top: int, parts: list[tuple[int, str, str]]) -> list[Bar]:
    """The bar of bin `index` of `bins`, its parts (value, colour, label) stacked from the
    bottom, on a scale from 0 to `top`."""
    step = (WIDTH - LEFT - RIGHT) / bins
    base, bars = HEIGHT - BOTTOM, []
    for value, colour, label in parts:
        if not value:
            continue
        height = value / top * (HEIGHT - TOP - BOTTOM)
        base -= height
        bars.append(
            Bar(
                x=round(LEFT + index * step + step * 0.1, 2),
                y=round(base, 2),
                width=round(max(step * 0.8, 1), 2),
                height=round(height, 2),
                colour=colour,
                label=label,
            )
        )
    return bars


def set_axes(chart: Chart, top: int, labels: list[str]) -> None:
    """Three ticks from 0 to `top`, and about six of the bins' labels."""
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / len(labels)
    chart.y_ticks = [
        (round(HEIGHT - BOTTOM - plot_height * f, 2), round(top * f)) for f in (0, 0.5, 1)
    ]
    every = max(1, len(labels) // 6)
    chart.x_labels = [
        (round(LEFT + i * step + step / 2, 2), labels[i]) for i in range(0, len(labels), every)
    ]
