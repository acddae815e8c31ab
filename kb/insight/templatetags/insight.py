from datetime import timedelta

from django import template
from django.utils.translation import ngettext

from kb.insight.views import may_see_insight

register = template.Library()


@register.filter
def duration(value: timedelta) -> str:
    """A time to resolution as people say it: days and hours, or hours and minutes."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours or days:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@register.simple_tag
def insight_allowed(user) -> bool:
    return may_see_insight(user)
