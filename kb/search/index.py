"""The database's own full-text index over `ErrorEntry.search_text`, kept in step with edits.

SQLite: an FTS5 table over the row table, maintained by triggers.
PostgreSQL: a GIN index on `to_tsvector('simple', search_text)`.
Both are (re)created after every `migrate`, because SQLite rebuilds a table to
alter it, which drops its triggers.
"""

from django.db import connections

SQLITE_STATEMENTS = [
    # Full-text index of the rows' tokens; `kb.search` queries it with MATCH.
    """CREATE VIRTUAL TABLE IF NOT EXISTS kb_entry_fts USING fts5(
        search_text, content='kb_errorentry', content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS kb_entry_fts_insert AFTER INSERT ON kb_errorentry BEGIN
        INSERT INTO kb_entry_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS kb_entry_fts_delete AFTER DELETE ON kb_errorentry BEGIN
        INSERT INTO kb_entry_fts(kb_entry_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS kb_entry_fts_update AFTER UPDATE OF search_text
    ON kb_errorentry BEGIN
        INSERT INTO kb_entry_fts(kb_entry_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO kb_entry_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO kb_entry_fts(kb_entry_fts) VALUES ('rebuild')",
]

POSTGRESQL_STATEMENTS = [
    # Full-text index of the rows' tokens; `kb.search` queries it with @@.
    """CREATE INDEX IF NOT EXISTS kb_entry_search_gin ON kb_errorentry
        USING gin (to_tsvector('simple'::regconfig, search_text))""",
]


def ensure_search_index(using: str = "default") -> None:
    connection = connections[using]
    if "kb_errorentry" not in connection.introspection.table_names():
        return
    statements = {
        "sqlite": SQLITE_STATEMENTS,
        "postgresql": POSTGRESQL_STATEMENTS,
    }.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_search_index(using)
