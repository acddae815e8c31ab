"""Production settings and the security headers every response carries."""

import io
import logging
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from tests.conftest import manage

HEADERS = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
}


def broken_view(request):
    raise RuntimeError("a bug")


def broken_search(request):
    # A bug whose message quotes what was pasted, as an exception's message may.
    raise ValueError(f"cannot read {request.POST.get('q', '')!r}")


def ok_view(request):
    return HttpResponse("ok")


urlpatterns = [
    path("broken/", broken_view),
    path("broken-search/", broken_search),
    path("ok/", ok_view),
]


def test_deploy_check_prints_no_warning_with_production_settings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_check_does_warn_when_a_production_setting_is_weakened(production_env):
    # The check above can fail: without HSTS the same command reports it.
    env = {**production_env, "SECURE_HSTS_SECONDS": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(production_env):
    env = {**production_env, "SECRET_KEY": ""}
    result = manage("check", env=env, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "url, status",
    [
        ("/en/", 200),
        ("/zh-hans/codes/", 200),
        ("/en/codes/APIG.0201/", 200),
        ("/en/faq/", 200),
        ("/en/codes/?http_status=abc", 400),
        ("/en/codes/APIG.0309/", 404),
        ("/en/no-such-page/", 404),
        ("/codes/APIG.0201/", 302),
        ("/admin/login/", 200),
        ("/healthz", 200),
        ("/readyz", 200),
    ],
)
def test_every_response_carries_the_security_headers(shipped_catalog, client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert HEADERS <= set(response.headers)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.urls("tests.test_security")
def test_server_error_page_carries_the_security_headers_and_no_traceback(db):
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert HEADERS <= set(response.headers)
    assert b"Traceback" not in response.content and b"a bug" not in response.content


@pytest.mark.urls("tests.test_security")
def test_the_log_of_a_server_error_holds_no_pasted_secret(db):
    token = "MIIEvQYJKoZIhvcNAQcCoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEw"
    paste = f"X-Auth-Token: {token} password=Tr0ub4dor-3-horse-staple"
    # settings.LOGGING's handler, which writes to stderr (pytest adds its own beside it).
    handlers = logging.getLogger("django").handlers
    console = next(h for h in handlers if type(h) is logging.StreamHandler)
    written = io.StringIO()
    stderr = console.setStream(written)
    try:
        response = Client(raise_request_exception=False).post("/broken-search/", {"q": paste})
    finally:
        console.setStream(stderr)
    assert response.status_code == 500
    log = written.getvalue()
    # The error and its traceback are logged, with the secrets replaced.
    assert "Internal Server Error: /broken-search/" in log
    # A password is redacted to the end of its line (kb/redact.py).
    assert "ValueError: cannot read 'X-Auth-Token: <token> password=<password>" in log
    assert token not in log and "Tr0ub4dor" not in log


def test_content_security_policy_allows_no_inline_code_and_no_other_origin(client, db):
    policy = client.get("/healthz")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert "http" not in policy and "*" not in policy and "data:" not in policy


@pytest.mark.parametrize(
    "url", ["/en/", "/zh-hans/codes/", "/en/codes/APIG.0303/", "/en/faq/", "/en/nope/"]
)
def test_pages_have_no_inline_script_or_style(shipped_catalog, client, url):
    # What the policy would block in a browser must not be in the page to begin with.
    html = client.get(url).content.decode()
    assert "<script" not in html
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_faq_pages_have_no_inline_script_or_style(shipped_catalog, client):
    from kb.models import FaqArticle

    for article in FaqArticle.objects.all():
        html = client.get(f"/en/faq/{article.slug}/").content.decode()
        assert "<script" not in html and "<style" not in html
        assert not re.search(r"\sstyle=", html)


def test_hsts_is_sent_over_https_only(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    over_https = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert over_https["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_plain_http_is_redirected_to_https_except_the_probes(shipped_catalog, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/en/codes/APIG.0201/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/codes/APIG.0201/"
    assert client.get("/en/codes/APIG.0201/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
