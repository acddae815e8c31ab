"""The search engine finds the right row from whatever a customer pastes."""

import pytest
from django.utils import translation

from kb.models import ErrorEntry
from kb.search.engine import QueryError, search
from kb.search.parse import MAX_QUERY_CHARS, parse
from tests.factories import make_entry


def first(text):
    hits = search(text).hits
    assert hits, f"no result for {text!r}"
    return hits[0].entry


def row(code, status=None, message=None):
    rows = ErrorEntry.objects.filter(code=code)
    if status:
        rows = rows.filter(http_status=status)
    if message:
        rows = rows.filter(message_en=message)
    return rows.get()


@pytest.mark.parametrize(
    "text", ["APIG.0303", "apig.0303", "APIG0303", "APIG-0303", "APIG_0303", "ＡＰＩＧ．０３０３"]
)
def test_code_in_any_spelling_finds_its_row(shipped_catalog, text):
    assert first(text) == row("APIG.0303")


def test_bare_number_finds_both_catalogs_apig_first(shipped_catalog):
    codes = [hit.entry.code for hit in search("0303").hits]
    assert codes[:2] == ["APIG.0303", "APIGW.0303"]


@pytest.mark.parametrize(
    "text, status",
    [("APIG.0201 413", 413), ("apig0201 status 502", 502), ("APIG.0201/494", 494)],
)
def test_code_with_status_chooses_the_row(shipped_catalog, text, status):
    assert first(text) == row("APIG.0201", status)


def test_every_documented_message_finds_its_row_first(shipped_catalog):
    for entry in ErrorEntry.objects.all():
        best = first(entry.message_en)
        # Rows that share a message (APIG and APIGW twins) tie; APIG comes first.
        assert best.message_key == entry.message_key, entry
        assert (
            best.catalog == "APIG"
            or not ErrorEntry.objects.filter(catalog="APIG", message_key=entry.message_key).exists()
        )


@pytest.mark.parametrize(
    "text, code, status",
    [
        (
            "Incorrect IAM authentication information: verify aksk signature fail, "
            "canonicalRequest:GET|/v1/abc/|x-sdk-date:20261127T010101Z",
            "APIG.0301",
            401,
        ),
        ("The following protocol is supported: HTTPS", "APIG.0607", 400),
        ("Unsupported signature algorithm: HMAC-SHA1", "APIG.0624", 400),
        ("SSL protocol is not supported: SSLv3.", "APIG.0204", 400),
        ("api does not exist", "APIG.0101", 404),
        ("Incorect app authentication informaton", "APIG.0303", 401),
        ("BACKEND TIMEOUT", "APIG.0201", 504),
        ("The plugins do not exist", "APIG.0104", 500),
    ],
)
def test_message_with_detail_placeholder_or_drift_finds_its_row(
    shipped_catalog, text, code, status
):
    best = first(text)
    assert (best.code, best.http_status) == (code, status)


def test_pasted_json_response_finds_the_row_and_keeps_the_request_id(shipped_catalog):
    result = search(
        '{"error_msg":"Incorrect app authentication information: verify signature fail",'
        '"error_code":"APIG.0303","request_id":"8f1e6c2a9b7d4e0f"}'
    )
    assert result.hits[0].entry == row("APIG.0303")
    assert result.hits[0].match == "code"
    assert result.query.request_id == "8f1e6c2a9b7d4e0f"


def test_a_description_quoting_an_object_that_says_no_failure_keeps_its_words(shipped_catalog):
    # The function's own reply quoted in a question is no response pasted: the question
    # around it is what to search, not nothing.
    text = (
        'our custom auth function returned `{"status": "ok", "user": "u1"}` and the '
        "gateway failed the call, saying the authorizer's response could not be used"
    )
    query = parse(text)
    assert "gateway failed the call" in query.free_text
    assert search(text).hits
    # A pasted response is read from its object alone, its keys no words to search.
    pasted = parse('{"error_msg": "Backend timeout.", "error_code": "APIG.0201"} at 10:02')
    assert pasted.message == "Backend timeout." and pasted.free_text == ""


def test_python_repr_inside_an_sdk_exception_chooses_the_row_by_message(shipped_catalog):
    text = (
        "Error code: 502 - {'error_msg': 'Backend unavailable', 'error_code': 'APIG.0201', "
        "'request_id': '0123456789abcdef'}"
    )
    assert first(text) == row("APIG.0201", 502)


def test_curl_output_chooses_the_row_by_its_status_line(shipped_catalog):
    text = (
        "HTTP/1.1 414 Request-URI Too Large\r\nContent-Type: application/json\r\n"
        'X-Request-Id: 3f2a9c\r\n\r\n{"error_code":"APIG.0201","request_id":"3f2a9c0d1e2f3a4b"}'
    )
    assert first(text) == row("APIG.0201", 414)


def test_log_line_with_status_and_code(shipped_catalog):
    text = "2026-11-27T01:02:03Z ERROR call failed status=504 code=APIGW.0201 latency=60002ms"
    assert first(text) == row("APIGW.0201", 504)


@pytest.mark.parametrize(
    "text, code",
    [
        ("限流", "APIG.0308"),
        ("超时", "APIG.0201"),
        ("证书", "APIG.0205"),
        ("配额", "APIG.0501"),
        ("签名校验失败", "APIG.0301"),
        ("后端服务超时了", "APIG.0201"),
        ("rate limit", "APIG.0308"),
        ("throttled", "APIG.0308"),
        ("signature mismatch", "APIG.0301"),
        ("timed out", "APIG.0201"),
        ("quota exceeded", "APIG.0501"),
        ("certificate", "APIG.0205"),
    ],
)
def test_natural_language_in_either_language(shipped_catalog, text, code):
    assert first(text).code == code


