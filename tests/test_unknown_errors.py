"""The unknown-error queue: searches without a sure answer, redacted, grouped, made into
rows or aliases."""

from django.urls import reverse
from django.utils import timezone

from kb import unknown_errors
from kb.models import ErrorAlias, ErrorEntry, UnansweredSearch, UnansweredSighting
from kb.search.engine import search as kb_search
from kb.text.tokens import message_key
from kb.unknown_errors import queue_group_key, record_unknown_error
from tests.adminforms import change_url, form_data
from tests.factories import make_category, make_entry, make_faq

AK = "HPUA7XQ2R5T8Y1K3M6N9"
SK = "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0"
TOKEN = "MIIEXAYJKoZIhvcNAQcCoIIETTCCBEkCAQExDTALBglghkgBZQMEAgEwggLXBgkqhkiG9w0BBwGg"
PASTE = (
    '{"error_msg":"Backend certificate chain is incomplete","error_code":"APIG.0299",'
    '"request_id":"%s"}\nX-Auth-Token: %s\nAuthorization: SDK-HMAC-SHA256 Access=%s, '
    "SignedHeaders=host, Signature=%s\nsk=%s\nfrom 203.0.113.9 at %s"
)


def paste(request_id="0f8fad5bd9cb469fa16570867728950e", when="2026-11-27T01:23:45Z"):
    signature = "ab" * 32
    return PASTE % (request_id, TOKEN, AK, signature, SK, when)


def every_stored_text():
    rows = UnansweredSearch.objects.values_list("text", "normalized")
    return " ".join(part for row in rows for part in row)


def test_an_unanswered_search_is_stored_without_any_secret(db):
    record_unknown_error(paste(), "en")

    stored = every_stored_text()
    for secret in [TOKEN, AK, SK, "ab" * 32, "0f8fad5bd9cb469fa16570867728950e", "203.0.113.9"]:
        assert secret not in stored
    search = UnansweredSearch.objects.get()
    assert "Backend certificate chain is incomplete" in search.text
    assert "APIG.0299" in search.text
    assert (search.count, search.language, search.status) == (1, "en", "open")


def test_the_same_error_with_other_ids_and_times_is_one_group(db):
    record_unknown_error(paste(), "en")
    record_unknown_error(
        paste("ffff0000ffff0000ffff0000ffff0000", "2026-11-28 09:00:01"), "zh-hans"
    )
    record_unknown_error(paste().replace('","', '", "'), "en")  # other spacing

    search = UnansweredSearch.objects.get()
    assert search.count == 3
    assert search.first_seen < search.last_seen
    record_unknown_error("Something else entirely", "en")
    assert UnansweredSearch.objects.count() == 2


def test_normalizing_keeps_codes_and_drops_times_and_long_numbers():
    assert queue_group_key("APIG.0201  Timeout at 01:23:45, port 123456!") == (
        "apig.0201 timeout at <time> port <n>"
    )
    assert queue_group_key("后端超时 APIG.0201") == "后端超时 apig.0201"


def test_empty_or_punctuation_only_searches_are_not_recorded(db):
    for query in ["", "   ", "!!!", "\n"]:
        record_unknown_error(query, "en")
    assert not UnansweredSearch.objects.exists()


def test_a_concurrent_first_insert_is_counted_not_lost(db, monkeypatch):
    # Another host inserts the group between this one's update and its insert.
    real_count_again = unknown_errors._count_again
    calls = []

    def racing_count_again(*args):
        calls.append(args)
        if len(calls) == 1:
            UnansweredSearch.objects.create(
                normalized=args[0], text=args[1], language="en", count=1
            )
            return False
        return real_count_again(*args)

    monkeypatch.setattr(unknown_errors, "_count_again", racing_count_again)
    record_unknown_error("Backend timeout", "en")

    assert UnansweredSearch.objects.get().count == 2


def test_the_admin_lists_the_queue_most_frequent_first(editor_client):
    for _ in range(3):
        record_unknown_error("Frequent failure", "en")
    record_unknown_error("Rare failure", "en")
    response = editor_client.get(reverse("admin:kb_unansweredsearch_changelist"))
    assert response.status_code == 200
    assert [s.text for s in response.context["cl"].result_list] == [
        "Frequent failure",
        "Rare failure",
    ]


