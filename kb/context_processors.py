from functools import lru_cache

from django.conf import settings
from django.urls import translate_url
from django.utils.html import escape
from django.utils.translation import get_language

from kb.holes import Holes

# Pages whose query string chooses what they show (a search, a filtered or later page of
# the list): their canonical address keeps it. Any other page's is its path alone.
QUERY_PAGES = {"search", "code-list"}


def language_links(request):
    """The page being viewed in each language: the language switch (`language_switch`),
    and, for search engines, its absolute canonical address and hreflang alternates
    (`head_links`). Both are kept per path, language and origin (`LanguageLinks`); the
    query string, which each link carries as it is, is escaped once and put in."""
    path, mark, query = request.get_full_path().partition("?")
    links = _language_links(path, get_language(), site_origin(request))
    query = escape(mark + query)
    match = request.resolver_match
    keeps_query = match and match.url_name in QUERY_PAGES
    return {
        "head_links": links.head.fill({"query": query if keeps_query else ""}),
        "language_switch": links.switch.fill({"query": query}),
        "site_name": settings.SITE_NAME,
    }


class LanguageLinks:
    """The links of one path in each language, for one active language and origin,
    rendered with a hole for the query string: the language switch's, relative, and the
    head's canonical address and hreflang alternates, absolute (x-default is the address
    without a language, which sends readers to theirs)."""

    def __init__(self, path: str, current: str, origin: str):
        links = [
            {
                "code": code,
                "name": name,
                "url": _path_in_language(path, current, code),
                "active": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
        alternates = [{"code": link["code"], "url": origin + link["url"]} for link in links]
        prefix = f"/{current}/"
        if path.startswith(prefix):
            alternates.append({"code": "x-default", "url": origin + path[len(prefix) - 1 :]})
        head = {"canonical_url": origin + path, "alternate_links": alternates}
        self.head = Holes("kb/includes/head_links.html", head, ["query"])
        self.switch = Holes(
            "kb/includes/language_switch.html", {"language_links": links}, ["query"]
        )


@lru_cache(maxsize=1024)
def _language_links(path: str, current: str, origin: str) -> LanguageLinks:
    return LanguageLinks(path, current, origin)


@lru_cache(maxsize=1024)
def _path_in_language(path: str, current: str, code: str) -> str:
    url = translate_url(path, code)
    if url == path and code != current and path.startswith(f"/{current}/"):
        url = f"/{code}/" + path[len(current) + 2 :]
    return url


def site_origin(request) -> str:
    """https://host of the links search engines keep: SITE_URL, else where this request came."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
