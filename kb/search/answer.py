"""The answer to a search: one decision for the search page, the JSON API and `lookup`.

`answer()` runs the engine once and decides, for that query: the rows and their
diagnoses (computed once, with the time the paste carries), whether the query may go
straight to a row or code page (never when that would drop a diagnosis or a request
ID), whether it joins the unknown-error queue, and whether the response may be cached
(a response that echoes what was pasted never is). The shells only format the answer.

A row's page reached from a result (`row_link()`) shows the same diagnosis: the link
carries the detail the cause matched and the request's time, and `diagnose_rows()` runs
the same stage on them. A detail too long for a URL is left out of the link.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.dispatch import Signal
from django.utils.translation import gettext as _

from kb.diagnosis.causes import diagnose_detail
from kb.models import ErrorEntry, code_page_url
from kb.search.engine import RESULT_LIMIT, Hit, QueryError, SearchResult, search
from kb.text.patterns import MAX_DETAIL_CHARS
from kb.unknown_errors import record_unknown_error

__all__ = [
    "Answer",
    "MAX_URL_TEXT_BYTES",
    "answer",
    "diagnose_rows",
    "row_link",
    "search_answered",
]

# No user text longer than this travels in a URL: proxies and gunicorn limit the request
# line (gunicorn.conf.py: 4,094 bytes), and a URL lands in histories and Referer headers.
MAX_URL_TEXT_BYTES = 2048

# Sent once per recorded query with a decision (answer, language, channel): what the
# Insight page counts (kb.insight.receivers), without this layer importing it.
search_answered = Signal()


@dataclass
class Answer:
    text: str
    result: SearchResult | None = None
    # 400 for an empty query, 413 for one over the limit; the message says why.
    status: int = 200
    error: str = ""
    # The row or code page the query names, when going there loses nothing.
    redirect: str = ""
    # The query joined the unknown-error queue (no sure answer).
    queued: bool = False
    # The response may be kept in the page cache: it echoes nothing that was pasted.
    cacheable: bool = False

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits if self.result else []

    @property
    def request_id(self) -> str:
        return self.result.query.request_id if self.result else ""

    def as_json(self) -> dict:
        """The answer as the API and `lookup --json` give it (kb/openapi.py's SearchAnswer)."""
        return {
            "query": self.text,
            "request_id": self.request_id or None,
            "sure": bool(self.result and self.result.confident),
            "statuses_to_ask": self.result.statuses_to_ask if self.result else [],
            "results": [hit.as_json() for hit in self.hits],
        }


def fits_in_url(**params: str) -> bool:
    return len(urlencode(params).encode()) <= MAX_URL_TEXT_BYTES


def answer(
    text: str | None,
    *,
    language: str,
    limit: int = RESULT_LIMIT,
    record: bool = True,
    client: Callable[[], str] | None = None,
    channel: str = "page",
) -> Answer:
    """Search `text` and decide what every shell shows. `record=False` keeps the query
    out of the unknown-error queue and the Insight counts (support staff at the command
    line); `client()` (kb.client_address.client_key of the request) is what the queue's
    per-client limits count, asked only for a search that goes to the queue; `channel`
    ("page" or "api") is where the Insight counts put the search."""
    # A browser sends a textarea's line breaks as CRLF: a 16 KB paste is 16 KB of text.
    text = text.replace("\r\n", "\n") if isinstance(text, str) else ""
    found = Answer(text=text)
    if not text.strip():
        found.status, found.error = 400, _("Give the text to search, e.g. APIG.0303.")
        return found
    try:
        result = search(text, limit=limit)
    except QueryError as error:
        found.status, found.error = 413, str(error)
        return found
    found.result = result
    if not result.confident:
        found.queued = True
        if record:
            record_unknown_error(text, language, client() if client else "")
    found.redirect = _redirect(result)
    # A redirect names a page of the catalog; every other answer shows the paste.
    found.cacheable = bool(found.redirect)
    if record:
        search_answered.send(Answer, answer=found, language=language, channel=channel)
    return found


def _redirect(result: SearchResult) -> str:
    """`apig-0201 413` names a row: its anchor; `APIG.0201` names a code: its page. Not
    when the paste carries a request ID or a detail whose cause the result shows."""
    query = result.query
    codes = {hit.entry.code for hit in result.hits}
    if not query.code_only or query.request_id or len(codes) != 1:
        return ""
    if any(hit.diagnosis for hit in result.hits):
        return ""
    if single := result.single:
        return single.entry.get_absolute_url()
    return code_page_url(codes.pop())


def row_link(hit: Hit, url: str = "") -> str:
    """The hit's row on its code page (`url`, when the caller has it already); with its
    diagnosis' detail and the request's time when they fit in a URL, so that the page
    shows the same diagnosis."""
    url = url or hit.entry.get_absolute_url()
    diagnosis = hit.diagnosis
    if not diagnosis:
        return url
    params = {"detail": diagnosis.detail}
    if diagnosis.request_time:
        params["at"] = diagnosis.request_time.isoformat()
    if not fits_in_url(**params):
        return url
    path, _sep, anchor = url.partition("#")
    return f"{path}?{urlencode(params)}#{anchor}"


def diagnose_rows(entries: Iterable[ErrorEntry], params: Mapping[str, str]) -> bool:
    """Set `entry.diagnosis` on a code page's rows from a result link's parameters (see
    `row_link()`). True when a detail was given: the page then echoes it, uncached."""
    detail = params.get("detail", "")[:MAX_DETAIL_CHARS]
    request_time = _time(params.get("at", ""))
    for entry in entries:
        entry.diagnosis = diagnose_detail(entry, [detail], request_time=request_time)
    return bool(detail.strip())


def _time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value[:64])
    except ValueError:
        return None
    return moment if moment.tzinfo else None
