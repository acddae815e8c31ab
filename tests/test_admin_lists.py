"""The admin's lists for editors: what the row list shows, searchable links, sanitized previews."""

from django.urls import reverse

from kb.models import ErrorEntry, FaqArticle, Feedback
from tests.adminforms import change_url, form_data
from tests.factories import make_entry, make_faq


def test_row_list_shows_who_changed_a_row_and_filters_edited_rows(shipped_catalog, editor_client):
    row = ErrorEntry.objects.get(code="APIG.0308")
    url = change_url(row)
    edited = form_data(editor_client, url) | {"remedy_en": "Edited.", "remedy_zh": "已编辑。"}
    assert editor_client.post(url, edited).status_code == 302

    changelist = reverse("admin:kb_errorentry_changelist")
    response = editor_client.get(changelist, {"edited__exact": "1"})

    assert [r.pk for r in response.context["cl"].result_list] == [row.pk]
    assert "editor, " in response.content.decode()  # the "last edited by" column


def test_row_list_searches_codes_messages_and_aliases(shipped_catalog, editor_client):
    row = ErrorEntry.objects.get(code="APIG.0308")
    row.set_aliases(["Rate exceeded, slow down"])
    changelist = reverse("admin:kb_errorentry_changelist")
    for term in ["APIG.0308", "throttling threshold", "slow down"]:
        shown = editor_client.get(changelist, {"q": term}).context["cl"].result_list
        assert row in shown, term


def test_row_list_query_count_does_not_grow_with_rows(
    shipped_catalog, editor_client, django_assert_max_num_queries
):
    for row in ErrorEntry.objects.all()[:20]:
        Feedback.objects.create(entry=row, helpful=False, client_key="k")
    with django_assert_max_num_queries(12):
        response = editor_client.get(reverse("admin:kb_errorentry_changelist"))
    assert response.status_code == 200


def test_faq_articles_are_searchable_from_the_row_and_rows_from_the_article(editor_client):
    row = make_entry(message_en="Backend unavailable.")
    article = make_faq(title_en="Backend timeouts explained")
    autocomplete = reverse("admin:autocomplete")
    from_row = editor_client.get(
        autocomplete,
        {
            "app_label": "kb",
            "model_name": "faqarticle_entries",
            "field_name": "faqarticle",
            "term": "timeouts",
        },
    )
    assert [r["id"] for r in from_row.json()["results"]] == [str(article.pk)]
    from_article = editor_client.get(
        autocomplete,
        {
            "app_label": "kb",
            "model_name": "faqarticle",
            "field_name": "entries",
            "term": "Backend unavailable",
        },
    )
    assert [r["id"] for r in from_article.json()["results"]] == [str(row.pk)]


def test_faq_preview_in_the_admin_is_sanitized(shipped_catalog, editor_client):
    article = FaqArticle.objects.first()
    article.body_en = '## Steps\n<script>alert(1)</script><img src=x onerror="alert(2)">'
    article.save()
    html = editor_client.get(change_url(article)).content.decode()
    assert "<h2>Steps</h2>" in html
    assert "<script>alert(1)" not in html
    assert 'onerror="alert(2)"' not in html
