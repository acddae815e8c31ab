from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self):
        # Here, not at the top: Django loads the models after this module, and the
        # receivers need them (the usual place to connect an app's signals).
        from kb import signals  # noqa: F401
        from kb.pagecache import watch_catalog

        watch_catalog()
