"""Any text at all gives results or a clear refusal, never an exception or a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search.answer import answer
from kb.search.engine import RESULT_LIMIT

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
