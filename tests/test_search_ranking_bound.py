"""A search ranks only the candidates that can still place (kb.search.engine._ranked),
and shows exactly the rows, scores and sureness it would show had it ranked them all."""

import math

import pytest

from kb.search import engine
from tests.factories import make_entry

TEXTS = [
    # Descriptions, with and without a status, in both languages.
    "the signature is wrong when I call my API with the app key and secret",
    "api takes 70 seconds and the gateway cuts it off with 504",
    "uploading a 14MB file through the gateway fails, body too large",
    "our backend is behind a VPC channel and every server in it is unhealthy 502",
    "calls get throttled after 200 requests a minute",
    "the IP of our new server is blocked by the access control list",
    "calling the ECS API to list servers returns 401, the IAM token expired",
    "took the API offline yesterday, now clients get 404 from the gateway",
    "custom authorizer denies every request",
    # What was not sent, beside what was (a lack-of row's field).
    "token request fails: we post client_id and client_secret but left out the grant type",
    "请求token时带了client_id和grant_type，但是secret没传",
    "request to the api through the debug page says domain not bound",
    "签名不对，调用接口一直返回401",
    "后端服务超时，网关返回504",
    "请求体太大了，上传文件失败",
    "调用次数用完了，一直返回429",
    "新服务器的IP被访问控制拦了",
    "调ECS的API查云服务器列表，提示token过期",
    "api只勾了HTTPS，我用http调，提示protocol不支持",
    # Pastes: a code with its message, a drifted message, a log line.
    '{"error_msg":"Incorrect app authentication information: verify signature fail",'
    '"error_code":"APIG.0303","request_id":"8f2c6a0e4b7d4c1e9a5f3b2d1c0e9f8a"}',
    "Backend unavailable: connection refused",
    "2026-11-30 10:01:02 ERROR upstream returned 429 Too Many Requests throttled",
    "APIG.0201",
    "502",
]


def shown(text: str, limit: int) -> list[tuple]:
    result = engine.search(text, limit=limit)
    return [
        (hit.entry.code, hit.entry.http_status, hit.score, hit.match, hit.contested)
        for hit in result.hits
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 3, engine.RESULT_LIMIT, engine.CANDIDATE_LIMIT])
def test_a_search_shows_what_ranking_every_candidate_shows(shipped_catalog, monkeypatch, limit):
    found = {text: shown(text, limit) for text in TEXTS}
    assert all(found.values())

    monkeypatch.setattr(engine, "_best_possible", lambda *args: math.inf)
    engine.forget_rankings()
    assert {text: shown(text, limit) for text in TEXTS} == found


def scores_and_bounds(monkeypatch, texts, limit: int) -> list[tuple[str, float, float]]:
    """(code, score, best possible score) of every candidate ranked with a bound worked
    out for it, in searches of `texts`."""
    # Each bound by the objects it was worked out for, which are kept alive with it: an
    # id alone may be reused by another text's objects once the first are freed.
    bounds: dict[tuple[int, int], tuple[float, tuple, list]] = {}
    checked = []
    best_possible, rank = engine._best_possible, engine._rank

    def recorded_bound(asked, candidate, fixed, present):
        bound = best_possible(asked, candidate, fixed, present)
        bounds[id(fixed), id(present)] = (bound, fixed, present)
        return bound

    def checked_rank(asked, candidate, present, similarity, fixed):
        hit = rank(asked, candidate, present, similarity, fixed)
        # (No bound is worked out when every candidate may place: fewer than the limit.)
        if (id(fixed), id(present)) in bounds:
            bound, bound_fixed, bound_present = bounds[id(fixed), id(present)]
            assert bound_fixed is fixed and bound_present is present
            checked.append((candidate.code, hit.score, bound))
        return hit

    monkeypatch.setattr(engine, "_best_possible", recorded_bound)
    monkeypatch.setattr(engine, "_rank", checked_rank)
    for text in texts:
        engine.search(text, limit=limit)
    return checked