def test_queue_to_alias_to_search_hit(editor_client, editor):
    row = make_entry(message_en="Backend unavailable.")
    wording = "Upstream connect error or disconnect reset before headers"
    record_unknown_error(f"{wording}, request_id: 0f8fad5bd9cb469fa16570867728950e", "en")
    search = UnansweredSearch.objects.get()
    # Before: at best a guess from the words ("upstream" reads as "backend").
    assert all(hit.match != "message" for hit in kb_search(wording).hits)

    url = reverse("admin:kb_unansweredsearch_change", args=[search.pk])
    form = editor_client.get(url).context["adminform"].form
    assert form["alias_text"].value().startswith(wording)  # prefilled, redacted
    response = editor_client.post(
        url, {"resolved_entry": row.pk, "alias_text": wording, "status": "open"}
    )

    assert response.status_code == 302
    alias = ErrorAlias.objects.get()
    assert (alias.entry, alias.text, alias.created_by) == (row, wording, editor)
    assert alias.message_key == message_key(wording)
    search.refresh_from_db()
    assert (search.status, search.resolved_entry, search.resolved_by) == ("resolved", row, editor)
    assert search.resolved_at is not None
    hit = kb_search(f"{wording}, while connecting to the backend").hits[0]
    assert (hit.entry, hit.match) == (row, "message")


def test_deleting_an_alias_takes_it_out_of_the_index_tokens(db):
    row = make_entry()
    alias = ErrorAlias.objects.create(entry=row, text="Upstream connect error")
    row.refresh_from_db()
    assert "upstream" in row.index_tokens
    alias.delete()
    row.refresh_from_db()
    assert "upstream" not in row.index_tokens


def test_an_alias_added_from_the_queue_survives_the_save_of_a_form_opened_before(
    editor_client, editor
):
    row = make_entry()
    ErrorAlias.objects.create(entry=row, text="Wording shown in the form")
    url = change_url(row)
    stale = form_data(editor_client, url)  # the editor opens the row

    # Meanwhile, another editor answers a queued search with this row.
    record_unknown_error("Upstream connect error", "en")
    UnansweredSearch.objects.get().resolve(editor, entry=row, alias_text="Upstream connect error")

    response = editor_client.post(url, stale | {"remedy_en": "Edited in the open form."})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.remedy_en == "Edited in the open form."
    assert sorted(row.aliases.values_list("text", flat=True)) == [
        "Upstream connect error",
        "Wording shown in the form",
    ]
    assert "upstream" in row.index_tokens


def test_the_stale_form_still_adds_and_deletes_the_aliases_its_editor_changed(editor_client):
    row = make_entry()
    ErrorAlias.objects.create(entry=row, text="Old wording")
    url = change_url(row)
    stale = form_data(editor_client, url)
    ErrorAlias.objects.create(entry=row, text="Added meanwhile")

    # The form shows the old alias (form 0) and one empty line (form 1).
    response = editor_client.post(
        url, stale | {"aliases-0-DELETE": "on", "aliases-1-text": "Typed in the form"}
    )

    assert response.status_code == 302
    assert sorted(row.aliases.values_list("text", flat=True)) == [
        "Added meanwhile",
        "Typed in the form",
    ]


def test_a_faq_link_added_meanwhile_survives_the_save_of_a_form_opened_before(editor_client):
    row = make_entry()
    shown, other = make_faq(entries=[row]), make_faq()
    url = change_url(row)
    stale = form_data(editor_client, url)
    other.entries.add(row)  # linked from the article's side after the form was opened

    response = editor_client.post(url, stale | {"remedy_en": "Edited."})

    assert response.status_code == 302
    assert set(row.faqs.all()) == {shown, other}
    # The editor's own change to the links still applies.
    fresh = form_data(editor_client, url)
    editor_client.post(url, fresh | {"faqs": [other.pk]})
    assert set(row.faqs.all()) == {other}


