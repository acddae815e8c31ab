from django.core.management.base import BaseCommand

from kb.catalog import export_catalog, export_catalog_csv


class Command(BaseCommand):
    help = (
        "Write the whole catalog to standard output: JSON in the form import_catalog reads, "
        "or CSV (one line per row) for a spreadsheet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            default="json",
            help="json (default; import_catalog reads it back) or csv.",
        )

    def handle(self, *args, format, **options):
        self.stdout.write(export_catalog_csv() if format == "csv" else export_catalog(), ending="")
