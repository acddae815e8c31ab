"""Diagnosis of real texts: details written in other words, cut short or templated, and
what the pasted request or result shows when the gateway's detail names no cause."""

import html
import json
import re
from types import SimpleNamespace

import pytest
from django.utils import translation

from kb.diagnosis import facts
from kb.diagnosis.causes import diagnose_detail
from kb.diagnosis.evidence import evidence_in
from kb.diagnosis.restated import restated_cause
from kb.models import Cause
from kb.search.engine import search
from kb.text.patterns import is_placeholder, stated_detail, words_before_cut
from tests.factories import make_entry

APP = "Incorrect app authentication information"
IAM = "Incorrect IAM authentication information"
AUTH = "Incorrect authentication information"
THROTTLED = "The throttling threshold has been reached"
EMPTY_ACCESS = "SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=f29e7d02"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def response(code: str, message: str) -> str:
    return json.dumps(
        {"error_msg": message, "error_code": code, "request_id": "3a431bf124101505a210acd14b849b3d"}
    )


def diagnosed(text: str) -> tuple[str, str | None]:
    hit = search(text).hits[0]
    return hit.entry.code, hit.diagnosis.cause.slug if hit.diagnosis else None


# A detail in other words ------------------------------------------------------


@pytest.mark.parametrize(
    "code, detail, cause",
    [
        ("APIG.0303", "the Authorization header has no Access", "app-authorization-without-key"),
        ("APIGW.0303", "Access is empty in the Authorization", "app-authorization-without-key"),
        ("APIG.0305", "identity source missing", "custom-authorizer-refused"),
        ("APIGW.0305", "前端自定义认证函数拒绝了请求", "custom-authorizer-refused"),
        ("APIG.0308", "per-user limit reached", "throttled-user"),
    ],
)
def test_a_detail_in_other_words_is_diagnosed_by_the_cause_it_restates(
    shipped_catalog, code, detail, cause
):
    message = AUTH if code.endswith("0305") else APP if code.endswith("0303") else THROTTLED
    assert diagnosed(response(code, f"{message}: {detail}")) == (code, cause)


@pytest.mark.parametrize(
    "detail",
    [
        "the signature is wrong",  # words every signature cause uses
        "<detail>",
        "{reason}",
        "...",
        "ak HPUBUTJHK0LT06PC5J7Y 1234",  # values are no words
        "I synced the clock with NTP and the signature still expired",  # the customer's
    ],
)
def test_a_detail_that_restates_no_single_cause_has_no_diagnosis(shipped_catalog, detail):
    assert diagnosed(response("APIG.0303", f"{APP}: {detail}")) == ("APIG.0303", None)


def test_words_after_the_message_without_a_colon_are_not_the_gateways_detail(shipped_catalog):
    text = f"APIG.0303 {APP}, and the Authorization header has no Access as far as I can tell"
    assert diagnosed(text) == ("APIG.0303", None)
    assert stated_detail(f"{APP}: app not found", "incorrect app authentication information") == (
        "app not found"
    )
    assert stated_detail(f"{APP}, app not found", "incorrect app authentication information") == ""


def cause(slug: str, english: str, chinese: str = "") -> SimpleNamespace:
    return SimpleNamespace(slug=slug, explanation_en=english, explanation_zh=chinese)


def test_a_restatement_needs_words_no_other_cause_of_the_row_uses():
    rows_causes = [
        cause("clock", "The signature time differs from the gateway's clock."),
        cause("secret", "The signature does not match: the secret is wrong."),
    ]
    assert restated_cause("signature time and clock differ", rows_causes).slug == "clock"
    # `signature` is in both; one distinctive word is not enough.
    assert restated_cause("signature clock", rows_causes) is None
    # As many distinctive words for the other cause: no clear winner.
    assert restated_cause("clock time secret wrong", rows_causes) is None
    # Mostly words no explanation has: not a restatement.
    assert restated_cause("clock time plus many other unrelated words here", rows_causes) is None
    # The row's documented message says nothing of the cause.
    assert restated_cause("clock time", rows_causes, ignored="Clock time failed") is None


# What the pasted request or result shows ---------------------------------------


@pytest.mark.parametrize(
    "request_text",
    [
        f'$ curl -v https://api.example.com/v1/orders -H "Authorization: {EMPTY_ACCESS}"',
        json.dumps({"request": {"headers": {"Authorization": EMPTY_ACCESS}}}),
        "headers={'Authorization': 'SDK-HMAC-SHA256 SignedHeaders=host, Signature=f29e7d02'}",
        "> Authorization: SDK-HMAC-SHA256 Access=None, SignedHeaders=host, Signature=f29e7d02",
        # A Go client's header map.
        "headers: map[Authorization:[SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=f2]]",
    ],
)
def test_a_pasted_authorization_header_without_a_key_is_the_cause_of_a_bare_message(
    shipped_catalog, request_text
):
    text = request_text + "\n" + response("APIG.0303", APP)
    # Escaped inside another response's string, as a plug-in logs the call.
    wrapped = json.dumps({"call": text})
    for paste in (text, wrapped):
        hit = search(paste).hits[0]
        assert hit.diagnosis.cause.slug == "app-authorization-without-key", paste
        assert "has no key in Access=" in hit.diagnosis.summary


@pytest.mark.parametrize(
    "authorization",
    [
        "SDK-HMAC-SHA256 Access=5d2a8c41e6f94b0f, SignedHeaders=host, Signature=f29e7d02",
        "SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=host, Signature=<signature>",  # redacted
        "SDK-HMAC-SHA256 ...",  # cut short: it says nothing of the key
    ],
)
def test_an_authorization_header_with_a_key_or_cut_short_shows_nothing(
    shipped_catalog, authorization
):
    text = f"Authorization: {authorization}\n" + response("APIG.0303", APP)
    assert evidence_in(text) == []
    assert diagnosed(text) == ("APIG.0303", None)


