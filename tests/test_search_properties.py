"""Any text at all gives results or a clear refusal, never an exception or a 500; and the
quick checks that spare a text a costly pattern never change what the pattern finds."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search.answer import answer
from kb.search.engine import RESULT_LIMIT
from kb.search.parse import CLOUD_SERVICE_API_RE, CLOUD_SERVICES, names_cloud_service_api

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
    + ["的", "服务", "上", "网关", "gateway", "instance"]
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
    assert names_cloud_service_api(text) == bool(CLOUD_SERVICE_API_RE.search(text))
