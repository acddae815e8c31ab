"""The admin's editing machinery: the locked form (two editors, one item: the later save is
refused, links merged), the conflict-safe admin, and history (who, when, what; the diff
of any two versions, field by field; revert). `kb.admin` builds its model admins on it."""

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kb.models import EditConflict
from kb.pagecache import hold_catalog_version
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


# --- Two editors, one item: the later save is refused -------------------------------------


class LockedForm(forms.ModelForm):
    """A change form that refuses to save over a version saved after it was opened.

    Links (every multiple-choice field: a row's FAQ articles, an article's or a cause's
    rows) are merged instead: a save adds the links the editor added and removes the
    ones they removed since the form was opened, and leaves alone the links someone
    else changed meanwhile. The admin builds the form for each model from the
    fieldsets, which must show `opened_revision` and `opened_links` (both hidden).
    """

    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened_links = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_revision"].initial = self.instance.revision
            opened = {name: sorted(self._stored_links(name)) for name in self._link_fields()}
            self.fields["opened_links"].initial = json.dumps(opened)

    def _link_fields(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelMultipleChoiceField)
        ]

    def _stored_links(self, name: str) -> set:
        if self.instance.pk is None:
            return set()
        return set(getattr(self.instance, name).values_list("pk", flat=True))

    def _opened_links(self, name: str) -> set | None:
        try:
            opened = json.loads(self.cleaned_data.get("opened_links") or "null")
        except ValueError:
            return None
        if not isinstance(opened, dict) or not isinstance(opened.get(name), list):
            return None
        return {pk for pk in opened[name] if isinstance(pk, int)}

    def merged_links(self, name: str):
        """What `name` links after this save: the stored links, with this editor's
        additions and removals since the form was opened."""
        chosen = {obj.pk for obj in self.cleaned_data[name]}
        stored = self._stored_links(name)
        opened = self._opened_links(name)
        if opened is None:  # a client that did not send what it opened: its choice as is
            opened = stored
        wanted = (stored - (opened - chosen)) | (chosen - opened)
        return self.fields[name].queryset.filter(pk__in=wanted)

    def _save_m2m(self):
        for name in self._link_fields():
            if name in self.cleaned_data:
                self.cleaned_data[name] = self.merged_links(name)
        super()._save_m2m()

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None or instance._state.adding:
            return cleaned
        opened = cleaned.get("opened_revision")
        with transaction.atomic():
            # The admin validates and saves in one transaction: locking the item here
            # makes a save at the same moment on another worker or host wait, then see
            # this one's revision and get this message, the typed text still in the form.
            hold_catalog_version()
            current = (
                type(instance)
                ._base_manager.select_for_update()
                .filter(pk=instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
        if opened is None or opened != current:
            raise ValidationError(self.conflict_message(), code="edit_conflict")
        # The model's save writes only over this revision, even if another save wins
        # the race between this check and that save.
        instance.revision = opened
        return cleaned

    def conflict_message(self) -> str:
        history = getattr(type(self.instance), "history", None)
        latest = None
        if history is not None:
            latest = history.model.objects.filter(id=self.instance.pk).first()
        if latest is not None and latest.history_user is not None:
            return _(
                "%(user)s saved this item at %(time)s, after you opened it. Your changes were "
                "not saved, so that theirs are not overwritten: open the item again in a new "
                "tab, then make your changes there."
            ) % {
                "user": latest.history_user.get_username(),
                "time": formats.date_format(latest.history_date, "DATETIME_FORMAT"),
            }
        return _(
            "Someone saved this item after you opened it. Your changes were not saved, so that "
            "theirs are not overwritten: open the item again in a new tab, then make your "
            "changes there."
        )


class ConflictSafeAdmin(admin.ModelAdmin):
    """Turns a conflict found at the very last moment into a message, not an error page."""

    class Media:
        css = {"all": ["kb/admin.css"]}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- History: who, when, what; the diff of any two versions; revert ----------------------


class HistoryAdmin(ConflictSafeAdmin, SimpleHistoryAdmin):
    object_history_template = "admin/kb/object_history.html"
    object_history_list_template = "admin/kb/object_history_list.html"
    history_list_per_page = 50

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="{}_{}_history_compare".format(*info),
        )
        # Before simple-history's `<id>/history/<version>/`, which would take "compare".
        return [compare, *super().get_urls()]

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        records = obj.history.select_related("history_user")
        chosen = [request.GET.get("from", ""), request.GET.get("to", "")]
        versions = [
            records.filter(history_id=int(value)).first() if value.isdigit() else None
            for value in chosen
        ]
        history_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk]
        )
        if None in versions or versions[0] == versions[1]:
            self.message_user(request, _("Choose two different versions to compare."))
            return redirect(history_url)
        older, newer = sorted(versions, key=lambda r: (r.history_date, r.history_id))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions: %s") % obj,
            "opts": self.opts,
            "object": obj,
            "older": older,
            "newer": newer,
            "changes": compare_versions(older, newer),
            "history_url": history_url,
            "revert_disabled": self.revert_disabled(request, obj),
        }
        return TemplateResponse(request, "admin/kb/history_compare.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**last_staff_edit(self.model))

    @admin.display(description=_("last edited by"), ordering="last_edited_at")
    def last_edit(self, obj):
        if not obj.last_editor:
            return "—"
        return f"{obj.last_editor}, {formats.date_format(obj.last_edited_at, 'SHORT_DATE_FORMAT')}"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except EditConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def last_staff_edit(model):
    """Subqueries of the user and time of the latest change a person made to each item."""
    edits = model.history.model.objects.filter(
        id=OuterRef("pk"), history_user__isnull=False
    ).order_by("-history_date")
    return {
        "last_editor": Subquery(edits.values("history_user__username")[:1]),
        "last_edited_at": Subquery(edits.values("history_date")[:1]),
    }
