"""The JSON API: `/api/v1/search`, `/api/v1/codes/<code>`, `/api/v1/triage`, and its OpenAPI
description (kb/openapi.py). Each answer is an object's `as_json()`."""

import json
from functools import partial

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kb.client_address import client_key
from kb.models import ErrorEntry
from kb.openapi import LANGUAGES, OPENAPI
from kb.search.answer import answer
from kb.search.parse import MAX_QUERY_CHARS
from kb.suggest import closest_codes
from kb.text.codes import canonical_code
from kb.triage import MAX_BYTES, MAX_LINES, TriageError, triage
from kb.triage_upload import log_stream, use_memory_uploads

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A body that cannot hold a q within the limit, however it is encoded (a Chinese
# character is 9 bytes URL-encoded, a JSON escape 12), is refused unread.
MAX_BODY_BYTES = 12 * MAX_QUERY_CHARS + 1024


# Pasted text comes back in answers; as \u003c etc. it can never be read as markup.
HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_response(data, status: int = 200, indent: int | None = None) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=indent).translate(HTML_SAFE)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _error(message: str, status: int, **extra) -> HttpResponse:
    return json_response({"error": message, **extra}, status=status)


def _language(request) -> str | None:
    language = request.GET.get("lang", settings.LANGUAGE_CODE)
    return language if language in LANGUAGES else None


# No cookie or session is read or set: a forged cross-site request has nothing to ride on,
# and any HTTP client may post without first fetching a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("q")
def search_view(request):
    language = _language(request)
    if language is None:
        return _error(f"lang must be one of: {', '.join(LANGUAGES)}.", 400)
    with translation.override(language):
        if request.method == "POST":
            text, problem = _posted_query(request)
            if problem:
                return problem
        else:
            text = request.GET.get("q")
        found = answer(text, language=language, client=partial(client_key, request), channel="api")
        if found.status == 413:
            return _error(found.error, 413, limit=MAX_QUERY_CHARS)
        if found.status != 200:
            return _error(_("Give the text to search as q, e.g. ?q=APIG.0303."), found.status)
        return json_response(found.as_json())


def _posted_query(request) -> tuple[str | None, HttpResponse | None]:
    """q from a JSON body ({"q": "..."}) or a form body (q=...); or the error to answer."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        message = _("The body is too large: send at most %(limit)s characters as q.")
        return None, _error(message % {"limit": MAX_QUERY_CHARS}, 413, limit=MAX_QUERY_CHARS)
    if request.content_type in FORM_TYPES:
        return request.POST.get("q"), None
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        body = None
    if not isinstance(body, dict):
        message = _('The body must be a JSON object such as {"q": "APIG.0303"}.')
        return None, _error(message, 400)
    return body.get("q"), None


@csrf_exempt  # like every API view: other methods get a 405, not a CSRF page
@require_GET
def code_view(request, code):
    language = _language(request)
    if language is None:
        return _error(f"lang must be one of: {', '.join(LANGUAGES)}.", 400)
    with translation.override(language):
        canonical = canonical_code(code) or ""
        rows = list(ErrorEntry.objects.of_code(canonical))
        if not rows:
            suggestions = [row.code for row in closest_codes(code)]
            return _error(_("No such code in the catalog."), 404, suggestions=suggestions)
        return json_response({"code": canonical, "rows": [row.as_json() for row in rows]})


@csrf_exempt
@require_GET
def openapi_view(request):
    return json_response(OPENAPI, indent=2)


# Triage of a whole log (kb/triage.py) ------------------------------------------------


# Like the search: no cookie or session is read or set. The log is never stored.
@csrf_exempt
@require_POST
def triage_view(request):
    language = _language(request)
    if language is None:
        return _error(f"lang must be one of: {', '.join(LANGUAGES)}.", 400)
    use_memory_uploads(request)
    with translation.override(language):
        try:
            report = triage(log_stream(request))
        except TriageError as error:
            return _error(str(error), error.status, limit_bytes=MAX_BYTES, limit_lines=MAX_LINES)
        response = json_response(report.as_json())
        add_never_cache_headers(response)
        return response
