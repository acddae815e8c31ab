import html
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.feedback import FeedbackForm
from kb.markdown import render_markdown
from kb.models import page_url
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


@register.simple_tag(name="row_link")
def row_link_tag(hit) -> str:
    """A result's row on its code page, with what that page needs to show the same
    diagnosis (kb.search.answer.row_link)."""
    return row_link(hit)


@register.filter
def status_class(status) -> str:
    """The class of an HTTP status, as the stylesheet names it: 413 -> `4xx`."""
    return f"{str(status)[:1]}xx"


@register.filter
def highlight(text: str, terms) -> str:
    """`text`, escaped, with the words that matched the search in <mark>."""
    text = str(text or "")
    if not terms:
        return escape(text)
    spans: list[list[int]] = []  # marked stretches, in order, touching ones joined

    def mark(start: int, end: int) -> None:
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])

    for match in WORD_OR_HAN_RE.finditer(text):
        word, start = match.group(), match.start()
        if HAN_RE.match(word):
            for i in range(len(word) - 1):
                if han_token(word[i : i + 2]) in terms:
                    mark(start + i, start + i + 2)
            if len(word) == 1 and han_token(word) in terms:
                mark(start, start + 1)
        elif stem(word.lower()) in terms:
            mark(start, match.end())
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))


@register.filter
def feedback_form(entry) -> FeedbackForm:
    return FeedbackForm.for_entry(entry)


@register.filter
def message_for(messages, tag: str) -> str:
    """The text of the message sent for `tag` (e.g. a row's anchor), or ''."""
    return next((str(m) for m in messages if m.extra_tags == tag), "")
