"""Every kind of response of the real server carries the security headers: pages, the
API, and the 400, 404, 413, 429 and 503 answers."""

import re

import pytest

from bench.server import ProductionServer, free_port
from tests.server.conftest import Site

# One answer to "Did this fix it?" per client and window: the second is a 429.
SERVER_ENV = {"FEEDBACK_RATE_LIMIT": "1"}

SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=",
}


def missing_headers(response) -> list[str]:
    return [
        name
        for name, value in SECURITY_HEADERS.items()
        if value not in response.headers.get(name, "")
    ]


def feedback_form(site) -> tuple[str, dict]:
    page = site.get("/en/codes/APIG.0303/").text
    action = re.search(r'<form[^>]*action="(/en/rows/\d+/feedback/)#', page).group(1)
    return action, {"helpful": "yes"}


def test_pages_the_api_and_every_error_carry_the_security_headers(site):
    action, answer = feedback_form(site)
    origin = {"Origin": site.base_url.replace("http://", "https://")}
    first = site.post(action, data=answer, headers=origin)
    responses = {
        "page": site.get("/en/codes/APIG.0303/"),
        "page again (from the page cache)": site.get("/en/codes/APIG.0303/"),
        "results": site.get("/en/search/", params={"q": "signature expired"}),
        "api": site.get("/api/v1/search", params={"q": "APIG.0303"}),
        "api 400": site.get("/api/v1/search", params={"q": "APIG.0303", "lang": "fr"}),
        "page 404": site.get("/en/codes/NOPE.9999/"),
        "path 404": site.get("/en/no-such-page/"),
        "api 404": site.get("/api/v1/codes/APIG.9999"),
        "page 413": site.post("/en/search/", data={"q": "x" * 17000}),
        "api 413": site.post("/api/v1/search", json={"q": "x" * 17000}),
        "feedback 429": site.post(action, data=answer, headers=origin),
    }
    assert first.status_code == 302
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "page": 200,
        "page again (from the page cache)": 200,
        "results": 200,
        "api": 200,
        "api 400": 400,
        "page 404": 404,
        "path 404": 404,
        "api 404": 404,
        "page 413": 413,
        "api 413": 413,
        "feedback 429": 429,
    }
    missing = {name: missing_headers(r) for name, r in responses.items() if missing_headers(r)}
    assert missing == {}


@pytest.fixture(scope="module")
def server_without_database():
    """A host whose DATABASE_URL names a port where nothing listens."""
    url = f"postgres://kb:kb@127.0.0.1:{free_port()}/kb"
    with ProductionServer(workers=1, database_url=url, setup=False, ready_path="/healthz") as s:
        yield s


def test_the_503_of_a_host_without_its_database_carries_them_too(server_without_database):
    with Site(server_without_database.url) as site:
        responses = {
            "page": site.get("/en/codes/APIG.0303/"),
            "results": site.post("/en/search/", data={"q": "x" * 3000}),
            "api": site.get("/api/v1/search", params={"q": "APIG.0303"}),
        }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 503)
    missing = {name: missing_headers(r) for name, r in responses.items() if missing_headers(r)}
    assert missing == {}
