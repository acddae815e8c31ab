"""The search index is schema: `migrate` alone builds it, with the definitions the
migrations give, on SQLite and on PostgreSQL (kb/migrations/0013_search_index.py; on
PostgreSQL the vector holds the id's number of digits too, 0015_search_vector_id_digits,
and ANALYZE counts every token of 20 rows or more, 0018_search_vector_statistics; on
SQLite the index keeps no positions, 0016_search_index_without_positions)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kb.search.index import candidates_by_full_text
from kb.text.tokens import tokens
from tests.factories import make_entry

BEFORE_INDEX = [("kb", "0012_catalog_version")]


def sqlite_schema() -> dict[str, str]:
    """name -> SQL of the full-text index's tables and triggers, as SQLite stores them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master "
            "WHERE name IN ('kb_entry_fts', 'kb_entry_fts_terms') OR name LIKE 'kb_entry_fts_%'"
        )
        return {name: (table, " ".join(sql.split())) for name, table, sql in cursor.fetchall()}


def postgresql_schema() -> dict[str, str]:
    """The generated column, its statistics target and the GIN index, from pg_catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(a.atttypid, a.atttypmod), a.attgenerated, "
            "pg_get_expr(d.adbin, d.adrelid), a.attstattarget "
            "FROM pg_attribute a JOIN pg_attrdef d "
            "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = 'kb_errorentry'::regclass AND a.attname = 'search_vector' "
            "AND NOT a.attisdropped"
        )
        column = cursor.fetchone()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'kb_errorentry' AND indexdef LIKE '%%USING gin%%'"
        )
        indexes = dict(cursor.fetchall())
    return {"column": column, "indexes": indexes}


def assert_index_as_migrations_define_it():
    if connection.vendor == "postgresql":
        schema = postgresql_schema()
        assert schema["column"] == (
            "tsvector",
            "s",  # stored generated column
            "(to_tsvector('simple'::regconfig, index_tokens) || "
            "array_to_tsvector(ARRAY[('~'::text || length((id)::text))]))",
            10000,
        )
        assert schema["indexes"] == {
            "kb_entry_vector_gin": (
                "CREATE INDEX kb_entry_vector_gin ON public.kb_errorentry USING gin (search_vector)"
            )
        }
        return
    schema = sqlite_schema()
    assert schema["kb_entry_fts"] == (
        "kb_entry_fts",
        "CREATE VIRTUAL TABLE kb_entry_fts USING fts5( index_tokens, "
        "content='kb_errorentry', content_rowid='id', tokenize='unicode61', detail=none)",
    )
    assert schema["kb_entry_fts_terms"][1] == (
        "CREATE VIRTUAL TABLE kb_entry_fts_terms USING fts5vocab(kb_entry_fts, 'row')"
    )
    triggers = {name: sql for name, (table, sql) in schema.items() if table == "kb_errorentry"}
    assert sorted(triggers) == ["kb_entry_fts_delete", "kb_entry_fts_insert", "kb_entry_fts_update"]
    assert "AFTER UPDATE OF index_tokens ON kb_errorentry" in triggers["kb_entry_fts_update"]
    for name in triggers:
        assert "new.index_tokens" in triggers[name] or "old.index_tokens" in triggers[name]


def found(word: str) -> set[int]:
    return {row[0] for row in candidates_by_full_text([set(tokens(word))], 100, match_all=True)}


@pytest.mark.django_db
def test_a_freshly_migrated_database_has_the_index_the_migrations_define():
    # The test database was made by `migrate` alone: no post_migrate receiver builds it.
    assert_index_as_migrations_define_it()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_drops_the_index_and_migrating_forward_indexes_the_rows_there():
    row = make_entry(message_en="Zebrafish refused.", remedy_en="Swap the fish.")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_INDEX)
    if connection.vendor == "postgresql":
        assert postgresql_schema() == {"column": None, "indexes": {}}
    else:
        assert sqlite_schema() == {}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("kb"))
    assert_index_as_migrations_define_it()
    # The rows already there are in the new index, and a new one joins it on save.
    assert found("zebrafish") == {row.pk}
    row.remedy_en = "Ask the okapi team."
    row.save()
    assert found("okapi") == {row.pk}
