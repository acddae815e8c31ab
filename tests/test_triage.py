"""Triage of a whole log (kb/triage.py): what a support engineer reads from a customer's log
with many failed calls, through the module, `manage.py triage`, the API and the page."""

import base64
import gzip
import io
import json
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kb.triage import MAX_BYTES, MAX_LINES, TriageError, triage
from tests.logs import START, incident_log, mixed_log, request_id, throttled


def run(data: bytes, language: str = "en"):
    with translation.override(language):
        return triage(io.BytesIO(data))


def group_of(report, code: str):
    (group,) = [group for group in report.groups if group.entry.code == code]
    return group


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_a_log_is_grouped_by_row_and_cause_with_exact_counts(shipped_catalog, encoding):
    log = incident_log(chinese=True)
    report = run(log.text.encode(encoding))

    assert report.encoding == encoding
    assert report.lines == log.lines
    counts = {(g.entry.code, g.cause.slug if g.cause else None): g.count for g in report.groups}
    assert counts == {
        ("APIG.0303", "signature-expired"): log.signature_expired,
        ("APIG.0308", "throttled-source-ip"): log.throttled,
        ("APIG.0201", None): log.backend_timeout,
    }
    # Most frequent first, each with its share of the failed calls.
    assert [g.count for g in report.groups] == sorted(counts.values(), reverse=True)
    failed = log.signature_expired + log.throttled + log.backend_timeout
    assert report.failed_calls == failed
    assert group_of(report, "APIG.0308").share == round(log.throttled / failed, 4)
    assert group_of(report, "APIG.0201").statuses == {504: log.backend_timeout}
    assert group_of(report, "APIG.0308").statuses == {429: log.throttled}


def test_lines_of_one_shape_are_searched_once(shipped_catalog):
    log = incident_log()
    report = run(log.text.encode())
    # Three shapes of failed call, whatever their times and request IDs.
    assert report.searches == 3


def test_the_clock_skew_is_aggregated_over_the_lines(shipped_catalog):
    report = run(incident_log(skews=(1200, 1260, 1500)).text.encode())
    skew = group_of(report, "APIG.0303").clock_skew
    assert (skew["min"], skew["median"], skew["max"]) == (1200, 1260, 1500)

    one_clock = run(incident_log(skews=(-28800,)).text.encode())
    skew = group_of(one_clock, "APIG.0303").clock_skew
    assert skew["min"] == skew["median"] == skew["max"] == -28800


def test_throttling_policy_limit_and_window_are_listed(shipped_catalog):
    log = incident_log()
    (policy,) = group_of(run(log.text.encode()), "APIG.0308").throttle_policies
    assert policy == {"policy": "ip", "limit": 100, "window": "1 minute", "count": log.throttled}


def test_request_ids_first_and_last_time_and_a_redacted_sample(shipped_catalog):
    log = incident_log()
    group = group_of(run(log.text.encode()), "APIG.0303")
    assert group.request_ids == log.request_ids["APIG.0303"][:5]
    assert group.first_seen.isoformat() == "2026-11-27T01:02:00+00:00"
    assert group.last_seen > group.first_seen
    assert "signature expired" in group.sample
    assert log.request_ids["APIG.0303"][0] not in group.sample  # redacted


def test_token_expiry_is_set_against_each_lines_own_time(shipped_catalog):
    lines = [
        f"2026-11-27T01:0{n}:00Z ERROR HTTP 401 "
        '{"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: '
        'token expires at:2026-11-27T01:00:00Z"}'
        for n in (1, 5)
    ]
    group = group_of(run("\n".join(lines).encode()), "APIG.0301")
    assert group.cause.slug == "iam-token-expired"
    assert group.token_expiries == {"2026-11-27T01:00:00Z": 2}
    assert group.token_expired == {"min": 60, "median": 180, "max": 300, "lines": 2}


