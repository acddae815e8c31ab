"""PostgreSQL: the search vector also holds how many digits the row's id has (`~1` for ids
1-9, `~3` for 100-999, `~5` for 10,000-99,999), so that the GIN index alone finds the rows
of a phrase within a range of ids.

The search keeps the first rows by id that hold every word (kb.search.index
.candidates_by_full_text). Sorting all the matching rows by id meant reading each from the
table: a phrase that thousands of rows hold cost milliseconds. With the digits in the
index it asks for the matches among the ids of up to three digits first, then four, and
so on, and stops once it has enough, reading from the table only the matches of the
windows it asked. A condition on the id itself would not do: PostgreSQL combines it with
the index only when it expects many matches, and for several common words it expects few.

`~` never starts a token of ours (kb.text.tokens gives [a-z0-9]), so no query meets these
lexemes by chance. SQLite's FTS5 index gives its rows in id order already: unchanged.
"""

from django.db import migrations

TABLE = "kb_errorentry"
PLAIN = "to_tsvector('simple'::regconfig, index_tokens)"
WITH_DIGITS = f"{PLAIN} || array_to_tsvector(ARRAY['~' || length(id::text)])"


def vector(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS kb_entry_vector_gin",
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
        f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector
            GENERATED ALWAYS AS ({expression}) STORED""",
        # Full-text index of the rows' tokens; kb.search.index queries it with @@.
        f"CREATE INDEX kb_entry_vector_gin ON {TABLE} USING gin (search_vector)",
        # The frequencies of the 10,000 commonest tokens (0013_search_index).
        f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STATISTICS 1000",
        f"ANALYZE {TABLE}",
    ]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0014_message_key_in_table_order"),
    ]

    operations = [
        migrations.RunPython(run(vector(WITH_DIGITS)), run(vector(PLAIN))),
    ]
