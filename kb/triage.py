"""Triage a whole log: every failed call in it grouped by catalog row and cause.

`triage()` reads a log as a stream of bytes (gzip accepted; UTF-8, UTF-16 with a byte
order mark or GB18030), pulls the code, status, message and request ID out of each line
with the search's own parser, and searches each *shape* of line once: lines that carry
the same codes, status and message (digits and identifiers aside) get the same rows.
Each line that matched a row then goes through the diagnosis stage with its own detail
and its own time, and the facts are aggregated per row and cause: clock skew minimum,
median and maximum, the throttling policies, token expiry against request times.

Lines that hold no recognisable gateway error are counted with their most frequent
shapes, so that nothing is silently dropped. Nothing read is stored, logged or cached:
the report lives as long as the request; its sample lines are redacted by
`kb.redact.redact()`.

Times without a zone (`2026-11-27 01:02:03`) are read as UTC, as the gateway writes them.
"""

import csv
import gzip
import io
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from django.utils.translation import gettext as _

from kb.diagnosis.causes import Diagnosis, details_in, diagnose_detail
from kb.diagnosis.facts import request_time_in
from kb.diagnosis.times import iso, parse_time
from kb.models import Cause, ErrorEntry
from kb.redact import redact
from kb.search.engine import search
from kb.search.parse import ParsedQuery, free_text_of, parse
from kb.text.codes import CODE_RE
from kb.text.lines import clean

__all__ = ["MAX_BYTES", "MAX_LINES", "Report", "TriageError", "triage"]

MAX_BYTES = 10 * 1024 * 1024
# A gzip file of at most MAX_BYTES may hold this much log (a log compresses about ten
# times); more is refused as it is read, so that no small file unpacks into a flood.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_LINES = 100_000
# A line longer than this is cut (with a note): gateway errors are short, a longer line
# is a dump of something else, and the search takes at most 16 KB.
MAX_LINE_BYTES = 4096
# Distinct shapes searched at most: a log of this many different errors is not one
# incident, and each search costs a few milliseconds.
MAX_SEARCHES = 500
# Line templates remembered (see _Template); past this, new templates are parsed each time.
MAX_TEMPLATES = 20_000
# Distinct unrecognised shapes counted one by one; the rest are counted together.
MAX_SHAPES = 5000
SHOWN_SHAPES = 10
REQUEST_IDS = 5
SAMPLE_CHARS = 500
NOTED_LINES = 20  # line numbers listed for cut or undecodable lines
PROGRESS_EVERY = 5000
CHUNK = 64 * 1024

# Lines worth parsing: they name a code, a 4xx/5xx status or a failure.
SIGNAL_RE = re.compile(
    r"APIGW?\W?\d{4}|(?<!\d)[45]\d\d(?!\d)|error|exception|fail|denied|throttl|expired|"
    r"timed? ?out|upstream|too many|unavailable|错误|失败|异常|超时",
    re.IGNORECASE,
)
# The log's own time at the start of a line: ISO 8601 (Java and Python loggers write a
# comma before the milliseconds), or nginx's [27/Nov/2026:01:02:03 +0800].
LEADING_ISO_RE = re.compile(
    r"^\W{0,3}(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?"
)
NGINX_TIME_RE = re.compile(r"\[(\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]")
# What varies between lines of one shape: times, identifiers, numbers.
VARYING_RE = re.compile(r"[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*|\d+")
HEX_RUN_RE = re.compile(r"[0-9a-fA-F]{8,}")
NUMBER_RE = re.compile(r"(?<!\d)\d{3,4}(?!\d)")
DIGITS = str.maketrans("123456789", "000000000")
BINARY_CONTROL_RE = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# A status the parser leaves to the row: the Java SDK's `httpStatusCode=429`.
STATUS_RE = re.compile(r"status_?code\W{0,3}([1-5]\d\d)(?!\d)", re.IGNORECASE)


