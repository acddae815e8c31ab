"""Every change to a row or FAQ article is recorded; editors compare any two versions and revert."""

import re

from django.urls import reverse

from kb.models import ErrorEntry, FaqArticle
from tests.adminforms import change_url, form_data

ROW = ("APIG", "APIG.0308", 429, "The throttling threshold has been reached.")


def edit(client, obj, **changes):
    url = change_url(obj)
    response = client.post(url, form_data(client, url) | changes)
    assert response.status_code == 302, response.content[:3000]
    obj.refresh_from_db()
    return obj


def test_an_admin_edit_records_who_when_and_each_changed_field(
    shipped_catalog, editor_client, editor
):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    edit(editor_client, row, remedy_en="Wait one minute.", remedy_zh="等待一分钟。")

    latest, before = row.history.all()[:2]
    assert latest.history_user == editor
    assert latest.history_type == "~"
    delta = latest.diff_against(before)
    assert sorted(delta.changed_fields) == ["remedy_en", "remedy_zh"]
    assert delta.changes[0].new in ("Wait one minute.", "等待一分钟。")


def test_history_page_lists_the_versions_and_who_made_them(shipped_catalog, editor_client):
    row = edit(editor_client, ErrorEntry.objects.get_by_natural_key(*ROW), remedy_en="Retry.")
    response = editor_client.get(reverse("admin:kb_errorentry_history", args=[row.pk]))
    assert response.status_code == 200
    table = response.content.decode().split('id="change-history"')[1].split("</table>")[0]
    # Newest first, each with who made it: the editor's save, then the import.
    versions = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    changed_by = [re.findall(r"<td>(.*?)</td>", version, re.S)[4].strip() for version in versions]
    assert changed_by == ["editor", "import or system"] and row.history.count() == 2
    assert "Remedy (English)" in versions[0]


def test_compare_shows_the_field_by_field_diff_of_any_two_versions(shipped_catalog, editor_client):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    first = row.history.get()
    edit(editor_client, row, remedy_en="Wait one minute, then retry.")
    edit(editor_client, row, meaning_en="Too many requests.", meaning_zh="请求太多。")
    newest = row.history.first()

    url = reverse("admin:kb_errorentry_history_compare", args=[row.pk])
    # Either order: the older of the two is shown first.
    response = editor_client.get(url, {"from": newest.history_id, "to": first.history_id})

    assert response.status_code == 200
    changed = [change.name for change in response.context["changes"]]
    assert changed == ["meaning_zh", "meaning_en", "remedy_en"]
    remedy = response.context["changes"][2]
    assert remedy.new == "Wait one minute, then retry."
    assert re.search(r"<ins>[^<]*one minute", str(remedy.diff))
    assert re.search(r"<ins>[^<]*one minute", response.content.decode())
    assert "<del>" in response.content.decode()


def test_diff_escapes_what_editors_typed(shipped_catalog, editor_client):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    first = row.history.get()
    edit(editor_client, row, remedy_en="<script>alert(1)</script>")
    url = reverse("admin:kb_errorentry_history_compare", args=[row.pk])
    html = editor_client.get(
        url, {"from": first.history_id, "to": row.history.first().history_id}
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_compare_with_missing_or_foreign_versions_goes_back_to_the_history(
    shipped_catalog, editor_client
):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    other = ErrorEntry.objects.exclude(pk=row.pk).first()
    url = reverse("admin:kb_errorentry_history_compare", args=[row.pk])
    mine = row.history.get().history_id
    for params in [
        {},
        {"from": "abc", "to": "1"},
        {"from": mine, "to": mine},
        {"from": mine, "to": other.history.get().history_id},
    ]:
        response = editor_client.get(url, params)
        assert response.status_code == 302
        assert response["Location"].endswith(f"/{row.pk}/history/")


def test_revert_brings_an_older_version_back_and_is_itself_recorded(
    shipped_catalog, editor_client, editor
):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    original = row.remedy_en
    first = row.history.get()
    edit(editor_client, row, remedy_en="A wrong remedy.")

    url = reverse("admin:kb_errorentry_simple_history", args=[row.pk, first.history_id])
    form = editor_client.get(url).context["adminform"].form
    assert form["remedy_en"].value() == original
    data = form_data(editor_client, url)
    response = editor_client.post(url, data)

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.remedy_en == original
    assert row.history.count() == 3
    assert row.history.first().history_user == editor
    assert row.shipped["remedy_en"] == original  # the import's baseline is not rolled back
    assert not row.edited


def test_faq_article_edits_and_their_links_to_rows_are_recorded(shipped_catalog, editor_client):
    article = FaqArticle.objects.get(slug="backend-unavailable")
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    url = change_url(article)
    data = form_data(editor_client, url)
    data["title_en"] = "Backend unavailable: what to check"
    data["entries"] = [*data["entries"], row.pk]

    assert editor_client.post(url, data).status_code == 302

    latest = article.history.first()
    assert latest.title_en == "Backend unavailable: what to check"
    assert row.pk in latest.entries.values_list("errorentry_id", flat=True)
    first = article.history.last()
    changes = {change.field for change in latest.diff_against(first).changes}
    assert changes == {"title_en", "entries"}


def test_linking_a_faq_from_the_row_side_is_recorded_in_the_articles_history(
    shipped_catalog, editor_client, editor
):
    row = ErrorEntry.objects.get_by_natural_key(*ROW)
    article = FaqArticle.objects.exclude(entries=row).first()
    versions = article.history.count()
    url = change_url(row)
    data = form_data(editor_client, url)
    data["faqs"] = [*data.get("faqs", []), article.pk]

    assert editor_client.post(url, data).status_code == 302

    assert article in row.faqs.all()
    assert article.history.count() == versions + 1
    assert article.history.first().history_user == editor


def test_the_comparison_page_has_no_inline_style(shipped_catalog, editor_client):
    row = ErrorEntry.objects.filter(code="APIG.0101").first()
    row.remedy_en += " More."
    row.save()
    first, last = row.history.order_by("history_date").values_list("history_id", flat=True)[:2]
    url = reverse("admin:kb_errorentry_history_compare", args=[row.pk])
    html = editor_client.get(url, {"from": first, "to": last}).content.decode()
    assert "<ins>" in html
    assert "<style" not in html and "style=" not in html
    assert "kb/history" in html
