"""The search page: kb/search.html and its results, with what every search of one shape
shows rendered once per process and each search's own values put in.

A unique paste is the search page's common case, so no page cache can answer it, and the
page's template nodes cost more than its search (README, "Where an uncached search page's
time goes"). What two such pages of one shape share (language, number of results, whether
the paste carries a request ID, whether the answer is sure and whether the page asks for
the HTTP status) is rendered once with holes (kb.holes.Holes); each page puts in its paste,
its request ID, its results and its language links. A result, in turn, keeps what every
search that shows its row has in common (`ResultParts`).
"""

import html
import re
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import get_language, gettext

from kb.context_processors import language_links
from kb.holes import Holes
from kb.models import ErrorEntry, page_url, status_class
from kb.pagecache import KeptUntilCatalogChanges
from kb.search.answer import fits_in_url, row_link
from kb.suggest import closest_codes
from kb.text.script import HAN_CHARS, HAN_RE
from kb.text.tokens import han_token, stem

SEARCH_TEMPLATE = "kb/search.html"
RESULT_TEMPLATE = "kb/includes/result.html"
WORD_OR_HAN_RE = re.compile(f"[A-Za-z0-9]+|[{HAN_CHARS}]+")
# How the results follow one another in the page's list.
RESULT_SEPARATOR = "\n      "
# The paste in the page's title is cut after this many characters.
TITLE_CHARS = 60


class Markable:
    """A text and the words of it a search may mark, found once: `highlight()` then only
    looks its words up in the search's terms."""

    def __init__(self, text: str):
        self.text = text
        # (start, end, token) of each stretch that may be marked, in the text's order.
        self.words: list[tuple[int, int, str]] = []
        for match in WORD_OR_HAN_RE.finditer(text):
            word, start = match.group(), match.start()
            if HAN_RE.match(word):
                for i in range(len(word) - 1):
                    self.words.append((start + i, start + i + 2, han_token(word[i : i + 2])))
                if len(word) == 1:
                    self.words.append((start, start + 1, han_token(word)))
            else:
                self.words.append((start, match.end(), stem(word.lower())))
        self.tokens = frozenset(token for _start, _end, token in self.words)
        self.escaped = escape(text)

    def highlight(self, terms) -> str:
        """The text, escaped, with the words that matched the search (`terms`) in <mark>."""
        if self.tokens.isdisjoint(terms):
            return self.escaped
        spans: list[list[int]] = []  # marked stretches, in order, touching ones joined
        for start, end, token in self.words:
            if token not in terms:
                continue
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        text, out, position = self.text, [], 0
        for start, end in spans:
            out.append(html.escape(text[position:start]))
            out.append(f"<mark>{html.escape(text[start:end])}</mark>")
            position = end
        out.append(html.escape(text[position:]))
        return mark_safe("".join(out))


def marked_texts(entry) -> dict[str, Markable]:
    """The texts of a row a result shows with the matched words marked, by hole name."""
    return {
        "message": Markable(entry.message_en),
        "meaning": Markable(entry.meaning),
        "remedy": Markable(entry.remedy),
    }


class ResultParts:
    """What every result that shows one row, in one language, for one kind of match, in
    first place or not, sure or not (`Hit.confident`), has in common:
    kb/includes/result.html rendered with holes for the hit's own values (`hit_values()`),
    the row's texts ready to be marked, and the address of the row on its code page."""

    def __init__(self, entry, match: str, first: bool, sure: bool):
        self.texts = marked_texts(entry)
        self.url = entry.get_absolute_url()
        context = {"entry": entry, "match": match, "first": first, "sure": sure}
        self.holes = Holes(RESULT_TEMPLATE, context, ["number", "link", "diagnosis", *self.texts])


def hit_values(hit, number: int, texts: dict[str, Markable], url: str) -> dict[str, str]:
    """A hit's own values in its result, escaped: its place, its link (to `url`, its row
    on the code page), its row's `texts` with the words it matched marked, its diagnosis."""
    values = {name: text.highlight(hit.terms) for name, text in texts.items()}
    values.update(number=str(number), link=escape(row_link(hit, url)), diagnosis="")
    if hit.diagnosis:
        values["diagnosis"] = render_to_string(
            "kb/includes/diagnosis.html", {"diagnosis": hit.diagnosis}
        )
    return values


# By (row, language, kind of match, first place, sure), until the catalog changes. The rows
# are the ones kept by kb.search.index.load_entries, with their FAQ articles read.
_result_parts = KeptUntilCatalogChanges(
    lambda keys: {key: ResultParts(key[0], *key[2:]) for key in keys}
)


