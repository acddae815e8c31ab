"""The JSON API and its OpenAPI description."""

import json

import pytest
from django.test import Client

from kb.search.parse import MAX_QUERY_CHARS


def test_search_api_returns_ranked_rows_in_the_requested_language(shipped_catalog, client):
    response = client.get("/api/v1/search", {"q": "APIG.0201 413", "lang": "en"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "APIG.0201 413"
    best = data["results"][0]
    assert best["code"] == "APIG.0201" and best["http_status"] == 413
    assert best["match"] == "code"
    assert best["url"] == "/en/codes/APIG.0201/#413-request-entity-too-large"
    assert set(best) >= {"catalog", "code", "http_status", "message_en", "meaning", "remedy", "url"}
    zh = client.get("/api/v1/search", {"q": "APIG.0201 413", "lang": "zh-hans"}).json()
    assert zh["results"][0]["meaning"] != best["meaning"]
    assert zh["results"][0]["url"].startswith("/zh-hans/")


def test_search_api_says_whether_the_answer_and_each_row_are_sure(shipped_catalog, client):
    # A code, a message: sure, the code's every row too.
    for text in ("APIG.0201", "Request entity too large."):
        data = client.get("/api/v1/search", {"q": text}).json()
        assert data["sure"] is True and data["results"][0]["sure"] is True, text
    data = client.get("/api/v1/search", {"q": "APIG.0201"}).json()
    assert all(row["sure"] for row in data["results"] if row["code"] == "APIG.0201")
    # A description whose words mostly miss every row: no sure answer and no sure row.
    data = client.get("/api/v1/search", {"q": "the portal is slow"}).json()
    assert data["results"] and data["sure"] is False
    assert not any(row["sure"] for row in data["results"])
    # A sure description: its first row sure, the far ones not.
    data = client.get("/api/v1/search", {"q": "Request entity to large"}).json()
    assert data["sure"] is True and data["results"][0]["sure"] is True
    assert not data["results"][-1]["sure"]


def test_search_api_gives_the_statuses_to_ask_of_an_unsure_answer_to_a_text_with_none(
    shipped_catalog, client
):
    data = client.get("/api/v1/search", {"q": "my cat ate the token"}).json()
    assert data["sure"] is False
    statuses = list(dict.fromkeys(row["http_status"] for row in data["results"]))
    assert data["statuses_to_ask"] == statuses and len(statuses) > 1
    # A stated status, a sure answer: nothing to ask.
    for text in ("weird 403 from somewhere", "Request entity too large."):
        assert client.get("/api/v1/search", {"q": text}).json()["statuses_to_ask"] == [], text


def test_search_api_reports_the_request_id(shipped_catalog, client):
    text = (
        '{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached.",'
        '"request_id":"6d0c4a21e9f34b7d"}'
    )
    data = client.get("/api/v1/search", {"q": text}).json()
    assert data["request_id"] == "6d0c4a21e9f34b7d"


def test_search_api_accepts_a_long_paste_as_json_body(shipped_catalog, client):
    text = "noise " * 2000 + '{"error_code": "APIG.0303"}'
    response = client.post("/api/v1/search?lang=en", json.dumps({"q": text}), "application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "APIG.0303"


@pytest.mark.parametrize(
    "params, status",
    [
        ({}, 400),
        ({"q": "   "}, 400),
        ({"q": "APIG.0303", "lang": "fr"}, 400),
        ({"q": "APIG.0303", "lang": ""}, 400),
        ({"q": "x" * (MAX_QUERY_CHARS + 1)}, 413),
    ],
)
def test_search_api_refuses_bad_input_with_a_message(shipped_catalog, client, params, status):
    response = client.get("/api/v1/search", params)
    assert response.status_code == status
    assert response.json()["error"]


def test_search_api_refuses_a_body_that_is_not_json(shipped_catalog, client):
    response = client.post("/api/v1/search", b"\xff\xfe", "application/json")
    assert response.status_code == 400


def test_code_api_lists_every_row_of_a_code(shipped_catalog, client):
    data = client.get("/api/v1/codes/apig-0201?lang=en").json()
    assert data["code"] == "APIG.0201"
    assert [row["http_status"] for row in data["rows"]] == [400, 413, 414, 494, 502, 504, 500]


def test_code_api_unknown_code_is_a_404_with_suggestions(shipped_catalog, client):
    response = client.get("/api/v1/codes/APIG.0309")
    assert response.status_code == 404
    assert "APIG.0308" in response.json()["suggestions"]


def test_openapi_description_names_both_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/search", "/api/v1/codes/{code}"} <= set(spec["paths"])


def test_search_api_takes_a_json_or_form_post_without_a_csrf_token(shipped_catalog):
    client = Client(enforce_csrf_checks=True)
    as_json = client.post("/api/v1/search?lang=en", {"q": "APIG.0303"}, "application/json")
    as_form = client.post("/api/v1/search?lang=en", {"q": "APIG.0303"})
    for response in (as_json, as_form):
        assert response.status_code == 200
        assert response.json()["results"][0]["code"] == "APIG.0303"
    # Every API path answers a method it does not take with a 405, never a CSRF page.
    assert client.delete("/api/v1/codes/APIG.0303").status_code == 405


def test_search_api_refuses_a_body_too_large_to_hold_a_query_unread(shipped_catalog, client):
    body = json.dumps({"q": "签" * MAX_QUERY_CHARS * 2}, ensure_ascii=True)
    response = client.post("/api/v1/search", body, "application/json")
    assert response.status_code == 413
    assert response.json()["limit"] == MAX_QUERY_CHARS
