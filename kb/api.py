"""The JSON API: `/api/v1/search`, `/api/v1/codes/<code>`, `/api/v1/triage` and its OpenAPI
description."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kb.codes import normalize_code
from kb.diagnosis.causes import no_diagnosis_json
from kb.models import ErrorEntry
from kb.search.answer import Answer, answer
from kb.search.parse import MAX_QUERY_CHARS
from kb.security import client_key
from kb.suggest import closest_codes
from kb.triage import MAX_BYTES, MAX_LINES, Report, TriageError, triage
from kb.triage_upload import log_stream, use_memory_uploads

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A body that cannot hold a q within the limit, however it is encoded (a Chinese
# character is 9 bytes URL-encoded, a JSON escape 12), is refused unread.
MAX_BODY_BYTES = 12 * MAX_QUERY_CHARS + 1024


def entry_as_json(entry: ErrorEntry) -> dict:
    """A row in the active language, as every API answer shows it."""
    return {
        "catalog": entry.catalog,
        "code": entry.code,
        "http_status": entry.http_status,
        "message_en": entry.message_en,
        "meaning": entry.meaning,
        "remedy": entry.remedy,
        "url": entry.get_absolute_url(),
    }


def answer_as_json(found: Answer) -> dict:
    """A search's answer as the API and `lookup --json` give it."""
    return {
        "query": found.text,
        "request_id": found.request_id or None,
        "results": [
            {
                **entry_as_json(hit.entry),
                "match": hit.match,
                "score": hit.score,
                "diagnosis": hit.diagnosis.as_json() if hit.diagnosis else no_diagnosis_json(),
            }
            for hit in found.hits
        ],
    }


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
        found = answer(text, language=language, client=client_key(request), channel="api")
        if found.status == 413:
            return _error(found.error, 413, limit=MAX_QUERY_CHARS)
        if found.status != 200:
            return _error(_("Give the text to search as q, e.g. ?q=APIG.0303."), found.status)
        return json_response(answer_as_json(found))


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
        canonical = normalize_code(code) or ""
        rows = list(ErrorEntry.objects.of_code(canonical))
        if not rows:
            suggestions = [row.code for row in closest_codes(code)]
            return _error(_("No such code in the catalog."), 404, suggestions=suggestions)
        return json_response({"code": canonical, "rows": [entry_as_json(row) for row in rows]})


@csrf_exempt
@require_GET
def openapi_view(request):
    return json_response(OPENAPI, indent=2)


