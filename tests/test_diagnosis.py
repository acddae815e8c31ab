"""Diagnosis: the known cause behind the detail a pasted error carries, wherever results show."""

import html
import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kb.catalog import import_catalog
from kb.models import Cause, ErrorEntry
from kb.search.engine import search
from tests.factories import make_entry

IAM = "Incorrect IAM authentication information"
APP = "Incorrect app authentication information"
THROTTLED = "The throttling threshold has been reached"
CANONICAL = (
    "canonicalRequest:GET|/test/||host:d7da6fe436fb48f2af3c5c2e5b203df7.example.com|"
    "x-sdk-date:20230527T015431Z||host;x-sdk-date|"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

# Every shipped cause, with the codes it serves and a detail as the gateway writes it.
SHIPPED = [
    ("iam-ak-locked", "0301", f"{IAM}: AK access failed to reach the limit,forbidden."),
    ("iam-ak-not-found", "0301", f"{IAM}: Get secretKey failed,ak:******,err:ak not exist"),
    ("iam-verify-aksk-signature-fail", "0301", f"{IAM}: verify aksk signature fail"),
    ("iam-verify-aksk-signature-fail", "0301", f"{IAM}: verify aksk signature fail,{CANONICAL}"),
    ("iam-token-expired", "0301", f"{IAM}: token expires, expires_at: 2026-11-27T01:01:01.000Z"),
    ("iam-token-decrypt-fail", "0301", f"{IAM}: decrypt token fail"),
    ("iam-token-not-found", "0301", f"{IAM}: x-auth-token not found"),
    ("iam-unauthorized", "0301", f"{IAM}: Unauthorized"),
    (
        "signature-expired",
        "0301",
        f"{IAM}: signature expired, signature time:20261127T000431Z,server time:20261127T020608Z",
    ),
    ("app-not-found", "0303", f"{APP}: app not found, appkey 0117***e5e1"),
    (
        "signature-expired",
        "0303",
        f"{APP}: signature expired, signature time:20230527T000431Z,server time:20230527T020608Z",
    ),
    ("app-verify-signature-fail", "0303", f"{APP}: verify signature fail, {CANONICAL}"),
    (
        "app-authorization-without-key",
        "0303",
        f"{APP}: Access or Credential is empty in Authorization",
    ),
    (
        "custom-authorizer-refused",
        "0305",
        "Incorrect authentication information: frontend authorizer",
    ),
    (
        "throttled-user",
        "0308",
        f"{THROTTLED}: policy user over ratelimit,limit:100,time:1 minute",
    ),
    (
        "throttled-credential",
        "0308",
        f"{THROTTLED}: policy app over ratelimit,limit:10,time:1 second",
    ),
    (
        "throttled-source-ip",
        "0308",
        f"{THROTTLED}: policy ip over ratelimit,limit:5,time:1 minute",
    ),
    (
        "throttled-api",
        "0308",
        f"{THROTTLED}: policy api over ratelimit,limit:2000,time:1 second",
    ),
    (
        "throttled-other-policy",
        "0308",
        f"{THROTTLED}: policy domain over ratelimit,limit:1000,time:1 day",
    ),
]


def json_response(code: str, message: str) -> str:
    return json.dumps(
        {"error_msg": message, "error_code": code, "request_id": "a5322eb89048eb41d705491a76a05aca"}
    )


def best(text):
    hits = search(text).hits
    assert hits, f"no result for {text!r}"
    return hits[0]


def test_every_shipped_cause_is_found_from_a_json_response_and_from_the_bare_message(
    shipped_catalog,
):
    assert {slug for slug, _code, _message in SHIPPED} == set(
        Cause.objects.values_list("slug", flat=True)
    ), "every shipped cause needs a case here"
    for slug, number, message in SHIPPED:
        for catalog in ("APIG", "APIGW"):
            code = f"{catalog}.{number}"
            hit = best(json_response(code, message))
            assert hit.entry.code == code
            assert hit.diagnosis and hit.diagnosis.cause.slug == slug, (code, message)
        hit = best(message)  # the message alone, as copied from a log
        assert hit.entry.code.endswith(number), message
        assert hit.diagnosis and hit.diagnosis.cause.slug == slug, message


def test_the_documented_message_alone_has_no_diagnosis(shipped_catalog):
    assert best(json_response("APIG.0303", f"{APP}.")).diagnosis is None
    assert best("APIG.0303").diagnosis is None


def test_a_detail_no_cause_knows_has_no_diagnosis(shipped_catalog):
    hit = best(json_response("APIG.0303", f"{APP}: something nobody has seen"))
    assert hit.entry.code == "APIG.0303"
    assert hit.diagnosis is None


def test_detail_after_the_code_without_the_documented_message_is_diagnosed(shipped_catalog):
    hit = best("APIG.0303 app not found, appkey 0117***e5e1")
    assert hit.diagnosis.cause.slug == "app-not-found"


def test_a_log_line_whose_message_is_not_quoted_is_diagnosed_in_full(shipped_catalog):
    line = (
        "2026-11-27 01:02:03 ERROR call failed error_code=APIG.0303 msg: "
        f"{APP}: signature expired, signature time:20261127T000000Z,server time:20261127T003000Z"
    )
    hit = best(line)
    assert hit.diagnosis.cause.slug == "signature-expired"
    assert hit.diagnosis.facts["clock_skew_seconds"] == 1800


def test_a_response_wrapped_as_a_string_in_another_response_is_diagnosed(shipped_catalog):
    inner = json_response(
        "APIG.0308", f"{THROTTLED}: policy app over ratelimit,limit:10,time:1 second"
    )
    # As a plug-in wraps it, with its own `msg` and `code`; and twice over.
    once = json.dumps({"code": 500, "msg": "ocr call failed", "body": inner})
    twice = json.dumps({"error": "upstream said: " + once})
    for text in (once, twice):
        hit = best(text)
        assert hit.entry.code == "APIG.0308", text
        assert hit.diagnosis.cause.slug == "throttled-credential", text
        assert hit.diagnosis.facts["throttle_limit"] == 10


def test_a_response_copied_out_of_a_json_string_with_its_escapes_is_diagnosed(shipped_catalog):
    inner = json_response("APIGW.0301", f"{IAM}: ak HPUBUTJHK0LT06PC5J7Y not exist")
    escaped = json.dumps(inner)[1:-1]  # {\"error_msg\": ...} as a log prints a JSON string
    hit = best(f"2026-12-01 10:00:00 ERROR dns update failed body={escaped}")
    assert hit.entry.code == "APIGW.0301"
    assert hit.diagnosis.cause.slug == "iam-ak-not-found"


def test_a_token_expiry_printed_with_an_offset_and_zone_name_is_read_in_utc(shipped_catalog):
    message = f"{IAM}: token expires, expires_at: 2026-11-26 17:15:02 +0800 CST"
    diagnosis = best(json_response("APIGW.0301", message)).diagnosis
    assert diagnosis.facts["token_expires_at"] == "2026-11-26T09:15:02Z"


def test_a_canonical_request_in_a_gateway_log_line_keeps_its_lines(shipped_catalog):
    line = (
        "2026/11/26 18:40:09 [error] 3318#0: *55102 [lua] responses.lua:170: rewrite(): "
        f"da45098b;ecs-proxy;{IAM}: verify aksk signature fail;canonicalRequest:POST\n"
        "/v1/0a7c3e0f/cloudservers/\n\nhost:ecs.example.com\nx-sdk-date:20261126T104009Z\n\n"
        "host;x-sdk-date\n83a0d4683ff42936f46fd79c05c08ecf22dff01090312ced1bcba56cf3baefc0, "
        'client: 10.0.3.17, server: shubao, request: "POST /v1/0a7c3e0f/cloudservers HTTP/1.1"'
    )
    diagnosis = best("APIGW.0301 " + line).diagnosis
    assert diagnosis.cause.slug == "iam-verify-aksk-signature-fail"
    request = diagnosis.facts["canonical_request"]
    assert (request["method"], request["path"]) == ("POST", "/v1/0a7c3e0f/cloudservers/")
    assert diagnosis.facts["signed_headers"] == ["host", "x-sdk-date"]
    assert diagnosis.facts["payload_hash_is_empty"] is False


def test_the_token_expiry_is_relative_to_the_date_of_a_pasted_curl_response(shipped_catalog):
    curl = (
        "HTTP/1.1 401 Unauthorized\r\nDate: Fri, 27 Nov 2026 03:01:01 GMT\r\n"
        "Content-Type: application/json\r\n\r\n"
        + json_response("APIG.0301", f"{IAM}: token expires, expires_at: 2026-11-27T01:01:01Z")
    )
    with translation.override("en"):
        diagnosis = best(curl).diagnosis
    assert diagnosis.facts["token_expires_at"] == "2026-11-27T01:01:01Z"
    assert diagnosis.facts["token_expired_seconds_before_request"] == 7200
    assert "2 hours before the time of this request" in diagnosis.summary


def test_the_rows_page_shows_the_facts_of_the_results_page_for_the_same_paste(
    shipped_catalog, client
):
    curl = (
        "HTTP/1.1 401 Unauthorized\r\nDate: Fri, 27 Nov 2026 03:01:01 GMT\r\n"
        "Content-Type: application/json\r\n\r\n"
        + json_response("APIG.0301", f"{IAM}: token expires, expires_at: 2026-11-27T01:01:01Z")
    )
    results = client.get("/en/search/", {"q": curl}).content.decode()
    link = re.search(r'href="(/en/codes/APIG\.0301/\?[^"]+)"', results).group(1)
    row_page = client.get(html.unescape(link)).content.decode()
    facts = "That is 2 hours before the time of this request"
    assert facts in results
    assert facts in row_page


def test_causes_are_tried_in_their_order(db):
    entry = make_entry(message_en="Something failed.")
    general = Cause.objects.create(
        slug="general",
        pattern="fail",
        sort_order=20,
        explanation_zh="总",
        explanation_en="G",
        fix_zh="修",
        fix_en="F",
    )
    specific = Cause.objects.create(
        slug="specific",
        pattern="disk fail",
        sort_order=10,
        explanation_zh="具",
        explanation_en="S",
        fix_zh="修",
        fix_en="F",
    )
    general.entries.add(entry)
    specific.entries.add(entry)

    assert best("Something failed: disk failure").diagnosis.cause == specific
    specific.sort_order = 30
    specific.save()
    assert best("Something failed: disk failure").diagnosis.cause == general


def test_causes_of_the_best_rows_are_loaded_in_one_query(shipped_catalog):
    message = f"{APP}: app not found, appkey 0117***e5e1"
    with CaptureQueriesContext(connection) as queries:
        hits = search(message).hits
    assert [hit.diagnosis.cause.slug for hit in hits[:2]] == ["app-not-found"] * 2
    assert sum("kb_cause" in query["sql"] for query in queries.captured_queries) == 1


def test_a_search_that_carries_no_detail_asks_nothing_about_causes(shipped_catalog):
    with CaptureQueriesContext(connection) as queries:
        search("APIG.0303 401")
    assert not any("kb_cause" in query["sql"] for query in queries.captured_queries)


# The JSON API and lookup ------------------------------------------------------


def test_api_results_carry_a_diagnosis_with_computed_facts(shipped_catalog, client):
    text = json_response(
        "APIG.0303",
        f"{APP}: signature expired, signature time:20230527T000431Z,server time:20230527T020608Z",
    )
    data = client.get("/api/v1/search", {"q": text, "lang": "en"}).json()

    diagnosis = data["results"][0]["diagnosis"]
    assert diagnosis["cause"] == "signature-expired"
    assert diagnosis["facts"]["clock_skew_seconds"] == 7297
    assert "2 hours 1 minute 37 seconds behind" in diagnosis["summary"]
    assert diagnosis["fix"].startswith("Synchronize the client's clock")
    zh = client.get("/api/v1/search", {"q": text, "lang": "zh-hans"}).json()
    assert "签名时间" in zh["results"][0]["diagnosis"]["summary"]


def test_api_throttling_diagnosis_names_policy_limit_and_window(shipped_catalog, client):
    text = json_response(
        "APIGW.0308",
        f"{THROTTLED}: policy app over ratelimit,limit:10,time:1 second",
    )
    facts = client.get("/api/v1/search", {"q": text}).json()["results"][0]["diagnosis"]["facts"]
    assert facts["throttle_policy"] == "app"
    assert facts["throttle_limit"] == 10
    assert facts["throttle_window"] == "1 second"


def test_api_canonical_request_diagnosis_says_whether_the_body_was_empty(shipped_catalog, client):
    text = json_response("APIGW.0303", f"{APP}: verify signature fail, {CANONICAL}")
    facts = client.get("/api/v1/search", {"q": text}).json()["results"][0]["diagnosis"]["facts"]
    assert facts["payload_hash_is_empty"] is True
    assert facts["signed_headers"] == ["host", "x-sdk-date"]
    assert facts["path_ends_with_slash"] is True


def test_api_results_without_a_cause_carry_an_empty_diagnosis(shipped_catalog, client):
    data = client.get("/api/v1/search", {"q": "APIG.0201 413"}).json()
    assert data["results"][0]["diagnosis"] == {"cause": None, "summary": "", "fix": "", "facts": {}}


def test_openapi_documents_the_diagnosis_and_its_facts(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["Diagnosis"]
    assert set(schema["required"]) == {"cause", "summary", "fix", "facts"}
    assert {
        "clock_skew_seconds",
        "token_expires_at",
        "throttle_policy",
        "throttle_limit",
        "throttle_window",
        "payload_hash_is_empty",
    } <= set(schema["properties"]["facts"]["properties"])


def test_lookup_prints_the_cause_before_the_meaning(shipped_catalog):
    out = StringIO()
    text = json_response(
        "APIG.0308",
        f"{THROTTLED}: policy ip over ratelimit,limit:5,time:1 minute",
    )
    call_command("lookup", text, "--lang", "en", stdout=out)
    lines = out.getvalue().splitlines()
    cause = next(i for i, line in enumerate(lines) if line.strip().startswith("cause:"))
    assert "[throttled-source-ip]" in lines[cause]
    assert "5 calls in 1 minute" in lines[cause]
    assert "throttle_policy = ip" in out.getvalue()
    assert cause < next(i for i, line in enumerate(lines) if line.strip().startswith("meaning:"))


# Pages -----------------------------------------------------------------------


def test_search_page_shows_the_matched_cause_above_the_remedy(shipped_catalog, client):
    text = json_response("APIG.0301", f"{IAM}: AK access failed to reach the limit,forbidden.")
    html = client.get("/en/search/", {"q": text}).content.decode()

    cause = Cause.objects.get(slug="iam-ak-locked")
    row = ErrorEntry.objects.get(code="APIG.0301")
    assert html.index(cause.explanation_en.replace("'", "&#x27;")) < html.index(">Remedy<")
    assert "Stop retrying" in html
    # The row's link passes the detail on, so its code page can put the cause first.
    assert "/en/codes/APIG.0301/?detail=AK+access+failed" in html
    assert html.index("Likely cause") < html.index(row.remedy_en.split(",")[0])


def test_code_page_puts_the_cause_of_a_passed_detail_first(shipped_catalog, client):
    response = client.get(
        "/en/codes/APIG.0303/",
        {
            "detail": "signature expired, signature time:20261127T200000Z,"
            "server time:20261127T120000Z"
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The cause of the detail you pasted" in html
    assert 'id="cause-signature-expired"' in html
    assert "8 hours ahead of the gateway" in html
    assert html.index("cause-signature-expired") < html.index(">Remedy<")
    assert "Other known causes" in html


def test_code_page_lists_every_known_cause_of_its_rows(shipped_catalog, client):
    html = client.get("/en/codes/APIG.0301/").content.decode()
    for cause in Cause.objects.filter(entries__code="APIG.0301"):
        assert f'id="{cause.anchor}"' in html
    assert "Known causes" in html
    assert reverse("kb:signature-checker") in html


def test_code_page_escapes_the_detail_and_takes_any_length(shipped_catalog, client):
    detail = (
        "verify signature fail, canonicalRequest:GET|/<script>alert(1)</script>/||host:a||host|x"
    )
    response = client.get("/en/codes/APIG.0303/", {"detail": detail})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert client.get("/en/codes/APIG.0303/", {"detail": "x" * 100_000}).status_code == 200


# Editing causes ---------------------------------------------------------------


def cause_form_data(admin_client, cause) -> dict:
    url = reverse("admin:kb_cause_change", args=[cause.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["entries"] = [entry.pk for entry in cause.entries.all()]
    return data


def test_admin_edit_of_a_cause_appears_in_search_results_and_survives_reimport(
    shipped_catalog, admin_client, client
):
    cause = Cause.objects.get(slug="app-not-found")
    data = cause_form_data(admin_client, cause)
    data["fix_en"] = "Ask the API owner which credential this API is authorized for."
    url = reverse("admin:kb_cause_change", args=[cause.pk])

    assert admin_client.post(url, data).status_code == 302

    text = json_response("APIG.0303", f"{APP}: app not found, appkey 0117***e5e1")
    html = client.get("/en/search/", {"q": text}).content.decode()
    assert "Ask the API owner which credential this API is authorized for." in html
    import_catalog()
    cause.refresh_from_db()
    assert cause.edited
    assert cause.fix_en.startswith("Ask the API owner")


def test_admin_refuses_a_pattern_that_is_not_a_regular_expression(shipped_catalog, admin_client):
    cause = Cause.objects.get(slug="app-not-found")
    data = cause_form_data(admin_client, cause)
    data["pattern"] = "app (not found"
    url = reverse("admin:kb_cause_change", args=[cause.pk])

    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "not a usable regular expression" in response.content.decode()
    cause.refresh_from_db()
    assert cause.pattern == r"app\s+not\s+found"


def test_admin_lists_causes_with_their_codes_and_order(shipped_catalog, admin_client):
    html = admin_client.get(reverse("admin:kb_cause_changelist")).content.decode()
    assert "signature-expired" in html
    assert "APIG.0301, APIG.0303, APIGW.0301, APIGW.0303" in html


def test_pattern_longer_than_the_limit_is_refused(db):
    cause = Cause(
        slug="long",
        pattern="a" * 301,
        explanation_zh="x",
        explanation_en="x",
        fix_zh="x",
        fix_en="x",
    )
    with pytest.raises(ValidationError) as error:
        cause.full_clean()
    assert "pattern" in error.value.message_dict


def test_shipped_cause_change_applies_unless_staff_edited_it(shipped_catalog, tmp_path):
    from django.conf import settings

    objects = json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8"))
    for obj in objects:
        if obj["model"] == "kb.cause" and obj["fields"]["slug"] in (
            "iam-ak-locked",
            "app-not-found",
        ):
            obj["fields"]["fix_en"] = "Newer shipped fix."
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    edited = Cause.objects.get(slug="app-not-found")
    edited.fix_en = "Our own fix."
    edited.save()

    report = import_catalog([path])

    assert Cause.objects.get(slug="iam-ak-locked").fix_en == "Newer shipped fix."
    assert Cause.objects.get(slug="app-not-found").fix_en == "Our own fix."
    assert [str(c.field) for c in report.conflicts] == ["fix_en"]
