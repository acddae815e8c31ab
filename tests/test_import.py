"""import_catalog: idempotent, applies shipped changes, never overwrites an edit."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb.catalog import export_catalog, import_catalog
from kb.models import ErrorEntry, FaqArticle
from tests.adminforms import form_data

ROW = ("APIG", "APIG.0308", 429, "The throttling threshold has been reached.")


def run_import(*files) -> str:
    out = StringIO()
    call_command("import_catalog", *[str(f) for f in files], stdout=out)
    return out.getvalue()


def shipped_with(tmp_path, change) -> str:
    """A copy of the shipped catalog with `change(objects)` applied."""
    from django.conf import settings

    objects = json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8"))
    change(objects)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    return path


def set_field(objects, natural_key, name, value):
    for obj in objects:
        fields = obj["fields"]
        if (
            obj["model"] == "kb.errorentry"
            and (
                fields["catalog"],
                fields["code"],
                fields["http_status"],
                fields["message_en"],
            )
            == natural_key
        ):
            fields[name] = value
            return
    raise AssertionError(natural_key)


def test_first_import_creates_everything_and_second_changes_nothing(db):
    first = run_import()
    assert "created=" in first and "updated=0" in first
    before = export_catalog()
    stamps = list(ErrorEntry.objects.values_list("updated_at", flat=True).order_by("pk"))

    second = run_import()

    assert "created=0 updated=0" in second
    assert "kept-because-edited=0" in second
    assert export_catalog() == before
    assert list(ErrorEntry.objects.values_list("updated_at", flat=True).order_by("pk")) == stamps


def test_changed_shipped_value_of_untouched_field_is_applied(db, tmp_path):
    run_import()
    path = shipped_with(tmp_path, lambda o: set_field(o, ROW, "remedy_en", "Wait, then retry."))

    out = run_import(path)

    assert "updated=1" in out
    assert ErrorEntry.objects.get_by_natural_key(*ROW).remedy_en == "Wait, then retry."


def test_changed_shipped_value_of_edited_field_is_kept_and_reported(db, tmp_path):
    run_import()
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    row.remedy_en = "Our own advice."
    row.save()
    path = shipped_with(
        tmp_path,
        lambda o: (
            set_field(o, ROW, "remedy_en", "Newer shipped advice."),
            set_field(o, ROW, "meaning_en", "Newer shipped meaning."),
        ),
    )

    out = run_import(path)

    row.refresh_from_db()
    assert row.remedy_en == "Our own advice."
    assert row.meaning_en == "Newer shipped meaning."
    assert "conflict: errorentry APIG APIG.0308 429" in out
    assert "remedy_en" in out
    assert "kept-because-edited=1" in out
    # Unchanged input a second time: the conflict is still reported, nothing moves.
    assert "kept-because-edited=1" in run_import(path)
    row.refresh_from_db()
    assert row.remedy_en == "Our own advice."


def test_edit_through_the_admin_change_form_survives_reimport(shipped_catalog, admin_client):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    url = reverse("admin:kb_errorentry_change", args=[row.pk])
    data = form_data(admin_client, url)
    data["remedy_zh"] = "请稍后重试,或联系我们调整流控策略。"

    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]

    out = run_import()
    row.refresh_from_db()
    assert row.remedy_zh == "请稍后重试,或联系我们调整流控策略。"
    assert row.edited
    assert "created=0 updated=0" in out


def test_admin_save_without_changes_does_not_mark_row_edited(shipped_catalog, admin_client):
    faq = FaqArticle.objects.first()
    url = reverse("admin:kb_faqarticle_change", args=[faq.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    # Browsers send multi-line text with CRLF line breaks.
    data["body_en"] = faq.body_en.replace("\n", "\r\n")
    data["entries"] = [e.pk for e in faq.entries.all()]

    assert admin_client.post(url, data).status_code == 302

    faq.refresh_from_db()
    assert not faq.edited


def test_links_staff_changed_survive_a_reimport_that_changes_them(shipped_catalog, tmp_path):
    faq = FaqArticle.objects.get(slug="backend-unavailable")
    removed = faq.entries.get(code="APIG.0610")
    faq.entries.remove(removed)
    assert "kept-because-edited=0" in run_import()  # nothing new shipped: nothing to keep

    def link_another_row(objects):
        article = next(o for o in objects if o["fields"].get("slug") == "backend-unavailable")
        article["fields"]["entries"].append(list(ROW))

    out = run_import(shipped_with(tmp_path, link_another_row))

    assert removed not in faq.entries.all()
    assert not faq.entries.filter(code="APIG.0308").exists()
    assert "conflict: faqarticle backend-unavailable: entries" in out
    assert "kept-because-edited=1" in out


def test_broken_file_changes_nothing_and_says_why(shipped_catalog, tmp_path):
    before = export_catalog()
    path = shipped_with(tmp_path, lambda o: set_field(o, ROW, "remedy_en", "Changed."))
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")

    with pytest.raises(CommandError, match="not a catalog file"):
        run_import(path)

    assert export_catalog() == before


def test_invalid_row_rolls_back_the_whole_import(shipped_catalog, tmp_path):
    before = export_catalog()

    def change(objects):
        set_field(objects, ROW, "remedy_en", "Changed.")
        objects[-1]["fields"]["title_en"] = "x" * 500  # over the column's length

    path = shipped_with(tmp_path, change)
    with pytest.raises(CommandError, match="Nothing was changed"):
        run_import(path)

    assert export_catalog() == before


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_import(tmp_path / "nope.json")


def test_export_then_import_changes_nothing(shipped_catalog, tmp_path):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    row.remedy_en = "Edited before export."
    row.save()
    exported = export_catalog()
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")

    report = import_catalog([path])

    assert report.created == report.updated == 0
    assert export_catalog() == exported


@pytest.mark.parametrize(
    "name, value",
    [
        ("code", "APIG.0388"),
        ("http_status", 503),
        ("message_en", "The throttling threshold has been reached (edited)."),
    ],
)
def test_a_row_whose_key_staff_changed_is_still_the_shipped_row(shipped_catalog, name, value):
    rows = ErrorEntry.objects.count()
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    setattr(row, name, value)
    row.remedy_en = "Our own advice."
    row.save()

    out = run_import()

    assert ErrorEntry.objects.count() == rows
    assert "created=0 updated=0" in out
    assert (
        not ErrorEntry.objects.filter(code="APIG.0308", http_status=429).exclude(pk=row.pk).exists()
    )
    row.refresh_from_db()
    assert (getattr(row, name), row.remedy_en) == (value, "Our own advice.")
    # Its FAQ links and causes, which the fixture names by the shipped key, are kept.
    assert row.faqs.exists() == FaqArticle.objects.filter(entries=row).exists()


def test_a_shipped_change_to_a_field_staff_edited_on_a_rekeyed_row_is_a_conflict(
    shipped_catalog, tmp_path
):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    row.message_en = "Throttled by us."
    row.remedy_en = "Our own advice."
    row.save()
    path = shipped_with(
        tmp_path,
        lambda o: (
            set_field(o, ROW, "remedy_en", "Newer advice."),
            set_field(o, ROW, "meaning_en", "Newer meaning."),
        ),
    )

    out = run_import(path)

    row.refresh_from_db()
    assert (row.message_en, row.remedy_en) == ("Throttled by us.", "Our own advice.")
    assert row.meaning_en == "Newer meaning."
    assert "conflict: errorentry APIG APIG.0308 429 Throttled by us.: remedy_en" in out
    assert "created=0" in out
