"""Hostile text from staff or readers, in a real browser: nothing runs, the policy holds."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import ErrorEntry, FaqArticle

pytestmark = pytest.mark.browser

PAYLOAD = '<script>alert("remedy")</script><img src=x onerror=alert("img")>'


def test_script_in_an_edited_remedy_is_shown_as_text_and_never_runs(page, live_url):
    row = ErrorEntry.objects.get(code="APIG.0308")
    row.remedy_en = f"Retry later. {PAYLOAD}"
    row.save()
    page.goto(f"{live_url}/en/codes/APIG.0308/")
    expect(page.locator(".entry .remedy").first).to_have_text(row.remedy_en)
    assert page.locator("script, img").count() == 0
    assert page.problems == []  # no dialog, no error, no policy violation


def test_script_in_faq_markdown_never_runs(page, live_url):
    article = FaqArticle.objects.first()
    article.body_en = f"## Steps\n\n{PAYLOAD}\n\n[click](javascript:alert('link'))\n"
    article.save()
    page.goto(f"{live_url}/en/faq/{article.slug}/")
    expect(page.locator(".prose h2")).to_have_text("Steps")
    page.get_by_text("click").click()
    assert page.locator(".prose script, .prose img").count() == 0
    assert page.problems == []


def test_search_text_is_echoed_as_text_in_the_box(page, live_url):
    page.goto(f"{live_url}/en/")
    box = page.get_by_label("Code, message or error response")
    box.fill(PAYLOAD)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/en/search/\?q="))
    page.wait_for_load_state()  # the results page's box, not the home page's
    expect(box).to_have_value(PAYLOAD)
    assert page.locator("main script, main img").count() == 0
    assert page.problems == []
