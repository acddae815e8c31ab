"""The unknown-error queue: searches that found no sure answer, grouped, and the clients
counted in each group."""

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models.catalog import ErrorAlias, ErrorEntry
from kb.redact import redact
from kb.text.lines import unify_line_breaks


class UnansweredSearchQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=UnansweredSearch.Status.OPEN)


class UnansweredSearch(models.Model):
    """Searches that found nothing (or nothing sure), grouped by their normalized text.

    Written by `kb.unknown_errors.record_unknown_error`, which redacts before anything is stored.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    normalized = models.CharField(_("normalized text"), max_length=500, editable=False)
    text = models.TextField(
        _("search"), editable=False, help_text=_("The latest search of this group, redacted.")
    )
    language = models.CharField(_("language"), max_length=8, blank=True, editable=False)
    count = models.PositiveIntegerField(_("count"), default=1, editable=False)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now, editable=False)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    resolved_entry = models.ForeignKey(
        ErrorEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by row"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)

    objects = UnansweredSearchQuerySet.as_manager()

    class Meta:
        # The queue's order, in the admin too: most frequent first, then most recent.
        ordering = ["-count", "-last_seen"]
        verbose_name = _("unanswered search")
        verbose_name_plural = _("unknown-error queue")
        constraints = [
            # One group per normalized text; record_unknown_error relies on it to upsert.
            models.UniqueConstraint(fields=["normalized"], name="unanswered_normalized_unique"),
        ]
        indexes = [
            # The queue in the admin: open groups, most frequent first.
            models.Index(fields=["status", "-count"], name="unanswered_queue_order"),
            # What a full queue drops for a new group: the oldest resolved groups, then
            # the open ones seen longest ago (kb.unknown_errors._keep_queue_bounded).
            models.Index(fields=["status", "last_seen", "id"], name="unanswered_drop_order"),
        ]

    def __str__(self):
        return self.redacted_text[:80]

    def get_absolute_url(self):
        return reverse("admin:kb_unansweredsearch_change", args=[self.pk])

    @property
    def redacted_text(self) -> str:
        """The search as staff see it and may publish it (an alias, a new row): redacted
        again, with today's rules (it was stored redacted with the rules of its day)."""
        return redact(self.text)

    @property
    def seen_since_resolved(self) -> bool:
        return bool(self.resolved_at and self.last_seen > self.resolved_at)

    def resolve(self, user, entry: ErrorEntry | None = None, alias_text: str = "") -> None:
        """Mark this group answered, by `entry` and, with `alias_text`, a new alias of it."""
        with transaction.atomic():
            # Published (in search, the catalog's downloads): redacted, whatever was typed.
            alias_text = unify_line_breaks(redact(alias_text))
            if entry is not None and alias_text:
                ErrorAlias.objects.get_or_create(
                    entry=entry, text=alias_text, defaults={"created_by": user}
                )
            self.status = self.Status.RESOLVED
            self.resolved_entry = entry or self.resolved_entry
            self.resolved_by = user
            self.resolved_at = timezone.now()
            self.save()


class UnansweredSighting(models.Model):
    """One client counted in one group of the unknown-error queue, in one time window.

    Written by `kb.unknown_errors.record_unknown_error`: a group's count rises at most once per
    client and window, and a client's sightings in the last window are its rate limit.
    """

    # A hash of the group's normalized text (UnansweredSearch.normalized): the group may
    # not be stored yet when its first client is counted.
    group_key = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64)
    # The window's number: seconds since the epoch // UNANSWERED_RATE_WINDOW.
    window = models.BigIntegerField()
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unanswered search sighting")
        verbose_name_plural = _("unanswered search sightings")
        constraints = [
            # Once per group, client and window: a second insert fails, and is not counted.
            models.UniqueConstraint(
                fields=["group_key", "client_key", "window"], name="sighting_once_per_window"
            ),
        ]
        indexes = [
            # The rate limit: a client's sightings in the last window.
            models.Index(fields=["client_key", "seen_at"], name="sighting_rate_limit"),
            # Pruning the sightings older than a window.
            models.Index(fields=["seen_at"], name="sighting_age"),
        ]

    def __str__(self):
        return f"{self.group_key[:12]} {self.client_key[:12]} {self.window}"

    def get_absolute_url(self):
        return reverse("admin:kb_unansweredsearch_changelist")
