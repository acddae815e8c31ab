"""Every signal receiver of the app, connected when it starts (`KbConfig.ready()`).

- A row's search tokens follow the FAQ articles linked to it and its aliases.
- The page cache reads the catalog's version afresh when this process changes the catalog.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from kb.models import ErrorAlias, ErrorEntry, FaqArticle
from kb.pagecache import catalog_tables, forget_catalog_version


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


@receiver(post_delete, sender=ErrorAlias)
def alias_deleted(sender, instance: ErrorAlias, **kwargs) -> None:
    """Also for deletes that skip `delete()`: a queryset's, the admin's bulk action's."""
    ErrorEntry(pk=instance.entry_id).refresh_index_tokens()


def catalog_changed(sender, using=None, **kwargs) -> None:
    forget_catalog_version(using)


def watch_catalog() -> None:
    """Connect `catalog_changed` to every save, delete and link of catalog rows (the
    tables whose writes bump the version, `kb.pagecache.catalog_tables()`)."""
    tables = catalog_tables()
    for model in apps.get_app_config("kb").get_models():
        if model._meta.db_table in tables:
            post_save.connect(catalog_changed, sender=model)
            post_delete.connect(catalog_changed, sender=model)
            for field in model._meta.many_to_many:
                if field.m2m_db_table() in tables:
                    m2m_changed.connect(catalog_changed, sender=field.remote_field.through)
