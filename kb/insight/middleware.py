import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kb.insight import counts


def _code_page_pattern() -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:{languages})/codes/(APIGW?\.[0-9]{{4}})/$")


class CodePageViewMiddleware:
    """Counts a code page each time it is served, whether rendered or answered from the
    page cache (so it sits above kb.pagecache.PageCacheMiddleware): one upsert per view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.pattern = _code_page_pattern()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "GET" and response.status_code == 200:
            if match := self.pattern.match(request.path_info):
                counts.record_code_view(match.group(1))
        return response
