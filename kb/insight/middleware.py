import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kb.insight import counts


def _page_pattern(rest: str) -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/({languages})/{rest}$")


CODE = r"codes/(APIGW?\.[0-9]{4})/"


class InsightMiddleware:
    """Counts what the page cache may answer without reaching a view, so it sits above
    kb.pagecache.PageCacheMiddleware: a code page served (one upsert per view), and a
    search page's redirect to a code page that no search decision of this request
    counted (the cached answer to a code alone)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.code_page = _page_pattern(CODE)
        self.search_page = _page_pattern("search/")
        self.code_location = _page_pattern(CODE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        decided = counts.search_decided.set(False)
        try:
            response = self.get_response(request)
            if request.method == "GET":
                self.count(request.path_info, response)
        finally:
            counts.search_decided.reset(decided)
        return response

    def count(self, path: str, response: HttpResponse) -> None:
        if response.status_code == 200:
            if settings.KB_INSIGHT_PAGE_VIEWS and (match := self.code_page.match(path)):
                counts.record_code_view(match.group(2))
        elif response.status_code == 302 and not counts.search_decided.get():
            if match := self.search_page.match(path):
                location = urlsplit(response.get("Location", "")).path
                if target := self.code_location.match(location):
                    counts.record_cached_search(match.group(1), target.group(2))
