"""The API's OpenAPI description (kb/openapi.py) and the check that every API answer in the
tests goes through (tests/openapi.py, run by tests/conftest.py)."""

import copy

import pytest
from django.test import Client

from kb.diagnosis.facts import FACTS
from kb.openapi import OPENAPI
from tests.logs import incident_log
from tests.openapi import check_answer, schema_errors

SEARCH_200 = ("paths", "/api/v1/search", "get", "responses", "200", "content", "application/json")
TRIAGE_200 = ("paths", "/api/v1/triage", "post", "responses", "200", "content", "application/json")
PASTE = (
    '{"error_code":"APIG.0303","error_msg":"Incorrect app authentication information: '
    'signature expired, signature time:20230527T000431Z,server time:20230527T020608Z",'
    '"request_id":"6d0c4a21e9f34b7d"}'
)


def renamed(data: dict, old: str, new: str) -> dict:
    data = copy.deepcopy(data)
    data[new] = data.pop(old)
    return data


def test_the_served_description_is_the_one_the_answers_are_checked_against(client, db):
    assert client.get("/api/v1/openapi.json").json() == OPENAPI


def test_a_diagnosis_fact_is_described_as_the_facts_list_says(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    facts = spec["components"]["schemas"]["Diagnosis"]["properties"]["facts"]
    assert facts["properties"] == FACTS
    assert facts["additionalProperties"] is False


def test_a_search_answer_with_a_field_renamed_is_not_as_described(shipped_catalog, client):
    answer = client.get("/api/v1/search", {"q": PASTE, "lang": "en"}).json()
    result = answer["results"][0]
    assert result["diagnosis"]["facts"]["clock_skew_seconds"] == 7297
    assert schema_errors((*SEARCH_200, "schema"), answer) == []

    for broken in (
        renamed(answer, "request_id", "requestId"),
        {**answer, "results": [renamed(result, "message_en", "message")]},
        {
            **answer,
            "results": [
                {
                    **result,
                    "diagnosis": {
                        **result["diagnosis"],
                        "facts": renamed(
                            result["diagnosis"]["facts"], "clock_skew_seconds", "skew"
                        ),
                    },
                }
            ],
        },
    ):
        assert schema_errors((*SEARCH_200, "schema"), broken), broken


def test_a_triage_report_with_a_field_renamed_is_not_as_described(shipped_catalog, client):
    report = client.post(
        "/api/v1/triage", data=incident_log().text.encode(), content_type="text/plain"
    ).json()
    assert report["groups"]
    assert schema_errors((*TRIAGE_200, "schema"), report) == []
    group = renamed(report["groups"][0], "request_ids", "requests")
    assert schema_errors((*TRIAGE_200, "schema"), {**report, "groups": [group]})
    assert schema_errors((*TRIAGE_200, "schema"), renamed(report, "failed_calls", "failures"))


@pytest.mark.parametrize(
    "answer",
    [
        # An undescribed status, content type, or a method the description does not list.
        ("GET", "/api/v1/search?q=x", 500, "application/json", b'{"error": "x"}', ""),
        ("GET", "/api/v1/search?q=x", 200, "text/html", b"<p>", ""),
        ("DELETE", "/api/v1/codes/APIG.0303", 200, "application/json", b"{}", ""),
        ("DELETE", "/api/v1/codes/APIG.0303", 405, "text/html", b"", "GET, DELETE"),
        ("GET", "/api/v1/nowhere", 404, "text/html", b"", ""),
        ("GET", "/api/v1/codes/APIG.0309", 404, "application/json", b'{"suggestions": []}', ""),
    ],
)
def test_the_check_refuses_an_answer_its_description_does_not_describe(answer):
    with pytest.raises(AssertionError):
        check_answer(*answer)


def test_every_answer_through_the_test_client_is_checked(shipped_catalog, monkeypatch):
    # The description loses a field the code gives: the next answer fails its test.
    row = copy.deepcopy(OPENAPI["components"]["schemas"]["Row"])
    del row["properties"]["message_en"]
    row["required"].remove("message_en")
    monkeypatch.setitem(OPENAPI["components"]["schemas"], "Row", row)
    with pytest.raises(AssertionError, match="message_en"):
        Client().get("/api/v1/codes/APIG.0303")
