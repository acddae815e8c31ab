from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self):
        from kb import signals
        from kb.search.index import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self)
        signals.watch_catalog()
