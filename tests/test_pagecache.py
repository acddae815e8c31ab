"""Public pages are reused until the catalog changes, and an edit shows at once."""

import pickle
import time
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kb import expiring
from kb.insight import counts
from kb.models import ErrorEntry
from kb.pagecache import page_key


@pytest.fixture
def insight_buffer(settings, monkeypatch):
    """The Insight counts buffered as on a real server (kb.insight.counts), without the
    thread that writes them: what a request counted, which costs it no query."""
    settings.KB_INSIGHT_FLUSH_SECONDS = 1
    flusher = counts.Flusher()
    monkeypatch.setattr(flusher, "start", lambda: None)
    monkeypatch.setattr(counts, "flusher", flusher)
    return flusher.buffer


def counted(buffer) -> list[tuple]:
    return sorted((kind, *rest) for (kind, _day, *rest) in buffer.counts)


def test_a_page_seen_again_is_served_without_rendering(shipped_catalog, client, insight_buffer):
    first = client.get("/en/codes/APIG.0201/")
    # The catalog version was read a moment ago, and the Insight page's count of the view
    # is buffered (tests/test_insight.py): no query at all.
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/codes/APIG.0201/")
    assert queries.captured_queries == []
    assert insight_buffer.counts[("code", counts.today(), "APIG.0201", "view")] == 2
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
    # Another host saves: this process hears no signal, only the database changes (and
    # that host's clock may be behind: no time stamp is involved).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE kb_errorentry SET remedy_en = %s WHERE code = %s",
            ["Raise the limit in the console.", "APIG.0308"],
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


def test_a_page_that_shows_a_paste_is_never_kept_and_every_unsure_search_is_queued(
    shipped_catalog, client
):
    from kb.models import UnansweredSearch

    pastes = [
        '{"error_code": "APIG.0308", "request_id": "6d0c4a21e9f34b7d"}',
        '{"error_code": "APIG.0308", "error_msg": "The throttling threshold has been '
        'reached: policy ip over ratelimit,limit:5,time:1 minute"}',
    ]
    for paste in pastes:
        for _ in range(2):
            response = client.get("/en/search/", {"q": paste})
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"]
            detail = {"detail": "policy ip over ratelimit,limit:5,time:1 minute"}
            assert client.get("/en/codes/APIG.0308/", detail).status_code == 200
    assert not caches["pages"].get(page_key("/en/search/?" + urlencode({"q": pastes[0]})))
    # Two readers (one reader counts once per window: kb/unknown_errors.py).
    for address in ("192.0.2.1", "192.0.2.2"):
        client.get("/en/search/", {"q": "frobnicated gateway weirdness"}, REMOTE_ADDR=address)
    assert UnansweredSearch.objects.get().count == 2
    client.get("/en/codes/APIG.0308/")
    # The cache holds nothing that was pasted: no results page, no diagnosed code page.
    stored = zlib_contents(Path(settings.CACHES["pages"]["LOCATION"]))
    assert b"APIG.0308" in stored  # the code page was kept
    assert b"6d0c4a21e9f34b7d" not in stored and b"ratelimit" not in stored


def zlib_contents(folder: Path) -> bytes:
    """What Django's file cache keeps, unpacked: each file is the expiry, then the value
    pickled and compressed (a secret kept there would not show to grep)."""
    out = []
    for path in folder.rglob("*.djcache"):
        with path.open("rb") as file:
            pickle.load(file)  # the expiry time
            out.append(zlib.decompress(file.read()))
    return b"".join(out)


def test_the_redirect_of_a_code_search_is_reused(shipped_catalog, client, insight_buffer):
    first = client.get("/en/search/", {"q": "apig-0201 413"})
    insight_buffer.take()
    # No query: the Insight page's counts of the search are buffered (tests/test_insight.py).
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/search/", {"q": "apig-0201 413"})
    assert queries.captured_queries == []
    assert counted(insight_buffer) == [
        ("code", "APIG.0201", "search"),
        ("search", "en", "page", "sure"),
    ]
    assert again.status_code == first.status_code == 302
    assert (
        again["Location"]
        == first["Location"]
        == "/en/codes/APIG.0201/#413-request-entity-too-large"
    )


def test_a_cached_page_is_refused_to_a_host_this_site_is_not(shipped_catalog, client):
    assert client.get("/en/codes/APIG.0201/").status_code == 200  # now cached
    assert client.get("/en/codes/APIG.0201/", HTTP_HOST="evil.example").status_code == 400
