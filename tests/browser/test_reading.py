"""A reader in a real browser: search, language switch, code list filters, FAQ, code page,
feedback."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import ErrorEntry, FaqArticle

pytestmark = pytest.mark.browser


def test_home_page_shows_the_search_box_and_categories(page, live_url, screenshot):
    page.goto(f"{live_url}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What does this API Gateway error mean?"
    )
    expect(
        page.get_by_role("search").get_by_label("Code, message or error response")
    ).to_be_visible()
    expect(page.locator(".cards .card").first).to_be_visible()
    screenshot(page, "home-en")
    assert page.problems == []


def test_switching_language_shows_the_same_page_in_chinese(page, live_url, screenshot):
    page.goto(f"{live_url}/en/codes/APIG.0303/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(f"{live_url}/zh-hans/codes/APIG.0303/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("APIG.0303")
    row = ErrorEntry.objects.filter(code="APIG.0303").first()
    expect(page.locator(".entry .remedy").first).to_have_text(row.remedy_zh)

    page.get_by_role("link", name="English").first.click()
    expect(page).to_have_url(f"{live_url}/en/codes/APIG.0303/")
    page.goto(f"{live_url}/zh-hans/")
    screenshot(page, "home-zh-hans")
    assert page.problems == []


def test_filtering_the_code_list_by_status_shows_only_those_rows(page, live_url, screenshot):
    page.goto(f"{live_url}/en/codes/")
    page.get_by_label("HTTP status").select_option("429")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"http_status=429"))
    wanted = ErrorEntry.objects.filter(http_status=429).count()
    expect(page.get_by_role("status")).to_have_text(f"{wanted} rows")
    statuses = page.locator(".code-table tbody td:nth-child(2)").all_inner_texts()
    assert statuses and set(statuses) == {"429"}
    screenshot(page, "results-en")
    assert page.problems == []


def test_a_code_typed_in_the_home_page_box_goes_straight_to_its_page(page, live_url, screenshot):
    page.goto(f"{live_url}/en/")
    page.get_by_label("Code, message or error response").fill("apig.0201")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_url}/en/codes/APIG.0201/")
    expect(page.get_by_role("heading", level=1)).to_have_text("APIG.0201")
    expect(page.locator("article.entry")).to_have_count(
        ErrorEntry.objects.filter(code="APIG.0201").count()
    )
    screenshot(page, "code-en")
    assert page.problems == []


def test_a_pasted_json_response_lands_on_the_right_row(page, live_url, screenshot):
    response = (
        '{"error_msg": "Request entity too large.", "error_code": "APIG.0201", '
        '"request_id": "5b1c0e7a2f9d4c3e8a6b"}'
    )
    row = ErrorEntry.objects.get(code="APIG.0201", http_status=413)
    page.goto(f"{live_url}/en/")
    page.get_by_label("Code, message or error response").fill(response)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/en/search/\?q="))
    best = page.locator("ol.results > li").first
    expect(best).to_contain_text("HTTP 413")
    expect(best).to_contain_text(row.remedy_en)
    expect(page.get_by_role("complementary", name="Request ID")).to_contain_text(
        "5b1c0e7a2f9d4c3e8a6b"
    )
    screenshot(page, "search-results-en")
    best.get_by_role("link", name="APIG.0201").click()
    expect(page.locator(f'[id="{row.anchor}"]')).to_be_in_viewport()
    assert page.problems == []


def test_a_reader_answers_did_this_fix_it(page, live_url):
    from kb.models import Feedback

    row = ErrorEntry.objects.get(code="APIG.0308")
    page.goto(f"{live_url}/en/codes/APIG.0308/")
    entry = page.locator(f'[id="{row.anchor}"]')
    entry.get_by_role("button", name="No").click()
    expect(page.get_by_text("Thank you")).to_be_visible()
    assert Feedback.objects.get(entry=row).helpful is False
    assert page.problems == []


def test_link_to_a_row_lands_on_that_row(page, live_url):
    row = ErrorEntry.objects.filter(code="APIG.0201").order_by("sort_order").last()
    page.goto(f"{live_url}{row.get_absolute_url()}")
    target = page.locator(f'[id="{row.anchor}"]')
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text(row.message_en)


def test_opening_a_faq_article_from_the_list(page, live_url):
    article = FaqArticle.objects.order_by("sort_order").first()
    page.goto(f"{live_url}/en/faq/")
    page.get_by_role("link", name=article.title_en).click()
    expect(page).to_have_url(f"{live_url}/en/faq/{article.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title_en)
    expect(page.locator(".prose h2").first).to_be_visible()  # Markdown rendered
    assert page.problems == []


PAGES = {
    "home": "/{lang}/",
    "search": "/{lang}/search/?q=%7B%22error_code%22%3A%22APIG.0201%22%2C"
    "%22error_msg%22%3A%22Backend+unavailable%22%7D",
    # A description with no sure answer: the notice above its rows.
    "search-unsure": "/{lang}/search/?q=the+portal+is+slow",
    "signature-checker": "/{lang}/diagnose/signature/",
    "results": "/{lang}/codes/?http_status=429",
    "code": "/{lang}/codes/APIG.0201/",
    "faq-list": "/{lang}/faq/",
    "faq": None,  # the first article, found at run time
    "not-found": "/{lang}/codes/APIG.0309/",
}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_have_no_serious_accessibility_violation(page, live_url, axe_violations, name, lang):
    path = PAGES[name] or f"/{{lang}}/faq/{FaqArticle.objects.first().slug}/"
    response = page.goto(live_url + path.format(lang=lang))
    assert axe_violations(page) == []
    if response.ok:  # a 404 page's own status is logged as a console error
        assert page.problems == []