_ROW = {
    "type": "object",
    "required": ["catalog", "code", "http_status", "message_en", "meaning", "remedy", "url"],
    "properties": {
        "catalog": {"type": "string", "enum": ["APIG", "APIGW"]},
        "code": {"type": "string", "example": "APIG.0303"},
        "http_status": {"type": "integer", "example": 401},
        "message_en": {"type": "string"},
        "meaning": {"type": "string", "description": "In the requested language."},
        "remedy": {"type": "string", "description": "In the requested language."},
        "url": {"type": "string", "description": "The row on its code page."},
    },
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": LANGUAGES, "default": "zh-hans"},
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_DIAGNOSIS = {
    "type": "object",
    "description": (
        "The known cause that the detail after the documented message matched, for the best "
        "three rows; otherwise cause is null, summary and fix are empty and facts is {}."
    ),
    "required": ["cause", "summary", "fix", "facts"],
    "properties": {
        "cause": {
            "type": ["string", "null"],
            "description": "The cause's identifier.",
            "example": "signature-expired",
        },
        "summary": {
            "type": "string",
            "description": "The cause, then what the detail's values say; requested language.",
        },
        "fix": {"type": "string", "description": "What to do; in the requested language."},
        "facts": {
            "type": "object",
            "description": "Values computed from the detail; only those that apply are present.",
            "properties": {
                "clock_skew_seconds": {
                    "type": "integer",
                    "description": (
                        "Server time minus signature time: positive when the signature time "
                        "(X-Sdk-Date) is behind the gateway's clock, negative when ahead."
                    ),
                },
                "signature_time": {"type": "string", "format": "date-time"},
                "server_time": {"type": "string", "format": "date-time"},
                "clock_behind": {"type": ["string", "null"], "enum": ["client", "gateway", None]},
                "clock_skew_exceeds_limit": {
                    "type": "boolean",
                    "description": "The skew is more than the 15 minutes the gateway allows.",
                },
                "likely_client_utc_offset": {
                    "type": "string",
                    "example": "UTC+8",
                    "description": "The skew is a whole time zone: local time written as UTC.",
                },
                "token_expires_at": {"type": "string", "format": "date-time"},
                "request_time": {
                    "type": "string",
                    "format": "date-time",
                    "description": "From a Date or X-Sdk-Date header in the pasted text.",
                },
                "token_expired_seconds_before_request": {"type": "integer"},
                "throttle_policy": {
                    "type": "string",
                    "description": (
                        "The limit reached: user, app (credential), ip (source IP address) or "
                        "api (all callers of the API)."
                    ),
                },
                "throttle_limit": {"type": "integer"},
                "throttle_window": {"type": "string", "example": "1 minute"},
                "throttle_window_seconds": {"type": "integer"},
                "canonical_request": {
                    "type": "object",
                    "description": "The gateway's canonical request, part by part.",
                    "properties": {
                        "method": {"type": "string"},
                        "path": {"type": "string"},
                        "query": {"type": "string"},
                        "headers": {"type": "array", "items": {"type": "string"}},
                        "signed_headers": {"type": "array", "items": {"type": "string"}},
                        "payload_hash": {"type": "string"},
                    },
                },
                "path_ends_with_slash": {"type": "boolean"},
                "signed_headers": {"type": "array", "items": {"type": "string"}},
                "payload_hash_is_empty": {
                    "type": "boolean",
                    "description": "The body hash is the SHA-256 of an empty body.",
                },
                "signed_headers_without_value": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Signed headers that reached the gateway without a value.",
                },
            },
        },
    },
}

_SEARCH_ANSWER = {
    "type": "object",
    "required": ["query", "request_id", "results"],
    "properties": {
        "query": {"type": "string"},
        "request_id": {
            "type": ["string", "null"],
            "description": "The request_id found in the pasted text; support needs it.",
        },
        "results": {
            "type": "array",
            "description": "Rows, best first.",
            "items": {
                "allOf": [
                    {"$ref": "#/components/schemas/Row"},
                    {
                        "type": "object",
                        "properties": {
                            "match": {
                                "type": "string",
                                "enum": ["code", "message", "status", "text"],
                            },
                            "score": {"type": "number"},
                            "diagnosis": {"$ref": "#/components/schemas/Diagnosis"},
                        },
                    },
                ]
            },
        },
    },
}

