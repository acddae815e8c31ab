"""Checks an API answer against the API's OpenAPI description (kb/openapi.py).

tests/conftest.py runs `check_answer()` on every answer under /api/v1/ that a test gets,
through Django's test client or through `requests` from a real server: its status must be
one the description lists for the path and method, its content type one listed for that
status, and a JSON body must match the schema (jsonschema, Draft 2020-12, the dialect of
OpenAPI 3.1). A method the description does not list must be refused with a 405 whose Allow
header names the listed ones. So the code and its description cannot drift apart.
"""

import json
import re
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kb.openapi import OPENAPI

API_PREFIX = "/api/v1/"
# The description itself: the one API path it does not describe.
DESCRIPTION_PATH = "/api/v1/openapi.json"

_URI = "urn:kb:openapi"
_REGISTRY = Registry().with_resource(_URI, Resource(OPENAPI, specification=DRAFT202012))
_TEMPLATES = {
    re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"): template
    for template in OPENAPI["paths"]
}


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def schema_errors(schema_path: tuple[str, ...], data) -> list[str]:
    """What in `data` does not match the schema at `schema_path` in the description."""
    schema = {"$ref": f"{_URI}#/{_pointer(*schema_path)}"}
    validator = Draft202012Validator(schema, registry=_REGISTRY, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(the answer)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]


def check_answer(
    method: str, url: str, status: int, content_type: str, body: bytes, allow: str = ""
) -> None:
    """Fail (AssertionError) unless the API's description describes this answer."""
    path = urlsplit(url).path
    if not path.startswith(API_PREFIX) or path == DESCRIPTION_PATH:
        return
    template = next((t for pattern, t in _TEMPLATES.items() if pattern.match(path)), None)
    assert template, f"{path} answered {status}, but the API's description has no such path"
    operations = OPENAPI["paths"][template]
    method = method.lower()
    if method not in operations:
        listed = {name.upper() for name in operations}
        allowed = {name.strip() for name in allow.split(",") if name.strip()}
        assert (status, allowed) == (405, listed), (
            f"{method.upper()} {path}: the description lists only {sorted(listed)}, so a 405 "
            f"allowing them is due; the answer was {status}, Allow: {allow!r}"
        )
        return
    responses = operations[method]["responses"]
    where = f"{method.upper()} {path} answered {status}"
    assert str(status) in responses, f"{where}, a status its description does not list"
    media_type = content_type.split(";")[0].strip()
    content = responses[str(status)].get("content", {})
    assert media_type in content, f"{where} as {media_type}, not as described: {list(content)}"
    if media_type != "application/json":
        return
    schema_path = ("paths", template, method, "responses", str(status), "content", media_type)
    errors = schema_errors((*schema_path, "schema"), json.loads(body))
    assert not errors, f"{where}, not as its description says:\n" + "\n".join(errors[:10])
