"""A database that does not answer: a 503 page with Retry-After, never a traceback."""

import json

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from tests.conftest import manage

UNREACHABLE = {
    # Nothing listens on port 9 (discard) of the loopback address.
    "postgresql": "postgres://kb:kb@127.0.0.1:9/kb",
    "sqlite": "sqlite:////nonexistent-directory/kb.sqlite3",
}

PROBE = """
import json
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for url in %r:
    if url.startswith("POST "):
        data = {"username": "admin", "password": "wrong"}
        r = client.post(url[5:], data, HTTP_X_FORWARDED_PROTO="https")
    else:
        r = client.get(url, HTTP_X_FORWARDED_PROTO="https")
    out[url] = {"status": r.status_code, "headers": dict(r.headers), "body": r.content.decode()}
print(json.dumps(out))
"""

PAGES = ["/en/", "/zh-hans/codes/", "/en/codes/APIG.0201/", "/en/faq/", "POST /admin/login/"]


@pytest.fixture(params=sorted(UNREACHABLE))
def unreachable_site(request, production_env):
    """The production site, in its own process, pointed at a database that is not there."""
    env = {**production_env, "DATABASE_URL": UNREACHABLE[request.param]}

    def get(*urls: str) -> dict:
        result = manage("shell", "--verbosity", "0", "-c", PROBE % (list(urls),), env=env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    return get


def test_pages_are_a_clean_503_while_the_database_is_unreachable(unreachable_site):
    answers = unreachable_site(*PAGES)
    for url, answer in answers.items():
        assert answer["status"] == 503, url
        assert answer["headers"]["Retry-After"].isdigit()
        assert "Content-Security-Policy" in answer["headers"]
        assert "Traceback" not in answer["body"]
        assert "OperationalError" not in answer["body"]
        assert "127.0.0.1" not in answer["body"] and "nonexistent" not in answer["body"]
    assert "Service temporarily unavailable" in answers["/en/"]["body"]
    assert "服务暂时不可用" in answers["/zh-hans/codes/"]["body"]


def test_probes_tell_alive_but_not_ready_while_the_database_is_unreachable(unreachable_site):
    answers = unreachable_site("/healthz", "/readyz")
    assert answers["/healthz"]["status"] == 200
    assert answers["/readyz"]["status"] == 503
    assert json.loads(answers["/readyz"]["body"])["database"] == "unreachable"


class FailingMiddleware:
    """Stands for a database error outside any view, such as saving a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


def test_database_error_outside_a_view_is_the_same_503(db, settings):
    failing = [*settings.MIDDLEWARE, "tests.test_outage.FailingMiddleware"]
    with override_settings(MIDDLEWARE=failing):
        response = Client(raise_request_exception=False).get("/en/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.KB_RETRY_AFTER)
    assert "Content-Security-Policy" in response.headers
    assert b"server closed" not in response.content
