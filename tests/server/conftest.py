"""The real server for the tests in this folder: gunicorn with the production settings
(DEBUG=0, CSRF on, the repository's gunicorn.conf.py, a temporary DATA_DIR), reached over
HTTP on a free port of 127.0.0.1, as a browser or curl reaches it.

Fixtures:
- `production_server`: one server per test module (bench/server.py's ProductionServer), its
  catalog loaded, the module's SERVER_ENV added to its environment; on PostgreSQL
  (DATABASE_URL) in a database of its own, dropped afterwards.
  `production_server.log()` reads what gunicorn and the app wrote; `.data_dir` is DATA_DIR.
- `server_page`: a Playwright page in Chromium (tests/conftest.py's browser) on that
  server, sending what the TLS proxy adds; tests that use it are marked `browser`.
- `site`: a `requests` session on that server that sends what the TLS proxy in front adds
  (X-Forwarded-Proto: https) and nothing else, keeps cookies, and never follows redirects.
"""

import pytest
import requests

from bench.server import PROXY_HEADERS, ProductionServer, database_url, fresh_database


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/server/" in str(item.fspath):
            item.add_marker(pytest.mark.server)
            if "server_page" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def production_server(request):
    """A module may set SERVER_ENV (e.g. a low FEEDBACK_RATE_LIMIT) for its server; a value
    may be a function of the server (of its URL, say), called before it starts."""
    env = getattr(request.module, "SERVER_ENV", None) or {}
    static = {name: value for name, value in env.items() if not callable(value)}
    with fresh_database(database_url()) as url:
        server = ProductionServer(workers=2, database_url=url, env=static)
        server.env.update({name: value(server) for name, value in env.items() if callable(value)})
        with server:
            yield server


class Site(requests.Session):
    """A client of one server: paths instead of URLs, no redirects followed."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url
        self.headers.update(PROXY_HEADERS)

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        response = super().request(method, self.base_url + url, *args, **kwargs)
        # The browser sends its Secure cookies (session, CSRF) over HTTPS to the proxy,
        # which passes them on over plain HTTP: so does this client.
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def get_redirect_target(self, response):
        return None  # a test reads the redirect itself


@pytest.fixture
def site(production_server):
    with Site(production_server.url) as session:
        yield session


@pytest.fixture
def server_page(browser, production_server):
    context = browser.new_context(
        base_url=production_server.url,
        locale="en-US",
        extra_http_headers=PROXY_HEADERS,
        service_workers="block",
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