class TriageError(ValueError):
    """A log that cannot be triaged; the message says why, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Line:
    number: int
    text: str
    cut: bool = False
    undecodable: bool = False


@dataclass
class Group:
    """The lines that matched one catalog row and one cause (or none)."""

    entry: ErrorEntry
    cause: Cause | None
    count: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    request_ids: list[str] = field(default_factory=list)
    sample: str = ""
    clock_skews: list[int] = field(default_factory=list)
    throttles: Counter = field(default_factory=Counter)
    token_expiries: Counter = field(default_factory=Counter)
    token_expired_before_request: list[int] = field(default_factory=list)
    share: float = 0.0

    def add(self, line: Line, query: ParsedQuery, moment, diagnosis: Diagnosis | None) -> None:
        self.count += 1
        status = query.http_status
        if status is None and (match := STATUS_RE.search(line.text)):
            status = int(match.group(1))
        if status:
            self.statuses[status] += 1
        if moment:
            self.first_seen = min(self.first_seen or moment, moment)
            self.last_seen = max(self.last_seen or moment, moment)
        request_id = query.request_id
        if request_id and len(self.request_ids) < REQUEST_IDS:
            if request_id not in self.request_ids:
                self.request_ids.append(request_id)
        if not self.sample:
            self.sample = redact(line.text[:SAMPLE_CHARS])
        facts = diagnosis.facts if diagnosis else {}
        if "clock_skew_seconds" in facts:
            self.clock_skews.append(facts["clock_skew_seconds"])
        if "throttle_policy" in facts:
            policy = (
                facts["throttle_policy"],
                facts.get("throttle_limit"),
                facts.get("throttle_window", ""),
            )
            self.throttles[policy] += 1
        if "token_expires_at" in facts:
            self.token_expiries[facts["token_expires_at"]] += 1
        if "token_expired_seconds_before_request" in facts:
            self.token_expired_before_request.append(facts["token_expired_seconds_before_request"])

    @property
    def clock_skew(self) -> dict | None:
        """Minimum, median and maximum skew; one value for every line is one wrong clock."""
        return _spread(self.clock_skews)

    @property
    def token_expired(self) -> dict | None:
        """Seconds between the token's expiry and each request, spread over the lines."""
        return _spread(self.token_expired_before_request)

    @property
    def throttle_policies(self) -> list[dict]:
        return [
            {"policy": policy, "limit": limit, "window": window, "count": count}
            for (policy, limit, window), count in self.throttles.most_common()
        ]

    def as_json(self, row_json: Callable[[ErrorEntry], dict]) -> dict:
        cause = self.cause
        return {
            "row": row_json(self.entry),
            "cause": cause.slug if cause else None,
            "explanation": cause.explanation if cause else "",
            "fix": cause.fix if cause else "",
            "count": self.count,
            "share": self.share,
            "http_statuses": sorted(self.statuses),
            "first_seen": iso(self.first_seen) if self.first_seen else None,
            "last_seen": iso(self.last_seen) if self.last_seen else None,
            "request_ids": self.request_ids,
            "sample": self.sample,
            "clock_skew_seconds": self.clock_skew,
            "throttle_policies": self.throttle_policies,
            "token_expires_at": sorted(self.token_expiries),
            "token_expired_seconds_before_request": self.token_expired,
        }


def _spread(values: list[int]) -> dict | None:
    if not values:
        return None
    return {
        "min": min(values),
        "median": round(statistics.median(values)),
        "max": max(values),
        "lines": len(values),
    }


