"""Did this fix it? under every row: stored per row, bounded, rate limited, counted in the admin."""

from ipaddress import ip_network

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kb.models import ErrorEntry, Feedback
from tests.factories import make_entry

AK = "HPUA7XQ2R5T8Y1K3M6N9"


def feedback_url(entry, lang="en"):
    with translation.override(lang):
        return reverse("kb:feedback", args=[entry.pk])


def test_every_row_on_a_code_page_has_its_own_feedback_form(shipped_catalog, client):
    rows = list(ErrorEntry.objects.filter(code="APIG.0201"))
    html = client.get("/en/codes/APIG.0201/").content.decode()
    assert html.count("Did this fix it?") == len(rows) > 1
    for row in rows:
        assert f'action="{feedback_url(row)}#{row.anchor}"' in html
        assert f'id="feedback-{row.pk}-comment"' in html
    assert "<script" not in html  # works without JavaScript


def test_an_answer_is_stored_on_its_row_and_thanked_for(db, client):
    entry = make_entry()
    response = client.post(
        feedback_url(entry),
        {"helpful": "no", "reason": "incomplete", "comment": "Missing the quota case."},
        follow=True,
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.entry, feedback.helpful, feedback.reason, feedback.comment) == (
        entry,
        False,
        "incomplete",
        "Missing the quota case.",
    )
    assert feedback.language == "en"
    assert len(feedback.client_key) == 64 and "127.0.0.1" not in feedback.client_key


