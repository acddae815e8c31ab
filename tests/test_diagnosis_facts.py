"""What a diagnosis computes from the values in an error's detail: pure functions."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from kb.diagnosis import facts
from kb.diagnosis.canonical import EMPTY_BODY_SHA256
from kb.diagnosis.times import duration_in_words, parse_time
from kb.text.patterns import detail_of, pattern_matches

NOON = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def skew_detail(signature: str, server: str) -> str:
    return f"signature expired, signature time:{signature},server time:{server}"


# Times ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "20261127T120000Z",
        "2026-11-27T12:00:00Z",
        "2026-11-27T12:00:00.000000Z",
        "2026-11-27T20:00:00+08:00",
        "2026-11-27 12:00:00",
        "Fri, 27 Nov 2026 12:00:00 GMT",
    ],
)
def test_times_in_every_form_gateways_write_are_read_as_utc(text):
    assert parse_time(text) == NOON


@pytest.mark.parametrize(
    "text", ["", "yesterday", "20261327T120000Z", "2026-11-27T25:00:00Z", "1" * 200, "20261127"]
)
def test_malformed_times_are_not_read(text):
    assert parse_time(text) is None


def test_durations_read_as_words_in_both_languages():
    assert duration_in_words(7297) == "2 hours 1 minute 37 seconds"
    assert duration_in_words(-60) == "1 minute"
    assert duration_in_words(0) == "0 seconds"
    with translation.override("zh-hans"):
        assert duration_in_words(7297) == "2小时1分钟37秒"


# Clock skew -----------------------------------------------------------------


def test_signature_behind_the_gateway_says_the_client_clock_is_slow():
    found = facts.signature_expired(skew_detail("20230527T000431Z", "20230527T020608Z"))

    assert found.facts["clock_skew_seconds"] == 7297
    assert found.facts["clock_behind"] == "client"
    assert found.facts["clock_skew_exceeds_limit"] is True
    text = " ".join(found.sentences)
    assert "2 hours 1 minute 37 seconds behind the gateway's time" in text
    assert "the client's clock is slow" in text
    assert "more than the 15 minutes" in text


def test_signature_ahead_of_the_gateway_says_the_client_clock_is_fast():
    found = facts.signature_expired(skew_detail("20261127T123000Z", "20261127T120000Z"))

    assert found.facts["clock_skew_seconds"] == -1800
    assert found.facts["clock_behind"] == "gateway"
    assert "30 minutes ahead of the gateway's time" in " ".join(found.sentences)


@pytest.mark.parametrize(
    "server, seconds, exceeds",
    [
        ("20261127T121459Z", 899, False),
        ("20261127T121500Z", 900, False),
        ("20261127T121501Z", 901, True),
    ],
)
def test_skew_just_under_and_just_over_fifteen_minutes(server, seconds, exceeds):
    found = facts.signature_expired(skew_detail("20261127T120000Z", server))

    assert found.facts["clock_skew_seconds"] == seconds
    assert found.facts["clock_skew_exceeds_limit"] is exceeds
    text = " ".join(found.sentences)
    if exceeds:
        assert "more than the 15 minutes the gateway allows" in text
    else:
        assert "within the 15 minutes the gateway allows" in text


def test_skew_of_a_whole_time_zone_points_at_local_time_written_as_utc():
    # A client at UTC+8 that writes local time with a Z signs 8 hours ahead.
    found = facts.signature_expired(skew_detail("20261127T200003Z", "20261127T120000Z"))

    assert found.facts["likely_client_utc_offset"] == "UTC+8"
    assert "local time (UTC+8)" in " ".join(found.sentences)


def test_skew_that_is_not_a_whole_time_zone_names_none():
    found = facts.signature_expired(skew_detail("20230527T000431Z", "20230527T020608Z"))
    assert "likely_client_utc_offset" not in found.facts


def test_skew_reads_iso_and_rfc_1123_times():
    iso = facts.signature_expired(skew_detail("2026-11-27T12:00:00Z", "2026-11-27T12:20:00Z"))
    rfc = facts.signature_expired(
        skew_detail("Fri, 27 Nov 2026 12:00:00 GMT", "Fri, 27 Nov 2026 12:20:00 GMT")
    )
    assert iso.facts["clock_skew_seconds"] == rfc.facts["clock_skew_seconds"] == 1200


def test_malformed_signature_time_gives_no_skew_but_says_why():
    found = facts.signature_expired(skew_detail("2026-13-45 nonsense", "20261127T120000Z"))

    assert "clock_skew_seconds" not in found.facts
    assert "“2026-13-45 nonsense”" in found.sentences[0]
    assert "20261127T010101Z" in found.sentences[0]


def test_malformed_server_time_gives_no_skew_but_says_why():
    found = facts.signature_expired(skew_detail("20261127T120000Z", "soon"))
    assert "clock_skew_seconds" not in found.facts
    assert "cannot be read" in found.sentences[0]


def test_detail_without_times_gives_no_fact_and_no_sentence():
    found = facts.signature_expired("signature expired")
    assert found.facts == {} and found.sentences == []


# Token expiry ---------------------------------------------------------------


def test_token_expiry_is_given_in_utc():
    found = facts.token_expired("token expires, expires_at: 2026-11-27T12:00:00.000000Z")

    assert found.facts == {"token_expires_at": "2026-11-27T12:00:00Z"}
    assert found.sentences == ["The token expired at 2026-11-27 12:00:00 UTC."]


def test_token_expiry_relative_to_the_request_when_its_time_is_known():
    request_time = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    found = facts.token_expired("token expires, expires_at: 2026-11-27T12:00:00Z", request_time)

    assert found.facts["token_expired_seconds_before_request"] == 12600
    assert found.facts["request_time"] == "2026-11-27T15:30:00Z"
    assert "3 hours 30 minutes before the time of this request" in found.sentences[1]


def test_token_expiry_after_the_pasted_request_time_is_questioned():
    request_time = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    found = facts.token_expired("token expires, expires_at: 2026-11-27T12:00:00Z", request_time)

    assert found.facts["token_expired_seconds_before_request"] == -3600
    assert "1 hour after the time pasted with this request" in found.sentences[1]


def test_malformed_token_expiry_gives_no_fact_but_says_why():
    found = facts.token_expired("token expires, expires_at: tomorrow-ish")
    assert found.facts == {}
    assert "“tomorrow-ish”" in found.sentences[0]


def test_request_time_is_read_from_a_date_or_x_sdk_date_header():
    curl = "HTTP/1.1 401 Unauthorized\r\nDate: Fri, 27 Nov 2026 15:30:00 GMT\r\n\r\n{}"
    assert facts.request_time_in(curl) == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    assert facts.request_time_in("> X-Sdk-Date: 20261127T153000Z") == datetime(
        2026, 11, 27, 15, 30, tzinfo=UTC
    )
    assert facts.request_time_in('{"error_code": "APIG.0301"}') is None


# Request throttling ---------------------------------------------------------


@pytest.mark.parametrize(
    "policy, scope",
    [
        ("user", "each user"),
        ("app", "each credential"),
        ("ip", "each source IP address"),
        ("api", "the API, all callers together"),
    ],
)
def test_throttling_names_the_policy_the_limit_and_the_window(policy, scope):
    found = facts.throttled(f"policy {policy} over ratelimit,limit:100,time:1 minute")

    assert found.facts == {
        "throttle_policy": policy,
        "throttle_limit": 100,
        "throttle_window": "1 minute",
        "throttle_window_seconds": 60,
    }
    assert found.sentences == [f"The limit is 100 calls in 1 minute, counted for {scope}."]


@pytest.mark.parametrize(
    "window, seconds, words",
    [("1 second", 1, "1 second"), ("10 second", 10, "10 seconds"), ("1 day", 86400, "1 day")],
)
def test_throttling_windows_in_any_unit(window, seconds, words):
    found = facts.throttled(f"policy ip over ratelimit,limit:5,time:{window}")
    assert found.facts["throttle_window_seconds"] == seconds
    assert f"5 calls in {words}," in found.sentences[0]


def test_throttling_detail_cut_short_still_names_the_policy():
    found = facts.throttled("policy app over ratelimit")
    assert found.facts == {"throttle_policy": "app"}
    assert found.sentences == ["The limit is counted for each credential."]


def test_throttling_by_an_unknown_policy_word_says_its_name():
    found = facts.throttled("policy domain over ratelimit,limit:1000,time:1 day")
    assert found.facts["throttle_policy"] == "domain"
    assert "“domain”" in found.sentences[0]


# Canonical request ----------------------------------------------------------

GATEWAY = (
    "verify signature fail, canonicalRequest:GET|/test/||host:api.example.com|"
    f"x-sdk-date:20230527T015431Z||host;x-sdk-date|{EMPTY_BODY_SHA256}"
)


def test_canonical_request_is_laid_out_part_by_part():
    found = facts.canonical_request(GATEWAY)

    assert found.facts["canonical_request"] == {
        "method": "GET",
        "path": "/test/",
        "query": "",
        "headers": ["host:api.example.com", "x-sdk-date:20230527T015431Z"],
        "signed_headers": ["host", "x-sdk-date"],
        "payload_hash": EMPTY_BODY_SHA256,
    }
    assert found.facts["signed_headers"] == ["host", "x-sdk-date"]
    assert found.facts["path_ends_with_slash"] is True
    assert found.facts["payload_hash_is_empty"] is True
    text = " ".join(found.sentences)
    assert "path /test/" in text and "query string (none)" in text
    assert "the hash of an empty body" in text


def test_payload_hash_of_a_real_body_is_not_empty():
    found = facts.canonical_request(GATEWAY.replace(EMPTY_BODY_SHA256, "ab" * 32))
    assert found.facts["payload_hash_is_empty"] is False


def test_signed_header_that_reached_the_gateway_empty_is_named():
    detail = (
        "verify aksk signature fail,canonicalRequest:POST|/v1/items/|a=1|content-type:|"
        "host:api.example.com||content-type;host|" + "ab" * 32
    )
    found = facts.canonical_request(detail)

    assert found.facts["signed_headers_without_value"] == ["content-type"]
    assert "content-type" in found.sentences[-1]


def test_path_without_trailing_slash_is_reported_as_such():
    found = facts.canonical_request(GATEWAY.replace("GET|/test/|", "GET|/test|"))
    assert found.facts["path_ends_with_slash"] is False


def test_canonical_request_cut_short_says_so():
    found = facts.canonical_request("verify signature fail, canonicalRequest:GET|/test/||host:a")
    assert found.facts["canonical_request"]["method"] == "GET"
    assert "payload_hash_is_empty" not in found.facts
    assert "cut short" in found.sentences[-1]


def test_iam_signature_failure_without_canonical_request_says_where_to_get_one():
    found = facts.canonical_request("verify aksk signature fail")
    assert found.facts == {}
    assert "request_id" in found.sentences[0]


# Patterns and details -------------------------------------------------------


def test_detail_is_what_follows_the_documented_message():
    key = "incorrect app authentication information"
    message = "Incorrect app authentication information: app not found, appkey 0117***e5e1"
    assert detail_of(message, key) == "app not found, appkey 0117***e5e1"
    assert detail_of("Incorrect app authentication information.", key) == ""
    # Not the documented message: all of it is the detail.
    assert detail_of("verify signature fail", key) == "verify signature fail"


def test_a_catastrophic_pattern_gives_up_instead_of_hanging():
    assert pattern_matches(r"(a|aa)+$", "a" * 60 + "!") is False


def test_a_pattern_that_does_not_compile_matches_nothing():
    assert pattern_matches(r"signature (expired", "signature (expired") is False
