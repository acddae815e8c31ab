"""The Insight page in a real browser, with a month of demonstration data: charts drawn
under the site's CSP (nothing blocked, no script), no serious accessibility violation,
and a screenshot in test-artifacts/screenshots/insight.png."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def support_editor(live_url):
    """A support editor, on the live server's database with the catalog loaded."""
    call_command("insight_demo", "--force", stdout=StringIO())
    call_command("support_editor", "lin", stdout=StringIO())
    user = User.objects.get(username="lin")
    user.set_password("pw-for-the-browser-1")
    user.save()
    return user


def log_in_as_lin(page, live_url):
    log_in(page, live_url, "lin", "pw-for-the-browser-1")


def test_a_support_editor_reads_a_month_of_insight(
    support_editor, page, live_url, axe_violations, screenshot
):
    log_in_as_lin(page, live_url)
    page.click("text=Insight")
    page.wait_for_url(f"{live_url}/admin/insight/")
    # The admin's own pages link no icon (the browser's /favicon.ico is a 404); this one
    # must load without a problem of its own.
    page.problems.clear()
    page.reload()
    charts = page.locator("figure.insight-chart svg[role=img]")
    assert charts.count() == 2
    assert page.locator("figure.insight-chart rect").count() > 60  # bars of 30 days
    assert "in all from" in page.locator("#searches-desc").text_content()
    assert page.locator("text=Remedies that do not help").is_visible()
    assert axe_violations(page) == []
    assert page.problems == []  # nothing blocked by the CSP, nothing broke
    screenshot(page, "insight")

    page.click("text=Last 90 days")
    page.wait_for_url(f"{live_url}/admin/insight/?days=90")
    assert page.locator("figure.insight-chart").count() == 2


def test_the_page_in_chinese_has_no_serious_accessibility_violation(
    support_editor, browser, live_url, axe_violations
):
    context = browser.new_context(locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    log_in_as_lin(page, live_url)
    page.goto(f"{live_url}/admin/insight/")
    page.problems.clear()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "每天的搜索" in page.locator("h2").all_inner_texts()[0]
    assert axe_violations(page) == []
    assert page.problems == []
    context.close()