def test_reverse_proxy_error_log_finds_the_backend_row_by_what_it_implies(shipped_catalog):
    # nginx logs its 504 without the status; its words imply it. APIG.0201 and APIG.0203
    # both document "Backend timeout." with 504, with the same meaning and remedy.
    best = first(
        "2026/11/27 01:02:03 [error] 31#31: *8 upstream timed out (110: Connection timed out) "
        "while reading response header from upstream, client: 10.0.0.8, server: api.example.com"
    )
    assert (best.catalog, best.message_en, best.http_status) == ("APIG", "Backend timeout.", 504)


def test_status_alone_lists_rows_with_that_status(shipped_catalog):
    result = search("429")
    assert {hit.entry.http_status for hit in result.hits} == {429}
    assert result.hits[0].match == "status"


def test_query_with_a_known_code_never_ranks_another_code_first(shipped_catalog):
    # The message belongs to APIG.0202, the code says APIG.0203: the code wins.
    assert first("APIG.0203 Backend unavailable.").code == "APIG.0203"


def test_unknown_code_is_reported_for_suggestions(shipped_catalog):
    result = search("APIG.0309")
    assert result.unknown_codes == ["APIG.0309"]


def test_edit_is_searchable_at_once(db):
    entry = make_entry(remedy_en="Rotate the frobnicator key.")
    assert first("frobnicator") == entry
    entry.remedy_en = "Nothing to see."
    entry.save()
    assert not search("frobnicator").hits


def test_deleted_row_leaves_the_index(db):
    entry = make_entry(meaning_en="A quuxinated request.")
    entry.delete()
    assert not search("quuxinated").hits


def test_faq_titles_lead_to_the_rows_they_serve(db):
    from tests.factories import make_faq

    entry = make_entry()
    make_faq(entries=[entry], title_en="Zorblax drift between client and gateway")
    assert first("zorblax") == entry


def test_text_longer_than_the_limit_is_refused_with_a_clear_message(db):
    with translation.override("en"), pytest.raises(QueryError, match="too long"):
        search("x" * (MAX_QUERY_CHARS + 1))
    assert parse("x" * MAX_QUERY_CHARS).text


@pytest.mark.parametrize(
    "text",
    ['"', "*", "NEAR(a b)", "a OR b", "(", ")", "AND", "-x", "\x00\x01", "\ud800", "' OR 1=1 --"],
)
def test_query_syntax_and_control_characters_never_break_the_search(shipped_catalog, text):
    # Around a message, the syntax of the full-text index and control characters are
    # plain text: the message's row still comes first.
    assert first(f"{text} request entity too large {text}") == first("request entity too large")
    assert first("request entity too large").code == "APIG.0201"


def test_threads_of_one_worker_stem_at_the_same_time_without_mixing_words():
    from concurrent.futures import ThreadPoolExecutor

    from kb.text.tokens import stem

    words = "throttling authorization certificates unavailable configured requests".split() * 400
    alone = [stem.__wrapped__(word) for word in words]  # past the cache, to the stemmer

    def stem_all(_):
        return [stem.__wrapped__(word) for word in words]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(stem_all, range(8)))
    assert all(result == alone for result in results)


def grow_catalog(status: int, message: str, remedy: str, rows: int = 60) -> None:
    """Add `rows` rows of other services (`message` with `{n}` numbered), then read the
    index's word counts as a worker does after a bulk load."""
    from kb.search.index import forget_token_row_counts, refresh_index

    for n in range(rows):
        make_entry(http_status=status, message_en=message.format(n=n), remedy_en=remedy)
    refresh_index()
    forget_token_row_counts()


def test_rows_holding_every_common_word_do_not_hide_the_row_its_rare_words_find(db):
    """A large catalog has many rows that hold every common word of a description (other
    services' rows with the same remedies): they must not crowd out the row that the
    description's telling words find, nor change which row comes first."""
    region = make_entry(
        http_status=403,
        message_en="The IAM user is forbidden in the currently selected region.",
        meaning_en="This user may not call APIs of the gateway in this region.",
    )
    make_entry(http_status=403, message_en="The app is not authorized to access the API.")
    query = "the IAM user is forbidden in the current selected region"
    found_before = first(query)
    assert found_before == region
    grow_catalog(
        403,
        "Quota of the object storage bucket exceeded ({n}).",
        "Make sure the IAM user is authorized in the currently selected region.",
    )
    assert first(query) == found_before


def test_a_word_common_in_a_large_catalog_still_tells_among_the_rows_a_query_may_mean(
    shipped_catalog,
):
    """In a large catalog every word of a description is in more rows than one look-up
    returns, so each look-up comes back full of rows that hold its word because it was
    asked for it. Those rows must not make the description's telling word (`project`)
    look as common as `api` or `call`, and hand first place to a row about calls."""
    query = "the project can't be used any more when we call our API"
    found_before = first(query)
    assert found_before == row("APIG.0310")
    grow_catalog(
        404,
        "The bucket of the object storage service was deleted ({n}).",
        "Check the project of the bucket, and create it again in the console.",
    )
    assert first(query) == found_before
