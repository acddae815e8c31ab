"""The editor's main path, in a real browser: edit a remedy in both languages, see it
on the public page and in the history."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_REMEDY_EN = "Wait one minute, then retry; ask us to raise the request throttling policy."
NEW_REMEDY_ZH = "等待一分钟后重试；如需提高流控策略的阈值，请联系我们。"


@pytest.fixture
def support_editor(live_url):
    """A support editor, on the live server's database with the catalog loaded."""
    call_command("support_editor", "mei", stdout=StringIO())
    user = User.objects.get(username="mei")
    user.set_password("pw-for-the-browser-1")
    user.save()
    return user


def test_support_editor_edits_a_remedy_and_sees_it_published_and_in_the_history(
    support_editor, page, live_url
):
    log_in(page, live_url, "mei", "pw-for-the-browser-1", then="/admin/kb/errorentry/")

    # Find the row through the list's search, open it.
    page.fill("#searchbar", "APIG.0308")
    page.press("#searchbar", "Enter")
    page.click("#result_list tbody tr:first-child th a")

    # Chinese and English side by side; edit both, save.
    zh, en = page.locator("#id_remedy_zh"), page.locator("#id_remedy_en")
    assert zh.bounding_box()["y"] == pytest.approx(en.bounding_box()["y"], abs=2)
    zh.fill(NEW_REMEDY_ZH)
    en.fill(NEW_REMEDY_EN)
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    # The public page in each language.
    page.goto(f"{live_url}/en/codes/APIG.0308/")
    assert NEW_REMEDY_EN in page.locator("dd.remedy").first.inner_text()
    page.goto(f"{live_url}/zh-hans/codes/APIG.0308/")
    assert NEW_REMEDY_ZH in page.locator("dd.remedy").first.inner_text()

    # The history: who changed it, and the diff of the last two versions.
    page.goto(f"{live_url}/admin/kb/errorentry/?q=APIG.0308")
    page.click("#result_list tbody tr:first-child th a")
    page.click("a.historylink")
    history = page.locator("#change-history").inner_text()
    assert "mei" in history
    page.click("text=Compare the selected versions")
    diff = page.locator("table.kb-diff")
    assert "Remedy (English)" in diff.inner_text()
    assert "one minute" in page.locator("tr.kb-change-remedy_en ins").first.inner_text()
    assert "一分钟" in page.locator("tr.kb-change-remedy_zh ins").first.inner_text()
