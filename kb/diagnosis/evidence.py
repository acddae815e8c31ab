"""What a paste shows about the failed call besides the gateway's detail.

A bare message (`Incorrect app authentication information`) names no cause, but the
request or the result pasted with it may: an Authorization header whose Access= is empty,
a custom authorizer's function that returned `deny`. Each reading gives the excerpt of the
paste that shows it (a row's page given that excerpt reads it again), a statement of
what it shows in plain words, matched against the explanations of the row's causes by
`kb.diagnosis.restated` (no cause is named here: causes are data staff edit), and a
sentence for the reader.

The readers look at what was sent and returned, never at the words around it: a
customer's own account of what they tried is no evidence.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Only this much of a paste is read for evidence (the search takes at most 16 KiB).
MAX_EVIDENCE_CHARS = 16 * 1024

# Quotes escaped once or more (a request logged inside a JSON string) read as quotes.
ESCAPED_QUOTE_RE = re.compile(r"\\+([\"'])")
# `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`, as a header
# line, a curl option, a JSON member or a Python dict item. The signing schemes of the
# gateway's SDKs all say HMAC (SDK-HMAC-SHA256, SDK-HMAC-SM3).
# Go prints a header map as `Authorization:[SDK-HMAC-SHA256 …]`.
AUTHORIZATION_RE = re.compile(
    r"\bauthorization[\"']?\s*[:=]\s*[\"'\[]?\s*"
    r"(?P<scheme>(?:[a-z0-9]+-)*hmac-[a-z0-9]+)[ \t]+(?P<parameters>[^\"'\r\n\]]{0,2000})",
    re.IGNORECASE,
)
AUTHORIZATION_PART_RE = re.compile(
    r"\b(?P<name>access|signedheaders|signature)[ \t]*=[ \t]*(?P<value>[^,\s]*)", re.IGNORECASE
)
# What an unset variable prints as in the languages clients are written in.
UNSET_VALUES = frozenset({"", "none", "null", "nil", "undefined"})
# A custom authorizer's function answers `{"status": "allow"|"deny", "context": {...}}`;
# a log says it returned `deny` (`返回deny`).
AUTHORIZER_DENY_RE = re.compile(
    r"(?:\bstatus[\"']?[ \t]*[:=]|\breturn(?:s|ed)?\b|返回了?)[ \t]*[\"'“]?deny\b(?![-\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Evidence:
    excerpt: str  # the part of the paste that shows it; read again, it gives this evidence
    statement: str  # what it shows, in plain words, to match the causes' explanations
    sentence: str  # what it shows, for the reader, in the active language


def evidence_in(text: str) -> list[Evidence]:
    """What the request or result in `text` shows, once each."""
    text = (text or "")[:MAX_EVIDENCE_CHARS]
    lowered = text.lower()
    # Each reader's word first: most pastes have neither, and `in` costs little.
    readers = [reader for word, reader in READERS if word in lowered]
    if readers and "\\" in text:
        text = ESCAPED_QUOTE_RE.sub(r"\1", text)
    return [evidence for reader in readers if (evidence := reader(text))]


def _authorization_without_key(text: str) -> Evidence | None:
    for match in AUTHORIZATION_RE.finditer(text):
        parts = {
            part["name"].lower(): part["value"].strip("\"'")
            for part in AUTHORIZATION_PART_RE.finditer(match["parameters"])
        }
        if not ("signedheaders" in parts or "signature" in parts):
            continue  # not the whole header: cut short, or some other scheme's layout
        access = parts.get("access")
        if access is not None and access.lower() not in UNSET_VALUES:
            continue
        excerpt = f"Authorization: {match['scheme']} Access={access or ''}"
        if "signedheaders" in parts:
            excerpt += f", SignedHeaders={parts['signedheaders']}"
        return Evidence(
            excerpt=excerpt + ", Signature=…",
            statement="The Authorization header has an empty Access: it names no key.",
            sentence=_(
                "The Authorization header of the pasted request has no key in Access=: it "
                "does not say which key signed the request."
            ),
        )
    return None


def _authorizer_denied(text: str) -> Evidence | None:
    if not AUTHORIZER_DENY_RE.search(text):
        return None
    return Evidence(
        excerpt='{"status": "deny"}',
        statement="The custom authorizer's function refused the request: it returned deny.",
        sentence=_("The custom authorizer's function returned “deny”: it refused the call."),
    )


READERS = (("authorization", _authorization_without_key), ("deny", _authorizer_denied))
