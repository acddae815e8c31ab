"""What search engines read in every page's head, from gunicorn with the production settings
behind the TLS proxy: one absolute canonical address, absolute hreflang alternates for both
languages and x-default that lead back to each other, and noindex on searches alone."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

PAGES = [
    "/zh-hans/",
    "/en/",
    "/en/codes/APIG.0201/",
    "/zh-hans/codes/APIGW.0308/",
    "/en/codes/",
    "/zh-hans/faq/",
    "/en/faq/api-not-published-to-environment/",
    "/zh-hans/diagnose/signature/",
]
SEARCH = "/en/search/?q=backend+timeout+504"


class Head(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.canonical: list[str] = []
        self.alternates: dict[str, str] = {}
        self.robots: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            assert attrs["hreflang"] not in self.alternates, f"two {attrs['hreflang']} links"
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "meta" and attrs.get("name") == "robots":
            self.robots.append(attrs["content"])


def head(site, path: str) -> Head:
    response = site.get(path)
    assert response.status_code == 200, path
    return Head(response.text)


def local(url: str) -> str:
    """The path and query of an absolute URL of this site, to request it again."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_names_its_absolute_address_and_both_languages(site, production_server, path):
    page = head(site, path)
    # Behind the TLS proxy the site's address is https, on the host the reader asked for.
    origin = "https://" + urlsplit(production_server.url).netloc

    assert page.canonical == [origin + path]
    assert set(page.alternates) == {"zh-hans", "en", "x-default"}
    assert all(url.startswith(origin + "/") for url in page.alternates.values())
    language = path.split("/")[1]
    assert page.alternates[language] == origin + path
    assert page.alternates["x-default"] == origin + path[len(language) + 1 :]
    assert page.robots == []


@pytest.mark.parametrize("path", PAGES)
def test_each_alternate_is_a_page_that_links_back(site, path):
    page = head(site, path)
    for code in ("zh-hans", "en"):
        other = head(site, local(page.alternates[code]))
        assert other.canonical == [page.alternates[code]]
        assert other.alternates == page.alternates  # the same set, seen from either side
    # x-default sends a reader to a language of the page.
    chosen = site.get(local(page.alternates["x-default"]), headers={"Accept-Language": "en"})
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == local(page.alternates["en"])


def test_a_search_is_not_indexed_and_its_links_keep_the_query(site, production_server):
    origin = "https://" + urlsplit(production_server.url).netloc
    page = head(site, SEARCH)

    assert page.robots == ["noindex"]
    assert page.canonical == [origin + SEARCH]
    assert page.alternates["zh-hans"] == origin + SEARCH.replace("/en/", "/zh-hans/")
    assert page.alternates["x-default"] == origin + SEARCH.removeprefix("/en")


def test_a_code_page_reached_with_a_pasted_detail_names_the_code_page_itself(
    site, production_server
):
    origin = "https://" + urlsplit(production_server.url).netloc
    page = head(site, "/en/codes/APIG.0303/?detail=signature+expired")

    assert page.canonical == [origin + "/en/codes/APIG.0303/"]
    assert page.alternates["zh-hans"] == origin + "/zh-hans/codes/APIG.0303/"
