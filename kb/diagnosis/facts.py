"""Facts read out of an error's detail, each with sentences that say what they mean.

Every computer takes the detail text (and the request's time, when the paste
carries one) and returns `Findings`: facts for the JSON API, named as documented
there, and sentences in the active language. They never raise on odd input: a
value they cannot read gives no fact and a sentence saying so. Given `words=False`
(the log triage, which aggregates the facts of many lines), they compute the facts
alone and write no sentence.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from kb.diagnosis import canonical
from kb.diagnosis.times import (
    duration_in_words,
    find_time,
    format_time,
    iso,
    parse_time,
    utc_offset_in_words,
)
from kb.text.patterns import is_placeholder

# The gateway rejects a signature whose time differs from its own by more than this.
SIGNATURE_WINDOW_MINUTES = 15
SIGNATURE_WINDOW_SECONDS = SIGNATURE_WINDOW_MINUTES * 60
# A skew this close to a whole number of half hours is a time zone, not a drifting clock.
ZONE_TOLERANCE_SECONDS = 60
MAX_SHOWN_VALUE = 40

_TIME = {"type": "string", "format": "date-time"}
_NAMES = {"type": "array", "items": {"type": "string"}}
# Every fact a computer below may give, with the JSON Schema of its value: the one list of
# them. The API's description (kb/openapi.py) is built from it, and the API's tests check
# every answer against that description, so a fact added or renamed here is described there.
FACTS = {
    "clock_skew_seconds": {
        "type": "integer",
        "description": (
            "Server time minus signature time: positive when the signature time "
            "(X-Sdk-Date) is behind the gateway's clock, negative when ahead."
        ),
    },
    "signature_time": _TIME,
    "server_time": _TIME,
    "clock_behind": {"type": ["string", "null"], "enum": ["client", "gateway", None]},
    "clock_skew_exceeds_limit": {
        "type": "boolean",
        "description": (
            f"The skew is more than the {SIGNATURE_WINDOW_MINUTES} minutes the gateway allows."
        ),
    },
    "likely_client_utc_offset": {
        "type": "string",
        "example": "UTC+8",
        "description": "The skew is a whole time zone: local time written as UTC.",
    },
    "token_expires_at": _TIME,
    "request_time": {
        **_TIME,
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
        "required": ["method", "path", "query", "headers", "signed_headers", "payload_hash"],
        "additionalProperties": False,
        "properties": {
            "method": {"type": "string"},
            "path": {"type": "string"},
            "query": {"type": "string"},
            "headers": _NAMES,
            "signed_headers": _NAMES,
            "payload_hash": {"type": "string"},
        },
    },
    "path_ends_with_slash": {"type": "boolean"},
    "signed_headers": _NAMES,
    "payload_hash_is_empty": {
        "type": "boolean",
        "description": "The body hash is the SHA-256 of an empty body.",
    },
    "signed_headers_without_value": {
        **_NAMES,
        "description": "Signed headers that reached the gateway without a value.",
    },
}

TIME_LABEL_RE = re.compile(r"\b(signature|server)[\s_-]*time\s*[:=]\s*", re.IGNORECASE)
EXPIRES_RE = re.compile(r"expires?[\s_-]*at\s*[:=]\s*", re.IGNORECASE)
# `over rate limit` may be cut short (`policy user over rat...`): the policy word is not.
POLICY_RE = re.compile(r"policy\s*[:=]?\s*([a-z_-]{1,20})\s+over\b", re.IGNORECASE)
LIMIT_RE = re.compile(r"\blimit\s*[:=]\s*(\d{1,12})", re.IGNORECASE)
WINDOW_RE = re.compile(r"\btime\s*[:=]\s*(\d{1,9})\s*([a-z]{0,10})", re.IGNORECASE)
# The request's time in a paste: the response's Date header (the gateway's clock)
# first, then the X-Sdk-Date the client signed.
DATE_HEADER_RE = re.compile(
    r"^[\s<>\"']*date[\"']?\s*:\s*[\"']?([^\r\n\"']{8,40})", re.IGNORECASE | re.MULTILINE
)
SDK_DATE_HEADER_RE = re.compile(r"x-sdk-date[\"']?\s*[:=]\s*[\"']?(\d{8}T\d{6}Z)", re.IGNORECASE)
WINDOW_UNITS = {
    "": 1,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}


@dataclass
class Findings:
    facts: dict = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    # False: the facts alone are wanted; no sentence is written (nor translated).
    words: bool = True


def _shown(value: str) -> str:
    value = value.strip()
    return value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"


def _labelled_values(detail: str, label_re: re.Pattern) -> dict[str, str]:
    """`signature time:X,server time:Y` -> {"signature": "X", "server": "Y"}."""
    labels = list(label_re.finditer(detail))
    values = {}
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(detail)
        value = _value_at_end(detail[label.end() : end])
        values.setdefault(label.group(1).lower(), value)
    return values


def _value_at_end(text: str) -> str:
    """A value that ends its detail, without the quotes, commas and brackets of the text
    around it; a placeholder keeps its own (`{x-sdk-date}`)."""
    value = text.strip().rstrip(",;\"' ")
    while value[-1:] in ("}", "]") and value.count(value[-1]) > value.count(
        "{" if value[-1] == "}" else "["
    ):
        value = value[:-1].rstrip(",;\"' ")
    return value.strip()


def _read_time(value: str) -> datetime | None:
    return parse_time(value) or find_time(value)


# Clock skew -----------------------------------------------------------------


def clock_skew_seconds(signature_time: datetime, server_time: datetime) -> int:
    """Server time minus signature time: positive when the signature time is behind."""
    return round((server_time - signature_time).total_seconds())


def likely_zone_offset_hours(skew_seconds: int) -> float | None:
    """The client's UTC offset, if the skew looks like local time written as UTC.

    A client at UTC+8 that writes its local time with a `Z` signs 8 hours ahead of
    the gateway, a skew of -8 hours.
    """
    if abs(skew_seconds) < 3600 - ZONE_TOLERANCE_SECONDS:
        return None
    half_hours = round(-skew_seconds / 1800)
    if abs(-skew_seconds - half_hours * 1800) > ZONE_TOLERANCE_SECONDS:
        return None
    hours = half_hours / 2
    return hours if -12 <= hours <= 14 else None


def signature_expired(
    detail: str, request_time: datetime | None = None, *, words: bool = True
) -> Findings:
    findings = Findings(words=words)
    values = _labelled_values(detail, TIME_LABEL_RE)
    if not values:
        return findings
    signed_text, server_text = values.get("signature", ""), values.get("server", "")
    signed, server = _read_time(signed_text), _read_time(server_text)
    # Each time the detail gives is a fact on its own: a template or a cut-short paste
    # may give one of the two.
    if signed is not None:
        findings.facts["signature_time"] = iso(signed)
    if server is not None:
        findings.facts["server_time"] = iso(server)
    if words:
        findings.sentences += _unread_times(signed_text, signed, server_text, server)
    if signed is None or server is None:
        if words and (signed or server):
            name, moment = ("signature", signed) if signed else ("server", server)
            sentence = (
                _("The signature time is %(time)s.")
                if name == "signature"
                else _("The gateway's time is %(time)s.")
            )
            findings.sentences.append(sentence % {"time": format_time(moment)})
        return findings

    skew = clock_skew_seconds(signed, server)
    findings.facts.update(
        {
            "clock_skew_seconds": skew,
            "clock_behind": "client" if skew > 0 else "gateway" if skew < 0 else None,
            "clock_skew_exceeds_limit": abs(skew) > SIGNATURE_WINDOW_SECONDS,
        }
    )
    offset = likely_zone_offset_hours(skew)
    if offset is not None:
        findings.facts["likely_client_utc_offset"] = utc_offset_in_words(offset)
    if not words:
        return findings
    names = {
        "signature": format_time(signed),
        "server": format_time(server),
        "skew": duration_in_words(skew),
    }
    if skew > 0:
        sentence = _(
            "The signature time (%(signature)s) is %(skew)s behind the gateway's time "
            "(%(server)s): the client's clock is slow, or the request was signed long before "
            "it was sent."
        )
    elif skew < 0:
        sentence = _(
            "The signature time (%(signature)s) is %(skew)s ahead of the gateway's time "
            "(%(server)s): the client's clock is fast."
        )
    else:
        sentence = _("The signature time and the gateway's time are the same (%(server)s).")
    findings.sentences.append(sentence % names)
    window = {"window": duration_in_words(SIGNATURE_WINDOW_SECONDS)}
    if abs(skew) > SIGNATURE_WINDOW_SECONDS:
        findings.sentences.append(
            _("That is more than the %(window)s the gateway allows.") % window
        )
    else:
        findings.sentences.append(
            _(
                "That is within the %(window)s the gateway allows, so the clock alone does "
                "not explain the error: check that the X-Sdk-Date sent is the one signed, in "
                "UTC."
            )
            % window
        )
    if offset is not None:
        findings.sentences.append(
            _(
                "The difference is almost exactly %(hours)s: the client probably wrote its "
                "local time (%(offset)s) with the Z that marks UTC."
            )
            % {"hours": duration_in_words(offset * 3600), "offset": utc_offset_in_words(offset)}
        )
    return findings


def _unread_times(
    signed_text: str, signed: datetime | None, server_text: str, server: datetime | None
) -> list[str]:
    """Why a time the detail labels gives no fact: a placeholder, or no time at all."""
    sentences = []
    if signed_text and signed is None:
        if is_placeholder(signed_text):
            sentence = _(
                "The error gives the signature time as a placeholder, “%(value)s”, not as a "
                "time: the skew needs the error exactly as the gateway returned it."
            )
        else:
            sentence = _(
                "The error gives the signature time as “%(value)s”, which is not a time in "
                "the form the gateway expects: X-Sdk-Date must look like 20261127T010101Z, "
                "in UTC."
            )
        sentences.append(sentence % {"value": _shown(signed_text)})
    if server_text and server is None:
        sentences.append(
            _("The gateway's time “%(value)s” cannot be read, so the skew cannot be computed.")
            % {"value": _shown(server_text)}
        )
    return sentences


# Token expiry ---------------------------------------------------------------


def token_expired(
    detail: str, request_time: datetime | None = None, *, words: bool = True
) -> Findings:
    findings = Findings(words=words)
    label = EXPIRES_RE.search(detail)
    if not label:
        return findings
    value = _value_at_end(detail[label.end() :])
    expires = _read_time(value)
    if expires is None:
        if words:
            findings.sentences.append(
                _("The error gives the expiry time as “%(value)s”, which cannot be read as a time.")
                % {"value": _shown(value)}
            )
        return findings
    findings.facts["token_expires_at"] = iso(expires)
    if request_time is not None:
        since = round((request_time - expires).total_seconds())
        findings.facts["request_time"] = iso(request_time)
        findings.facts["token_expired_seconds_before_request"] = since
    if not words:
        return findings
    findings.sentences.append(_("The token expired at %(time)s.") % {"time": format_time(expires)})
    if request_time is None:
        return findings
    names = {"duration": duration_in_words(since), "request": format_time(request_time)}
    if since >= 0:
        sentence = _("That is %(duration)s before the time of this request (%(request)s).")
    else:
        sentence = _(
            "That is %(duration)s after the time pasted with this request (%(request)s): "
            "check that this time belongs to the failed request, and the clock of the "
            "machine that sent it."
        )
    findings.sentences.append(sentence % names)
    return findings


# Request throttling ---------------------------------------------------------


def throttle_scope(policy: str) -> str:
    """Whom a request throttling policy counts: `ip` -> each source IP address."""
    scopes = {
        "user": _("each user"),
        "app": _("each credential"),
        "ip": _("each source IP address"),
        "api": _("the API, all callers together"),
    }
    return scopes.get(policy) or _("the “%(policy)s” policy") % {"policy": policy}


def throttle_window_seconds(number: int, unit: str) -> int | None:
    size = WINDOW_UNITS.get(unit.lower())
    return number * size if size is not None else None


def throttled(detail: str, request_time: datetime | None = None, *, words: bool = True) -> Findings:
    findings = Findings(words=words)
    policy_match = POLICY_RE.search(detail)
    limit_match = LIMIT_RE.search(detail)
    window_match = WINDOW_RE.search(detail)
    if policy_match:
        findings.facts["throttle_policy"] = policy_match.group(1).lower()
    if limit_match:
        findings.facts["throttle_limit"] = int(limit_match.group(1))
    window_seconds = None
    if window_match:
        number, unit = int(window_match.group(1)), window_match.group(2)
        findings.facts["throttle_window"] = f"{number} {unit}".strip()
        window_seconds = throttle_window_seconds(number, unit)
        if window_seconds:
            findings.facts["throttle_window_seconds"] = window_seconds
    if not policy_match or not words:
        return findings
    names = {"scope": throttle_scope(findings.facts["throttle_policy"])}
    if limit_match and window_seconds:
        names["limit"] = findings.facts["throttle_limit"]
        names["window"] = duration_in_words(window_seconds)
        sentence = _("The limit is %(limit)s calls in %(window)s, counted for %(scope)s.")
    else:
        sentence = _("The limit is counted for %(scope)s.")
    findings.sentences.append(sentence % names)
    return findings


# Canonical request ----------------------------------------------------------


def canonical_request(
    detail: str, request_time: datetime | None = None, *, words: bool = True
) -> Findings:
    findings = _canonical_request(detail)
    if not words:  # its sentences cost little next to the parse; they are dropped
        findings.sentences.clear()
        findings.words = False
    return findings


def _canonical_request(detail: str) -> Findings:
    findings = Findings()
    if not canonical.LABEL_RE.search(detail):
        findings.sentences.append(
            _(
                "This error does not include the canonical request the gateway computed. Log "
                "the one your signing code builds and check it against the request you send; "
                "a technical support engineer can look up the gateway's from the request_id."
            )
        )
        return findings
    request = canonical.parse(detail)
    if request is None:
        findings.sentences.append(
            _("The canonical request in the error cannot be read: paste the whole message.")
        )
        return findings
    findings.facts.update(
        {
            "canonical_request": request.as_json(),
            "path_ends_with_slash": request.path_ends_with_slash,
            "signed_headers": request.signed_headers,
        }
    )
    findings.sentences.append(
        _(
            "The gateway's canonical request: method %(method)s, path %(path)s, query string "
            "%(query)s, signed headers %(signed)s."
        )
        % {
            "method": request.method,
            "path": request.path,
            "query": request.query or _("(none)"),
            "signed": ";".join(request.signed_headers) or _("(none)"),
        }
    )
    if not request.complete:
        findings.sentences.append(
            _("The canonical request looks cut short: paste the whole error message.")
        )
        return findings
    if request.path_ends_with_slash:
        findings.sentences.append(
            _(
                "Its path ends with /: the gateway adds the slash to every canonical path, so "
                "your signing code must add it too (the SDKs do), even if the URL has none."
            )
        )
    if re.fullmatch(r"[0-9a-fA-F]{64}", request.payload_hash):
        findings.facts["payload_hash_is_empty"] = request.payload_hash_is_empty
        if request.payload_hash_is_empty:
            findings.sentences.append(
                _(
                    "Its body hash is the hash of an empty body: the gateway received no "
                    "body. If your client signed a body, the body did not arrive as signed."
                )
            )
        else:
            findings.sentences.append(
                _(
                    "Its body hash is not that of an empty body: compare it with the SHA-256 "
                    "of the exact bytes you send."
                )
            )
    if missing := request.signed_but_empty:
        findings.facts["signed_headers_without_value"] = missing
        findings.sentences.append(
            _(
                "Signed but without a value at the gateway: %(headers)s. Send these headers "
                "with the values signed, or do not sign them."
            )
            % {"headers": ", ".join(missing)}
        )
    return findings


def request_time_in(text: str) -> datetime | None:
    """The time of the request, from a `Date:` or `X-Sdk-Date:` header in the paste."""
    for pattern in (DATE_HEADER_RE, SDK_DATE_HEADER_RE):
        if match := pattern.search(text or ""):
            if moment := parse_time(match.group(1)):
                return moment
    return None