def test_an_empty_key_on_a_row_none_of_whose_causes_is_about_it_gives_no_diagnosis(
    shipped_catalog,
):
    text = f"Authorization: {EMPTY_ACCESS}\n" + response("APIG.0301", IAM)
    assert diagnosed(text) == ("APIG.0301", None)


@pytest.mark.parametrize(
    "shown",
    [
        "function result: "
        + json.dumps({"statusCode": 200, "body": json.dumps({"status": "deny"})}),
        "authorizer status=deny user=",
        "2026-11-28 09:30:11 WARN 认证函数返回deny",
    ],
)
def test_a_custom_authorizers_function_returning_deny_is_the_cause(shipped_catalog, shown):
    hit = search(f"{shown}\n" + response("APIGW.0305", AUTH)).hits[0]
    assert hit.diagnosis.cause.slug == "custom-authorizer-refused"
    assert "returned “deny”" in hit.diagnosis.summary


def test_an_authorizer_that_allowed_the_call_shows_nothing(shipped_catalog):
    for allowed in (json.dumps({"status": "allow"}), "returned denying nothing"):
        assert diagnosed(f"{allowed}\n" + response("APIGW.0305", AUTH)) == ("APIGW.0305", None)


def test_the_rows_page_shows_the_cause_the_pasted_request_showed(shipped_catalog, client):
    paste = f"Authorization: {EMPTY_ACCESS}\n" + response("APIG.0303", APP)
    results = client.get("/en/search/", {"q": paste}).content.decode()
    link = re.search(r'href="(/en/codes/APIG\.0303/\?[^"]+)"', results).group(1)
    assert "f29e7d02" not in html.unescape(link)  # the excerpt leaves the signature out
    row_page = client.get(html.unescape(link)).content.decode()
    finding = "has no key in Access="
    assert finding in results
    assert finding in row_page


# Details cut short -------------------------------------------------------------


def test_a_detail_cut_short_names_the_cause_whose_pattern_its_words_begin(shipped_catalog):
    text = response("APIG.0308", f"{THROTTLED}: policy user over rat...")
    hit = search(text).hits[0]
    assert hit.diagnosis.cause.slug == "throttled-user"
    assert hit.diagnosis.facts["throttle_policy"] == "user"
    assert "throttle_limit" not in hit.diagnosis.facts
    assert diagnosed(response("APIG.0301", f"{IAM}: signature exp…")) == (
        "APIG.0301",
        "signature-expired",
    )


def test_a_detail_cut_after_one_word_names_no_cause(shipped_catalog):
    # `pol...` begins every policy's pattern.
    assert diagnosed(response("APIG.0308", f"{THROTTLED}: pol...")) == ("APIG.0308", None)
    assert diagnosed(response("APIG.0301", f"{IAM}: Unauth...")) == ("APIG.0301", None)


def test_a_detail_cut_where_two_causes_begin_alike_names_neither(db):
    entry = make_entry(message_en="Something failed.")
    for order, pattern in enumerate((r"disk\s+full\s+now", r"disk\s+full\s+later")):
        made = Cause.objects.create(
            slug=f"cause-{order}",
            pattern=pattern,
            sort_order=order,
            explanation_zh="原因",
            explanation_en="A cause.",
            fix_zh="修",
            fix_en="Fix.",
        )
        made.entries.add(entry)
    assert diagnose_detail(entry, ["disk full..."]) is None
    assert diagnose_detail(entry, ["disk full la..."]).cause.slug == "cause-1"


def test_words_before_a_cut_count_only_up_to_the_cut():
    pattern = r"policy\s+user\s+over\s+rate\s*limit"
    assert words_before_cut(pattern, "policy user over rat...") == 4
    assert words_before_cut(pattern, "policy user over rat") == 0  # not cut
    assert words_before_cut(pattern, "policy app over rat...") == 0
    assert words_before_cut(pattern, "x (...) then policy user…") == 2


# Templates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, placeholder",
    [
        ("{x-sdk-date}", True),
        ("${SDK_DATE}", True),
        ("<signature time>", False),  # a space: words, not a placeholder
        ("<ak>", True),
        ("XX", True),
        ("xxx", True),
        ("%s", True),
        ("******", True),
        ("…", True),
        ("20261127T094501Z", False),
        ("deny", False),
    ],
)
def test_placeholders_are_told_from_values(value, placeholder):
    assert is_placeholder(value) is placeholder


def test_a_signature_time_given_as_a_placeholder_leaves_the_servers_time():
    found = facts.signature_expired(
        "signature expired, signature time:{x-sdk-date},server time:20261127T094501Z"
    )
    assert found.facts == {"server_time": "2026-11-27T09:45:01Z"}
    assert "placeholder" in found.sentences[0]
    assert "2026-11-27 09:45:01 UTC" in found.sentences[-1]


def test_a_templated_signature_time_in_a_paste_still_gives_the_servers_time(shipped_catalog):
    text = f"{APP}: signature expired, signature time:{{x-sdk-date}},server time:20261127T094501Z"
    hit = search(f"{text} (error_code APIG.0303, HTTP 401)").hits[0]
    assert hit.diagnosis.cause.slug == "signature-expired"
    assert hit.diagnosis.facts["server_time"] == "2026-11-27T09:45:01Z"
    assert "clock_skew_seconds" not in hit.diagnosis.facts
