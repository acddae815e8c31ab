"""The OpenAPI description of the JSON API (kb/api.py), served at /api/v1/openapi.json.

Each schema describes what one object's `as_json()` gives: `Row` is `ErrorEntry.as_json()`,
`Result` a search hit's, `SearchAnswer` the search's answer, `Diagnosis` a diagnosis' (its
facts come from `kb.diagnosis.facts.FACTS`), `TriageReport` and `TriageGroup` the triage's.
The tests check every API answer they get against this document (tests/openapi.py): an
answer's field that is missing, renamed or added fails them. Objects therefore admit no
property they do not list.
"""

from django.conf import settings

from kb.diagnosis.facts import FACTS
from kb.search.parse import MAX_QUERY_CHARS
from kb.triage import MAX_BYTES, MAX_LINES

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _object(properties: dict, required: list[str] | None = None, **more) -> dict:
    """An object with these properties and no other; all of them required unless given."""
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        "properties": properties,
        **more,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _bad_request(description: str, schema: dict | None = None) -> dict:
    """A 400: the API's JSON error, or Django's own HTML page for a request it refuses
    before the API reads it (more than DATA_UPLOAD_MAX_NUMBER_FIELDS query fields)."""
    response = _json(
        schema or _error(),
        description
        + " A request refused before the API reads it (too many query fields) gets an HTML page.",
    )
    response["content"]["text/html"] = {"schema": {"type": "string"}}
    return response


# Every operation: the database does not answer (kb/outage.py), for now.
_UNAVAILABLE = {
    "description": "The database does not answer: the outage page; try again after Retry-After.",
    "headers": {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds."}},
    "content": {"text/html": {"schema": {"type": "string"}}},
}
# gunicorn answers a request line over 4,094 bytes (gunicorn.conf.py) itself, before the
# application: on every path, whatever the method, with its own HTML page.
_URI_TOO_LONG = {
    "description": "The URL is longer than the server takes (4,094 bytes of request line).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _error(**extra: dict) -> dict:
    """An error answer: its message, and the named values that may go with it."""
    return _object({"error": {"type": "string"}, **extra}, required=["error"])


_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": LANGUAGES, "default": settings.LANGUAGE_CODE},
}
_LIMIT = {"type": "integer", "description": "The most characters q may have."}

_ROW = _object(
    {
        "catalog": {"type": "string", "enum": ["APIG", "APIGW"]},
        "code": {"type": "string", "example": "APIG.0303"},
        "http_status": {"type": "integer", "example": 401},
        "message_en": {"type": "string"},
        "meaning": {"type": "string", "description": "In the requested language."},
        "remedy": {"type": "string", "description": "In the requested language."},
        "url": {"type": "string", "description": "The row on its code page."},
    }
)

_DIAGNOSIS = _object(
    {
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
        "facts": _object(
            FACTS,
            required=[],
            description="Values computed from the detail; only those that apply are present.",
        ),
    },
    description=(
        "The known cause that the detail after the documented message matched, for the best "
        "three rows; otherwise cause is null, summary and fix are empty and facts is {}."
    ),
)

# A search result: a Row's properties, then how it matched.
_RESULT = _object(
    {
        **_ROW["properties"],
        "match": {"type": "string", "enum": ["code", "message", "status", "text"]},
        "score": {"type": "number"},
        "sure": {
            "type": "boolean",
            "description": (
                "The row answers the query: its code, its message or its HTTP status, or most "
                "of the query's words, with no row that says something else about as close."
            ),
        },
        "diagnosis": _ref("Diagnosis"),
    }
)

_SEARCH_ANSWER = _object(
    {
        "query": {"type": "string"},
        "request_id": {
            "type": ["string", "null"],
            "description": "The request_id found in the pasted text; support needs it.",
        },
        "sure": {
            "type": "boolean",
            "description": (
                "The first result is a sure answer. When false, the results only share some of "
                "the query's words, closest first: the code or the message would tell."
            ),
        },
        "statuses_to_ask": {
            "type": "array",
            "items": {"type": "integer"},
            "description": (
                "When no result is sure and the query states no HTTP status: the results' "
                "statuses, in their order, if they have two or more. Searching again with the "
                "one the gateway answered after the query (`<query> HTTP 401`) narrows the "
                "results down. Empty otherwise."
            ),
        },
        "results": {"type": "array", "description": "Rows, best first.", "items": _ref("Result")},
    }
)

# Text the search takes: at least one character that is not a space (Python's spaces
# include the separators \x1c-\x1f and \x85, which JSON Schema's \s does not).
_QUERY_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_QUERY_CHARS,
    "pattern": "[^\\s\\x1c-\\x1f\\x85]",
}
_QUERY_BODY = {"type": "object", "required": ["q"], "properties": {"q": _QUERY_TEXT}}

