"""SQLite: the full-text index keeps which rows hold each token, not where in the row
(FTS5's `detail=none`).

The search asks the index for rows holding any or all of a few tokens, never for a
phrase or for tokens near each other (kb.search.index: each token is a phrase of one,
which `detail=none` answers), so the positions it kept were never read; they made the
index three times the size (18 MB against 6 MB at the 100,000 rows of
bench/search_speed.py) and each look-up read them. The look-ups of the tuning
paraphrases went from 1.2-1.3 ms to 0.8-0.9 ms a search there, with the same rows found,
and reading the word counts (kb.search.index.token_row_counts) from 0.18 to 0.14 s.

The definitions are 0013_search_index's, with `detail=none`. PostgreSQL: unchanged.
"""

from importlib import import_module

from django.db import migrations

search_index = import_module("kb.migrations.0013_search_index")

WITH_POSITIONS = "tokenize='unicode61')"
WITHOUT_POSITIONS = "tokenize='unicode61', detail=none)"
SQLITE_CREATE = [
    statement.replace(WITH_POSITIONS, WITHOUT_POSITIONS) for statement in search_index.SQLITE_CREATE
]
assert SQLITE_CREATE != search_index.SQLITE_CREATE, "0013's index definition changed"


def rebuild(create: list[str]):
    """0013's runner: on SQLite, the index dropped and made with `create`; PostgreSQL as is."""
    return search_index.run({"sqlite": [*search_index.SQLITE_DROP, *create], "postgresql": []})


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0015_search_vector_id_digits"),
    ]

    operations = [
        migrations.RunPython(rebuild(SQLITE_CREATE), rebuild(search_index.SQLITE_CREATE)),
    ]