def result_html(hit, number: int) -> str:
    """Result `number` (from 1) of the page: kb/includes/result.html, its parts common to
    every search that shows the row kept, the hit's own filled in."""
    key = (hit.entry, get_language(), hit.match, number == 1, hit.confident)
    parts = _result_parts.get([key])[key]
    return parts.holes.fill(hit_values(hit, number, parts.texts, parts.url))


def forget_kept_parts() -> None:
    """Render every page's and result's common parts afresh (tests: each starts a new
    database, and may change what a page shows)."""
    _result_parts.forget()
    _pages.clear()


def title_of(text: str) -> str:
    """`truncatechars(text, TITLE_CHARS)`, sooner for a text of ASCII alone (most pastes):
    no character of it combines with another or changes under NFC, so it is cut where
    Django's filter would cut it without the filter's walk over its characters."""
    if not text.isascii():
        return truncatechars(text, TITLE_CHARS)
    if len(text) <= TITLE_CHARS:
        return text
    return add_truncation_text(text[: calculate_truncate_chars_length(TITLE_CHARS, None)])


def status_choices(text: str, statuses: list[int]) -> str:
    """Links that search `text` again with each of `statuses` (`SearchResult.statuses_to_ask`):
    a reader who wrote none picks the one the gateway answered. Nothing when such an address
    would not fit in a URL (the box is there for the status then)."""
    links = []
    for status in statuses:
        query = f"{text} HTTP {status}"
        if not fits_in_url(q=query):
            return ""
        address = f"{page_url('kb:search')}?{urlencode({'q': query})}"
        links.append((f"status status-{status_class(status)}", address, status))
    if not links:
        return ""
    return format_html(
        '<p class="status-choices">{} {}</p>',
        gettext("Search again with the status:"),
        format_html_join(" ", '<a class="{}" href="{}">{}</a>', links),
    )


def search_context(found) -> dict:
    """What kb/search.html shows of an answer (kb.search.answer.Answer)."""
    result = found.result
    context = {
        "query": found.text,
        "query_title": title_of(found.text),
        "error": found.error,
        "result": bool(result),
        "request_id": "",
        "shown_count": 0,
        "sure": False,
        "ask_status": False,
        "status_choices": "",
        "results": "",
    }
    if result:
        shown = result.shown
        context["sure"] = result.confident
        context["ask_status"] = result.asks_for_status
        context["status_choices"] = status_choices(found.text, result.statuses_to_ask)
        # The FAQ articles of the rows shown, in one query (none for rows that have them).
        ErrorEntry.read_faqs([hit.entry for hit in shown])
        context.update(
            request_id=result.query.request_id or "",
            shown_count=len(shown),
            results=mark_safe(
                RESULT_SEPARATOR.join(result_html(hit, n) for n, hit in enumerate(shown, 1))
            ),
        )
        if not shown and result.unknown_codes:
            context["unknown_code"] = result.unknown_codes[0]
            context["suggestions"] = closest_codes(result.unknown_codes[0])
    return context


# What differs between two search pages of one shape: each is a hole. None may be shown
# inside a {% cache %} fragment, which would keep the hole for every page that shows it.
PAGE_HOLES = [
    "query",
    "query_title",
    "results",
    "status_choices",
    "head_links",
    "language_switch",
]


def render_search_page(request, found) -> HttpResponse:
    """The page of an answer that shows no redirect: kept parts with this search's own
    filled in when it found rows (the common case), else kb/search.html rendered."""
    context = search_context(found)
    if not context["shown_count"] or context["error"]:
        return render(request, SEARCH_TEMPLATE, context, status=found.status)
    shows_request_id = bool(context["request_id"])
    holes = [*PAGE_HOLES, "request_id"] if shows_request_id else PAGE_HOLES
    key = (
        get_language(),
        context["shown_count"],
        shows_request_id,
        context["sure"],
        context["ask_status"],
    )
    if (page := _pages.get(key)) is None:
        # Rendered with this request: the context processors' values are holes as well.
        page = _pages[key] = Holes(SEARCH_TEMPLATE, context, holes, request=request)
    values = {**context, **language_links(request)}
    filled = page.fill({name: conditional_escape(values[name]) for name in holes})
    return HttpResponse(filled, status=found.status)


# By (language, number of results, whether a request ID is shown, whether the answer is
# sure, whether the page asks for the status): a few dozen at most.
# Templates and settings do not change while a process runs. A page is rendered with the
# first request of its shape, so nothing in kb/search.html may depend on who asks (the
# user, the session): a test checks that a staff member's search leaves nothing of theirs.
_pages: dict[tuple, Holes] = {}
