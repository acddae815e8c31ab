from datetime import timedelta

from django import template

from kb.diagnosis.times import duration_in_words
from kb.insight.views import may_see_insight

register = template.Library()


@register.filter
def duration(value: timedelta) -> str:
    """A time to resolution as people say it, in its two largest units."""
    return duration_in_words(value.total_seconds(), units=2)


@register.simple_tag
def insight_allowed(user) -> bool:
    return may_see_insight(user)
