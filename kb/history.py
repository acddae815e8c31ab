"""Comparing two versions of a row or FAQ article, field by field, for the admin."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from kb.text.script import HAN_CHARS

# Chinese compares by character, other text by word, so that a diff stays small.
_PIECE_RE = re.compile(rf"[{HAN_CHARS}]|\w+|\s+|[^\w\s]")


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str

    @property
    def diff(self) -> SafeString:
        return inline_diff(self.old, self.new)


def inline_diff(old: str, new: str) -> SafeString:
    """`new` with what `old` had and it lacks in <del>, and what it adds in <ins>; escaped."""
    a, b = _PIECE_RE.findall(old), _PIECE_RE.findall(new)
    # (old text, new text) per stretch; equal stretches have both the same.
    stretches: list[list] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[a1:a2]), "".join(b[b1:b2])
        equal = op == "equal"
        # A lone space or punctuation mark between two changes reads better inside them.
        if equal and len(removed.strip()) <= 1 and stretches and not stretches[-1][2]:
            equal = False
        if stretches and not equal and not stretches[-1][2]:
            stretches[-1][0] += removed
            stretches[-1][1] += added
        else:
            stretches.append([removed, added, equal])
    out = []
    for removed, added, equal in stretches:
        if equal:
            out.append(escape(removed))
            continue
        if removed:
            out.append(f"<del>{escape(removed)}</del>")
        if added:
            out.append(f"<ins>{escape(added)}</ins>")
    return mark_safe("".join(out))  # every piece of text above is escaped


def compare_versions(older, newer) -> list[FieldChange]:
    """What changed from the historical record `older` to `newer`, in field order."""
    delta = newer.diff_against(older, foreign_keys_are_objs=True)
    model = newer.instance_type
    order = {field.name: i for i, field in enumerate(model._meta.get_fields())}
    changes = []
    for change in sorted(delta.changes, key=lambda c: order.get(c.field, 0)):
        field = model._meta.get_field(change.field)
        changes.append(
            FieldChange(
                name=change.field,
                label=capfirst(str(field.verbose_name)),
                old=_display(field, change.old),
                new=_display(field, change.new),
            )
        )
    return changes


def _display(field: models.Field, value) -> str:
    if field.many_to_many:
        # Rows of the through table: show the object on the other side of each link.
        target = field.m2m_reverse_field_name()
        return "\n".join(sorted(str(row[target]) for row in value or []))
    if field.choices and value is not None:
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)
