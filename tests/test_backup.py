"""Backups of what staff edit: the README's export/import and pg_dump/pg_restore steps."""

import os
import shutil
import subprocess
from glob import glob
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from kb.models import Category, ErrorEntry, FaqArticle
from tests.test_import import set_field, shipped_with

ROW = ("APIG", "APIG.0308", 429, "The throttling threshold has been reached.")
EDIT = "Raise the throttling limit of the API in the APIG console, then retry."


def edit_a_row() -> None:
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    row.remedy_en = EDIT
    row.save()


def wipe_catalog() -> None:
    FaqArticle.objects.all().delete()
    ErrorEntry.objects.all().delete()
    Category.objects.all().delete()


def import_report(*files) -> str:
    out = StringIO()
    call_command("import_catalog", *map(str, files), stdout=out)
    return out.getvalue()


def test_exported_catalog_restores_an_edit_after_a_wipe(shipped_catalog, tmp_path):
    edit_a_row()
    backup = tmp_path / "catalog-backup.json"
    with backup.open("w", encoding="utf-8") as handle:
        call_command("export_catalog", stdout=handle)
    rows = ErrorEntry.objects.count()

    wipe_catalog()
    assert ErrorEntry.objects.count() == 0
    import_report(backup)

    assert ErrorEntry.objects.count() == rows
    assert ErrorEntry.objects.get_by_natural_key(*ROW).remedy_en == EDIT


def pg_tool(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_bring_back_an_edit_and_its_protection(tmp_path):
    import_report()
    edit_a_row()
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"]}
    target = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], "-d", db["NAME"]]
    dump = tmp_path / "kb.dump"
    subprocess.run([pg_tool("pg_dump"), "-Fc", "-f", dump, *target], env=env, check=True)

    wipe_catalog()
    connection.close()
    subprocess.run(
        [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *target],
        input=dump.read_bytes(),
        env=env,
        check=True,
    )

    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    assert row.remedy_en == EDIT and row.edited
    # The dump keeps what the last import shipped, so the edit stays protected: a new
    # shipped value for that field is reported and the edit kept.
    newer = shipped_with(tmp_path, lambda o: set_field(o, ROW, "remedy_en", "Shipped later."))
    assert "kept-because-edited=1" in import_report(newer)
    assert ErrorEntry.objects.get_by_natural_key(*ROW).remedy_en == EDIT
