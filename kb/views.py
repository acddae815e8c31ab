from django.conf import settings
from django.contrib import messages
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_filters.views import FilterView

from kb.catalog import export_catalog, export_catalog_csv
from kb.codes import normalize_code
from kb.diagnosis.causes import diagnose_detail
from kb.diagnosis.patterns import MAX_DETAIL_CHARS
from kb.feedback import FeedbackForm, from_this_site
from kb.filters import ErrorEntryFilter
from kb.forms import SignatureCheckForm
from kb.models import Category, ErrorEntry, FaqArticle, Feedback, code_page_url
from kb.pagecache import cache_public_page
from kb.search.engine import QueryError, search
from kb.security import client_key
from kb.suggest import closest_codes
from kb.unknown import record_if_unanswered


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


def search_page(request):
    text = request.GET.get("q", "")
    context = {"query": text, "result": None, "suggestions": []}
    if not text.strip():
        return render(request, "kb/search.html", context)
    try:
        result = search(text)
    except QueryError as error:
        context["error"] = str(error)
        return render(request, "kb/search.html", context, status=400)
    record_if_unanswered(text, result, get_language(), client_key(request))
    codes = {hit.entry.code for hit in result.hits}
    if result.query.code_only and not result.query.request_id and len(codes) == 1:
        # `apig-0201 413` names a row: go to it; `APIG.0201` names a code: go to its page.
        single = result.single
        if single:
            response = redirect(single.entry.get_absolute_url())
        else:
            response = redirect(code_page_url(codes.pop()))
        response.kb_public = True  # a sure answer: it may be reused
        return response
    context["result"] = result
    # The FAQ articles of the rows shown, in one query.
    prefetch_related_objects([hit.entry for hit in result.shown], "faqs")
    if not result.hits and result.unknown_codes:
        context["suggestions"] = closest_codes(result.unknown_codes[0])
    response = render(request, "kb/search.html", context)
    # Many customers paste the same error: a sure answer may be served again from the
    # page cache. An unsure one is not, so that every such search reaches the queue.
    response.kb_public = result.confident
    return response


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
        .prefetch_related("faqs", "causes")
    )
    if not entries:
        context = {"code": code, "suggestions": closest_codes(code)}
        return render(request, "kb/code_not_found.html", context, status=404)
    # The detail of a pasted error, passed on by the search page: its cause goes first.
    detail = request.GET.get("detail", "")[:MAX_DETAIL_CHARS]
    for entry in entries:
        entry.diagnosis = diagnose_detail(entry, [detail])
    related = ErrorEntry.objects.related_to(entries[0])
    faqs = {faq.pk: faq for entry in entries for faq in entry.faqs.all()}.values()
    context = {"code": canonical, "entries": entries, "related": related, "faqs": faqs}
    return render(request, "kb/code_detail.html", context)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("gateway", "client")
@never_cache
def signature_checker(request):
    """Two canonical requests side by side. Nothing pasted here is stored."""
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "gateway" in request.GET else None)
    )
    form = SignatureCheckForm(data)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "kb/signature_checker.html", {"form": form}, status=status)


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


@csrf_exempt  # the origin is checked instead: see from_this_site()
@require_POST
def feedback(request, pk):
    entry = get_object_or_404(ErrorEntry, pk=pk)
    if not from_this_site(request):
        message = _("Answers are accepted only from the code pages of this site.")
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    client = client_key(request)
    form = FeedbackForm(request.POST)
    context = {"entry": entry, "feedback_form": form}
    if Feedback.objects.over_limit(client):
        context["rate_limited"] = True
        return render(request, "kb/feedback.html", context, status=429)
    if not form.is_valid():
        return render(request, "kb/feedback.html", context, status=400)
    form.save_for(entry, client)
    messages.success(request, _("Thank you: your answer helps us improve this row."), entry.anchor)
    return redirect(entry.get_absolute_url())


def catalog_download(request, format):
    if format == "json":
        body, content_type = export_catalog(), "application/json; charset=utf-8"
    elif format == "csv":
        # The byte-order mark lets spreadsheet programs read the Chinese text as UTF-8.
        body, content_type = "\ufeff" + export_catalog_csv(), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="apig-kb-catalog.{format}"'
    return response


def page_not_found(request, exception):
    return render(request, "404.html", status=404)
