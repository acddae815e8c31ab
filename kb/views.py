from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_filters.views import FilterView

from kb.catalog import export_catalog, export_catalog_csv
from kb.client_address import client_key
from kb.feedback import FeedbackForm, from_this_site
from kb.filters import ErrorEntryFilter
from kb.models import Category, ErrorEntry, FaqArticle, Feedback
from kb.pagecache import cache_public_page
from kb.search.answer import Answer, answer, diagnose_rows, fits_in_url
from kb.search_page import render_search_page
from kb.signature_form import SignatureCheckForm
from kb.suggest import closest_codes
from kb.text.codes import canonical_code


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


# The box is on cached public pages, which carry no CSRF token (it would set a cookie);
# a search uses no session and changes nothing a session owns.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("q")
def search_page(request):
    """The results page. The search box posts (a paste of up to 16 KB fits in no URL);
    a query that fits in a URL is redirected to a shareable GET address."""
    text = (request.POST if request.method == "POST" else request.GET).get("q", "")
    if not text.strip():
        return render_search_page(request, Answer(text=text))
    # A post that fits in a URL is searched at its shareable address (recorded there, so
    # that one search counts once), not here as well: such a text is never too long.
    if request.method == "POST" and fits_in_url(q=text.replace("\r\n", "\n")):
        response = redirect(f"{reverse('kb:search')}?{urlencode({'q': text})}")
        response.status_code = 303
        return response
    found = answer(text, language=get_language(), client=partial(client_key, request))
    if found.redirect:
        response = redirect(found.redirect)
    else:
        response = render_search_page(request, found)
    response.kb_public = found.cacheable
    if not found.cacheable:
        add_never_cache_headers(response)  # it shows what was pasted
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
    canonical = canonical_code(code)
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
    # A result link passes on the pasted detail and the request's time: the same
    # diagnosis as on the results page goes first. Such a page shows the paste: uncached.
    echoes_paste = diagnose_rows(entries, request.GET)
    related = ErrorEntry.objects.related_to(entries[0])
    faqs = {faq.pk: faq for entry in entries for faq in entry.faqs.all()}.values()
    context = {"code": canonical, "entries": entries, "related": related, "faqs": faqs}
    response = render(request, "kb/code_detail.html", context)
    if echoes_paste:
        response.kb_public = False
        add_never_cache_headers(response)
    return response


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
    limited = Feedback.objects.over_limit(client)
    if not limited and not form.is_valid():
        return render(request, "kb/feedback.html", context, status=400)
    # save_for() counts again, in one step with the insert: posts of this client
    # at the same moment on other workers may have reached the limit.
    if limited or form.save_for(entry, client) is None:
        context["rate_limited"] = True
        return render(request, "kb/feedback.html", context, status=429)
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
