"""One language of a meaning or remedy changed, the other not: the row needs a review."""

import json

import pytest
from django.urls import reverse

from kb.catalog import import_catalog
from kb.models import ErrorEntry
from tests.adminforms import change_url, form_data
from tests.factories import make_entry


def save_in_admin(client, row, **changes):
    url = change_url(row)
    response = client.post(url, form_data(client, url) | changes)
    assert response.status_code == 302, response.content[:3000]
    row.refresh_from_db()
    return row


@pytest.mark.parametrize(
    "changes",
    [
        {"remedy_zh": "新的解决方案。"},
        {"remedy_en": "A new remedy."},
        {"meaning_en": "A new meaning."},
        {"meaning_zh": "新的语义", "remedy_en": "A new remedy."},
    ],
)
def test_changing_one_language_flags_the_row(editor_client, changes):
    row = save_in_admin(editor_client, make_entry(), **changes)
    assert row.translation_review


def test_changing_both_languages_does_not_flag_the_row(editor_client):
    row = save_in_admin(
        editor_client, make_entry(), remedy_zh="新的解决方案。", remedy_en="A new remedy."
    )
    assert not row.translation_review


def test_the_flag_stays_until_an_editor_confirms_both_languages(editor_client):
    row = save_in_admin(editor_client, make_entry(), remedy_en="A new remedy.")
    row = save_in_admin(editor_client, row, message_en="Another message.")
    assert row.translation_review, "an unrelated save must not clear the flag"

    row = save_in_admin(editor_client, row, remedy_zh="新的解决方案。")
    assert row.translation_review, "changing the other language later still needs a confirmation"

    row = save_in_admin(editor_client, row, confirm_translation="on")
    assert not row.translation_review


def test_confirming_while_changing_one_language_clears_the_flag(editor_client):
    row = save_in_admin(
        editor_client, make_entry(), remedy_zh="修正错别字。", confirm_translation="on"
    )
    assert not row.translation_review


def test_the_admin_list_shows_and_filters_flagged_rows(editor_client):
    flagged = save_in_admin(editor_client, make_entry(), remedy_en="A new remedy.")
    clean = make_entry()
    url = reverse("admin:kb_errorentry_changelist")

    response = editor_client.get(url, {"translation_review__exact": "1"})

    assert response.status_code == 200
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [flagged.pk]
    assert clean.pk not in shown
    header = editor_client.get(url).content.decode()
    assert "Translation needs review" in header


def test_an_import_that_updates_one_language_flags_the_row(shipped_catalog, tmp_path):
    from django.conf import settings

    objects = json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8"))
    row = next(o for o in objects if o["model"] == "kb.errorentry")
    row["fields"]["remedy_en"] = "A newer shipped remedy."
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")

    import_catalog([path])

    entry = ErrorEntry.objects.get(remedy_en="A newer shipped remedy.")
    assert entry.translation_review
