"""Keep each row's search tokens in step with the FAQ articles linked to it."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from kb.models import ErrorEntry, FaqArticle


@receiver(post_save, sender=FaqArticle)
def faq_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    for entry in instance.entries.all():
        entry.refresh_index_tokens()


@receiver(m2m_changed, sender=FaqArticle.entries.through)
def faq_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if reverse:  # instance is an ErrorEntry
        entries = [instance]
    elif action == "pre_clear":
        # After a clear the links are gone; remember whom to refresh.
        instance._cleared_entry_ids = list(instance.entries.values_list("pk", flat=True))
        return
    elif action == "post_clear":
        entries = ErrorEntry.objects.filter(pk__in=getattr(instance, "_cleared_entry_ids", []))
    else:
        entries = ErrorEntry.objects.filter(pk__in=pk_set or [])
    for entry in entries:
        entry.refresh_index_tokens()
