"""The database's own full-text index over `ErrorEntry.search_text`, kept in step with edits.

SQLite: an FTS5 table over the row table, maintained by triggers.
PostgreSQL: a stored generated tsvector column with a GIN index.
Both are (re)created after every `migrate`, because SQLite rebuilds a table to
alter it, which drops its triggers.
"""

from django.db import connections

from kb.expiring import ExpiringValue

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
    # How many rows hold each token, read from the index itself: what PostgreSQL's
    # statistics tell there (token_row_counts()).
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_entry_fts_terms USING fts5vocab(kb_entry_fts, 'row')",
]

POSTGRESQL_STATEMENTS = [
    # The rows' tokens as a stored tsvector, computed by PostgreSQL on every write,
    # so that a query never has to compute it row by row.
    """ALTER TABLE kb_errorentry ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED""",
    # Full-text index of the rows' tokens; `kb.search` queries it with @@.
    "CREATE INDEX IF NOT EXISTS kb_entry_vector_gin ON kb_errorentry USING gin (search_vector)",
    # ANALYZE keeps the frequencies of the 10,000 commonest tokens (at the default
    # target, only the few hundred commonest), so the planner knows a rare token is
    # rare and reads it from the index instead of scanning the table for it.
    "ALTER TABLE kb_errorentry ALTER COLUMN search_vector SET STATISTICS 1000",
    # The expression index of earlier versions, replaced by the one above.
    "DROP INDEX IF EXISTS kb_entry_search_gin",
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


# The columns the ranking reads, in the order `Candidate` takes them.
CANDIDATE_COLUMNS = (
    "id",
    "catalog",
    "code",
    "http_status",
    "message_key",
    "search_text",
    "sort_order",
)


# Rows that need not match every group: at most this many groups are looked up (on
# PostgreSQL one by one), and a group held by more than COMMON_ROWS rows is not looked
# up unless no group is rarer: any few of the thousands of rows that hold it tell
# nothing. A count, not a share: in a catalog of a few hundred rows every word counts.
OR_LOOKUPS = 12
COMMON_ROWS = 1000
# How long a process trusts the token counts it read.
STATISTICS_SECONDS = 300.0
# Tokens held by fewer rows than this are left out of SQLite's counts: rare all the same.
SQLITE_COUNTED_ROWS = 20


def token_row_counts() -> dict[str, float]:
    """About how many rows hold each common token: as PostgreSQL's last ANALYZE counted,
    or as SQLite's full-text index holds them (its fts5vocab table).

    Tokens missing from the map are rare (or PostgreSQL has not analyzed the table yet).
    Read at most every STATISTICS_SECONDS per process: the counts change slowly.
    """
    return _row_counts.get()


def _read_token_row_counts() -> dict[str, float]:
    if connections["default"].vendor == "sqlite":
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT term, doc FROM kb_entry_fts_terms WHERE doc >= %s", [SQLITE_COUNTED_ROWS]
            )
            return {term: float(rows) for term, rows in cursor.fetchall()}
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, t.reltuples "
            "FROM pg_stats s JOIN pg_class t ON t.oid = 'kb_errorentry'::regclass "
            "WHERE s.schemaname = current_schema() AND s.tablename = 'kb_errorentry' "
            "AND s.attname = 'search_vector'"
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    tokens, frequencies, rows = row
    # The frequencies list ends with three summary values; zip stops before them.
    return {token: share * rows for token, share in zip(tokens, frequencies, strict=False)}


_row_counts = ExpiringValue(_read_token_row_counts, lambda: STATISTICS_SECONDS)


def telling_groups(groups: list[list[str]]) -> list[list[str]]:
    """The groups worth a look-up of their own, the rarest first and words before numbers
    (a log line's timestamps and addresses), at most OR_LOOKUPS of them."""
    counts = token_row_counts()

    def rows(group: list[str]) -> float:
        return sum(counts.get(token, 0.0) for token in group)

    ordered = sorted(groups, key=lambda group: (all(t.isdigit() for t in group), rows(group)))
    rare = [group for group in ordered if rows(group) <= COMMON_ROWS]
    return (rare or ordered[:1])[:OR_LOOKUPS]


