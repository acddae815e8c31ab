from django.core.management.base import BaseCommand

from kb.models import ErrorEntry


class Command(BaseCommand):
    help = (
        "Recompute every row's derived search fields (message key, index tokens) with the "
        "current tokenizer, after an upgrade that changed how text is indexed. The "
        "database's full-text index follows them. Staff edits and history are untouched."
    )

    def handle(self, *args, **options):
        changed = ErrorEntry.objects.rebuild_search_fields()
        total = ErrorEntry.objects.count()
        self.stdout.write(f"rows={total} rebuilt={changed}")
