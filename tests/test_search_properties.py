"""Any text at all gives results or a clear refusal, never an exception or a 500; and the
quick checks that spare a text a costly pattern never change what the pattern finds."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search import engine
from kb.search.answer import answer
from kb.search.engine import RESULT_LIMIT
from kb.search.parse import (
    CLOUD_SERVICE_API_RE,
    CLOUD_SERVICES,
    names_cloud_service_api,
    services_named_alone,
)
from kb.text.tokens import LINE_MARK

FTS_SYNTAX = st.sampled_from(['"', "*", "NEAR", "OR", "AND", "NOT", "(", ")", "^", ":", "-", "{"])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(FTS_SYNTAX, st.text(max_size=8)), max_size=20).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_engine_takes_any_text(shipped_catalog, text):
    found = answer(text, language="en", record=False)
    # Short text is never refused; only blank text gets a 400, with a message.
    assert found.status == (400 if not text.strip() else 200)
    assert bool(found.error) == (found.status != 200)
    hits = found.hits
    # Rows best first, each once, at most the result limit.
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert len({hit.entry.pk for hit in hits}) == len(hits) <= RESULT_LIMIT
    assert all(hit.score > 0 for hit in hits)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_api_and_page_answer_any_text_without_a_server_error(shipped_catalog, client, text):
    text = text.replace("\x00", "")  # the test client cannot put NUL in a URL
    assert client.get("/api/v1/search", {"q": text}).status_code in (200, 400, 413)
    assert client.get("/en/search/", {"q": text}).status_code in (200, 302, 400)


# Texts made of what CLOUD_SERVICE_API_RE looks for (service names, `cloud`, `huawei`,
# `service`, `api`, the verbs and the Chinese words around them), in any case and order.
CLOUD_PIECES = st.sampled_from(
    [*CLOUD_SERVICES.split("|"), "ECS", "Iam", "cloud", "Cloud", "service", "Service's"]
    + ["huawei", "HuaWei", "myhuaweicloud.com", "api", "APIs", "openapi", "sdk", "explorer"]
    + ["endpoint", "calls", "calling", "the", "our", "list", "queried", "create", "channel"]
    + ["调用", "调", "请求", "华为云", "云服务", "云服务器", "云硬盘", "对象存储", "查询", "接口"]
    + ["的", "服务", "上", "网关", "gateway", "instance", "挂", "挂了"]
)
CLOUD_TEXT = st.lists(
    st.one_of(CLOUD_PIECES, st.sampled_from(["", " ", "  ", "-", ".", "/"]), st.text(max_size=3)),
    max_size=14,
).map("".join)


@pytest.mark.parametrize(
    "text",
    # One for each way the pattern names a cloud service's API, most with one of the
    # words the quick check looks for and no other.
    [
        "the response of the cloud API",
        "we tried it in API Explorer",
        "the service endpoint answers 401",
        "iam.myhuaweicloud.com answers 401",
        "with the Huawei's openAPI",
        "Huawei Cloud SDK call",
        "调用云服务失败",
        "华为云的接口返回401",
        "对象存储的查询失败",
        "calling ECS fails",
        "调ECS返回401",
        "listing evs volumes",
        "OBS/ECS calls",
        "the VPC create security group API",
        "EVS云硬盘接口",
    ],
)
def test_the_quick_check_passes_over_no_text_that_names_a_cloud_service_api(text):
    # The pattern is searched only in a text that holds one of the words it needs.
    assert CLOUD_SERVICE_API_RE.search(text)
    assert names_cloud_service_api(text)


@settings(max_examples=400, deadline=None)
@given(text=CLOUD_TEXT)
def test_the_quick_check_for_a_cloud_service_api_agrees_with_its_pattern(text):
    named = CLOUD_SERVICE_API_RE.search(text) or services_named_alone(text)
    assert names_cloud_service_api(text) == bool(named)


TOKENS = st.sampled_from(["sprocket", "wobbl", "jam", "gear", "z4e0d5b58", "403", "api", "ip"])
LINE = st.frozensets(TOKENS, min_size=1, max_size=5)
GROUP = st.frozensets(
    st.one_of(TOKENS, st.tuples(TOKENS, TOKENS).map(tuple)), min_size=1, max_size=3
)


def _best_line_share_line_by_line(lines, groups, weights, present, total):
    """The best phrasing line's share, read line by line over every line of the row."""
    best = 0.0
    asked = {
        t
        for group in groups
        for term in group
        for t in ((term,) if isinstance(term, str) else term)
    }
    for line in lines:
        share = sum(
            weights[g]
            for g in present
            if any(
                (term in line) if isinstance(term, str) else all(t in line for t in term)
                for term in groups[g]
            )
        )
        if share:
            own = (
                1
                - engine.PHRASING_OWN_WORDS
                + engine.PHRASING_OWN_WORDS * len(line & asked) / len(line)
            )
            best = max(best, share * own)
    return best / total


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(LINE, min_size=1, max_size=8),
    groups=st.lists(GROUP, min_size=1, max_size=5).map(tuple),
    data=st.data(),
)
def test_the_best_phrasing_line_read_through_its_tokens_is_the_best_line(lines, groups, data):
    # The ranking reads only the lines that hold a word of the query (the lines each token
    # is in); the best line's share must be the one a reading of every line finds.
    weights = data.draw(st.lists(st.floats(0.1, 3.0), min_size=len(groups), max_size=len(groups)))
    present = sorted(data.draw(st.sets(st.integers(0, len(groups) - 1))))
    phrasings = LINE_MARK.join(" ".join(sorted(line)) for line in lines)
    index_tokens = " ~ ".join(["code", "meaning", "remedy", "faq", phrasings])
    postings = engine.phrasing_postings(index_tokens)
    total = sum(weights)

    assert engine._best_line_share(postings, groups, weights, present, total) == pytest.approx(
        _best_line_share_line_by_line(tuple(lines), groups, weights, present, total)
    )
