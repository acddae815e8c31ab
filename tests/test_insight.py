"""The Insight page's counts: upserted when searches, page views and feedback happen,
read back on /admin/insight/ and in its CSV. Real-server proof: tests/server/test_insight.py."""

import csv
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from kb.insight import counts
from kb.insight.models import CauseDay, RowDay, SearchDay
from kb.insight.report import wilson_lower_bound
from kb.models import Feedback, UnansweredSearch
from kb.search.answer import answer
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(StringIO(response.content.decode())))


def test_a_search_is_counted_once_by_outcome_language_and_channel():
    entry = make_entry(code="APIG.9301")
    answer("APIG.9301", language="en")
    answer("APIG.9301", language="en", channel="api")
    answer("APIG.9301", language="en", channel="api")
    answer("nothing at all matches zzqx", language="zh-hans")
    by_key = {
        (row.language, row.channel, row.outcome): row.count for row in SearchDay.objects.all()
    }
    assert by_key == {
        ("en", "page", "sure"): 1,
        ("en", "api", "sure"): 2,
        ("zh-hans", "page", "none"): 1,
    }
    assert RowDay.objects.get(entry=entry, kind="search").count == 3


def test_the_command_line_search_is_not_counted():
    make_entry(code="APIG.9302")
    answer("APIG.9302", language="en", record=False)
    assert not SearchDay.objects.exists()


def test_feedback_is_counted_per_row_and_answer():
    entry = make_entry()
    for helpful in (True, False, False):
        Feedback.objects.create(entry=entry, helpful=helpful, client_key="k")
    kinds = dict(RowDay.objects.filter(entry=entry).values_list("kind", "count"))
    assert kinds == {"fixed": 1, "not_fixed": 2}


def test_a_code_page_view_counts_each_row_of_the_code(client):
    first = make_entry(code="APIG.9303", http_status=400)
    second = make_entry(code="APIG.9303", http_status=413, category=first.category)
    for _ in range(2):
        assert client.get("/en/codes/APIG.9303/").status_code == 200
    views = dict(RowDay.objects.filter(kind="view").values_list("entry", "count"))
    assert views == {first.pk: 2, second.pk: 2}


def test_a_missing_code_page_is_not_counted(client):
    assert client.get("/en/codes/APIG.9999/").status_code == 404
    assert not RowDay.objects.exists()


def test_wilson_lower_bound_puts_many_answers_above_a_single_one():
    assert wilson_lower_bound(40, 100) > wilson_lower_bound(1, 1)
    assert wilson_lower_bound(0, 5) == pytest.approx(0.0, abs=1e-12)
    assert wilson_lower_bound(0, 0) == 0.0


def test_staff_outside_the_group_get_403(client, django_user_model):
    user = django_user_model.objects.create_user("staff", "s@example.com", "pw", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/insight/").status_code == 403
    assert client.get("/admin/insight/searches.csv").status_code == 403


def test_anonymous_readers_are_sent_to_the_login(client):
    response = client.get("/admin/insight/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_editor_reads_the_counts_on_the_page_and_in_the_csv(editor_client):
    entry = make_entry(code="APIG.9304")
    for _ in range(3):
        answer("APIG.9304", language="en", channel="api")
    Feedback.objects.create(entry=entry, helpful=False, client_key="k")
    page = editor_client.get("/admin/insight/?days=90")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Searches per day, by outcome" in text
    assert "APIG.9304" in text
    rows = read_csv(editor_client.get("/admin/insight/searches.csv?days=90"))
    assert rows == [
        {
            "day": str(timezone.localdate()),
            "language": "en",
            "channel": "api",
            "outcome": "sure",
            "count": "3",
        }
    ]
    remedies = read_csv(editor_client.get("/admin/insight/remedies.csv"))
    assert [(r["code"], r["did_not_fix"], r["fixed"]) for r in remedies] == [
        ("APIG.9304", "1", "0")
    ]


def test_with_no_data_each_chart_says_so(editor_client):
    text = editor_client.get("/admin/insight/").content.decode()
    assert "No search was counted in this period yet." in text
    assert "No group joined or left the queue in this period yet." in text
    assert "<svg" not in text.split("Searches per day")[1].split("The rows customers")[0]


def test_a_bad_period_is_a_400_with_a_message(editor_client):
    response = editor_client.get("/admin/insight/?days=7")
    assert response.status_code == 400
    assert "30, 90" in response.content.decode()


def test_an_unknown_csv_is_a_404(editor_client):
    assert editor_client.get("/admin/insight/nothing.csv").status_code == 404


def test_the_queue_section_counts_new_and_resolved_groups(editor_client, editor):
    now = timezone.now()
    UnansweredSearch.objects.create(normalized="a", text="a", first_seen=now - timedelta(days=2))
    resolved = UnansweredSearch.objects.create(
        normalized="b", text="b", first_seen=now - timedelta(days=3)
    )
    resolved.resolve(editor)
    rows = read_csv(editor_client.get("/admin/insight/queue.csv"))
    assert sum(int(r["new"]) for r in rows) == 2
    assert sum(int(r["resolved"]) for r in rows) == 1
    text = editor_client.get("/admin/insight/").content.decode()
    assert "1 open group." in text
    assert "Median time to resolution in the period: 3 days" in text


def test_concurrent_style_upserts_add_up():
    entry = make_entry()
    for _ in range(5):
        counts.record_feedback(entry.pk, True)
    assert RowDay.objects.get(entry=entry, kind="fixed").count == 5
    assert CauseDay.objects.count() == 0


def test_the_admin_index_links_the_page_for_editors_only(editor_client, client, django_user_model):
    assert 'href="/admin/insight/"' in editor_client.get("/admin/").content.decode()
    user = django_user_model.objects.create_user("staff2", "t@example.com", "pw", is_staff=True)
    client.force_login(user)
    assert 'href="/admin/insight/"' not in client.get("/admin/").content.decode()


def test_a_posted_search_counts_once_though_it_is_answered_again_at_its_address(client):
    make_entry(code="APIG.9305")
    posted = client.post("/en/search/", {"q": "APIG.9305"})
    assert posted.status_code == 303
    client.get(posted["Location"])
    assert SearchDay.objects.get().count == 1


def test_a_search_answered_from_the_page_cache_still_counts(client, settings):
    settings.KB_PAGE_CACHE = True
    entry = make_entry(code="APIG.9306")
    for _ in range(3):
        response = client.get("/en/search/", {"q": "APIG.9306"})
        assert response.status_code == 302
    assert SearchDay.objects.get(outcome="sure", channel="page", language="en").count == 3
    assert RowDay.objects.get(entry=entry, kind="search").count == 3


def test_the_demonstration_command_fills_a_month_that_the_page_draws(
    shipped_catalog, editor_client
):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("insight_demo", stdout=StringIO())
    out = StringIO()
    call_command("insight_demo", "--force", stdout=out)
    assert "days=30" in out.getvalue()
    assert SearchDay.objects.filter(day__lt=timezone.localdate() - timedelta(days=28)).exists()
    text = editor_client.get("/admin/insight/").content.decode()
    assert text.count('role="img" aria-labelledby=') == 2  # both charts drawn
    assert "No search was counted" not in text
    assert "demo: " in text  # the queue's top open groups
