import html
import re
import secrets
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kb.context_processors import page_address, path_in_language, site_origin
from kb.feedback import FeedbackForm
from kb.markdown import render_markdown
from kb.models import page_url
from kb.pagecache import KeptUntilCatalogChanges
from kb.search.answer import row_link
from kb.text.script import HAN_CHARS, HAN_RE
from kb.text.tokens import han_token, stem

register = template.Library()
WORD_OR_HAN_RE = re.compile(f"[A-Za-z0-9]+|[{HAN_CHARS}]+")


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.simple_tag
def other_language(obj, name: str, language: str) -> str:
    """The given field of `obj` in the language that is not active."""
    return obj.localized(name, "en" if language.startswith("zh") else "zh-hans")


@register.simple_tag(name="page_url")
def page_url_tag(viewname: str, *args) -> str:
    """`{% url %}` for a page every page links to, kept per process (kb.models.page_url)."""
    return page_url(viewname, *args)


@register.filter
def status_class(status) -> str:
    """The class of an HTTP status, as the stylesheet names it: 413 -> `4xx`."""
    return f"{str(status)[:1]}xx"


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


# What a template rendered with holes leaves open: a mark no catalog text holds (a NUL
# and a word chosen per process), the hole's name, a NUL.
_HOLE = f"\x00{secrets.token_hex(8)}:"
_HOLE_RE = re.compile(re.escape(_HOLE) + r"(\w+)\x00")


class Holes:
    """A template rendered once, with holes for the values that change between uses
    (`names`); `fill(values)` puts those in, escaped by the caller."""

    def __init__(self, template_name: str, context: dict, names: list[str]):
        holes = {name: mark_safe(f"{_HOLE}{name}\x00") for name in names}
        pieces = _HOLE_RE.split(render_to_string(template_name, {**context, **holes}))
        self.texts, self.names = pieces[0::2], pieces[1::2]

    def fill(self, values: dict[str, str]) -> str:
        out = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:], strict=True):
            out += (values[name], text)
        return mark_safe("".join(out))


class LanguageLinks:
    """The page being viewed in each language, for one path, active language and origin:
    relative links for the language switch, and, for search engines, its absolute
    canonical address and hreflang alternates (x-default is the address without a
    language, which sends readers to theirs). Rendered once, with a hole for the query
    string, which every link carries as it is."""

    def __init__(self, path: str, current: str, origin: str):
        links = [
            {
                "code": code,
                "name": name,
                "url": path_in_language(path, current, code),
                "active": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
        alternates = [{"code": link["code"], "url": origin + link["url"]} for link in links]
        prefix = f"/{current}/"
        if path.startswith(prefix):
            alternates.append({"code": "x-default", "url": origin + path[len(prefix) - 1 :]})
        self.head = Holes(
            "kb/includes/head_links.html",
            {"canonical_url": origin + path, "alternate_links": alternates},
            ["query"],
        )
        self.switch = Holes(
            "kb/includes/language_switch.html", {"language_links": links}, ["query"]
        )


@lru_cache(maxsize=1024)
def _language_links(path: str, current: str, origin: str) -> LanguageLinks:
    return LanguageLinks(path, current, origin)


def language_links(request, part: str) -> str:
    """The `part` of the page's language links ("head" or "switch"), its query string
    escaped and put in: the switch's links keep it, and the head's those of a search and
    a list (QUERY_PAGES); any other page's canonical address is its path alone."""
    path, query, keeps_query = page_address(request)
    links = _language_links(path, get_language(), site_origin(request))
    if part == "head" and not keeps_query:
        query = ""
    return getattr(links, part).fill({"query": escape(query)})


@register.simple_tag(takes_context=True)
def head_links(context) -> str:
    """The page's canonical address and its hreflang alternates."""
    return language_links(context["request"], "head")


@register.simple_tag(takes_context=True)
def language_switch(context) -> str:
    """The language switch: the page in each language."""
    return language_links(context["request"], "switch")


RESULT_TEMPLATE = "kb/includes/result.html"


def marked_texts(entry) -> dict[str, Markable]:
    """The texts of a row a result shows with the matched words marked, by hole name."""
    return {
        "message": Markable(entry.message_en),
        "meaning": Markable(entry.meaning),
        "remedy": Markable(entry.remedy),
    }


class ResultParts:
    """What every result that shows one row, in one language, for one kind of match, in
    first place or not, has in common: kb/includes/result.html rendered with holes for
    the hit's own values (`hit_values()`), the row's texts ready to be marked, and the
    address of the row on its code page."""

    def __init__(self, entry, match: str, first: bool):
        self.texts = marked_texts(entry)
        self.url = entry.get_absolute_url()
        context = {"entry": entry, "match": match, "first": first}
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


# By (row, language, kind of match, first place), until the catalog changes. The rows are
# the ones kept by kb.search.index.load_entries, with their FAQ articles read.
_result_parts = KeptUntilCatalogChanges(
    lambda keys: {key: ResultParts(key[0], *key[2:]) for key in keys}
)


@register.simple_tag
def result(hit, number: int) -> str:
    """The search page's result `number` (from 1): kb/includes/result.html, its parts
    common to every search that shows the row kept, the hit's own filled in."""
    key = (hit.entry, get_language(), hit.match, number == 1)
    parts = _result_parts.get([key])[key]
    return parts.holes.fill(hit_values(hit, number, parts.texts, parts.url))


def forget_result_parts() -> None:
    """Render every result's common parts afresh (tests: each starts a new database)."""
    _result_parts.forget()


@register.filter
def feedback_form(entry) -> FeedbackForm:
    return FeedbackForm.for_entry(entry)


@register.filter
def message_for(messages, tag: str) -> str:
    """The text of the message sent for `tag` (e.g. a row's anchor), or ''."""
    return next((str(m) for m in messages if m.extra_tags == tag), "")
