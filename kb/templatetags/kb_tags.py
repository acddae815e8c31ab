import html
import re

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kb.feedback import FeedbackForm
from kb.holes import Holes
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
