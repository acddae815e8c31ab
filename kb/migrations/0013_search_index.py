"""The database's full-text index over the rows' index tokens, owned by migrations.

Until now `post_migrate` (re)created it with `IF NOT EXISTS` after every `migrate`, so a
changed definition never took effect. From here on each version of the index is a
migration: a changed expression or tokenizer setting is a new one that drops and creates.

- SQLite: an FTS5 table over the row table (external content), kept in step by triggers,
  and an fts5vocab table that counts the rows holding each token.
- PostgreSQL: a stored generated tsvector column with a GIN index, and statistics kept
  for the 10,000 commonest tokens.

`search_text` becomes `index_tokens`: it holds tokens, not text.

SQLite rebuilds a table to alter most of its columns, which drops that table's triggers:
a later migration that alters `kb_errorentry` on SQLite must create these triggers again,
as it must those of 0012_catalog_version (tests/test_search_index_schema.py and
tests/test_catalog_version.py check that a fresh database has them all).
"""

from django.db import migrations

TABLE = "kb_errorentry"

SQLITE_CREATE = [
    # Full-text index of the rows' tokens; kb.search.index queries it with MATCH.
    f"""CREATE VIRTUAL TABLE kb_entry_fts USING fts5(
        index_tokens, content='{TABLE}', content_rowid='id', tokenize='unicode61')""",
    f"""CREATE TRIGGER kb_entry_fts_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO kb_entry_fts(rowid, index_tokens) VALUES (new.id, new.index_tokens);
    END""",
    f"""CREATE TRIGGER kb_entry_fts_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO kb_entry_fts(kb_entry_fts, rowid, index_tokens)
        VALUES ('delete', old.id, old.index_tokens);
    END""",
    f"""CREATE TRIGGER kb_entry_fts_update AFTER UPDATE OF index_tokens ON {TABLE} BEGIN
        INSERT INTO kb_entry_fts(kb_entry_fts, rowid, index_tokens)
        VALUES ('delete', old.id, old.index_tokens);
        INSERT INTO kb_entry_fts(rowid, index_tokens) VALUES (new.id, new.index_tokens);
    END""",
    # Index the rows already there.
    "INSERT INTO kb_entry_fts(kb_entry_fts) VALUES ('rebuild')",
    # How many rows hold each token, read from the index itself: what PostgreSQL's
    # statistics tell there (kb.search.index.token_row_counts()).
    "CREATE VIRTUAL TABLE kb_entry_fts_terms USING fts5vocab(kb_entry_fts, 'row')",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS kb_entry_fts_terms",
    "DROP TRIGGER IF EXISTS kb_entry_fts_insert",
    "DROP TRIGGER IF EXISTS kb_entry_fts_delete",
    "DROP TRIGGER IF EXISTS kb_entry_fts_update",
    "DROP TABLE IF EXISTS kb_entry_fts",
]

POSTGRESQL_CREATE = [
    # The rows' tokens as a stored tsvector, computed by PostgreSQL on every write, so
    # that a query never has to compute it row by row.
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, index_tokens)) STORED""",
    # Full-text index of the rows' tokens; kb.search.index queries it with @@.
    f"CREATE INDEX kb_entry_vector_gin ON {TABLE} USING gin (search_vector)",
    # ANALYZE keeps the frequencies of the 10,000 commonest tokens (at the default target,
    # only the few hundred commonest), so the planner knows a rare token is rare and reads
    # it from the index instead of scanning the table for it.
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STATISTICS 1000",
]
POSTGRESQL_DROP = [
    # kb_entry_search_gin: the expression index of the earliest versions.
    "DROP INDEX IF EXISTS kb_entry_search_gin",
    "DROP INDEX IF EXISTS kb_entry_vector_gin",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"the search index on {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return operation


drop_index = run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
create_index = run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_catalog_version"),
    ]

    operations = [
        # What post_migrate made in earlier versions (it depends on the column renamed
        # next). Going back, nothing is made again: that code is gone.
        migrations.RunPython(drop_index, migrations.RunPython.noop),
        migrations.RenameField(
            model_name="errorentry", old_name="search_text", new_name="index_tokens"
        ),
        migrations.RunPython(create_index, drop_index),
    ]
