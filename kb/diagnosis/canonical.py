"""Canonical requests, as the gateway reports them and as signing SDKs log them.

A canonical request is what a signature signs, one part a line:

    METHOD
    /path/
    query=string
    header-name:value        (one line per signed header)
                             (an empty line)
    signed;header;names
    payload-sha256-hex

The gateway flattens the lines with `|` in its error detail; SDKs log them with
line breaks. `parse()` reads either; `compare()` lines two up part by part.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

from django.utils.translation import gettext as _

EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MAX_CANONICAL_CHARS = 8192

LABEL_RE = re.compile(r"canonical[\s_-]?request\s*[:=]\s*", re.IGNORECASE)
SIGNED_HEADERS_RE = re.compile(r"[a-z0-9_.-]+(?:;[a-z0-9_.-]+)*", re.IGNORECASE)
# What follows a canonical request in a gateway log line (`, client: …`) or a JSON string.
LOG_TRAILER_RE = re.compile(r",\s*client:")
TRAILING_CHARS = "\"'}], \t\n"
# The body hash: a hex digest, UNSIGNED-PAYLOAD or a masked value; then the line ends.
HASH_RE = re.compile(r"[^\s\"',}:|]+")


@dataclass
class CanonicalRequest:
    method: str = ""
    path: str = ""
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    signed_headers: list[str] = field(default_factory=list)
    payload_hash: str = ""
    # All six parts were found; a cut-short detail leaves the last ones empty.
    complete: bool = False

    @property
    def path_ends_with_slash(self) -> bool:
        return self.path.endswith("/")

    @property
    def payload_hash_is_empty(self) -> bool:
        return self.payload_hash.lower() == EMPTY_BODY_SHA256

    @property
    def header_values(self) -> dict[str, str]:
        return dict(self.headers)

    @property
    def signed_but_empty(self) -> list[str]:
        """Signed headers that have no value here: signed, but not sent."""
        values = self.header_values
        return [name for name in self.signed_headers if not values.get(name, "").strip()]

    def as_json(self) -> dict:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [f"{name}:{value}" for name, value in self.headers],
            "signed_headers": self.signed_headers,
            "payload_hash": self.payload_hash,
        }


def _lines(text: str) -> list[str]:
    text = (text or "")[:MAX_CANONICAL_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    labels = list(LABEL_RE.finditer(text))
    if labels:
        text = text[labels[-1].end() :]
    if trailer := LOG_TRAILER_RE.search(text):
        text = text[: trailer.start()]
    text = text.strip().rstrip(TRAILING_CHARS)
    return [line.strip() for line in text.split("\n" if "\n" in text else "|")]


def parse(text: str) -> CanonicalRequest | None:
    """The canonical request in `text` (flattened with `|` or one part a line), or None."""
    lines = _lines(text)
    if len(lines) < 2 or not re.fullmatch(r"[A-Za-z]{3,10}", lines[0]):
        return None
    request = CanonicalRequest(method=lines[0].upper(), path=lines[1])
    request.query = lines[2] if len(lines) > 2 else ""
    rest = lines[3:]
    payload_hash = HASH_RE.match(rest[-1]) if rest else None
    if len(rest) >= 2 and SIGNED_HEADERS_RE.fullmatch(rest[-2]) and payload_hash:
        request.payload_hash = payload_hash.group()
        request.signed_headers = [name.lower() for name in rest[-2].split(";")]
        rest = rest[:-2]
        request.complete = True
    for line in rest:
        if ":" in line:
            name, value = line.split(":", 1)
            request.headers.append((name.strip().lower(), value.strip()))
    return request


@dataclass
class Part:
    """One part of two canonical requests side by side."""

    name: str  # method, path, query, header, signed_headers, payload_hash
    label: str
    gateway: str | None
    client: str | None
    hint: str = ""

    @property
    def same(self) -> bool:
        return self.gateway == self.client


@dataclass
class Comparison:
    parts: list[Part]

    @property
    def first_difference(self) -> Part | None:
        return next((part for part in self.parts if not part.same), None)

    @property
    def identical(self) -> bool:
        return self.first_difference is None


def compare(gateway: CanonicalRequest, client: CanonicalRequest) -> Comparison:
    """The two requests part by part, each differing part with the usual cause."""
    parts = [
        Part("method", _("Method"), gateway.method, client.method),
        Part("path", _("Path"), gateway.path, client.path),
        Part("query", _("Query string"), gateway.query, client.query),
    ]
    gateway_headers, client_headers = gateway.header_values, client.header_values
    for name in [*gateway_headers, *(n for n in client_headers if n not in gateway_headers)]:
        parts.append(
            Part(
                "header",
                _("Header %(name)s") % {"name": name},
                gateway_headers.get(name),
                client_headers.get(name),
            )
        )
    parts.append(
        Part(
            "signed_headers",
            _("Signed headers"),
            ";".join(gateway.signed_headers),
            ";".join(client.signed_headers),
        )
    )
    parts.append(Part("payload_hash", _("Body hash"), gateway.payload_hash, client.payload_hash))
    for part in parts:
        if not part.same:
            part.hint = HINTS[part.name](part)
    return Comparison(parts)


def _path_hint(part: Part) -> str:
    gateway, client = part.gateway or "", part.client or ""
    if gateway.rstrip("/") == client.rstrip("/"):
        return _(
            "Only the trailing slash differs. The canonical path always ends with /, even "
            "when the request's path does not: add it in your signing code (the SDKs do)."
        )
    if unquote(gateway) == unquote(client):
        return _(
            "The same path, encoded differently. Encode each path segment once, as RFC 3986 "
            "does: a space as %20 and other characters as UTF-8 percent-encoding."
        )
    return _(
        "A different path. Sign the path the request is sent to; a proxy, a base path or a "
        "rewritten URL may change it."
    )


def _params(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&"):
        if item:
            name, _sep, value = item.partition("=")
            pairs.append((name, value))
    return pairs


def _query_hint(part: Part) -> str:
    gateway, client = _params(part.gateway or ""), _params(part.client or "")
    if sorted(gateway) == sorted(client):
        return _(
            "The same parameters in another order. Sort the parameters by name before "
            "signing, as the SDKs do."
        )

    def decoded(pairs):
        return sorted((unquote_plus(n), unquote_plus(v)) for n, v in pairs)

    if decoded(gateway) == decoded(client):
        return _(
            "The same parameters, encoded differently. Encode names and values as RFC 3986 "
            "does: a space is %20, not +."
        )
    only_gateway = sorted({n for n, _v in gateway} - {n for n, _v in client})
    only_client = sorted({n for n, _v in client} - {n for n, _v in gateway})
    if only_gateway or only_client:
        return _(
            "Different parameters (only in the gateway's: %(gateway)s; only in yours: "
            "%(client)s). Sign the query string the request is sent with, and add no "
            "parameter after signing."
        ) % {"gateway": ", ".join(only_gateway) or "-", "client": ", ".join(only_client) or "-"}
    return _("Parameter values differ. Sign the values the request is sent with, encoded once.")


def _header_hint(part: Part) -> str:
    gateway, client = part.gateway, part.client
    if client is None:
        return _(
            "The gateway signed this header but your canonical request does not have it: "
            "the signed headers differ."
        )
    if gateway is None:
        return _(
            "Your canonical request has this header but the gateway's does not: it was not "
            "sent, or not listed in SignedHeaders."
        )
    if not gateway.strip():
        return _(
            "Signed but not sent: the header is listed in SignedHeaders but reached the "
            "gateway without a value. Send it, or do not sign it."
        )
    if " ".join(gateway.split()).lower() == " ".join(client.split()).lower():
        return _(
            "The values differ only in spaces or letter case. Trim header values and write "
            "header names in lower case, as the SDKs do."
        )
    if gateway.startswith(client) or client.startswith(gateway):
        return _(
            "One value is the other with something added, such as ; charset=UTF-8 appended "
            "to Content-Type by an HTTP library after signing. Set the complete header "
            "before signing."
        )
    return _(
        "The value sent is not the value signed. A proxy or your HTTP library may change "
        "it (Host, for example, when the request goes through a proxy or to an IP address); "
        "X-Sdk-Date must be the time that was signed."
    )


def _signed_headers_hint(part: Part) -> str:
    return _(
        "The lists of signed headers differ. The gateway reads the list from the "
        "SignedHeaders of the Authorization header: sign exactly the headers you list there."
    )


def _payload_hint(part: Part) -> str:
    gateway, client = (part.gateway or "").lower(), (part.client or "").lower()
    if gateway == EMPTY_BODY_SHA256:
        return _(
            "The gateway received no body, but you signed one: the body was not sent, or "
            "was sent in a way that leaves it out."
        )
    if client == EMPTY_BODY_SHA256:
        return _("You signed an empty body but the gateway received one: sign the body you send.")
    return _(
        "The body changed after signing. Send exactly the bytes you hashed: do not "
        "serialize JSON again, compress it or build a new multipart boundary after signing."
    )


def _method_hint(part: Part) -> str:
    return _("A different method: sign the method the request is sent with.")


HINTS = {
    "method": _method_hint,
    "path": _path_hint,
    "query": _query_hint,
    "header": _header_hint,
    "signed_headers": _signed_headers_hint,
    "payload_hash": _payload_hint,
}