@dataclass
class Report:
    encoding: str = ""
    lines: int = 0
    blank_lines: int = 0
    groups: list[Group] = field(default_factory=list)
    # Lines with a code or a 4xx/5xx status that no catalog row answers.
    unrecognised_errors: int = 0
    unrecognised: int = 0
    # [count, first line] by shape; `None` collects the shapes past MAX_SHAPES.
    shapes: dict = field(default_factory=dict)
    cut_lines: list[int] = field(default_factory=list)
    cut_count: int = 0
    undecodable_lines: list[int] = field(default_factory=list)
    undecodable_count: int = 0
    searches: int = 0
    unsearched: int = 0  # lines of shapes past MAX_SEARCHES
    # Failed calls per minute and code.
    per_minute: Counter = field(default_factory=Counter)

    @property
    def recognised(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def failed_calls(self) -> int:
        """Lines that matched a row, and lines with an error no row answers."""
        return self.recognised + self.unrecognised_errors

    def top_shapes(self, limit: int = SHOWN_SHAPES) -> list[dict]:
        ranked = sorted(self.shapes.items(), key=lambda item: -item[1][0])[:limit]
        return [
            {"count": count, "example": redact(first)[:SAMPLE_CHARS] if key else ""}
            for key, (count, first) in ranked
        ]

    def timeline(self) -> list[tuple[datetime, Counter]]:
        """(minute, failed calls by code) for every minute from the first to the last."""
        if not self.per_minute:
            return []
        minutes = [minute for minute, _code in self.per_minute]
        first, last = min(minutes), max(minutes)
        counts: dict[datetime, Counter] = {}
        for (minute, code), count in self.per_minute.items():
            counts.setdefault(minute, Counter())[code] = count
        span = int((last - first).total_seconds() // 60) + 1
        return [
            (moment, counts.get(moment, Counter()))
            for moment in (first + timedelta(minutes=n) for n in range(span))
        ]

    def as_json(self, row_json: Callable[[ErrorEntry], dict]) -> dict:
        """The report as the API, `triage --json` and the page's download give it."""
        return {
            "encoding": self.encoding,
            "lines": self.lines,
            "blank_lines": self.blank_lines,
            "failed_calls": self.failed_calls,
            "recognised": self.recognised,
            "groups": [group.as_json(row_json) for group in self.groups],
            "unrecognised": {
                "lines": self.unrecognised,
                "with_error_status": self.unrecognised_errors,
                "shapes": self.top_shapes(),
            },
            "cut_lines": {"count": self.cut_count, "first": self.cut_lines},
            "undecodable_lines": {
                "count": self.undecodable_count,
                "first": self.undecodable_lines,
            },
            "timeline": [
                {"minute": iso(minute), "codes": dict(sorted(codes.items()))}
                for minute, codes in self.timeline()
                if codes
            ],
        }

    def as_csv(self) -> str:
        """One line per row and cause, in the active language."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "code",
                "http_status",
                "message",
                "cause",
                "count",
                "share",
                "http_statuses_seen",
                "first_seen",
                "last_seen",
                "request_ids",
                "clock_skew_min_s",
                "clock_skew_median_s",
                "clock_skew_max_s",
                "throttle_policies",
                "token_expires_at",
                "sample",
                "remedy",
            ]
        )
        for group in self.groups:
            skew = group.clock_skew or {}
            writer.writerow(
                [
                    group.entry.code,
                    group.entry.http_status,
                    group.entry.message_en,
                    group.cause.slug if group.cause else "",
                    group.count,
                    group.share,
                    " ".join(map(str, sorted(group.statuses))),
                    iso(group.first_seen) if group.first_seen else "",
                    iso(group.last_seen) if group.last_seen else "",
                    " ".join(group.request_ids),
                    skew.get("min", ""),
                    skew.get("median", ""),
                    skew.get("max", ""),
                    "; ".join(
                        f"{p['policy']} {p['limit'] or ''}/{p['window']}".strip()
                        for p in group.throttle_policies
                    ),
                    " ".join(sorted(group.token_expiries)),
                    _csv_safe(group.sample),
                    _csv_safe(group.entry.remedy),
                ]
            )
        shapes = self.top_shapes()
        writer.writerow([])
        writer.writerow(["unrecognised_lines", self.unrecognised])
        for shape in shapes:
            writer.writerow(["unrecognised_shape", shape["count"], _csv_safe(shape["example"])])
        return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Reading ----------------------------------------------------------------------


class _Raw(io.RawIOBase):
    """Any object with `read(n)` as a raw stream, refused past `limit` bytes."""

    def __init__(self, source, limit: int | None = None, message: str = ""):
        self.source = source
        self.limit = limit
        self.message = message
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        self.total += len(data)
        if self.limit is not None and self.total > self.limit:
            raise TriageError(self.message, 413)
        buffer[: len(data)] = data
        return len(data)


def too_large() -> str:
    return _("The log is larger than %(limit)s MB: send the part around the failure.") % {
        "limit": MAX_BYTES // (1024 * 1024)
    }


def open_log(stream: BinaryIO) -> io.BufferedReader:
    """The log's bytes, decompressed when gzip; refused past MAX_BYTES sent, or past
    MAX_UNZIPPED_BYTES unpacked."""
    reader = io.BufferedReader(_Raw(stream, MAX_BYTES, too_large()), CHUNK)
    if reader.peek(2)[:2] == b"\x1f\x8b":
        unzipped = gzip.GzipFile(fileobj=reader, mode="rb")
        message = _("The log unpacks to more than %(limit)s MB: send the part around the failure.")
        message %= {"limit": MAX_UNZIPPED_BYTES // (1024 * 1024)}
        reader = io.BufferedReader(_Raw(unzipped, MAX_UNZIPPED_BYTES, message), CHUNK)
    return reader


def read_lines(stream: BinaryIO, report: Report) -> Iterator[Line]:
    """The log's lines, decoded, cut to MAX_LINE_BYTES; refusals raise TriageError."""
    try:
        reader = open_log(stream)
        head = reader.peek(8192)[:8192]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            report.encoding = "utf-16"
            yield from _utf16_lines(reader, report)
            return
        if head.startswith(b"\xef\xbb\xbf"):
            reader.read(3)
            report.encoding = "utf-8"
        _refuse_binary(head)
        yield from _byte_lines(reader, report)
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as error:
        if isinstance(error, TriageError):
            raise
        raise TriageError(_("The file looks compressed but is not a readable gzip file.")) from None


def _refuse_binary(head: bytes) -> None:
    if b"\x00" in head or len(BINARY_CONTROL_RE.findall(head)) > len(head) // 20:
        raise TriageError(
            _(
                "This is not a text log (it holds binary data). Send the log as text, "
                "or compressed with gzip."
            )
        )


def _byte_lines(reader: io.BufferedReader, report: Report) -> Iterator[Line]:
    number = 0
    while raw := reader.readline(MAX_LINE_BYTES + 1):
        number += 1
        cut = not raw.endswith(b"\n") and len(raw) > MAX_LINE_BYTES
        if cut:
            raw = raw[:MAX_LINE_BYTES]
            while (rest := reader.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
        raw = raw.rstrip(b"\r\n")
        text, undecodable = _decode(raw, report, cut)
        yield Line(number, text, cut, undecodable)


def _decode(raw: bytes, report: Report, cut: bool) -> tuple[str, bool]:
    """A line in the log's encoding, decided by its first line that is not ASCII."""
    if raw.isascii():
        return raw.decode("ascii"), False
    tried = [report.encoding] if report.encoding else ["utf-8", "gb18030"]
    for encoding in tried:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            # A line cut in the middle of a character: the character goes.
            if cut and error.start >= len(raw) - 4:
                try:
                    text = raw[: error.start].decode(encoding)
                except UnicodeDecodeError:
                    continue
            else:
                continue
        report.encoding = encoding
        return text, False
    return raw.decode(report.encoding or "utf-8", errors="replace"), True


def _utf16_lines(reader: io.BufferedReader, report: Report) -> Iterator[Line]:
    text = io.TextIOWrapper(reader, encoding="utf-16", errors="replace", newline=None)
    number = 0
    limit = MAX_LINE_BYTES // 2
    try:
        while line := text.readline(limit + 1):
            number += 1
            cut = not line.endswith("\n") and len(line) > limit
            if cut:
                line = line[:limit]
                while (rest := text.readline(CHUNK)) and not rest.endswith("\n"):
                    pass
            line = line.rstrip("\r\n")
            if number == 1:
                _refuse_binary(line.encode("utf-8", "replace")[:8192].replace(b"\x00", b"\x01"))
            yield Line(number, line, cut, "\ufffd" in line)
    except UnicodeDecodeError:  # pragma: no cover - errors="replace" decodes everything
        raise TriageError(_("The file cannot be read as UTF-16.")) from None


# Triage -----------------------------------------------------------------------


def line_time(text: str) -> datetime | None:
    """The log's own time of a line, when it starts with one (or has nginx's)."""
    if match := LEADING_ISO_RE.match(text):
        moment, fraction, zone = match.groups()
        value = moment + (f".{fraction[:6]}" if fraction else "") + (zone or "")
        return parse_time(value)
    if match := NGINX_TIME_RE.search(text, 0, 200):
        try:
            return datetime.strptime(match.group(1), "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
        except ValueError:
            return None
    return None


def shape_of(text: str) -> str:
    """What lines of one kind share: the text without its time, numbers and identifiers."""
    if match := LEADING_ISO_RE.match(text):
        text = text[match.end() :]
    return VARYING_RE.sub("#", text.strip())[:200]


@dataclass
class _Shape:
    entry: ErrorEntry | None
    causes: list[Cause]


def _zeros(match: re.Match) -> str:
    return "0" * len(match.group())


def template_key(rest: str) -> tuple:
    """Lines with one key differ only in their digits and long hexadecimal runs (times,
    request IDs), character for character: the same template. Codes, statuses and other
    numbers of three or four digits are part of the key, since they change what is read."""
    masked = HEX_RUN_RE.sub(_zeros, rest).translate(DIGITS)
    codes = tuple(match.group() for match in CODE_RE.finditer(rest))
    return masked, codes, tuple(NUMBER_RE.findall(rest))


class _Template:
    """What the parser read from the first line of a template, and where: the next lines
    of the template are read from the same places, without parsing them again. A free
    text that is not one piece of the line (the parser took a code or a request ID out of
    it) is read as the parser reads it, with the line's own request ID."""

    FIELDS = ("request_id", "message", "free_text")

    def __init__(self, rest: str, query: ParsedQuery | None):
        self.query = query
        self.failed = bool(query and (query.codes or (query.http_status or 0) >= 400))
        self.shape: _Shape | None = None  # the row its shape found, once searched
        self.places: dict[str, tuple[int, int]] | None = {}
        self.free_text: list[str] = []  # fields that are the free text, read as parse does
        if query is None:
            return
        for name in self.FIELDS:
            value = getattr(query, name)
            if not value:
                continue
            start = rest.find(value)
            if start != -1 and rest.find(value, start + 1) == -1:
                self.places[name] = (start, start + len(value))
            elif name != "request_id" and value == query.free_text:
                self.free_text.append(name)
            else:
                self.places = None  # not one place in the line: parse each line
                return

    def read(self, rest: str) -> ParsedQuery | None:
        """The line as the parser would read it; None when the fields have no one place."""
        if self.query is None or self.places is None:
            return None
        values = {name: rest[start:end] for name, (start, end) in self.places.items()}
        query = replace(self.query, text=rest, **values)
        if self.free_text:
            free_text = free_text_of(clean(rest), query)
            for name in self.free_text:
                setattr(query, name, free_text)
        return query


def triage(stream: BinaryIO, *, progress: Callable[[int], None] | None = None) -> Report:
    """Read a log (bytes) and group its failed calls by catalog row and cause.

    Raises TriageError for a log that cannot be triaged: empty, binary, over the limits.
    """
    report = Report()
    searched: dict[tuple, _Shape] = {}
    templates: dict[tuple, _Template] = {}
    groups: dict[tuple[int, str], Group] = {}
    for line in read_lines(stream, report):
        if line.number > MAX_LINES:
            raise TriageError(
                _("The log has more than %(limit)s lines: send the part around the failure.")
                % {"limit": f"{MAX_LINES:,}"},
                413,
            )
        if progress and line.number % PROGRESS_EVERY == 0:
            progress(line.number)
        report.lines = line.number
        _note(report, line)
        text = line.text.strip()
        if not text:
            report.blank_lines += 1
            continue
        rest = LEADING_ISO_RE.sub("", text, count=1)
        key = template_key(rest)
        template = templates.get(key)
        if template is None:
            query = parse(rest) if SIGNAL_RE.search(rest) else None
            template = _Template(rest, query)
            if len(templates) < MAX_TEMPLATES:
                templates[key] = template
        else:
            query = template.read(rest)
        if not template.failed:
            _unrecognised(report, text, False)
            continue
        if template.shape is None:
            template.shape = _search_shape(report, searched, template.query, text)
        shape = template.shape
        if shape is None or shape.entry is None:
            _unrecognised(report, text, True)
            continue
        entry = shape.entry
        if query is None:
            # A line the template cannot place its fields in: parsed when what it adds
            # counts (the detail for a cause, a request ID the group still lacks).
            group = groups.get((entry.pk, ""))
            lacks_ids = group is None or len(group.request_ids) < REQUEST_IDS
            if shape.causes or (template.query.request_id and lacks_ids):
                query = parse(rest)
            else:
                query = template.query
        moment = line_time(text)
        diagnosis = None
        if shape.causes:
            diagnosis = diagnose_detail(
                entry,
                details_in(entry, query.message, query.free_text),
                causes=shape.causes,
                request_time=moment or request_time_in(text),
                words=False,  # the facts are aggregated; no sentence is shown
            )
        cause = diagnosis.cause if diagnosis else None
        key = (entry.pk, cause.slug if cause else "")
        group = groups.get(key) or groups.setdefault(key, Group(entry=entry, cause=cause))
        group.add(line, query, moment, diagnosis)
        if moment:
            minute = moment.replace(second=0, microsecond=0)
            report.per_minute[(minute, entry.code)] += 1
    if report.lines == report.blank_lines:
        raise TriageError(_("The log is empty: there is no line to read."))
    report.groups = sorted(
        groups.values(), key=lambda g: (-g.count, g.entry.catalog, g.entry.sort_order)
    )
    failed = report.failed_calls
    for group in report.groups:
        group.share = round(group.count / failed, 4) if failed else 0.0
    report.encoding = report.encoding or "utf-8"
    return report


def _note(report: Report, line: Line) -> None:
    if line.cut:
        report.cut_count += 1
        if len(report.cut_lines) < NOTED_LINES:
            report.cut_lines.append(line.number)
    if line.undecodable:
        report.undecodable_count += 1
        if len(report.undecodable_lines) < NOTED_LINES:
            report.undecodable_lines.append(line.number)


def _search_shape(report: Report, searched: dict, query: ParsedQuery, text: str):
    """The row for the line's shape: searched once per shape, with its first line."""
    key = (tuple(query.codes), query.http_status, VARYING_RE.sub("#", query.message.lower())[:200])
    if (shape := searched.get(key)) is not None:
        return shape
    if report.searches >= MAX_SEARCHES:
        report.unsearched += 1
        return None
    report.searches += 1
    result = search(text, limit=1)
    entry = result.hits[0].entry if result.confident else None
    causes = Cause.objects.by_entry([entry.pk]).get(entry.pk, []) if entry else []
    searched[key] = shape = _Shape(entry=entry, causes=causes)
    return shape


def _unrecognised(report: Report, text: str, failed: bool) -> None:
    report.unrecognised += 1
    if failed:
        report.unrecognised_errors += 1
    key = shape_of(text)
    if key not in report.shapes and len(report.shapes) >= MAX_SHAPES:
        key = None
    counted = report.shapes.setdefault(key, [0, text[:SAMPLE_CHARS]])
    counted[0] += 1
