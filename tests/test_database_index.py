"""The database's own full-text index (kb/search/index.py) on SQLite and on PostgreSQL."""

from django.db import connection

from kb.models import ErrorEntry
from kb.search.index import fulltext_candidates
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