# Text the search takes: at least one character that is not a space (Python's spaces
# include the separators \x1c-\x1f and \x85, which JSON Schema's \s does not).
_QUERY_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_QUERY_CHARS,
    "pattern": "[^\\s\\x1c-\\x1f\\x85]",
}
_QUERY_BODY = {"type": "object", "required": ["q"], "properties": {"q": _QUERY_TEXT}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "APIG error-code knowledge base API",
        "version": "1",
        "description": "Find the meaning and remedy of an API Gateway error from pasted text.",
    },
    "paths": {
        "/api/v1/search": {
            "get": {
                "summary": "Search with a code, a message or a short error response",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": (
                            "The pasted text. A URL holds little (the server takes a request "
                            "line of at most 4,094 bytes): POST a longer text."
                        ),
                        "schema": _QUERY_TEXT,
                    },
                    _LANG,
                ],
                "responses": {
                    "200": _json(_SEARCH_ANSWER, "Ranked rows."),
                    "400": _json(_ERROR, "No q, or an unknown lang."),
                    "413": _json(_ERROR, "q is longer than the limit."),
                    "414": {
                        "description": "The URL is longer than the server takes: POST the text.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                },
            },
            "post": {
                "summary": "Search with a long pasted text, sent as a JSON or a form body",
                "parameters": [_LANG],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _QUERY_BODY},
                        "application/x-www-form-urlencoded": {"schema": _QUERY_BODY},
                    },
                },
                "responses": {
                    "200": _json(_SEARCH_ANSWER, "Ranked rows."),
                    "400": _json(_ERROR, "No q, a body that is not JSON, or an unknown lang."),
                    "413": _json(_ERROR, "q, or the whole body, is longer than the limit."),
                },
            },
        },
        "/api/v1/codes/{code}": {
            "get": {
                "summary": "Every row of one code",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    _LANG,
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "rows": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Row"},
                                },
                            },
                        },
                        "The code's rows in table order.",
                    ),
                    "404": _json(
                        {
                            "allOf": [
                                _ERROR,
                                {
                                    "type": "object",
                                    "properties": {
                                        "suggestions": {
                                            "type": "array",
                                            "items": {"type": "string"},
                                        }
                                    },
                                },
                            ]
                        },
                        "No such code; the closest codes are suggested.",
                    ),
                    "400": _json(_ERROR, "An unknown lang."),
                },
            }
        },
    },
    "components": {"schemas": {"Row": _ROW, "Diagnosis": _DIAGNOSIS}},
}


# Triage of a whole log (kb/triage.py) ------------------------------------------------


def triage_as_json(report: Report) -> dict:
    """A triage report as the API, `triage --json` and the page's download give it."""
    return report.as_json(entry_as_json)


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
        response = json_response(triage_as_json(report))
        add_never_cache_headers(response)
        return response


