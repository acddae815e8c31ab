"""The Insight page counts what customers do on the real server: searches from the page
(decided, posted, answered from the page cache) and from the API, code pages served
(rendered and cached), answers to "Did this fix it?"; support staff read the same numbers
on /admin/insight/ and in its CSV. Staff outside the Support editors group get 403."""

import csv
import re
import time
from io import StringIO

import pytest

from tests.server.conftest import Site
from tests.server.staff import log_in, make_editor

NOTHING = "qqzx vvkw plorb"


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(StringIO(response.text)))


def settled_csv(site, path: str, done, within: float = 10) -> list[dict]:
    """The CSV once `done(rows)` holds: each worker writes the counts it buffered within
    a second (kb.insight.counts); after `within` seconds, the rows as they are."""
    deadline = time.monotonic() + within
    while True:
        rows = read_csv(site.get(path))
        if done(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def reader(server) -> Site:
    """A customer's browser: no session, so the page cache may answer it."""
    return Site(server.url)


def row_pk(server, code: str, status: int) -> int:
    return int(
        server.manage(
            "shell",
            "--verbosity",
            "0",
            "-c",
            "from kb.models import ErrorEntry\n"
            f"print(ErrorEntry.objects.get(code={code!r}, http_status={status}).pk)",
        )
    )


@pytest.fixture(scope="module")
def traffic(production_server):
    """What customers did; the counts it should give, by (language, channel, outcome)."""
    server = production_server
    with reader(server) as customer:
        for _ in range(2):  # the second answer comes from the page cache
            assert customer.get("/en/search/", params={"q": "APIG.0303"}).status_code == 302
        posted = customer.post("/en/search/", data={"q": "APIG.0308"})
        assert posted.status_code == 303
        assert customer.get(posted.headers["Location"]).status_code == 302
        assert customer.get("/zh-hans/search/", params={"q": NOTHING}).status_code == 200
        for _ in range(3):  # rendered once, then from the page cache
            assert customer.get("/en/codes/APIG.0201/").status_code == 200
        for _ in range(2):
            api = customer.get("/api/v1/search", params={"q": "APIG.0303", "lang": "en"})
            assert api.status_code == 200
        api = customer.post("/api/v1/search?lang=zh-hans", json={"q": NOTHING})
        assert api.json()["results"] == []
        feedback = customer.post(
            f"/en/rows/{row_pk(server, 'APIG.0308', 429)}/feedback/",
            data={"helpful": "no", "reason": "unclear"},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert feedback.status_code == 302
    assert len(list((server.data_dir / "page-cache").rglob("*.djcache"))) >= 2
    return {
        ("en", "page", "sure"): 3,
        ("zh-hans", "page", "none"): 1,
        ("en", "api", "sure"): 2,
        ("zh-hans", "api", "none"): 1,
    }


@pytest.fixture
def editor_site(production_server, site):
    make_editor(production_server, "insight-editor", "pw-insight-editor-1")
    log_in(site, "insight-editor", "pw-insight-editor-1")
    return site


def by_key(rows) -> dict:
    return {(r["language"], r["channel"], r["outcome"]): int(r["count"]) for r in rows}


def test_searches_are_counted_by_language_channel_and_outcome(traffic, editor_site):
    path = "/admin/insight/searches.csv?days=30"
    counted = by_key(settled_csv(editor_site, path, lambda rows: by_key(rows) == traffic))
    assert counted == traffic
    page = editor_site.get("/admin/insight/?days=30")
    assert page.status_code == 200
    total = sum(traffic.values())
    assert f"{total} in all from" in page.text  # the chart's text alternative


def test_the_rows_reached_by_search_and_by_page_view_are_counted(traffic, editor_site):
    path = "/admin/insight/rows_view.csv"
    by_view = settled_csv(editor_site, path, lambda rows: {r["count"] for r in rows} == {"3"})
    # Every row of APIG.0201 is on its page, served three times.
    assert {r["code"] for r in by_view} == {"APIG.0201"}
    assert {r["count"] for r in by_view} == {"3"}
    expected = {("APIG.0303", "401"): 4, ("APIG.0308", "429"): 1}

    def by_row(rows):
        return {(r["code"], r["http_status"]): int(r["count"]) for r in rows}

    path = "/admin/insight/rows_search.csv"
    assert by_row(settled_csv(editor_site, path, lambda rows: by_row(rows) == expected)) == expected
    page = editor_site.get("/admin/insight/").text
    assert re.search(r"APIG\.0201 \d+</a>", page)


def test_a_remedy_that_did_not_help_is_listed_with_links(traffic, editor_site, production_server):
    rows = settled_csv(editor_site, "/admin/insight/remedies.csv", bool)
    assert [(r["code"], r["did_not_fix"], r["fixed"]) for r in rows] == [("APIG.0308", "1", "0")]
    page = editor_site.get("/admin/insight/").text
    pk = row_pk(production_server, "APIG.0308", 429)
    assert f"/admin/kb/feedback/?entry__id__exact={pk}" in page
    assert f"/admin/kb/errorentry/{pk}/change/" in page


def test_unknown_errors_show_in_the_queue_section(traffic, editor_site):
    page = editor_site.get("/admin/insight/").text
    assert "1 open group." in page
    rows = read_csv(editor_site.get("/admin/insight/queue.csv"))
    assert sum(int(r["new"]) for r in rows) == 1


def test_staff_outside_the_support_editors_group_get_403(traffic, production_server, site):
    production_server.manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.contrib.auth.models import User\n"
        "User.objects.create_user('plain-staff', password='pw-plain-staff-1', is_staff=True)",
    )
    log_in(site, "plain-staff", "pw-plain-staff-1")
    assert site.get("/admin/").status_code == 200
    assert site.get("/admin/insight/").status_code == 403
    assert site.get("/admin/insight/searches.csv").status_code == 403
    assert "/admin/insight/" not in site.get("/admin/").text
