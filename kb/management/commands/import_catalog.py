from django.core.management.base import BaseCommand, CommandError

from kb.catalog import CatalogError, import_catalog


class Command(BaseCommand):
    help = (
        "Load the shipped catalog (fixtures/catalog.json), or the catalog files named, "
        "without overwriting any field that support staff edited since the last import."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            help="Catalog JSON files, as written by export_catalog. Default: the shipped fixture.",
        )

    def handle(self, *args, files, **options):
        try:
            report = import_catalog(files or None)
        except CatalogError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        for conflict in report.conflicts:
            self.stdout.write(self.style.WARNING(f"conflict: {conflict}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
