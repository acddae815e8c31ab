"""Feedback: each answer to "Did this fix it?" under a row, and the rows seen through it."""

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models.catalog import ErrorEntry
from kb.redact import redact


class FeedbackQuerySet(models.QuerySet):
    def from_client_since(self, client_key: str, since):
        return self.filter(client_key=client_key, created_at__gte=since)

    def over_limit(self, client_key: str) -> bool:
        """Has this client sent as many answers as the rate limit allows, in its window?"""
        since = timezone.now() - timezone.timedelta(seconds=settings.FEEDBACK_RATE_WINDOW)
        recent = self.from_client_since(client_key, since)
        return recent.count() >= settings.FEEDBACK_RATE_LIMIT

    def save_within_limit(self, feedback: "Feedback") -> bool:
        """Save `feedback` unless its client reached the rate limit; False if refused.

        The count and the insert are one step for each client, whatever runs at the
        same time on other workers or hosts: on PostgreSQL a transaction-scoped advisory
        lock on the client's key; on SQLite the transaction takes the write lock when it
        begins (settings: transaction_mode IMMEDIATE).
        """
        connection = connections[self.db]
        with transaction.atomic(using=self.db):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)",
                        [FEEDBACK_LOCK, int(feedback.client_key[:7] or "0", 16)],
                    )
            if self.over_limit(feedback.client_key):
                return False
            feedback.save(using=self.db)
            return True


# The first key of the advisory locks that make one client's feedback count and insert
# one step (PostgreSQL); the second is taken from the client's key.
FEEDBACK_LOCK = 0x6B62  # "kb"


class Feedback(models.Model):
    """One answer to "Did this fix it?" under a row of a code page."""

    class Reason(models.TextChoices):
        INACCURATE = "inaccurate", _("Inaccurate")
        INCOMPLETE = "incomplete", _("Incomplete")
        UNCLEAR = "unclear", _("Unclear")
        OTHER = "other", _("Other")

    COMMENT_MAX_LENGTH = 500

    entry = models.ForeignKey(
        ErrorEntry, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("row")
    )
    helpful = models.BooleanField(_("fixed it"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason, blank=True)
    comment = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # A keyed hash of the client's address: enough to rate-limit, not to identify.
    client_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            # Only the reasons the form offers; SQLite does not enforce choices otherwise.
            models.CheckConstraint(
                condition=models.Q(reason__in=["", "inaccurate", "incomplete", "unclear", "other"]),
                name="feedback_reason_valid",
            ),
            # Comments are short, whatever writes them (SQLite ignores max_length).
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), 500),
                name="feedback_comment_bounded",
            ),
        ]
        indexes = [
            # The rate limit: a client's answers in the last window.
            models.Index(fields=["client_key", "created_at"], name="feedback_rate_limit"),
        ]

    def __str__(self):
        return f"{self.entry}: {'yes' if self.helpful else 'no'}"

    @property
    def redacted_comment(self) -> str:
        """The comment as staff see it: redacted again, with today's rules (it was
        stored redacted with the rules of its day)."""
        return redact(self.comment)


class FeedbackByRow(ErrorEntry):
    """Rows seen through their feedback: the admin's "worst rated" list."""

    class Meta:
        proxy = True
        verbose_name = _("feedback by row")
        verbose_name_plural = _("feedback by row")
