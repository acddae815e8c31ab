"""Public pages are reused until the catalog changes, and an edit shows at once."""

import time

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.utils import timezone

from kb import expiring
from kb.models import ErrorEntry
from kb.pagecache import page_key


def test_a_page_seen_again_is_served_without_rendering(
    shipped_catalog, client, django_assert_num_queries
):
    first = client.get("/en/codes/APIG.0201/")
    with django_assert_num_queries(0):  # the catalog version was read a moment ago
        again = client.get("/en/codes/APIG.0201/")
    assert again.status_code == 200
    assert again.content == first.content
    assert "Content-Security-Policy" in again.headers


def test_a_page_rendered_by_one_worker_serves_the_other_workers_of_the_host(
    shipped_catalog, client
):
    client.get("/en/codes/APIG.0201/")
    # Another gunicorn worker opens the same cache afresh, from the same settings.
    pages = settings.CACHES["pages"]
    other_worker = FileBasedCache(pages["LOCATION"], {"TIMEOUT": pages["TIMEOUT"]})
    status, content, headers = other_worker.get(page_key("/en/codes/APIG.0201/"))
    assert status == 200
    assert b"Backend timeout." in content


def test_an_edit_shows_at_the_next_request(shipped_catalog, client):
    client.get("/en/codes/APIG.0308/")
    client.get("/en/codes/?http_status=429")
    row = ErrorEntry.objects.get(code="APIG.0308")
    row.remedy_en = "Raise the limit in the console."
    row.save()
    assert "Raise the limit in the console." in client.get("/en/codes/APIG.0308/").content.decode()


def test_an_edit_saved_on_another_host_shows_within_the_version_interval(
    shipped_catalog, client, monkeypatch
):
    clock = [time.monotonic()]
    monkeypatch.setattr(expiring.time, "monotonic", lambda: clock[0])
    assert "Raise the limit" not in client.get("/en/codes/APIG.0308/").content.decode()
    # Another host saves: this process hears no signal, only the database changes.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE kb_errorentry SET remedy_en = %s, updated_at = %s WHERE code = %s",
            ["Raise the limit in the console.", timezone.now(), "APIG.0308"],
        )
    clock[0] += settings.KB_PAGE_CACHE_VERSION_SECONDS / 2
    assert "Raise the limit" not in client.get("/en/codes/APIG.0308/").content.decode()
    clock[0] += settings.KB_PAGE_CACHE_VERSION_SECONDS
    assert "Raise the limit" in client.get("/en/codes/APIG.0308/").content.decode()


def test_a_deleted_row_disappears_at_the_next_request(shipped_catalog, client):
    assert client.get("/en/codes/?q=APIGW.0101").context is not None
    ErrorEntry.objects.filter(code="APIGW.0101").delete()
    response = client.get("/en/codes/?q=APIGW.0101")
    assert response.context["paginator"].count == 0


def test_staff_with_a_session_always_get_a_fresh_page(shipped_catalog, admin_client):
    admin_client.get("/en/faq/")
    response = admin_client.get("/en/faq/")
    assert response.context is not None  # rendered again, not replayed


def test_each_language_has_its_own_page(shipped_catalog):
    client = Client()
    english = client.get("/en/codes/APIG.0201/").content.decode()
    chinese = client.get("/zh-hans/codes/APIG.0201/").content.decode()
    assert 'lang="en"' in english and 'lang="zh-hans"' in chinese


def test_errors_are_not_kept(shipped_catalog, client):
    assert client.get("/en/codes/?http_status=abc").status_code == 400
    assert client.get("/en/codes/APIG.0309/").status_code == 404
    assert client.get("/en/codes/APIG.0309/").context is not None


def test_a_sure_search_answer_is_reused_and_an_unsure_one_always_reaches_the_queue(
    shipped_catalog, client, django_assert_max_num_queries
):
    from kb.models import UnansweredSearch

    sure = {"q": '{"error_code": "APIG.0308", "request_id": "6d0c4a21e9f34b7d"}'}
    first = client.get("/en/search/", sure).content
    with django_assert_max_num_queries(1):  # the catalog version only
        assert client.get("/en/search/", sure).content == first
    # Two readers (one reader counts once per window: kb/unknown.py).
    for address in ("192.0.2.1", "192.0.2.2"):
        client.get("/en/search/", {"q": "frobnicated gateway weirdness"}, REMOTE_ADDR=address)
    assert UnansweredSearch.objects.get().count == 2


def test_the_redirect_of_a_code_search_is_reused(
    shipped_catalog, client, django_assert_num_queries
):
    first = client.get("/en/search/", {"q": "apig-0201 413"})
    with django_assert_num_queries(0):
        again = client.get("/en/search/", {"q": "apig-0201 413"})
    assert again.status_code == first.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == "/en/codes/APIG.0201/#413-request-entity-too-large"
    )


def test_a_cached_page_is_refused_to_a_host_this_site_is_not(shipped_catalog, client):
    assert client.get("/en/codes/APIG.0201/").status_code == 200  # now cached
    assert client.get("/en/codes/APIG.0201/", HTTP_HOST="evil.example").status_code == 400
