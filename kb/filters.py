import django_filters
from django.utils.translation import gettext_lazy as _

from kb.models import Catalog, Category, ErrorEntry


def http_status_choices():
    statuses = ErrorEntry.objects.order_by("http_status").values_list("http_status", flat=True)
    return [(str(status), str(status)) for status in statuses.distinct()]


class ErrorEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Text"),
        max_length=200,
        help_text=_("Words from the code, message, meaning or remedy."),
    )
    catalog = django_filters.ChoiceFilter(
        choices=Catalog.choices, lookup_expr="exact", empty_label=_("All catalogs")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        lookup_expr="exact",
        empty_label=_("All categories"),
    )
    http_status = django_filters.ChoiceFilter(
        choices=http_status_choices,
        lookup_expr="exact",
        label=_("HTTP status"),
        empty_label=_("Any status"),
    )
    contact_support = django_filters.ChoiceFilter(
        choices=[("true", _("Yes")), ("false", _("No"))],
        method="filter_contact_support",
        label=_("Remedy is to contact support"),
        empty_label=_("Either"),
    )

    class Meta:
        model = ErrorEntry
        fields = ["q", "catalog", "category", "http_status", "contact_support"]

    def filter_contact_support(self, queryset, name, value):
        return queryset.filter(contact_support=(value == "true"))

    def filter_text(self, queryset, name, value):
        return queryset.containing(value)
