"""The admin login's throttle: django-axes with two limits (settings.AXES_HANDLER)."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler with two limits instead of one: AXES_FAILURE_LIMIT
    failures of one username from one address, and AXES_USERNAME_FAILURE_LIMIT failures
    of one username from all addresses together (guesses spread over many addresses).

    axes counts each of its AXES_LOCKOUT_PARAMETERS (here the pair, then the username)
    and compares the largest count with one limit; the username's count is scaled to
    that limit, so each reaches it at its own number of failures.
    """

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:
            return max(counts, default=0)
        pair, username = counts
        scaled = username * settings.AXES_FAILURE_LIMIT // settings.AXES_USERNAME_FAILURE_LIMIT
        return max(pair, scaled)