def test_unrecognised_lines_are_counted_with_their_most_frequent_shapes(shipped_catalog):
    log = incident_log()
    report = run(log.text.encode())
    assert report.unrecognised == log.noise + log.unknown_errors
    shapes = report.top_shapes()
    assert sum(shape["count"] for shape in shapes) == report.unrecognised
    assert any("deadlock detected" in s["example"] for s in shapes if s["count"] == 5)


def test_an_error_no_row_answers_counts_as_a_failed_call(shipped_catalog):
    text = "2026-11-27 01:00:00Z ERROR HTTP 418 teapot refused the brew\nok\n"
    report = run(text.encode())
    assert report.groups == []
    assert report.unrecognised == 2
    assert report.unrecognised_errors == 1
    assert report.failed_calls == 1


def test_gzip_is_read(shipped_catalog):
    log = incident_log()
    report = run(gzip.compress(log.text.encode()))
    assert report.recognised == log.signature_expired + log.throttled + log.backend_timeout


def test_a_line_that_is_not_in_the_logs_encoding_is_reported_with_its_number(shipped_catalog):
    lines = ["第一行：正常".encode(), throttled(START, 1).encode()]
    lines.append(b"\xff\xfe broken \x80 line")
    report = run(b"\n".join(lines))
    assert report.encoding == "utf-8"
    assert report.undecodable_count == 1
    assert report.undecodable_lines == [3]
    assert report.recognised == 1


def test_a_very_long_line_is_cut_with_a_note(shipped_catalog):
    long_line = "2026-11-27 01:00:00Z DEBUG " + "x" * 20000
    report = run(f"{long_line}\n{throttled(START, 7)}\n".encode())
    assert report.cut_count == 1
    assert report.cut_lines == [1]
    assert report.lines == 2
    assert report.recognised == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x1f\x8b\x08\x00broken gzip", "gzip"),
    ],
)
def test_an_empty_binary_or_broken_file_is_refused_clearly(db, data, message):
    with pytest.raises(TriageError) as refused:
        run(data)
    assert message in str(refused.value)
    assert refused.value.status == 400


def test_a_log_over_the_line_limit_is_refused(db):
    with pytest.raises(TriageError) as refused:
        run(b"ok\n" * (MAX_LINES + 1))
    assert refused.value.status == 413
    assert "100,000" in str(refused.value)


def test_a_log_over_the_size_limit_is_refused(db):
    with pytest.raises(TriageError) as refused:
        run(b"x" * 100 + b"\n" * (MAX_BYTES))
    assert refused.value.status == 413


def test_the_remedy_and_cause_come_in_the_requested_language(shipped_catalog):
    text = incident_log().text.encode()
    chinese = group_of(run(text, "zh-hans"), "APIG.0308")
    with translation.override("zh-hans"):
        assert re.search(r"[\u4e00-\u9fff]", chinese.entry.remedy)
        assert re.search(r"[\u4e00-\u9fff]", chinese.cause.fix)


# The command, the API and the page on one log -------------------------------------


def test_the_command_the_api_and_the_page_agree_on_one_log(shipped_catalog, client, tmp_path):
    log = incident_log(chinese=True)
    path = tmp_path / "customer.log"
    path.write_bytes(log.text.encode("gb18030"))

    out = StringIO()
    call_command("triage", str(path), "--json", "--lang", "en", stdout=out)
    from_command = json.loads(out.getvalue())

    api = client.post(
        "/api/v1/triage?lang=en", data=path.read_bytes(), content_type="text/plain"
    ).json()
    with path.open("rb") as upload:
        page = client.post("/en/triage/", {"file": upload})
    assert page.status_code == 200
    download = re.search(r'href="data:application/json;charset=utf-8;base64,([^"]+)"', page.text)
    from_page = json.loads(base64.b64decode(unescape(download.group(1))))

    assert from_command == api == from_page
    assert [g["count"] for g in api["groups"]] == [
        log.signature_expired,
        log.throttled,
        log.backend_timeout,
    ]
    rows = re.findall(
        r'<tr class="triage-group">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', page.text
    )
    assert rows == [g["row"]["code"] for g in api["groups"]]