@pytest.mark.django_db
def test_no_candidate_scores_above_its_best_possible_score(shipped_catalog, monkeypatch):
    checked = scores_and_bounds(monkeypatch, TEXTS, engine.RESULT_LIMIT)
    assert len(checked) > 100
    assert [(code, score, bound) for code, score, bound in checked if score > bound] == []


@pytest.mark.django_db
def test_a_lack_of_row_that_names_the_missing_field_scores_within_its_bound(monkeypatch):
    # Every part of the row's score at its most: all the text's words in its message, a
    # phrasing that says them all, every word of its message said, the field the text says
    # is missing its own. The bound must count the lack-of weight, not an identifier's.
    make_entry(
        code="APIG.9201",
        message_en="Lack of widget name.",
        phrasings_en="widget name never sent",
    )
    make_entry(code="APIG.9202", message_en="Widget broken.")
    checked = scores_and_bounds(monkeypatch, ["the widget name was never sent"], limit=1)
    lack = [(score, bound) for code, score, bound in checked if code == "APIG.9201"]
    assert lack
    assert [(score, bound) for score, bound in lack if score > bound] == []


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 3])
def test_a_row_lowered_to_its_twin_makes_room_for_the_rows_it_stopped(monkeypatch, limit):
    # The shared gateway's row says it best (its phrasing), but the text does not point at
    # the shared gateway: it scores no higher than its twin of the customer's gateway,
    # which holds one word of the text, and the row that holds two words of it in its
    # message comes first. Ranked best possible score first, the search stops after the
    # shared gateway's row; its twin must be ranked all the same, and the rows that
    # stopped it ranked after all.
    message = "Widget quota exhausted."
    make_entry(
        code="APIGW.9101",
        http_status=429,
        message_en=message,
        phrasings_en="the frobnicator refuses the sprocket widget",
    )
    make_entry(code="APIG.9101", http_status=429, message_en=message)
    make_entry(code="APIG.9102", message_en="Sprocket frobnicator failure.")
    text = "frobnicator refuses sprocket widget"

    found = shown(text, limit)
    assert found[0][0] == "APIG.9102"
    monkeypatch.setattr(engine, "_best_possible", lambda *args: math.inf)
    engine.forget_rankings()
    assert shown(text, limit) == found


def test_a_row_ranked_after_the_stop_is_lowered_to_its_twin_too(monkeypatch):
    # The ranking's own steps, with each row's best possible and actual score given. The
    # shared gateway's row A stops the ranking; its twin A2 lowers it to 10, so the rows
    # it stopped are ranked after all. Among them B, of the shared gateway too, scores 25,
    # but its twin B2 (best possible 5, below the bar) scores 4: B must be lowered to it,
    # as it is when every row is ranked, and not come first.
    rows = {
        # id: (catalog, message key, best possible score, score)
        1: ("APIGW", "a", 50.0, 50.0),
        2: ("APIG", "a", 11.0, 10.0),
        3: ("APIGW", "b", 30.0, 25.0),
        4: ("APIG", "b", 5.0, 4.0),
        5: ("APIG", "c", 9.0, 9.0),
    }
    candidates = [
        engine.Candidate(row_id, catalog, f"{catalog}.{row_id}", 400, key, "", row_id)
        for row_id, (catalog, key, _bound, _score) in rows.items()
    ]
    monkeypatch.setattr(engine, "_fixed_score", lambda *args: (0.0, "text"))
    monkeypatch.setattr(
        engine, "_best_possible", lambda asked, candidate, *args: rows[candidate.id][2]
    )
    monkeypatch.setattr(
        engine,
        "_rank",
        lambda asked, candidate, *args: engine.Hit(None, rows[candidate.id][3], "text"),
    )

    def placed(limit: int) -> list[tuple[int, float]]:
        ranked = engine._ranked(None, candidates, [[]] * 5, [0.0] * 5, limit, "APIG")
        return sorted(
            ((candidate.id, hit.score) for candidate, hit in ranked),
            key=lambda pair: (-pair[1], pair[0]),
        )

    found = placed(1)
    assert found[0] == (1, 10.0)
    assert (3, 4.0) in found
    monkeypatch.setattr(engine, "_best_possible", lambda *args: math.inf)
    assert placed(1)[: len(found)] == found