_CODE_ROWS = _object(
    {
        "code": {"type": "string"},
        "rows": {"type": "array", "items": _ref("Row")},
    }
)
_NO_SUCH_CODE = _error(suggestions={"type": "array", "items": {"type": "string"}})

# Triage of a whole log (kb/triage.py) -------------------------------------------------

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
    **_object(
        {
            "min": {"type": "integer"},
            "median": {"type": "integer"},
            "max": {"type": "integer"},
            "lines": {"type": "integer", "description": "Lines the value was read from."},
        }
    ),
    "type": ["object", "null"],
}
_TRIAGE_GROUP = _object(
    {
        "row": _ref("Row"),
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
            "items": _object(
                {
                    "policy": {"type": "string"},
                    "limit": {"type": ["integer", "null"]},
                    "window": {"type": "string"},
                    "count": {"type": "integer"},
                }
            ),
        },
        "token_expires_at": {"type": "array", "items": {"type": "string"}},
        "token_expired_seconds_before_request": {
            **_SPREAD,
            "description": "Request time minus the token's expiry, over the lines.",
        },
    }
)
_LINE_NUMBERS = _object(
    {
        "count": {"type": "integer"},
        "first": {"type": "array", "items": {"type": "integer"}, "maxItems": 20},
    }
)
_TRIAGE_REPORT = _object(
    {
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
            "items": _ref("TriageGroup"),
        },
        "unrecognised": _object(
            {
                "lines": {"type": "integer"},
                "with_error_status": {"type": "integer"},
                "shapes": {
                    "type": "array",
                    "description": "The most frequent shapes, each with a redacted example.",
                    "items": _object({"count": {"type": "integer"}, "example": {"type": "string"}}),
                },
            }
        ),
        "cut_lines": {**_LINE_NUMBERS, "description": "Lines cut at 4,096 bytes."},
        "undecodable_lines": {
            **_LINE_NUMBERS,
            "description": "Lines not in the log's encoding, read with replacement characters.",
        },
        "timeline": {
            "type": "array",
            "description": "Failed calls per minute (UTC) and code, minutes with none left out.",
            "items": _object(
                {
                    "minute": {"type": "string", "format": "date-time"},
                    "codes": {"type": "object", "additionalProperties": {"type": "integer"}},
                }
            ),
        },
    }
)
_TRIAGE_ERROR = _error(limit_bytes={"type": "integer"}, limit_lines={"type": "integer"})

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
                    "503": _UNAVAILABLE,
                    "200": _json(_ref("SearchAnswer"), "Ranked rows."),
                    "400": _bad_request("No q, or an unknown lang."),
                    "413": _json(_error(limit=_LIMIT), "q is longer than the limit."),
                    "414": {**_URI_TOO_LONG, "description": "The URL is too long: POST the text."},
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
                    "503": _UNAVAILABLE,
                    "414": _URI_TOO_LONG,
                    "200": _json(_ref("SearchAnswer"), "Ranked rows."),
                    "400": _bad_request("No q, a body that is not JSON, or an unknown lang."),
                    "413": _json(
                        _error(limit=_LIMIT), "q, or the whole body, is longer than the limit."
                    ),
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
                    "503": _UNAVAILABLE,
                    "414": _URI_TOO_LONG,
                    "200": _json(_CODE_ROWS, "The code's rows in table order."),
                    "404": _json(_NO_SUCH_CODE, "No such code; the closest codes are suggested."),
                    "400": _bad_request("An unknown lang."),
                },
            }
        },
        "/api/v1/triage": {
            "post": {
                "summary": "Triage a whole log: its failed calls grouped by catalog row and cause",
                "description": (
                    f"Up to {MAX_BYTES // (1024 * 1024)} MB or {MAX_LINES:,} lines; gzip "
                    "accepted; UTF-8, UTF-16 with a byte order mark or GB18030. Nothing sent "
                    "is stored."
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
                                        "description": (
                                            "The log: a file part (text or gzip) or text."
                                        ),
                                    }
                                },
                            }
                        },
                    },
                },
                "responses": {
                    "503": _UNAVAILABLE,
                    "414": _URI_TOO_LONG,
                    "200": _json(_ref("TriageReport"), "The report."),
                    "400": _bad_request(
                        "An empty or binary log, a broken gzip file, or an unknown lang.",
                        _TRIAGE_ERROR,
                    ),
                    "413": _json(_TRIAGE_ERROR, "The log is over the size or line limit."),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Row": _ROW,
            "Result": _RESULT,
            "SearchAnswer": _SEARCH_ANSWER,
            "Diagnosis": _DIAGNOSIS,
            "TriageReport": _TRIAGE_REPORT,
            "TriageGroup": _TRIAGE_GROUP,
        }
    },
}
