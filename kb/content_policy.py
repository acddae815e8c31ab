"""The Content-Security-Policy header, built once per process.

django-csp's middleware builds the header from the settings for every response, and its
report-only twin as well: about 0.05 ms of CPU per response in one process, and under
gunicorn `/healthz` cost a worker a quarter of a millisecond less with it kept (README,
"Where an uncached search page's time goes"). The site's policy is the same for every
response (no view changes it with django-csp's decorators, no template reads a nonce),
so it is built once and kept until the settings change. A response that carries a
policy of its own, or a request whose nonce was read, is left to django-csp.
"""

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What django-csp's decorators (csp_exempt, csp_update, csp_replace, csp) set
# on a response to give it a policy of its own.
OWN_POLICY = tuple(
    f"_csp_{name}{suffix}"
    for name in ("exempt", "config", "update", "replace")
    for suffix in ("", "_ro")
)
POLICY_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


@cache
def _site_policies() -> tuple[tuple[str, str], ...] | None:
    """The headers every plain response gets, as django-csp builds them; None when a
    policy leaves out some paths (its EXCLUDE_URL_PREFIXES), which only django-csp reads."""
    policies = []
    for name, header, report_only in zip(
        POLICY_SETTINGS, (HEADER, HEADER_REPORT_ONLY), (False, True), strict=True
    ):
        if (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES"):
            return None
        if policy := build_policy(report_only=report_only):
            policies.append((header, policy))
    return tuple(policies)


@receiver(setting_changed)
def _forget_site_policies(*, setting: str, **kwargs) -> None:
    if setting in POLICY_SETTINGS:
        _site_policies.cache_clear()


class ContentPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        policies = _site_policies()
        if (
            policies is None
            or settings.DEBUG  # django-csp leaves the debug pages' 404s and 500s alone
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in OWN_POLICY)
        ):
            return super().process_response(request, response)
        for header, policy in policies:
            if header not in response:
                response[header] = policy
        # As django-csp does: a nonce read after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
