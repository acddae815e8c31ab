"""A template rendered once with holes for the values that change between uses."""

import re
import secrets

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# What a template rendered with holes leaves open: a mark no catalog text holds (a NUL
# and a word chosen per process), the hole's name, a NUL.
_HOLE = f"\x00{secrets.token_hex(8)}:"
_HOLE_RE = re.compile(re.escape(_HOLE) + r"(\w+)\x00")


class Holes:
    """A template rendered once, with holes for the values that change between uses
    (`names`); `fill(values)` puts those in, escaped by the caller. With a `request`, the
    context processors run, and a hole named as one of their values takes its place."""

    def __init__(self, template_name: str, context: dict, names: list[str], request=None):
        holes = {name: mark_safe(f"{_HOLE}{name}\x00") for name in names}
        text = render_to_string(template_name, {**context, **holes}, request=request)
        pieces = _HOLE_RE.split(text)
        self.texts, self.names = pieces[0::2], pieces[1::2]

    def fill(self, values: dict[str, str]) -> str:
        out = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:], strict=True):
            out += (values[name], text)
        return mark_safe("".join(out))
