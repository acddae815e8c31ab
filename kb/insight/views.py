"""/admin/insight/: the Insight page and the CSV of each of its charts and tables.

Superusers and the Support editors group only; other staff get 403, anyone else the
admin's login page.
"""

import csv
from collections.abc import Callable
from datetime import date
from functools import wraps
from io import StringIO

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kb.catalog import spreadsheet_cell
from kb.editors import GROUP_NAME
from kb.insight import report
from kb.insight.charts import Series, daily_chart
from kb.insight.counts import today
from kb.insight.models import Outcome, RowDay

OUTCOME_COLOURS = {Outcome.SURE: "#009E73", Outcome.UNSURE: "#E69F00", Outcome.NONE: "#D55E00"}
NEW_COLOUR, RESOLVED_COLOUR = "#0072B2", "#009E73"


def may_see_insight(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name=GROUP_NAME).exists())
    )


def insight_view(view: Callable) -> Callable:
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_see_insight(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(require_safe(checked))


class PeriodForm(forms.Form):
    """`?days=`: one of report.PERIODS (the page's links offer them), 30 when absent."""

    days = forms.TypedChoiceField(
        choices=[(days, str(days)) for days in report.PERIODS], coerce=int, required=False
    )


def _period(request: HttpRequest) -> int | None:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return None
    return form.cleaned_data["days"] or report.PERIODS[0]


def _bad_period() -> HttpResponse:
    periods = ", ".join(str(days) for days in report.PERIODS)
    return HttpResponseBadRequest(
        _("The period must be one of %(periods)s days.") % {"periods": periods},
        content_type="text/plain; charset=utf-8",
    )


def _csv_url(name: str, period: int) -> str:
    return reverse("insight:csv", args=[name]) + f"?days={period}"


@insight_view
def index(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    if period is None:
        return _bad_period()
    last = today()
    searches = report.search_counts(last, period)
    queue = report.queue_summary(last, period)
    labels = dict(Outcome.choices)
    context = {
        **admin.site.each_context(request),
        "title": _("Insight"),
        "period": period,
        "periods": report.PERIODS,
        "searches": searches,
        "outcomes": [(value, labels[value]) for value in Outcome.values],
        "languages": report.languages(),
        "search_chart": daily_chart(
            "searches",
            _("Searches per day, by outcome"),
            searches.days,
            [
                Series(str(labels[outcome]), OUTCOME_COLOURS[outcome], searches.by_outcome[outcome])
                for outcome in Outcome.values
            ],
            _csv_url("searches", period),
        ),
        "top_search": report.top_rows(RowDay.Kind.SEARCH, last, period),
        "top_view": report.top_rows(RowDay.Kind.VIEW, last, period),
        "remedies": report.unhelpful_remedies(last, period),
        "queue": queue,
        "queue_chart": daily_chart(
            "queue",
            _("Unknown-error queue: new and resolved groups per day"),
            queue.days,
            [
                Series(_("new"), NEW_COLOUR, queue.new),
                Series(_("resolved"), RESOLVED_COLOUR, queue.resolved),
            ],
            _csv_url("queue", period),
        ),
        "health": report.content_health(last),
        "csv": {name: _csv_url(name, period) for name in CSV_TABLES},
    }
    return render(request, "insight/index.html", context)


def _row_cells(entry) -> list:
    return [entry.code, entry.http_status, entry.message_en]


def _searches_csv(last: date, period: int):
    header = ["day", "language", "channel", "outcome", "count"]
    return header, report.search_counts(last, period).rows


def _queue_csv(last: date, period: int):
    queue = report.queue_summary(last, period)
    return ["day", "new", "resolved"], list(zip(queue.days, queue.new, queue.resolved, strict=True))


def _rows_csv(kind: str) -> Callable:
    def table(last: date, period: int):
        header = ["code", "http_status", "message", "count", "previous_period", "change"]
        trends = report.top_rows(kind, last, period)
        return header, [[*_row_cells(t.entry), t.total, t.previous, t.change] for t in trends]

    return table


def _remedies_csv(last: date, period: int):
    header = ["code", "http_status", "message", "did_not_fix", "fixed", "wilson_lower_bound"]
    scores = report.unhelpful_remedies(last, period)
    return header, [[*_row_cells(s.entry), s.not_fixed, s.fixed, f"{s.score:.4f}"] for s in scores]


CSV_TABLES = {
    "searches": _searches_csv,
    "queue": _queue_csv,
    "rows_search": _rows_csv(RowDay.Kind.SEARCH),
    "rows_view": _rows_csv(RowDay.Kind.VIEW),
    "remedies": _remedies_csv,
}


@insight_view
def csv_download(request: HttpRequest, name: str) -> HttpResponse:
    table = CSV_TABLES.get(name)
    if table is None:
        raise Http404
    period = _period(request)
    if period is None:
        return _bad_period()
    header, rows = table(today(), period)
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"insight-{name}-{period}d-{today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
