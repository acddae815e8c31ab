"""The support editors' workflow: edit side by side, lose nothing, see where customers fail."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kb.editing import ConflictSafeAdmin, HistoryAdmin, LockedForm
from kb.markdown import render_markdown
from kb.models import (
    Category,
    Cause,
    ErrorAlias,
    ErrorEntry,
    FaqArticle,
    Feedback,
    FeedbackByRow,
    UnansweredSearch,
)

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME


# --- Categories ---------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(ConflictSafeAdmin):
    form = LockedForm
    list_display = ["code_range", "name_zh", "name_en", "sort_order", "edited"]
    search_fields = ["slug", "name_zh", "name_en"]
    readonly_fields = ["edited", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "code_range", "sort_order"]}),
        (_("Name"), {"fields": [("name_zh", "name_en")]}),
        (_("Description"), {"fields": [("description_zh", "description_en")]}),
        (_("Status"), {"fields": ["edited", "updated_at", "opened_revision", "opened_links"]}),
    ]


# --- Error-code rows ----------------------------------------------------------------------


class ErrorEntryForm(LockedForm):
    faqs = forms.ModelMultipleChoiceField(
        queryset=FaqArticle.objects.all(),
        required=False,
        label=_("FAQ articles"),
        # The link table's foreign key to articles tells the widget what to search.
        widget=AutocompleteSelectMultiple(
            FaqArticle.entries.through._meta.get_field("faqarticle"), admin.site
        ),
    )
    confirm_translation = forms.BooleanField(
        initial=False,
        required=False,
        label=_("Both languages checked"),
        help_text=_(
            "Tick when the Chinese and the English of the meaning and of the remedy say the "
            "same thing. Clears “translation needs review”."
        ),
    )

    class Meta:
        model = ErrorEntry
        fields = list(ErrorEntry.catalog_fields)  # what staff edit is what the catalog holds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["faqs"].initial = [faq.pk for faq in self.instance.faqs.all()]

    def save(self, commit=True):
        if self.cleaned_data.get("confirm_translation"):
            self.instance.confirm_translation()
        return super().save(commit)

    def _save_m2m(self):
        super()._save_m2m()  # merges the FAQ links (LockedForm)
        if "faqs" in self.cleaned_data:
            self.instance.link_faqs(self.cleaned_data["faqs"])


class ErrorAliasInline(admin.TabularInline):
    """A row's aliases, each its own form: a save adds, changes or deletes only the
    aliases the editor touched, so one added meanwhile (from the queue) stays."""

    model = ErrorAlias
    fields = ["text", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    extra = 1
    verbose_name_plural = _("Aliases: other wordings of this row's message that search matches")


@admin.register(ErrorEntry)
class ErrorEntryAdmin(HistoryAdmin):
    form = ErrorEntryForm
    list_display = [
        "code",
        "http_status",
        "message_en",
        "category",
        "edited",
        "translation_review",
        "last_edit",
        "helpful_count",
        "unhelpful_count",
    ]
    list_filter = ["catalog", "category", "http_status", "translation_review", "edited"]
    list_select_related = ["category"]
    search_fields = [
        "code",
        "message_en",
        "meaning_zh",
        "meaning_en",
        "remedy_zh",
        "remedy_en",
        "aliases__text",
    ]
    readonly_fields = ["edited", "translation_review", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["catalog", "code", "http_status", "message_en", "category", "sort_order"]},
        ),
        (_("Meaning"), {"fields": [("meaning_zh", "meaning_en")]}),
        (_("Remedy"), {"fields": [("remedy_zh", "remedy_en")]}),
        (_("Translation"), {"fields": ["translation_review", "confirm_translation"]}),
        (_("Search"), {"fields": [("phrasings_zh", "phrasings_en")]}),
        (_("FAQ articles"), {"fields": ["faqs"]}),
        (_("Status"), {"fields": ["edited", "updated_at", "opened_revision", "opened_links"]}),
    ]

    inlines = [ErrorAliasInline]

    def save_formset(self, request, form, formset, change):
        for alias in formset.save(commit=False):
            if alias.created_by_id is None:
                alias.created_by = request.user
            alias.save()
        for alias in formset.deleted_objects:
            alias.delete()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_feedback_counts()
            # Grouped queries drop Meta.ordering; autocomplete pages need an order.
            .order_by("catalog", "sort_order")
        )

    @admin.display(description=_("fixed it"), ordering="helpful_count")
    def helpful_count(self, obj):
        return obj.helpful_count

    @admin.display(description=_("did not fix it"), ordering="unhelpful_count")
    def unhelpful_count(self, obj):
        return obj.unhelpful_count

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        search = self._unanswered_search(request)
        if search is not None:
            initial.setdefault("message_en", search.redacted_text[:255])
        return initial

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search = self._unanswered_search(request)
        if not change and search is not None:
            search.resolve(request.user, entry=obj)

    @staticmethod
    def _unanswered_search(request) -> UnansweredSearch | None:
        """The queue entry this new row is made from (`?unanswered=<id>`), if any."""
        value = request.GET.get("unanswered", "")
        return UnansweredSearch.objects.filter(pk=int(value)).first() if value.isdigit() else None


# --- FAQ articles -------------------------------------------------------------------------


@admin.register(FaqArticle)
class FaqArticleAdmin(HistoryAdmin):
    form = LockedForm
    list_display = ["title_en", "title_zh", "slug", "edited", "last_edit"]
    search_fields = ["slug", "title_zh", "title_en", "body_zh", "body_en"]
    autocomplete_fields = ["entries"]
    readonly_fields = ["edited", "updated_at", "preview_zh", "preview_en"]
    fieldsets = [
        (None, {"fields": ["slug", "sort_order"]}),
        (_("Title"), {"fields": [("title_zh", "title_en")]}),
        (_("Summary"), {"fields": [("summary_zh", "summary_en")]}),
        (_("Body (Markdown)"), {"fields": [("body_zh", "body_en")]}),
        (_("As readers see it (saved version)"), {"fields": [("preview_zh", "preview_en")]}),
        (None, {"fields": ["entries"]}),
        (_("Status"), {"fields": ["edited", "updated_at", "opened_revision", "opened_links"]}),
    ]

    @admin.display(description=_("body (Chinese), sanitized"))
    def preview_zh(self, obj):
        return render_markdown(obj.body_zh)

    @admin.display(description=_("body (English), sanitized"))
    def preview_en(self, obj):
        return render_markdown(obj.body_en)


# --- Aliases ------------------------------------------------------------------------------


@admin.register(ErrorAlias)
class ErrorAliasAdmin(admin.ModelAdmin):
    list_display = ["text", "entry", "created_by", "created_at"]
    list_select_related = ["entry", "created_by"]
    search_fields = ["text", "entry__code", "entry__message_en"]
    autocomplete_fields = ["entry"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Feedback -----------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["entry", "helpful", "reason", "shown_comment", "language", "created_at"]
    list_filter = ["helpful", "reason", "language", "created_at"]
    list_select_related = ["entry"]
    search_fields = ["entry__code", "entry__message_en", "comment"]
    fields = ["entry", "helpful", "reason", "shown_comment", "language", "created_at"]
    readonly_fields = ["shown_comment", "created_at"]

    @admin.display(description=_("comment"))
    def shown_comment(self, obj):
        return obj.redacted_comment


@admin.register(FeedbackByRow)
class FeedbackByRowAdmin(ReadOnlyAdmin):
    """The rows customers most often say did not fix their problem."""

    list_display = [
        "code",
        "http_status",
        "message_en",
        "helpful",
        "unhelpful",
        "unhelpful_percent",
        "answers",
    ]
    list_display_links = None
    search_fields = ["code", "message_en"]
    list_filter = ["catalog", "category"]

    def get_queryset(self, request):
        return FeedbackByRow.objects.worst_rated()

    def get_ordering(self, request):
        return ["-unhelpful_share", "-unhelpful_count", "catalog", "sort_order"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("fixed it"), ordering="helpful_count")
    def helpful(self, obj):
        return obj.helpful_count

    @admin.display(description=_("did not fix it"), ordering="unhelpful_count")
    def unhelpful(self, obj):
        return obj.unhelpful_count

    @admin.display(description=_("did not fix it (share)"), ordering="unhelpful_share")
    def unhelpful_percent(self, obj):
        return f"{obj.unhelpful_share:.0%}"

    @admin.display(description=_("answers"))
    def answers(self, obj):
        url = (
            reverse("admin:kb_feedback_changelist") + "?" + urlencode({"entry__id__exact": obj.pk})
        )
        row_url = reverse("admin:kb_errorentry_change", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            url,
            _("read the answers"),
            row_url,
            _("edit the row"),
        )


# --- The unknown-error queue --------------------------------------------------------------


class UnansweredSearchForm(forms.ModelForm):
    alias_text = forms.CharField(
        label=_("Alias text"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "With a row chosen above, this wording becomes an alias of that row, which search "
            "then matches. Keep the words that identify the error; the placeholders in "
            "angle brackets may go."
        ),
    )

    class Meta:
        model = UnansweredSearch
        fields = ["resolved_entry", "alias_text", "status"]
        widgets = {
            "resolved_entry": AutocompleteSelect(
                UnansweredSearch._meta.get_field("resolved_entry"), admin.site
            )
        }
        help_texts = {
            "resolved_entry": _("The row that answers this search. Saving marks it resolved.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["alias_text"].initial = self.instance.redacted_text[:500]


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    form = UnansweredSearchForm
    view_on_site = False  # the queue is not on the public site
    list_display = [
        "short_text",
        "count",
        "first_seen",
        "last_seen",
        "status",
        "resolved_entry",
        "seen_again",
    ]
    list_filter = ["status", "language"]
    list_select_related = ["resolved_entry"]
    search_fields = ["normalized", "text"]
    readonly_fields = [
        "shown_text",
        "count",
        "first_seen",
        "last_seen",
        "language",
        "new_row",
        "resolved_by",
        "resolved_at",
    ]
    fieldsets = [
        (None, {"fields": ["shown_text", "count", "first_seen", "last_seen", "language"]}),
        (
            _("Answer it"),
            {
                "description": _(
                    "Either choose the row that answers this search (and keep the alias text), "
                    "or create a new row from it."
                ),
                "fields": ["resolved_entry", "alias_text", "new_row", "status"],
            },
        ),
        (_("Resolved"), {"fields": ["resolved_by", "resolved_at"]}),
    ]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False  # recorded by search, not written by hand

    @admin.display(description=_("search"))
    def short_text(self, obj):
        text = obj.redacted_text
        return text if len(text) <= 120 else text[:119] + "…"

    @admin.display(description=_("search"))
    def shown_text(self, obj):
        return obj.redacted_text

    @admin.display(description=_("seen since resolved"), boolean=True)
    def seen_again(self, obj):
        return obj.seen_since_resolved

    @admin.display(description=_("new row"))
    def new_row(self, obj):
        url = reverse("admin:kb_errorentry_add") + "?" + urlencode({"unanswered": obj.pk})
        return format_html('<a class="button" href="{}">{}</a>', url, _("Create a row from it"))

    def save_model(self, request, obj, form, change):
        entry = form.cleaned_data.get("resolved_entry")
        was_resolved = form.initial.get("status") == UnansweredSearch.Status.RESOLVED
        if entry is not None:
            obj.resolve(request.user, entry=entry, alias_text=form.cleaned_data["alias_text"])
        elif obj.status == UnansweredSearch.Status.RESOLVED and not was_resolved:
            obj.resolve(request.user)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Mark the selected searches resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        for search in queryset.open():
            search.resolve(request.user)


# --- Known causes -------------------------------------------------------------------------


@admin.register(Cause)
class CauseAdmin(HistoryAdmin):
    form = LockedForm
    list_display = ["slug", "codes", "sort_order", "kind", "pattern", "edited"]
    list_filter = ["kind", "edited"]
    search_fields = ["slug", "pattern", "explanation_zh", "explanation_en", "fix_zh", "fix_en"]
    autocomplete_fields = ["entries"]
    readonly_fields = ["edited", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "sort_order", "entries"]}),
        (_("Matching"), {"fields": ["pattern", "kind"]}),
        (_("Explanation"), {"fields": [("explanation_zh", "explanation_en")]}),
        (_("Fix"), {"fields": [("fix_zh", "fix_en")]}),
        (_("Status"), {"fields": ["edited", "updated_at", "opened_revision", "opened_links"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description=_("codes"))
    def codes(self, cause):
        return ", ".join(sorted({entry.code for entry in cause.entries.all()}))
