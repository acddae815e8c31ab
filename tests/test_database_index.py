"""The database's own full-text index (kb/search/index.py) on SQLite and on PostgreSQL."""

from django.db import connection

from kb.models import ErrorEntry
from kb.search import index
from kb.search.index import fulltext_candidates, telling_groups
from kb.search.tokens import tokens


def ids_matching(word: str) -> set[int]:
    """Rows the engine's full-text look-up finds for one word."""
    return {row[0] for row in fulltext_candidates([set(tokens(word))], 100, match_all=True)}


def test_an_edited_remedy_is_found_through_the_index(shipped_catalog):
    row = ErrorEntry.objects.get(code="APIG.0308")
    assert ids_matching("zebrafish") == set()
    row.remedy_en = "Ask the zebrafish team to raise the limit."
    row.save()
    assert ids_matching("zebrafish") == {row.pk}
    row.delete()
    assert ids_matching("zebrafish") == set()


def test_postgresql_answers_text_queries_from_its_gin_index(shipped_catalog):
    if connection.vendor != "postgresql":
        # SQLite's index is the FTS5 table; MATCH cannot run without it.
        assert ids_matching("throttling")
        return
    (token,) = tokens("throttling")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM kb_errorentry "
            "WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)",
            [token],
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "kb_entry_vector_gin" in plan


def test_a_long_paste_looks_up_its_rare_words_before_common_words_and_numbers(monkeypatch):
    # As PostgreSQL's statistics would say: "error" is in most rows, "koogallery" in few.
    monkeypatch.setattr(index, "token_frequencies", lambda: {"error": 0.4, "request": 0.05})
    groups = [["2026"], ["error"], ["request"], ["koogalleri"], ["11"], ["quota", "use"]]
    assert telling_groups(groups) == [["koogalleri"], ["quota", "use"], ["2026"], ["11"]]
    # When every word is common, the rarest of them is still looked up.
    assert telling_groups([["error"], ["request"]]) == [["request"]]
    many = [[f"word{n}"] for n in range(40)]
    assert telling_groups(many) == many[: index.OR_LOOKUPS]


def test_postgresql_statistics_give_token_frequencies(shipped_catalog, monkeypatch):
    if connection.vendor != "postgresql":
        assert index.token_frequencies() == {}
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kb_errorentry")
    index._frequencies.forget()  # read afresh, after this ANALYZE
    frequencies = index.token_frequencies()
    (token,) = tokens("authentication")
    assert 0 < frequencies[token] <= 1
