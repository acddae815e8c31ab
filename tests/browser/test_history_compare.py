"""The admin's comparison of two versions, in Chromium, on gunicorn with production settings
(and so under the site's Content-Security-Policy): the diff shows its colours."""

import pytest

from bench.server import ProductionServer, database_url, fresh_database
from tests.browser.helpers import log_in
from tests.server.helpers import create_superuser, query

USERNAME, PASSWORD = "historian", "a-long-Passw0rd-for-tests"

TWO_VERSIONS = """
import json
from kb.models import ErrorEntry
row = ErrorEntry.objects.filter(code='APIG.0101').first()
row.remedy_en = row.remedy_en + ' Check the new setting first.'
row.save()
ids = list(row.history.order_by('history_date').values_list('history_id', flat=True))
print(json.dumps([row.pk, ids[0], ids[-1]]))
"""


@pytest.fixture(scope="module")
def production_server():
    """gunicorn with production settings, whose admin accepts the browser's own origin
    (the browser speaks plain HTTP to it, where the proxy would speak HTTPS)."""
    with fresh_database(database_url()) as url:
        server = ProductionServer(workers=2, database_url=url)
        server.env["CSRF_TRUSTED_ORIGINS"] = server.url
        with server:
            yield server


@pytest.fixture
def https_page(browser):
    """A page whose requests carry what the TLS proxy adds, recording CSP violations."""
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 1280, "height": 900},
        service_workers="block",
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def test_the_diff_shows_its_colours_with_no_policy_violation(production_server, https_page):
    create_superuser(production_server, USERNAME, PASSWORD)
    pk, older, newer = query(production_server, TWO_VERSIONS)
    page = https_page
    log_in(page, production_server.url, USERNAME, PASSWORD)
    page.goto(
        production_server.url
        + f"/admin/kb/errorentry/{pk}/history/compare/?from={older}&to={newer}"
    )
    inserted = page.locator(".kb-diff ins").first
    assert inserted.inner_text().strip()
    background = inserted.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