def test_the_command_prints_a_readable_report(shipped_catalog, tmp_path):
    log = incident_log()
    path = tmp_path / "app.log.gz"
    path.write_bytes(gzip.compress(log.text.encode()))
    out = StringIO()
    call_command("triage", str(path), "--lang", "en", stdout=out)
    text = out.getvalue()
    assert f"APIG.0303 HTTP 401 [signature-expired]  {log.signature_expired}" in text
    assert "skew:     min 1200 s, median 1260 s, max 1320 s" in text
    assert request_id(1) in text
    assert f"Unrecognised lines: {log.noise + log.unknown_errors}" in text


def test_the_command_refuses_a_bad_file_with_its_reason(db, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(CommandError, match="binary"):
        call_command("triage", str(path), "--lang", "en", stdout=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("triage", str(tmp_path / "missing.log"), "--lang", "en", stdout=StringIO())


def test_the_api_refuses_bad_logs_with_a_4xx_and_a_message(db, client):
    empty = client.post("/api/v1/triage?lang=en", data=b"", content_type="text/plain")
    assert empty.status_code == 400
    assert "empty" in empty.json()["error"]
    binary = client.post(
        "/api/v1/triage?lang=en", data=bytes(range(256)), content_type="text/plain"
    )
    assert binary.status_code == 400
    assert "binary" in binary.json()["error"]
    assert client.get("/api/v1/triage").status_code == 405
    assert (
        client.post("/api/v1/triage?lang=fr", data=b"x", content_type="text/plain").status_code
        == 400
    )


def test_the_api_answer_is_described_in_the_openapi_document(shipped_catalog, client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/triage"]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/plain", "multipart/form-data"}
    answer = client.post(
        "/api/v1/triage", data=incident_log().text.encode(), content_type="text/plain"
    ).json()
    schema = spec["components"]["schemas"]["TriageReport"]
    assert set(schema["required"]) == set(answer)
    group_schema = spec["components"]["schemas"]["TriageGroup"]
    assert set(group_schema["required"]) <= set(answer["groups"][0])
    assert set(answer["groups"][0]) <= set(group_schema["properties"])


def test_the_page_shows_the_form_in_both_languages_and_refuses_an_empty_log(db, client):
    english = client.get("/en/triage/")
    chinese = client.get("/zh-hans/triage/")
    assert 'enctype="multipart/form-data"' in english.text
    assert "csrfmiddlewaretoken" in english.text
    assert "Log triage" in english.text
    assert "日志分析" in chinese.text
    refused = client.post("/en/triage/", {"log": "   "})
    assert refused.status_code == 400
    assert "empty" in refused.text
    assert "no-store" in refused["Cache-Control"] or "max-age=0" in refused["Cache-Control"]


def test_the_page_checks_the_csrf_token(db, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/triage/", {"log": incident_log().text})
    assert response.status_code == 403
    page = strict.get("/en/triage/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    accepted = strict.post("/en/triage/", {"log": "ok", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 200


def test_the_timeline_is_an_svg_with_a_text_alternative(shipped_catalog, client):
    log = incident_log()
    page = client.post("/en/triage/", {"log": log.text}).text
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", page, re.S).group(1)
    assert "<title" in svg and "<desc" in svg
    assert "Failed calls per minute, by code" in svg
    assert f"APIG.0303 {log.signature_expired}" in svg
    assert "<script" not in page and "style=" not in svg
    # One bar a minute and code: four minutes, three codes.
    assert len(re.findall(r"<rect ", svg)) == 12


def test_lines_read_by_their_template_give_what_parsing_each_gives(shipped_catalog, monkeypatch):
    data = mixed_log(3000)
    remembered = run(data).as_json()
    monkeypatch.setattr("kb.triage.MAX_TEMPLATES", 0)  # every line parsed on its own
    assert run(data).as_json() == remembered