def test_yes_alone_is_enough(db, client):
    entry = make_entry()
    response = client.post(feedback_url(entry, "zh-hans"), {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == entry.get_absolute_url()
    assert Feedback.objects.get().helpful


def test_a_pasted_secret_in_the_comment_never_reaches_the_database(db, client):
    entry = make_entry()
    client.post(
        feedback_url(entry),
        {"helpful": "no", "comment": f"Still fails with ak:{AK} from 10.1.2.3, bob@example.com"},
    )
    comment = Feedback.objects.get().comment
    assert AK not in comment and "10.1.2.3" not in comment and "bob@example.com" not in comment
    assert comment == "Still fails with ak:<ak> from <ip>, <email>"


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "This field is required"),
        ({"helpful": "maybe"}, "Select a valid choice"),
        ({"helpful": "no", "reason": "rude"}, "Select a valid choice"),
        ({"helpful": "no", "comment": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(db, client, data, message):
    entry = make_entry()
    response = client.post(feedback_url(entry), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_comment_of_exactly_the_limit_is_kept_whole(db, client):
    entry = make_entry()
    comment = "Too short." * 50
    assert len(comment) == 500
    client.post(feedback_url(entry), {"helpful": "no", "comment": comment})
    assert Feedback.objects.get().comment == comment


def test_an_unknown_row_is_a_404_and_get_is_not_allowed(db, client):
    assert client.post("/en/rows/999999/feedback/", {"helpful": "yes"}).status_code == 404
    entry = make_entry()
    assert client.get(feedback_url(entry)).status_code == 405


def test_a_client_over_the_limit_gets_a_429_on_any_host(db, settings):
    settings.FEEDBACK_RATE_LIMIT = 3
    entry = make_entry()
    # Separate clients stand for separate gunicorn hosts: the count lives in the database.
    hosts = [Client(REMOTE_ADDR="203.0.113.7") for _ in range(3)]
    for host in hosts:
        assert host.post(feedback_url(entry), {"helpful": "yes"}).status_code == 302

    refused = Client(REMOTE_ADDR="203.0.113.7").post(feedback_url(entry), {"helpful": "yes"})

    assert refused.status_code == 429
    assert "try again later" in refused.content.decode()
    assert Feedback.objects.count() == 3
    other = Client(REMOTE_ADDR="198.51.100.1").post(feedback_url(entry), {"helpful": "yes"})
    assert other.status_code == 302


def test_the_limit_counts_only_the_recent_window(db, settings, client):
    settings.FEEDBACK_RATE_LIMIT = 1
    entry = make_entry()
    assert client.post(feedback_url(entry), {"helpful": "yes"}).status_code == 302
    assert client.post(feedback_url(entry), {"helpful": "yes"}).status_code == 429
    from django.utils import timezone

    Feedback.objects.update(created_at=timezone.now() - timezone.timedelta(hours=2))
    assert client.post(feedback_url(entry), {"helpful": "yes"}).status_code == 302


def test_behind_a_proxy_the_forwarded_address_names_the_client(db, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    settings.KB_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    entry = make_entry()
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    def post(forwarded_for):
        response = proxy.post(
            feedback_url(entry), {"helpful": "yes"}, HTTP_X_FORWARDED_FOR=forwarded_for
        )
        return response.status_code

    assert post("1.1.1.1") == 302
    assert post("2.2.2.2") == 302
    # What the client wrote in front of the proxy's entry does not make it someone else.
    assert post("9.9.9.9, 1.1.1.1") == 429


def answer(entry, helpful, n=1):
    for _ in range(n):
        Feedback.objects.create(entry=entry, helpful=helpful, client_key="k")


def test_the_admin_row_list_shows_counts_per_row(editor_client):
    entry = make_entry()
    answer(entry, True, 2)
    answer(entry, False, 3)
    response = editor_client.get(reverse("admin:kb_errorentry_changelist"))
    row = next(r for r in response.context["cl"].result_list if r.pk == entry.pk)
    assert (row.helpful_count, row.unhelpful_count) == (2, 3)


def test_the_worst_rated_list_puts_the_highest_share_of_no_first(editor_client):
    mostly_bad, all_bad, good, silent = make_entry(), make_entry(), make_entry(), make_entry()
    answer(mostly_bad, False, 3)
    answer(mostly_bad, True, 1)
    answer(all_bad, False, 1)
    answer(good, True, 5)

    response = editor_client.get(reverse("admin:kb_feedbackbyrow_changelist"))

    assert response.status_code == 200
    order = [row.pk for row in response.context["cl"].result_list]
    assert order == [all_bad.pk, mostly_bad.pk, good.pk]
    assert silent.pk not in order
    html = response.content.decode()
    assert "75%" in html and "100%" in html


def test_editors_can_read_feedback_but_not_change_it(editor_client):
    entry = make_entry()
    answer(entry, False)
    feedback = Feedback.objects.get()
    assert editor_client.get(reverse("admin:kb_feedback_changelist")).status_code == 200
    change = reverse("admin:kb_feedback_change", args=[feedback.pk])
    assert editor_client.get(change).status_code == 200  # a read-only view
    editor_client.post(change, {"helpful": "on", "comment": "changed"})
    assert Feedback.objects.get().comment == ""
    assert (
        editor_client.get(reverse("admin:kb_feedback_delete", args=[feedback.pk])).status_code
        == 403
    )


def test_a_post_from_another_site_is_refused_and_one_from_ours_is_kept(db):
    entry = make_entry()
    browser = Client()
    refused = browser.post(
        feedback_url(entry), {"helpful": "no"}, HTTP_ORIGIN="https://attacker.example"
    )
    assert refused.status_code == 403
    refused = browser.post(feedback_url(entry), {"helpful": "no"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert refused.status_code == 403
    assert not Feedback.objects.exists()
    kept = browser.post(
        feedback_url(entry),
        {"helpful": "no"},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert kept.status_code == 302
    assert Feedback.objects.get().helpful is False


def test_code_pages_with_the_feedback_form_stay_cacheable_and_thanks_still_show(shipped_catalog):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/en/codes/APIG.0308/")
    assert "Did this fix it?" in page.content.decode()
    assert not page.cookies and "Cookie" not in page.get("Vary", "")
    entry = ErrorEntry.objects.get(code="APIG.0308")
    thanked = browser.post(feedback_url(entry), {"helpful": "yes"}, follow=True)
    assert "Thank you" in thanked.content.decode()
    assert "Thank you" not in browser.get("/en/codes/APIG.0308/").content.decode()