def fulltext_candidates(groups: list[set[str]], limit: int, *, match_all: bool) -> list[tuple]:
    """Rows whose tokens match every group (or any group), straight from the index.

    Unordered and bounded by `limit`: ranking a large hit set in the database is what
    makes full-text search slow, so the engine re-ranks these few in Python.
    `groups` hold index tokens only ([a-z0-9]), so nothing here can inject query syntax.
    """
    groups = [sorted(group) for group in groups if group]
    if not groups:
        return []
    connection = connections["default"]
    columns = ", ".join(f"e.{name}" for name in CANDIDATE_COLUMNS)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        alternatives = ["(" + " | ".join(group) + ")" for group in groups]
        matches = "search_vector @@ to_tsquery('simple'::regconfig, %s)"
        rows = "SELECT id FROM kb_errorentry WHERE " + matches
    else:
        alternatives = [
            "(" + " OR ".join(f'"{token}"' for token in group) + ")" for group in groups
        ]
        matches = "kb_entry_fts MATCH %s"
        rows = "SELECT rowid AS id FROM kb_entry_fts WHERE " + matches
    if match_all:
        sql = (
            f"SELECT {columns} FROM kb_errorentry e WHERE e.{matches} LIMIT %s"
            if postgresql
            else f"SELECT {columns} FROM kb_entry_fts JOIN kb_errorentry e "
            f"ON e.id = kb_entry_fts.rowid WHERE {matches} LIMIT %s"
        )
        params = [(" & " if postgresql else " AND ").join(alternatives), limit]
    else:
        # One bounded look-up per telling group, then the rows most groups found. A single
        # OR query would make PostgreSQL scan the table when one word is common, and
        # would give SQLite's first rows by id, whatever they hold.
        telling = telling_groups(groups)
        alternatives = [alternatives[groups.index(group)] for group in telling]
        branch = f"SELECT id FROM ({rows} LIMIT %s) AS branch"
        branches = " UNION ALL ".join([branch] * len(alternatives))
        sql = (
            f"SELECT {columns} FROM kb_errorentry e JOIN ("
            f"SELECT id, count(*) AS found FROM ({branches})"
            " AS hits GROUP BY id ORDER BY found DESC LIMIT %s"
            ") best ON best.id = e.id"
        )
        per_group = max(10, limit // 3)
        params = [value for group in alternatives for value in (group, per_group)] + [limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The rows searches show, kept by the process at one catalog version (kb.pagecache): a
# row is read once, with what its page needs (its FAQ articles, prefetched by the first
# page that shows it), and read again once the catalog changed, as a cached page is.
# Bounded: a catalog larger than this is read afresh in parts.
SHOWN_ROWS_KEPT = 4096
_shown: dict[int, object] = {}
_shown_version: list[str | None] = [None]


def load_entries(ids: list[int]) -> dict:
    """The rows shown, by id, without the columns only the search reads.

    A raw query: compiling an ORM query costs more than running this one. The objects
    are shared by the searches of this process until the catalog changes: read them,
    never set anything on them.
    """
    from kb.models import ErrorEntry
    from kb.pagecache import catalog_version

    version = catalog_version()
    if _shown_version[0] != version:
        forget_shown_rows()
        _shown_version[0] = version
    # Read into this call's own dict: another thread may empty the shared one meanwhile.
    found = {pk: _shown.get(pk) for pk in ids}
    missing = [pk for pk, entry in found.items() if entry is None]
    if missing:
        fields = [
            field.column
            for field in ErrorEntry._meta.concrete_fields
            if field.name not in ("search_text", "shipped")
        ]
        sql = f"SELECT {', '.join(fields)} FROM kb_errorentry WHERE id IN ({placeholders(missing)})"
        loaded = {entry.pk: entry for entry in ErrorEntry.objects.raw(sql, missing)}
        if len(_shown) + len(loaded) > SHOWN_ROWS_KEPT:
            _shown.clear()
        _shown.update(loaded)
        found.update(loaded)
    return {pk: entry for pk, entry in found.items() if entry is not None}


def forget_shown_rows() -> None:
    """Read every row afresh at the next search (tests: each starts a new database)."""
    _shown.clear()
    _shown_version[0] = None


def candidates_where(condition: str, params: list, *, order: str = "", limit: int = 0) -> list:
    """Candidate rows (CANDIDATE_COLUMNS) matching a condition on kb_errorentry."""
    sql = f"SELECT {', '.join(CANDIDATE_COLUMNS)} FROM kb_errorentry WHERE {condition}"
    if order:
        sql += f" ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def alias_candidates(keys: list[str]) -> list[tuple]:
    """Rows with an alias (another known wording) whose key is one of `keys`:
    CANDIDATE_COLUMNS, then the alias's key."""
    columns = ", ".join(f"e.{name}" for name in CANDIDATE_COLUMNS)
    sql = (
        f"SELECT {columns}, a.message_key FROM kb_erroralias a "
        f"JOIN kb_errorentry e ON e.id = a.entry_id WHERE a.message_key IN ({placeholders(keys)})"
    )
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, keys)
        return cursor.fetchall()
