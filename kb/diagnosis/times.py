"""The time formats gateway errors carry, and durations in words in the active language."""

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.utils.translation import ngettext

from kb.text.script import is_chinese

# X-Sdk-Date, the signing SDKs' basic ISO 8601 form: 20261127T010101Z.
BASIC_RE = re.compile(r"(\d{8}T\d{6})Z?")
# Also as Go prints times (`2026-11-26 17:15:02 +0800 CST`): a space before the offset,
# the zone's abbreviation after it (the offset says the same).
ISO_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|\s?[+-]\d{2}(?::?\d{2})?(?:\s[A-Z]{3,5}\b)?)?",
    re.IGNORECASE,
)
ZONE_NAME_RE = re.compile(r"\s[A-Z]{3,5}$", re.IGNORECASE)
# RFC 1123, as in the Date header: Thu, 27 Nov 2026 01:01:01 GMT.
RFC1123_RE = re.compile(
    r"(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{2}:\d{2}:\d{2}\s*"
    r"(?:GMT|UTC|UT|Z|[+-]\d{4})",
    re.IGNORECASE,
)
MAX_TIME_CHARS = 64


def parse_time(text: str) -> datetime | None:
    """A time in any of the forms gateway errors and headers use, in UTC; None if unreadable.

    A time without a zone is taken as UTC, the zone the gateway and the signing
    SDKs write in. A time that UTC cannot represent (year 1 east of Greenwich, year
    9999 west of it) is unreadable.
    """
    value = (text or "").strip().strip("\"'").strip()
    if not value or len(value) > MAX_TIME_CHARS:
        return None
    parsed = None
    if match := BASIC_RE.fullmatch(value):
        try:
            parsed = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
        except ValueError:
            return None
    elif ISO_RE.fullmatch(value):
        try:
            iso_value = ZONE_NAME_RE.sub("", value).upper().replace(" ", "T", 1)
            parsed = datetime.fromisoformat(iso_value.replace(" ", ""))
        except ValueError:
            return None
    elif RFC1123_RE.fullmatch(value):
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None  # 0001-01-01T00:00:00+01:00 is before the first representable moment


def find_time(text: str) -> datetime | None:
    """The first readable time inside `text`, whatever surrounds it."""
    for pattern in (BASIC_RE, ISO_RE, RFC1123_RE):
        for match in pattern.finditer(text or ""):
            if parsed := parse_time(match.group()):
                return parsed
    return None


def format_time(moment: datetime) -> str:
    """`2026-11-27 01:01:01 UTC`: one unambiguous form in both languages."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(moment: datetime) -> str:
    """`2026-11-27T01:01:01Z`, as the JSON facts give times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_in_words(seconds: float, units: int = 3) -> str:
    """`2 hours 1 minute 37 seconds` / `2小时1分钟37秒`: at most `units` units, largest first."""
    remaining = abs(round(seconds))
    parts = []
    for size, name in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(_unit(name, count))
    if not parts:
        return _unit("second", 0)
    return ("" if is_chinese() else " ").join(parts[:units])


def _unit(name: str, count: int) -> str:
    if name == "day":
        text = ngettext("%(count)d day", "%(count)d days", count)
    elif name == "hour":
        text = ngettext("%(count)d hour", "%(count)d hours", count)
    elif name == "minute":
        text = ngettext("%(count)d minute", "%(count)d minutes", count)
    else:
        text = ngettext("%(count)d second", "%(count)d seconds", count)
    return text % {"count": count}


def utc_offset_in_words(hours: float) -> str:
    """`UTC+8`, `UTC-3:30`."""
    sign = "+" if hours >= 0 else "-"
    whole, fraction = divmod(abs(hours), 1)
    minutes = round(fraction * 60)
    return f"UTC{sign}{int(whole)}" + (f":{minutes:02d}" if minutes else "")
