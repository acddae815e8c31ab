from functools import lru_cache

from django.conf import settings
from django.urls import translate_url
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

# Pages whose query string chooses what they show (a search, a filtered or later page of
# the list): their canonical address keeps it. Any other page's is its path alone.
QUERY_PAGES = {"search", "code-list"}


def language_links(request):
    """The page being viewed in each language: relative links for the language switch,
    and, for search engines, its absolute canonical address and hreflang alternates
    (x-default is the address without a language, which sends readers to theirs)."""
    current = get_language()
    full_path = request.get_full_path()
    links = [
        {
            "code": code,
            "name": name,
            "url": in_language(full_path, current, code),
            "active": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    match = request.resolver_match
    if match and match.url_name in QUERY_PAGES:
        path = full_path
    else:
        path = escape_uri_path(request.path)
    origin = site_origin(request)
    alternates = [
        {"code": code, "url": origin + in_language(path, current, code)}
        for code, _name in settings.LANGUAGES
    ]
    prefix = f"/{current}/"
    if path.startswith(prefix):
        alternates.append({"code": "x-default", "url": origin + path[len(prefix) - 1 :]})
    return {
        "language_links": links,
        "alternate_links": alternates,
        "canonical_url": origin + path,
        "site_name": settings.SITE_NAME,
    }


def in_language(path: str, current: str, code: str) -> str:
    # The query string goes along unchanged: the path alone is translated, once per process
    # (a search's every query string is new, its path is the same).
    path, mark, query = path.partition("?")
    return _path_in_language(path, current, code) + mark + query


@lru_cache(maxsize=1024)
def _path_in_language(path: str, current: str, code: str) -> str:
    url = translate_url(path, code)
    if url == path and code != current and path.startswith(f"/{current}/"):
        url = f"/{code}/" + path[len(current) + 2 :]
    return url


def site_origin(request) -> str:
    """https://host of the links search engines keep: SITE_URL, else where this request came."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
