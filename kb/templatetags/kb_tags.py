import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.feedback import FeedbackForm
from kb.markdown import render_markdown
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


@register.simple_tag(name="row_link")
def row_link_tag(hit) -> str:
    """A result's row on its code page, with what that page needs to show the same
    diagnosis (kb.search.answer.row_link)."""
    return row_link(hit)


@register.filter
def highlight(text: str, terms) -> str:
    """`text`, escaped, with the words that matched the search in <mark>."""
    text = str(text or "")
    if not terms:
        return escape(text)
    marked = [False] * len(text)
    for match in WORD_OR_HAN_RE.finditer(text):
        word, start = match.group(), match.start()
        if HAN_RE.match(word):
            for i in range(len(word) - 1):
                if han_token(word[i : i + 2]) in terms:
                    marked[start + i] = marked[start + i + 1] = True
            if len(word) == 1 and han_token(word) in terms:
                marked[start] = True
        elif stem(word.lower()) in terms:
            for i in range(start, match.end()):
                marked[i] = True
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return mark_safe("".join(out))


@register.filter
def feedback_form(entry) -> FeedbackForm:
    return FeedbackForm.for_entry(entry)


@register.filter
def message_for(messages, tag: str) -> str:
    """The text of the message sent for `tag` (e.g. a row's anchor), or ''."""
    return next((str(m) for m in messages if m.extra_tags == tag), "")