# A log as text: at least one character that is not a space, and no binary control
# characters (a NUL or many controls make it a binary file, refused).
_LOG_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_BYTES,
    "pattern": "^[^\\x00-\\x08\\x0e-\\x1a\\x1c-\\x1f]*[^\\s\\x00-\\x1f\\x85]"
    "[^\\x00-\\x08\\x0e-\\x1a\\x1c-\\x1f]*$",
}
_SPREAD = {
    "type": ["object", "null"],
    "required": ["min", "median", "max", "lines"],
    "properties": {
        "min": {"type": "integer"},
        "median": {"type": "integer"},
        "max": {"type": "integer"},
        "lines": {"type": "integer", "description": "Lines the value was read from."},
    },
}
_TRIAGE_GROUP = {
    "type": "object",
    "required": [
        "row",
        "cause",
        "count",
        "share",
        "http_statuses",
        "first_seen",
        "last_seen",
        "request_ids",
        "sample",
        "clock_skew_seconds",
        "throttle_policies",
        "token_expires_at",
        "token_expired_seconds_before_request",
    ],
    "properties": {
        "row": {"$ref": "#/components/schemas/Row"},
        "cause": {"type": ["string", "null"], "description": "The known cause's identifier."},
        "explanation": {"type": "string", "description": "The cause; requested language."},
        "fix": {"type": "string", "description": "What to do; requested language."},
        "count": {"type": "integer", "description": "Lines of this row and cause."},
        "share": {"type": "number", "description": "Of all failed calls, 0-1."},
        "http_statuses": {"type": "array", "items": {"type": "integer"}},
        "first_seen": {"type": ["string", "null"], "format": "date-time"},
        "last_seen": {"type": ["string", "null"], "format": "date-time"},
        "request_ids": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 5,
            "description": "The first five request IDs, for escalation.",
        },
        "sample": {"type": "string", "description": "The first line, redacted."},
        "clock_skew_seconds": {
            **_SPREAD,
            "description": (
                "Server time minus signature time over the lines (see Diagnosis): one value "
                "for every line is one wrong clock."
            ),
        },
        "throttle_policies": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "policy": {"type": "string"},
                    "limit": {"type": ["integer", "null"]},
                    "window": {"type": "string"},
                    "count": {"type": "integer"},
                },
            },
        },
        "token_expires_at": {"type": "array", "items": {"type": "string"}},
        "token_expired_seconds_before_request": {
            **_SPREAD,
            "description": "Request time minus the token's expiry, over the lines.",
        },
    },
}
_LINE_NUMBERS = {
    "type": "object",
    "required": ["count", "first"],
    "properties": {
        "count": {"type": "integer"},
        "first": {"type": "array", "items": {"type": "integer"}, "maxItems": 20},
    },
}
_TRIAGE_REPORT = {
    "type": "object",
    "required": [
        "encoding",
        "lines",
        "blank_lines",
        "failed_calls",
        "recognised",
        "groups",
        "unrecognised",
        "cut_lines",
        "undecodable_lines",
        "timeline",
    ],
    "properties": {
        "encoding": {"type": "string", "enum": ["utf-8", "utf-16", "gb18030"]},
        "lines": {"type": "integer"},
        "blank_lines": {"type": "integer"},
        "failed_calls": {
            "type": "integer",
            "description": "Lines that matched a row, and lines with an error no row answers.",
        },
        "recognised": {"type": "integer"},
        "groups": {
            "type": "array",
            "description": "One per catalog row and cause, most frequent first.",
            "items": {"$ref": "#/components/schemas/TriageGroup"},
        },
        "unrecognised": {
            "type": "object",
            "required": ["lines", "with_error_status", "shapes"],
            "properties": {
                "lines": {"type": "integer"},
                "with_error_status": {"type": "integer"},
                "shapes": {
                    "type": "array",
                    "description": "The most frequent shapes, each with a redacted example.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "count": {"type": "integer"},
                            "example": {"type": "string"},
                        },
                    },
                },
            },
        },
        "cut_lines": {**_LINE_NUMBERS, "description": "Lines cut at 4,096 bytes."},
        "undecodable_lines": {
            **_LINE_NUMBERS,
            "description": "Lines not in the log's encoding, read with replacement characters.",
        },
        "timeline": {
            "type": "array",
            "description": "Failed calls per minute (UTC) and code, minutes with none left out.",
            "items": {
                "type": "object",
                "properties": {
                    "minute": {"type": "string", "format": "date-time"},
                    "codes": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    },
}
_TRIAGE_ERROR = {
    "allOf": [
        _ERROR,
        {
            "type": "object",
            "properties": {
                "limit_bytes": {"type": "integer"},
                "limit_lines": {"type": "integer"},
            },
        },
    ]
}
OPENAPI["paths"]["/api/v1/triage"] = {
    "post": {
        "summary": "Triage a whole log: its failed calls grouped by catalog row and cause",
        "description": (
            f"Up to {MAX_BYTES // (1024 * 1024)} MB or {MAX_LINES:,} lines; gzip accepted; "
            "UTF-8, UTF-16 with a byte order mark or GB18030. Nothing sent is stored."
        ),
        "parameters": [_LANG],
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": _LOG_TEXT},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                **_LOG_TEXT,
                                "description": "The log: a file part (text or gzip) or text.",
                            }
                        },
                    }
                },
            },
        },
        "responses": {
            "200": _json({"$ref": "#/components/schemas/TriageReport"}, "The report."),
            "400": _json(
                _TRIAGE_ERROR,
                "An empty or binary log, a broken gzip file, or an unknown lang.",
            ),
            "413": _json(_TRIAGE_ERROR, "The log is over the size or line limit."),
        },
    }
}
OPENAPI["components"]["schemas"].update(
    {"TriageReport": _TRIAGE_REPORT, "TriageGroup": _TRIAGE_GROUP}
)
