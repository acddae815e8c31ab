"""The Content-Security-Policy header kept per process (kb.content_policy) is the header
django-csp builds, for plain responses and for those that carry a policy of their own."""

import pytest
from csp.constants import NONCE
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from kb.content_policy import ContentPolicyMiddleware

POLICY_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(request):
    return HttpResponse("ok")


def reads_its_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


VIEWS = {
    "plain": plain,
    "exempt": csp_exempt()(plain),
    "exempt from the report-only policy": csp_exempt(REPORT_ONLY=True)(plain),
    "updated": csp_update({"img-src": ["https://img.example"]})(plain),
    "replaced": csp_replace({"script-src": ["'self'", "https://cdn.example"]})(plain),
    "its own policy": csp({"default-src": ["'none'"]})(plain),
    "a report-only policy of its own": csp({"default-src": ["'none'"]}, REPORT_ONLY=True)(plain),
}


def policy_headers(middleware_class, view, path="/en/") -> dict[str, str]:
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {name: response[name] for name in POLICY_HEADERS if name in response}


@pytest.mark.parametrize("name", VIEWS)
def test_each_response_gets_the_policy_django_csp_gives_it(name):
    headers = policy_headers(ContentPolicyMiddleware, VIEWS[name])
    assert headers == policy_headers(CSPMiddleware, VIEWS[name])


def test_a_page_that_reads_its_nonce_gets_it_in_the_policy(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    assert "nonce" not in policy_headers(ContentPolicyMiddleware, plain)["Content-Security-Policy"]
    page = ContentPolicyMiddleware(reads_its_nonce)(RequestFactory().get("/en/"))
    nonce = page.content.decode().split("'")[1]
    assert f"script-src 'self' 'nonce-{nonce}'" in page["Content-Security-Policy"]


def test_a_plain_response_gets_the_sites_policy():
    headers = policy_headers(ContentPolicyMiddleware, plain)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in headers


def test_a_changed_policy_setting_is_read_afresh(settings):
    policy_headers(ContentPolicyMiddleware, plain)  # the site's policies, kept
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"}
    }
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"]},
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
    }
    for path in ("/en/", "/admin/"):
        headers = policy_headers(ContentPolicyMiddleware, plain, path)
        assert headers == policy_headers(CSPMiddleware, plain, path)
        assert headers["Content-Security-Policy-Report-Only"].endswith("report-uri /csp-reports/")
    excluded = policy_headers(ContentPolicyMiddleware, plain, "/admin/")
    assert "Content-Security-Policy" not in excluded
