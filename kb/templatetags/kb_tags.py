from django import template

from kb.feedback import FeedbackForm
from kb.markdown import render_markdown
from kb.models import page_url, status_class

register = template.Library()


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


register.filter("status_class", status_class)


@register.filter
def feedback_form(entry) -> FeedbackForm:
    return FeedbackForm.for_entry(entry)


@register.filter
def message_for(messages, tag: str) -> str:
    """The text of the message sent for `tag` (e.g. a row's anchor), or ''."""
    return next((str(m) for m in messages if m.extra_tags == tag), "")
