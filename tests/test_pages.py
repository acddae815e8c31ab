"""Pages in both languages, the language in the URL, code pages and their 404."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kb.models import ErrorEntry, FaqArticle


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


@pytest.mark.parametrize(
    "lang, heading", [("zh-hans", "这个API网关错误"), ("en", "What does this")]
)
def test_home_shows_search_categories_and_statuses_in_each_language(
    shipped_catalog, client, lang, heading
):
    response = client.get(url("kb:home", lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert 'role="search"' in html
    assert "?category=authentication" in html
    assert "?http_status=429" in html
    assert f'<html lang="{lang}">' in html
    # Each status is coloured by its class.
    assert 'class="status status-4xx" href="/' + lang + '/codes/?http_status=429"' in html


def test_every_row_is_on_its_code_page_in_both_languages(shipped_catalog, client):
    rows = list(ErrorEntry.objects.all())
    pages = {}
    for lang in ("zh-hans", "en"):
        for code in {row.code for row in rows}:
            response = client.get(url("kb:code", code, lang=lang))
            assert response.status_code == 200, code
            pages[lang, code] = response.content.decode()
    from django.utils.html import escape

    for row in rows:
        for lang in ("zh-hans", "en"):
            html = pages[lang, row.code]
            assert f'id="{row.anchor}"' in html
            for text in (
                row.message_en,
                row.meaning_zh,
                row.remedy_zh,
                row.meaning_en,
                row.remedy_en,
            ):
                assert escape(text) in html, (row, lang, text)


def test_code_page_puts_the_active_language_first(shipped_catalog, client):
    row = ErrorEntry.objects.get(code="APIG.0308")
    zh = client.get(url("kb:code", "APIG.0308", lang="zh-hans")).content.decode()
    en = client.get(url("kb:code", "APIG.0308", lang="en")).content.decode()
    assert zh.index(row.remedy_zh) < zh.index(row.remedy_en)
    assert en.index(row.remedy_en) < en.index(row.remedy_zh)


def test_code_page_lists_faq_articles_and_related_codes(shipped_catalog, client):
    html = client.get(url("kb:code", "APIG.0303")).content.decode()
    for faq in ErrorEntry.objects.get(code="APIG.0303").faqs.all():
        assert faq.get_absolute_url() in html
    assert url("kb:code", "APIG.0301") in html  # same category


def test_stable_link_without_language_redirects_by_browser_language(shipped_catalog, client):
    response = client.get("/codes/APIG.0201/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/en/codes/APIG.0201/"
    response = client.get("/codes/APIG.0201/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Location"] == "/zh-hans/codes/APIG.0201/"
    response = client.get("/codes/APIG.0201/")
    assert response["Location"] == "/zh-hans/codes/APIG.0201/"


def test_code_spelled_otherwise_redirects_to_its_page(shipped_catalog, client):
    response = client.get("/en/codes/apig-0201/")
    assert response.status_code == 301
    assert response["Location"] == "/en/codes/APIG.0201/"


def test_unknown_code_is_a_404_that_suggests_the_closest_codes(shipped_catalog, client):
    response = client.get(url("kb:code", "APIG.0309"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "APIG.0309" in html
    assert url("kb:code", "APIG.0308") in html
    assert url("kb:code", "APIG.0310") in html


def test_nonsense_code_is_a_404_not_a_500(shipped_catalog, client):
    for code in ["%00", "x" * 300, "APIG.", "<script>"]:
        response = client.get(f"/en/codes/{code}/")
        assert response.status_code == 404
        assert b"<script>" not in response.content


def test_language_switch_links_to_the_same_page_in_the_other_language(shipped_catalog, client):
    html = client.get("/en/codes/?http_status=429").content.decode()
    assert 'href="/zh-hans/codes/?http_status=429"' in html
    html = client.get("/zh-hans/codes/APIG.0303/").content.decode()
    assert 'href="/en/codes/APIG.0303/"' in html


def test_faq_list_and_article_in_both_languages(shipped_catalog, client):
    article = FaqArticle.objects.filter(entries__code="APIG.0101").first()
    for lang in ("zh-hans", "en"):
        listing = client.get(url("kb:faq-list", lang=lang)).content.decode()
        assert article.localized("title", lang) in listing
        response = client.get(url("kb:faq", article.slug, lang=lang))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h2>" in html  # Markdown rendered
        assert url("kb:code", "APIG.0101", lang=lang) in html


def test_faq_markdown_cannot_inject_script(shipped_catalog, client):
    article = FaqArticle.objects.first()
    article.body_en = (
        'Hi <script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">y</a>'
    )
    article.save()
    html = client.get(url("kb:faq", article.slug)).content.decode()
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    # The site's own page, in the reader's language, with a way on: the search box.
    assert '<html lang="en">' in html
    assert "<h1>Page not found</h1>" in html
    assert 'action="/en/search/"' in html and "<textarea" in html


def test_pages_use_only_local_assets(shipped_catalog, client):
    html = client.get(url("kb:home")).content.decode()
    # The only absolute addresses are the page's own (its canonical and hreflang links).
    addresses = re.findall(r"https?://[^\s\"'<>]+", html.replace("http://www.w3.org", ""))
    assert addresses
    assert all(address.startswith("http://testserver/") for address in addresses), addresses


def test_with_site_url_set_the_links_search_engines_keep_name_the_public_address(
    shipped_catalog, client, settings
):
    settings.SITE_URL = "https://kb.example.com"
    html = client.get("/zh-hans/codes/APIG.0201/", HTTP_HOST="127.0.0.1").content.decode()

    assert '<link rel="canonical" href="https://kb.example.com/zh-hans/codes/APIG.0201/">' in html
    assert 'hreflang="en" href="https://kb.example.com/en/codes/APIG.0201/"' in html
    assert 'hreflang="x-default" href="https://kb.example.com/codes/APIG.0201/"' in html
    assert "127.0.0.1" not in html
