from django.core.management.base import BaseCommand

from kb.catalog import export_catalog


class Command(BaseCommand):
    help = "Write the whole catalog as JSON to standard output, in the form import_catalog reads."

    def handle(self, *args, **options):
        self.stdout.write(export_catalog(), ending="")
