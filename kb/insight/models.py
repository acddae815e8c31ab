"""Daily counts: one row per day and what was counted, raised by an upsert when it happens.

They hold no pasted text, no address and no user agent: a day, a language, a channel, an
outcome, a row or a cause, and a number.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kb.models import Cause, ErrorEntry


class Channel(models.TextChoices):
    PAGE = "page", _("search page")
    API = "api", _("API")


class Outcome(models.TextChoices):
    SURE = "sure", _("sure answer")
    UNSURE = "unsure", _("unsure answer")
    NONE = "none", _("no result")


class SearchDay(models.Model):
    """Searches answered on one day, by language, channel and outcome."""

    day = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=8)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("searches of a day")
        verbose_name_plural = _("searches per day")
        constraints = [
            # The upsert's conflict target; also the chart's look-up by day.
            models.UniqueConstraint(
                fields=["day", "language", "channel", "outcome"], name="insight_search_day_key"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.language} {self.channel} {self.outcome}: {self.count}"

    def get_absolute_url(self):
        return reverse("insight:index")


class RowDay(models.Model):
    """How often one catalog row was reached, or rated, on one day."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("sure answer of a search")
        VIEW = "view", _("page view")
        FIXED = "fixed", _("fixed it")
        NOT_FIXED = "not_fixed", _("did not fix it")

    day = models.DateField(_("day"))
    entry = models.ForeignKey(
        ErrorEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("row")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("row count of a day")
        verbose_name_plural = _("row counts per day")
        constraints = [
            # The upsert's conflict target.
            models.UniqueConstraint(fields=["entry", "kind", "day"], name="insight_row_day_key"),
        ]
        indexes = [
            # The most reached rows of a period: a range of days of one kind, summed per
            # row from the index alone (count included, so the table is not read).
            models.Index(fields=["kind", "day", "entry", "count"], name="insight_row_day_period"),
        ]

    def __str__(self):
        return f"{self.day} {self.entry_id} {self.kind}: {self.count}"

    def get_absolute_url(self):
        return reverse("insight:index")


class CauseDay(models.Model):
    """How often a known cause was the diagnosis of a search, on one day."""

    day = models.DateField(_("day"))
    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="+", verbose_name=_("cause")
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("cause count of a day")
        verbose_name_plural = _("cause counts per day")
        constraints = [
            # The upsert's conflict target; "causes that matched nothing" reads it by day.
            models.UniqueConstraint(fields=["cause", "day"], name="insight_cause_day_key"),
        ]
        indexes = [
            # Causes matched in a period.
            models.Index(fields=["day", "cause"], name="insight_cause_day_period"),
        ]

    def __str__(self):
        return f"{self.day} {self.cause_id}: {self.count}"

    def get_absolute_url(self):
        return reverse("insight:index")


class RowPeriodTotal(models.Model):
    """A row's count over the settled days of a period (up to the day before yesterday),
    summed once a day from RowDay (kb.insight.report.sum_closed_days: by `manage.py
    insight_totals` on a daily timer, or else by the first Insight page that needs it),
    incrementally from the day before's totals: the most reached rows of a period are then
    its few thousand totals plus two days of counts, not a scan of every day of every row."""

    as_of = models.DateField(_("last day included"))
    period = models.PositiveSmallIntegerField(_("days"))
    kind = models.CharField(_("kind"), max_length=10, choices=RowDay.Kind)
    # No foreign key constraint and no index of its own in the database: a day's totals are
    # 10,000 rows inserted at once, and checking each against the catalog cost more than
    # summing them (PostgreSQL: 167 of 440 ms). A row deleted from the catalog takes its
    # totals with it all the same (Django's CASCADE), and the page skips a total whose row
    # is gone (kb.insight.report).
    entry = models.ForeignKey(
        ErrorEntry,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("row"),
        db_constraint=False,
        db_index=False,
    )
    total = models.PositiveIntegerField(_("total"))

    class Meta:
        verbose_name = _("row total of a period")
        verbose_name_plural = _("row totals of periods")
        constraints = [
            # One total per row, kind and period as of a day: a second summing of the same
            # day (another process at the same moment) inserts nothing.
            models.UniqueConstraint(
                fields=["as_of", "period", "kind", "entry"], name="insight_row_period_key"
            ),
        ]

    def __str__(self):
        return f"{self.as_of} {self.period}d {self.entry_id} {self.kind}: {self.total}"

    def get_absolute_url(self):
        return reverse("insight:index")
