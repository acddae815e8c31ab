"""The whole catalog downloads as JSON and CSV; export, import, export changes nothing."""

import csv
import io
import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kb.catalog import export_catalog, export_catalog_csv, import_catalog, read_catalog_csv
from kb.models import Cause, ErrorAlias, ErrorEntry, FaqArticle

ROW = ("APIG", "APIG.0308", 429, "The throttling threshold has been reached.")


def command_output(*args) -> str:
    out = StringIO()
    call_command("export_catalog", *args, stdout=out)
    return out.getvalue()


def edit_catalog():
    """Staff work of every kind: an edited remedy, an alias, a new link."""
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    row.remedy_en = "Edited before export."
    row.save()
    ErrorAlias.objects.create(entry=row, text="Too many requests, slow down")
    FaqArticle.objects.first().entries.add(row)
    return row


def test_export_import_export_changes_nothing(shipped_catalog, tmp_path):
    edit_catalog()
    exported = command_output()
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")

    report = import_catalog([path])

    assert report.created == report.updated == report.aliases_added == 0
    assert command_output() == exported


def test_an_export_restores_the_catalog_with_its_aliases_into_an_empty_database(
    shipped_catalog, tmp_path
):
    edit_catalog()
    exported = export_catalog()
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")
    ErrorAlias.objects.all().delete()
    FaqArticle.objects.all().delete()
    Cause.objects.all().delete()
    ErrorEntry.objects.all().delete()

    out = StringIO()
    call_command("import_catalog", str(path), stdout=out)

    assert "aliases-added=1" in out.getvalue()
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    assert row.aliases.get().text == "Too many requests, slow down"
    assert "slow" in row.index_tokens
    assert export_catalog() == exported


def test_json_export_holds_aliases_by_natural_key(shipped_catalog):
    edit_catalog()
    objects = json.loads(command_output())
    aliases = [o for o in objects if o["model"] == "kb.erroralias"]
    assert aliases == [
        {
            "model": "kb.erroralias",
            "fields": {"entry": list(ROW), "text": "Too many requests, slow down"},
        }
    ]
    assert all("pk" not in o for o in objects)


def test_csv_export_has_one_line_per_row_in_both_languages(shipped_catalog):
    edit_catalog()
    rows = list(csv.DictReader(io.StringIO(command_output("--format", "csv"))))
    assert len(rows) == ErrorEntry.objects.count()
    row = next(r for r in rows if (r["code"], r["http_status"]) == ("APIG.0308", "429"))
    assert row["remedy_en"] == "Edited before export."
    assert row["remedy_zh"] and row["meaning_zh"] and row["meaning_en"]
    assert row["aliases"] == "Too many requests, slow down"
    assert row["category"] == ErrorEntry.objects.get_by_natural_key(*ROW).category.slug


def test_site_downloads_json_and_csv(shipped_catalog, client):
    edit_catalog()
    with translation.override("en"):
        json_url = reverse("kb:catalog-download", args=["json"])
        csv_url = reverse("kb:catalog-download", args=["csv"])
    response = client.get(json_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert 'filename="apig-kb-catalog.json"' in response["Content-Disposition"]
    assert response.content.decode() == export_catalog()

    response = client.get(csv_url)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("catalog,code,http_status,message_en")
    assert "Edited before export." in text

    assert client.get("/en/catalog.xml").status_code == 404


def test_every_page_links_to_the_downloads(shipped_catalog, client):
    html = client.get("/zh-hans/").content.decode()
    assert 'href="/zh-hans/catalog.json"' in html and 'href="/zh-hans/catalog.csv"' in html


def test_a_restored_export_keeps_the_identity_of_a_row_whose_key_staff_changed(
    shipped_catalog, tmp_path
):
    row = edit_catalog()
    row.code, row.message_en = "APIG.0388", "Throttled by us."
    row.save()
    exported = export_catalog()
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")
    rows = ErrorEntry.objects.count()
    ErrorAlias.objects.all().delete()
    FaqArticle.objects.all().delete()
    Cause.objects.all().delete()
    ErrorEntry.objects.all().delete()

    import_catalog([path])

    assert export_catalog() == exported
    # The shipped catalog imported afterwards finds the row: no second APIG.0308 429.
    import_catalog()
    assert ErrorEntry.objects.count() == rows
    # (Its text is then the shipped one: a JSON restore does not bring back which fields
    # staff edited; README, "Backup and restore".)
    assert ErrorEntry.objects.filter(identity=row.identity).count() == 1


FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tindented",
    "\rreturn",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(1)",
    "'quoted already",
    "''=twice",
]


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe(shipped_catalog):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    ErrorEntry.objects.filter(pk=row.pk).update(remedy_en="=1+1 then retry")
    dangerous = tuple("=+-@\t\r＝＋－＠")
    for number, text in enumerate(FORMULAS):
        other = ErrorEntry.objects.exclude(pk=row.pk)[number]
        ErrorAlias.objects.create(entry=other, text=text)
    lines = list(csv.reader(io.StringIO(export_catalog_csv())))
    cells = [cell for line in lines for cell in line]
    assert not [cell for cell in cells if cell.startswith(dangerous)]
    assert "'=1+1 then retry" in cells


def test_reading_the_csv_back_restores_every_cell_as_stored(shipped_catalog):
    rows = list(ErrorEntry.objects.exclude(code="APIG.0308")[: len(FORMULAS)])
    for row, text in zip(rows, FORMULAS, strict=True):
        ErrorAlias.objects.create(entry=row, text=text)
        # update() stores the text as is, leading tab or carriage return included.
        ErrorEntry.objects.filter(pk=row.pk).update(remedy_en=text, meaning_zh=text + "。")

    read = read_catalog_csv("\ufeff" + export_catalog_csv())
    by_key = {(line["code"], line["http_status"], line["message_en"]): line for line in read}
    for row in ErrorEntry.objects.filter(pk__in=[row.pk for row in rows]):
        line = by_key[(row.code, str(row.http_status), row.message_en)]
        assert line["remedy_en"] == row.remedy_en
        assert line["meaning_zh"] == row.meaning_zh
        assert line["aliases"] == "\n".join(sorted(a.text for a in row.aliases.all()))
