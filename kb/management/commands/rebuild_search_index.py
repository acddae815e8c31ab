from django.core.management.base import BaseCommand

from kb.models import ErrorEntry
from kb.search.index import refresh_index


class Command(BaseCommand):
    help = (
        "Recompute every row's derived search fields (message key, index tokens) with the "
        "current tokenizer, after an upgrade that changed how text is indexed, then bring "
        "the database's full-text index and its token statistics up to date. Staff edits "
        "and history are untouched."
    )

    def handle(self, *args, **options):
        changed = ErrorEntry.objects.rebuild_search_fields()
        refresh_index()
        total = ErrorEntry.objects.count()
        self.stdout.write(f"rows={total} rebuilt={changed}")
