from functools import lru_cache

from django.conf import settings
from django.urls import translate_url

# Pages whose query string chooses what they show (a search, a filtered or later page of
# the list): their canonical address keeps it. Any other page's is its path alone.
QUERY_PAGES = {"search", "code-list"}


def site_name(request):
    return {"site_name": settings.SITE_NAME}


def page_address(request) -> tuple[str, str, bool]:
    """The page's path and its query string (with its `?`, or ''), as get_full_path()
    writes them, and whether its canonical address keeps the query string."""
    path, mark, query = request.get_full_path().partition("?")
    match = request.resolver_match
    return path, mark + query, bool(match and match.url_name in QUERY_PAGES)


@lru_cache(maxsize=1024)
def path_in_language(path: str, current: str, code: str) -> str:
    """The path of the page in language `code`, once per process (a search's every query
    string is new, its path is the same)."""
    url = translate_url(path, code)
    if url == path and code != current and path.startswith(f"/{current}/"):
        url = f"/{code}/" + path[len(current) + 2 :]
    return url


def site_origin(request) -> str:
    """https://host of the links search engines keep: SITE_URL, else where this request came."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
