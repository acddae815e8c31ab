from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from kb.codes import normalize_code
from kb.filters import ErrorEntryFilter
from kb.models import Category, ErrorEntry, FaqArticle
from kb.pagecache import cache_public_page
from kb.suggest import closest_codes


@require_safe
@cache_public_page
def home(request):
    categories = Category.objects.annotate(row_count=Count("entries")).order_by("sort_order")
    statuses = (
        ErrorEntry.objects.values("http_status")
        .annotate(row_count=Count("id"))
        .order_by("http_status")
    )
    return render(request, "kb/home.html", {"categories": categories, "statuses": statuses})


@method_decorator(cache_public_page, name="dispatch")
class CodeListView(FilterView):
    filterset_class = ErrorEntryFilter
    queryset = ErrorEntry.objects.for_list()
    template_name = "kb/code_list.html"
    context_object_name = "entries"
    strict = True

    def get_paginate_by(self, queryset):
        return settings.KB_PAGE_SIZE

    def render_to_response(self, context, **response_kwargs):
        # Parameters that do not validate show the form's errors, as a client error.
        if self.filterset.is_bound and not self.filterset.is_valid():
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)


@require_safe
@cache_public_page
def code_detail(request, code):
    canonical = normalize_code(code)
    if canonical and canonical != code:
        return redirect("kb:code", canonical, permanent=True)
    entries = list(
        ErrorEntry.objects.of_code(canonical or "")
        .select_related("category")
        .prefetch_related("faqs")
    )
    if not entries:
        context = {"code": code, "suggestions": closest_codes(code)}
        return render(request, "kb/code_not_found.html", context, status=404)
    related = ErrorEntry.objects.related_to(entries[0])
    faqs = {faq.pk: faq for entry in entries for faq in entry.faqs.all()}.values()
    context = {"code": canonical, "entries": entries, "related": related, "faqs": faqs}
    return render(request, "kb/code_detail.html", context)


@require_safe
@cache_public_page
def faq_list(request):
    articles = FaqArticle.objects.prefetch_related("entries")
    return render(request, "kb/faq_list.html", {"articles": articles})


@require_safe
@cache_public_page
def faq_detail(request, slug):
    article = get_object_or_404(FaqArticle, slug=slug)
    entries = article.entries.order_by("catalog", "sort_order")
    return render(request, "kb/faq_detail.html", {"article": article, "entries": entries})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)
