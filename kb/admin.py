from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kb.models import Category, Cause, ErrorEntry, FaqArticle


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code_range", "name_zh", "name_en", "sort_order", "edited"]
    search_fields = ["slug", "name_zh", "name_en"]
    readonly_fields = ["edited", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "code_range", "sort_order"]}),
        (_("Name"), {"fields": [("name_zh", "name_en")]}),
        (_("Description"), {"fields": [("description_zh", "description_en")]}),
        (_("Status"), {"fields": ["edited", "updated_at"]}),
    ]


@admin.register(ErrorEntry)
class ErrorEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "http_status", "message_en", "category", "edited"]
    list_filter = ["catalog", "category", "http_status", "contact_support", "edited"]
    list_select_related = ["category"]
    search_fields = ["code", "message_en", "meaning_zh", "meaning_en", "remedy_zh", "remedy_en"]
    readonly_fields = ["edited", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["catalog", "code", "http_status", "message_en", "category", "sort_order"]},
        ),
        (_("Meaning"), {"fields": [("meaning_zh", "meaning_en")]}),
        (_("Remedy"), {"fields": [("remedy_zh", "remedy_en")]}),
        (_("Status"), {"fields": ["edited", "updated_at"]}),
    ]


@admin.register(FaqArticle)
class FaqArticleAdmin(admin.ModelAdmin):
    list_display = ["title_en", "title_zh", "slug", "edited"]
    search_fields = ["slug", "title_zh", "title_en", "body_zh", "body_en"]
    autocomplete_fields = ["entries"]
    readonly_fields = ["edited", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "sort_order"]}),
        (_("Title"), {"fields": [("title_zh", "title_en")]}),
        (_("Summary"), {"fields": [("summary_zh", "summary_en")]}),
        (_("Body (Markdown)"), {"fields": [("body_zh", "body_en")]}),
        (None, {"fields": ["entries"]}),
        (_("Status"), {"fields": ["edited", "updated_at"]}),
    ]


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
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
        (_("Status"), {"fields": ["edited", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description=_("codes"))
    def codes(self, cause):
        return ", ".join(sorted({entry.code for entry in cause.entries.all()}))