def test_an_editor_turns_a_search_into_a_new_row(editor_client, editor):
    record_unknown_error("APIG.0999 Backend pool exhausted", "en")
    search = UnansweredSearch.objects.get()
    add_url = reverse("admin:kb_errorentry_add") + f"?unanswered={search.pk}"
    form = editor_client.get(add_url).context["adminform"].form
    assert form["message_en"].value() == "APIG.0999 Backend pool exhausted"
    category = make_category()

    response = editor_client.post(
        add_url,
        {
            "catalog": "APIG",
            "code": "APIG.0999",
            "http_status": 503,
            "message_en": "Backend pool exhausted.",
            "category": category.pk,
            "sort_order": 999,
            "meaning_zh": "后端连接池耗尽",
            "meaning_en": "The backend connection pool is exhausted.",
            "remedy_zh": "稍后重试。",
            "remedy_en": "Retry later.",
            # The aliases inline, empty, as the browser sends it.
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content[:3000]
    row = ErrorEntry.objects.get(code="APIG.0999")
    search.refresh_from_db()
    assert (search.status, search.resolved_entry, search.resolved_by) == ("resolved", row, editor)


def test_the_mark_resolved_action_and_seen_again_after_resolution(editor_client):
    record_unknown_error("Junk query", "en")
    search = UnansweredSearch.objects.get()
    changelist = reverse("admin:kb_unansweredsearch_changelist")
    editor_client.post(changelist, {"action": "mark_resolved", "_selected_action": [search.pk]})
    search.refresh_from_db()
    assert search.status == "resolved" and not search.seen_since_resolved

    UnansweredSearch.objects.update(resolved_at=timezone.now() - timezone.timedelta(days=1))
    record_unknown_error("Junk query", "en")
    search.refresh_from_db()
    assert search.seen_since_resolved


def test_bad_queue_parameters_are_never_a_500(editor_client):
    add = reverse("admin:kb_errorentry_add")
    assert editor_client.get(add + "?unanswered=abc").status_code == 200
    assert editor_client.get(add + "?unanswered=99999").status_code == 200
    assert editor_client.get(reverse("admin:kb_unansweredsearch_add")).status_code == 403


def test_deleting_aliases_in_bulk_also_takes_them_out_of_the_index_tokens(editor_client):
    row = make_entry()
    row.set_aliases(["Upstream connect error", "Upstream reset"])
    changelist = reverse("admin:kb_erroralias_changelist")
    response = editor_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": list(ErrorAlias.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not ErrorAlias.objects.exists()
    row.refresh_from_db()
    assert "upstream" not in row.index_tokens


def test_control_characters_and_nul_bytes_are_not_stored(db):
    record_unknown_error("weird\x00 failure\x07 of the\x1b gateway", "en")
    assert UnansweredSearch.objects.get().text == "weird  failure  of the  gateway"


# --- Bounded: rate-limited per client, counted once per client and window, capped -------


def test_one_client_adds_to_at_most_the_limit_of_groups_per_window(db, settings):
    settings.UNANSWERED_RATE_LIMIT = 5
    for n in range(12):
        record_unknown_error(f"flood number{n} of nonsense", "en", client="reader-a")
    assert UnansweredSearch.objects.count() == 5
    record_unknown_error("another reader's error", "en", client="reader-b")
    assert UnansweredSearch.objects.count() == 6


def test_the_limit_is_lifted_once_the_window_has_passed(db, settings):
    settings.UNANSWERED_RATE_LIMIT = 2
    for n in range(3):
        record_unknown_error(f"early error{n} zz", "en", client="reader-a")
    assert UnansweredSearch.objects.count() == 2
    later = timezone.now() + timezone.timedelta(seconds=settings.UNANSWERED_RATE_WINDOW + 1)
    with mock_now(later):
        record_unknown_error("later error zz", "en", client="reader-a")
    assert UnansweredSearch.objects.count() == 3


def test_one_client_raises_a_count_at_most_once_per_window(db, settings):
    for _ in range(5):
        record_unknown_error("Steered error", "en", client="reader-a")
    record_unknown_error("Steered error", "en", client="reader-b")
    assert UnansweredSearch.objects.get().count == 2
    later = timezone.now() + timezone.timedelta(seconds=settings.UNANSWERED_RATE_WINDOW + 1)
    with mock_now(later):
        record_unknown_error("Steered error", "en", client="reader-a")
    assert UnansweredSearch.objects.get().count == 3


def test_past_its_size_the_queue_drops_the_oldest_resolved_groups_first(db, settings):
    settings.UNANSWERED_MAX_ENTRIES = 4
    start = timezone.now()
    for n in range(4):
        with mock_now(start + timezone.timedelta(minutes=n)):
            record_unknown_error(f"error number{n} qq", "en")
    UnansweredSearch.objects.filter(text__in=["error number1 qq", "error number2 qq"]).update(
        status=UnansweredSearch.Status.RESOLVED
    )
    with mock_now(start + timezone.timedelta(minutes=10)):
        record_unknown_error("error number4 qq", "en")
    texts = set(UnansweredSearch.objects.values_list("text", flat=True))
    assert texts == {"error number0 qq", "error number2 qq", "error number3 qq", "error number4 qq"}
    # With no resolved group left to drop, the open one seen longest ago goes.
    UnansweredSearch.objects.update(status=UnansweredSearch.Status.OPEN)
    with mock_now(start + timezone.timedelta(minutes=11)):
        record_unknown_error("error number5 qq", "en")
    assert "error number0 qq" not in set(UnansweredSearch.objects.values_list("text", flat=True))
    assert UnansweredSearch.objects.count() == 4


def test_a_group_and_its_sighting_are_stored_at_the_moment_they_were_seen(db, settings):
    # The queue writes these rows with SQL of its own: a time must be stored as the ORM
    # stores it, so that the ORM finds it by that time, and compare as a time (the
    # window's limit, the pruning).
    settings.UNANSWERED_RATE_LIMIT = 1
    seen = timezone.now().replace(microsecond=123456) - timezone.timedelta(days=1)
    with mock_now(seen):
        record_unknown_error("Gateway said zq9 failed", "en", client="reader-a")
    group = UnansweredSearch.objects.get(first_seen=seen, last_seen=seen)
    assert group.count == 1
    sighting = UnansweredSighting.objects.get(seen_at=seen)
    assert sighting.window == int(seen.timestamp()) // settings.UNANSWERED_RATE_WINDOW

    # Exactly one window later the sighting still counts against the reader's limit.
    window_later = seen + timezone.timedelta(seconds=settings.UNANSWERED_RATE_WINDOW)
    with mock_now(window_later):
        record_unknown_error("Another failure zq9", "en", client="reader-a")
    assert UnansweredSearch.objects.count() == 1
    with mock_now(window_later):
        record_unknown_error("Another failure zq9", "en", client="reader-b")
    assert UnansweredSearch.objects.get(first_seen=window_later).count == 1
    # A new group forgets the sightings older than a window: reader-a's is not.
    assert set(UnansweredSighting.objects.values_list("client_key", flat=True)) == {
        "reader-a",
        "reader-b",
    }
    record_unknown_error("A third failure zq9", "en", client="reader-c")  # now: a day on
    assert set(UnansweredSighting.objects.values_list("client_key", flat=True)) == {"reader-c"}


def mock_now(moment):
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- Redacted again where the text changes hands ----------------------------------------

OLD_PASTE = "Upstream reset zq7 clientSecret=cs_live_51Hq2xYz password = a b c"


def stored_before_todays_rules(text: str) -> UnansweredSearch:
    """A group stored by an older redact(), which let these secrets through."""
    return UnansweredSearch.objects.create(normalized=queue_group_key(text), text=text)


def test_the_queue_offers_and_publishes_an_alias_only_redacted(editor_client, editor):
    row = make_entry(message_en="Backend unavailable.")
    search = stored_before_todays_rules(OLD_PASTE)
    url = reverse("admin:kb_unansweredsearch_change", args=[search.pk])
    page = editor_client.get(url)
    offered = page.context["adminform"].form["alias_text"].value()
    assert "cs_live_51Hq2xYz" not in offered and "a b c" not in offered
    assert "cs_live_51Hq2xYz" not in page.content.decode()

    # Whatever the editor sends back, the alias (search, catalog.csv, .json) is redacted.
    editor_client.post(url, {"resolved_entry": row.pk, "alias_text": OLD_PASTE, "status": "open"})
    alias = ErrorAlias.objects.get()
    assert alias.text.startswith("Upstream reset zq7")
    assert "cs_live_51Hq2xYz" not in alias.text and "a b c" not in alias.text


def test_a_new_row_from_the_queue_starts_from_the_redacted_text(editor_client):
    search = stored_before_todays_rules(OLD_PASTE)
    url = reverse("admin:kb_errorentry_add") + f"?unanswered={search.pk}"
    initial = editor_client.get(url).context["adminform"].form["message_en"].value()
    assert initial.startswith("Upstream reset zq7")
    assert "cs_live_51Hq2xYz" not in initial


def test_staff_read_feedback_comments_redacted(editor_client, admin_client):
    from kb.models import Feedback

    row = make_entry()
    Feedback.objects.create(entry=row, helpful=False, comment=OLD_PASTE, client_key="k")
    listing = admin_client.get(reverse("admin:kb_feedback_changelist")).content.decode()
    detail = admin_client.get(
        reverse("admin:kb_feedback_change", args=[Feedback.objects.get().pk])
    ).content.decode()
    for html in (listing, detail):
        assert "Upstream reset zq7" in html
        assert "cs_live_51Hq2xYz" not in html
