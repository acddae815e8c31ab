"""Two editors, one row: the later save is refused with a clear message; nothing is overwritten."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kb.editors import ensure_support_editors_group
from kb.models import EditConflict, ErrorEntry
from tests.adminforms import change_url, form_data
from tests.factories import make_entry, make_faq


@pytest.fixture
def second_editor_client(db):
    user = User.objects.create_user("editor2", password="pw-editor-2", is_staff=True)
    user.groups.add(ensure_support_editors_group())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_later_of_two_saves_of_the_same_row_is_refused(editor_client, second_editor_client):
    row = make_entry()
    url = change_url(row)
    # Both open the row.
    mine = form_data(editor_client, url)
    theirs = form_data(second_editor_client, url)

    first = second_editor_client.post(url, theirs | {"remedy_en": "Their remedy."})
    assert first.status_code == 302

    later = editor_client.post(url, mine | {"remedy_en": "My remedy."})

    assert later.status_code == 200  # the form again, with the reason
    html = later.content.decode()
    assert "editor2 saved this item at" in html
    assert "Your changes were not saved" in html
    row.refresh_from_db()
    assert row.remedy_en == "Their remedy."
    # What the editor typed is still in the form, to copy.
    assert later.context["adminform"].form["remedy_en"].value() == "My remedy."


def test_a_save_after_reopening_the_row_goes_through(editor_client, second_editor_client):
    row = make_entry()
    url = change_url(row)
    stale = form_data(editor_client, url)
    second_editor_client.post(url, form_data(second_editor_client, url) | {"remedy_en": "Theirs."})
    assert editor_client.post(url, stale | {"remedy_en": "Mine."}).status_code == 200

    fresh = form_data(editor_client, url)
    assert editor_client.post(url, fresh | {"remedy_en": "Mine."}).status_code == 302
    row.refresh_from_db()
    assert row.remedy_en == "Mine."


def test_a_form_without_its_revision_is_refused(editor_client):
    row = make_entry()
    url = change_url(row)
    data = form_data(editor_client, url)
    del data["opened_revision"]
    assert editor_client.post(url, data | {"remedy_en": "Mine."}).status_code == 200
    row.refresh_from_db()
    assert row.remedy_en != "Mine."


def test_a_stale_instance_cannot_overwrite_a_newer_save(db):
    row = make_entry()
    mine = ErrorEntry.objects.get(pk=row.pk)
    theirs = ErrorEntry.objects.get(pk=row.pk)
    theirs.remedy_en = "Theirs."
    theirs.save()

    mine.remedy_en = "Mine."
    with pytest.raises(EditConflict):
        mine.save()

    row.refresh_from_db()
    assert row.remedy_en == "Theirs."


def test_a_conflict_found_at_the_last_moment_is_a_message_not_an_error_page(
    editor_client, monkeypatch
):
    row = make_entry()
    url = change_url(row)
    data = form_data(editor_client, url)

    # Another save lands between the form's check and the model's save.
    from kb import editing

    original_clean = editing.LockedForm.clean

    def clean_then_someone_saves(form):
        cleaned = original_clean(form)
        ErrorEntry.objects.filter(pk=row.pk).update(revision=form.instance.revision + 1)
        return cleaned

    monkeypatch.setattr(editing.LockedForm, "clean", clean_then_someone_saves)
    response = editor_client.post(url, data | {"remedy_en": "Mine."}, follow=True)

    assert response.status_code == 200
    assert any("changed by someone else" in str(m) for m in response.context["messages"])
    row.refresh_from_db()
    assert row.remedy_en != "Mine."


def test_reverting_to_an_old_version_is_refused_when_the_row_changed_meanwhile(
    editor_client, second_editor_client
):
    row = make_entry()
    first = row.history.get()
    revert_url = reverse("admin:kb_errorentry_simple_history", args=[row.pk, first.history_id])
    stale = form_data(editor_client, revert_url)
    url = change_url(row)
    second_editor_client.post(url, form_data(second_editor_client, url) | {"remedy_en": "New."})

    response = editor_client.post(revert_url, stale)

    assert response.status_code == 200
    assert "Your changes were not saved" in response.content.decode()
    row.refresh_from_db()
    assert row.remedy_en == "New."


def test_an_article_form_opened_before_a_row_was_linked_keeps_that_link(
    editor_client, second_editor_client
):
    row, other_row = make_entry(), make_entry()
    article = make_faq(entries=[row])
    url = change_url(article)
    stale = form_data(editor_client, url)
    # Another editor links the article from the other row's page.
    row_url = change_url(other_row)
    data = form_data(second_editor_client, row_url) | {"faqs": [article.pk]}
    assert second_editor_client.post(row_url, data).status_code == 302

    response = editor_client.post(url, stale | {"summary_en": "Edited."})

    assert response.status_code == 302
    assert set(article.entries.all()) == {row, other_row}
