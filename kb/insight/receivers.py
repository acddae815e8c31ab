"""What feeds the counts: the search decision's signal and new feedback."""

from django.db.models.signals import post_save

from kb.insight import counts
from kb.models import Feedback
from kb.search.answer import search_answered


def on_search_answered(sender, answer, language: str, channel: str, **kwargs) -> None:
    counts.record_search(language, channel, answer.result)


def on_feedback_saved(sender, instance: Feedback, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        counts.record_feedback(instance.entry_id, instance.helpful)


def connect() -> None:
    search_answered.connect(on_search_answered, dispatch_uid="insight.search")
    post_save.connect(on_feedback_saved, sender=Feedback, dispatch_uid="insight.feedback")
