"""The search's SQL, all of it: candidates by code, by status, by message key, by alias,
by full text, and the database's own full-text index over `ErrorEntry.index_tokens`.

The index itself is schema, in migrations (0013_search_index): on SQLite an FTS5 table
kept in step by triggers, on PostgreSQL a stored generated tsvector column with a GIN
index.
"""

import bisect
import heapq
from collections import Counter
from functools import lru_cache

from django.db import connections

from kb.expiring import ExpiringValue
from kb.models import Catalog, ErrorAlias, ErrorEntry
from kb.pagecache import KeptUntilCatalogChanges, catalog_version
from kb.text.tokens import LINE_MARK, SECTION_MARK, tokens

# The full-text table on SQLite (not a model: migrations made it, 0013_search_index).
FTS_TABLE = "kb_entry_fts"
FTS_TERMS_TABLE = "kb_entry_fts_terms"


def _table() -> str:
    return ErrorEntry._meta.db_table


def refresh_index(using: str = "default") -> None:
    """Bring the database's index up to date with the rows' tokens (the schema is in
    migrations, 0013_search_index): SQLite's FTS5 table is rebuilt from the rows;
    PostgreSQL recomputes the generated column on every write, and ANALYZE refreshes the
    token statistics that `token_row_counts()` reads."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    refresh_statistics(using)


def refresh_statistics(using: str = "default") -> None:
    """After a bulk write: the token counts a search reads (`token_row_counts()`) as they
    are now, read afresh by this process at its next search. PostgreSQL's come from
    ANALYZE, which autovacuum runs only some time after a load: until then the look-ups
    would be chosen as if every word were rare (the rankings of a fresh database would not
    be those of a running one). SQLite's index counts its tokens as it is written."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(_table())}")
    forget_token_row_counts()


# The columns the ranking reads, in the order `Candidate` takes them.
CANDIDATE_COLUMNS = (
    "id",
    "catalog",
    "code",
    "http_status",
    "message_key",
    "index_tokens",
    "sort_order",
)


# Rows that need not match every group: at most this many groups are looked up (on
# PostgreSQL one by one). A group held by more than COMMON_ROWS rows comes after the
# rarer ones, numbers included: the few of its thousands of rows that one look-up
# returns are the first in the index (kb.search.index.candidates_by_full_text), and
# a short description whose every word is common still needs them. A count, not a
# share: in a catalog of a few hundred rows every word is rare.
OR_LOOKUPS = 12
# A long text's groups are checked against the index for the ones some row holds
# (telling_groups) HELD_BATCH at a time, at most HELD_ROUNDS times.
HELD_BATCH = 2 * OR_LOOKUPS
HELD_ROUNDS = 3
COMMON_ROWS = 1000
# How long a process trusts the token counts it read.
STATISTICS_SECONDS = 300.0
# Tokens held by fewer rows than this are left out of the counts, on either database: rare
# all the same, and the same words rare on both (PostgreSQL's statistics count tokens of a
# few rows too, and a small catalog's look-ups would otherwise be chosen in another order).
COUNTED_ROWS = 20


def token_row_counts() -> dict[str, float]:
    """About how many rows hold each common token: as PostgreSQL's last ANALYZE counted,
    or as SQLite's full-text index holds them (its fts5vocab table).

    Tokens missing from the map are rare (or PostgreSQL has not analyzed the table yet).
    Read at most every STATISTICS_SECONDS per process: the counts change slowly. SQLite's
    change only with the catalog (its index is written in the same transaction as the
    rows), and reading them reads the whole index (about 0.14 s at 100,000 rows):
    they are read again only once the catalog's version changed too. PostgreSQL's change
    when it analyzes the table, whenever that is.
    """
    return _row_counts.get()


def token_row_counts_read() -> int:
    """Which read of the token counts this process holds (see `token_row_counts()` for
    when they are read again): a ranking made with other counts is made again."""
    _row_counts.get()
    return _row_counts.reads


def _read_token_row_counts() -> dict[str, float]:
    if connections["default"].vendor == "sqlite":
        with connections["default"].cursor() as cursor:
            cursor.execute(
                f"SELECT term, doc FROM {FTS_TERMS_TABLE} WHERE doc >= %s", [COUNTED_ROWS]
            )
            return {term: float(rows) for term, rows in cursor.fetchall()}
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, t.reltuples "
            "FROM pg_stats s JOIN pg_class t ON t.oid = %s::regclass "
            "WHERE s.schemaname = current_schema() AND s.tablename = %s "
            "AND s.attname = 'search_vector'",
            [_table(), _table()],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    tokens, frequencies, rows = row
    # The frequencies list ends with three summary values; zip stops before them.
    return {
        token: share * rows
        for token, share in zip(tokens, frequencies, strict=False)
        if share * rows >= COUNTED_ROWS
    }


def _counts_source() -> str | None:
    """What SQLite's counts are read from: the catalog at its version."""
    return catalog_version() if connections["default"].vendor == "sqlite" else None


_row_counts = ExpiringValue(
    _read_token_row_counts, lambda: STATISTICS_SECONDS, source=_counts_source
)


def forget_token_row_counts() -> None:
    """Read the token counts afresh at the next search (after a bulk load, say)."""
    _row_counts.forget()


def _rows(group: list[str]) -> float:
    """About how many rows hold a token of `group` (0 for rare tokens)."""
    counts = token_row_counts()
    return sum(counts.get(token, 0.0) for token in group)


def telling_groups(groups: list[list[str]], named: frozenset[str] = frozenset()) -> list[list[str]]:
    """The groups worth a look-up of their own, at most OR_LOOKUPS of them: an identifier
    the text names (`named`: `through_data`, however many rows hold it), rare words, then
    numbers (a log line's timestamps and addresses), then common words, the rarest first
    in each; of a text with more groups than that, only groups some row holds.

    A few sentences of Chinese split into dozens of two-character pieces, most of them
    across a word boundary (`据配` of `凭据配了`) and in no row; below the counts' floor
    the rare ones are in the text's order, so the pieces of its first sentence took every
    look-up and the words of the later ones were never asked for.
    """

    def order(group: list[str]) -> tuple:
        rows = _rows(group)
        return (named.isdisjoint(group), rows > COMMON_ROWS, all(t.isdigit() for t in group), rows)

    ordered = sorted(groups, key=order)
    if len(ordered) <= OR_LOOKUPS:
        return ordered
    counts = token_row_counts()
    chosen: list[list[str]] = []
    # Asked in turn, a few look-ups' worth at a time, until there are enough; at most
    # HELD_ROUNDS times, so that a paste of thousands of pieces costs a few look-ups.
    for start in range(0, min(len(ordered), HELD_ROUNDS * HELD_BATCH), HELD_BATCH):
        some = ordered[start : start + HELD_BATCH]
        held = held_tokens({token for group in some for token in group if token not in counts})
        chosen += [group for group in some if any(t in counts or t in held for t in group)]
        if len(chosen) >= OR_LOOKUPS:
            break
    return chosen[:OR_LOOKUPS] or ordered[:OR_LOOKUPS]


def held_tokens(tokens: set[str]) -> set[str]:
    """The ones of `tokens` that some row holds, as the index tells (its terms on SQLite,
    its GIN index on PostgreSQL); kept by the process until the catalog changes, both
    the tokens rows hold and those none does."""
    if not tokens:
        return set()
    return {token for token, held in _held.get(sorted(tokens)).items() if held}


def _read_held_tokens(tokens: list[str]) -> dict[str, bool]:
    """Whether some row holds each token: a token one of the first rows holds does
    (`known_rows`), and when those are all the rows, one they do not holds none; the
    database is asked of the others."""
    postings, all_known = known_rows()
    held = {token: token in postings for token in tokens}
    asked = [token for token, found in held.items() if not found]
    if asked and not all_known:
        held.update(_select_held_tokens(asked))
    return held


def _select_held_tokens(tokens: list[str]) -> dict[str, bool]:
    if connections["default"].vendor == "sqlite":
        sql = f"SELECT term FROM {FTS_TERMS_TABLE} WHERE term IN ({_placeholders(tokens)})"
        params = tokens
    else:
        sql = (
            "SELECT token FROM unnest(%s::text[]) AS token WHERE EXISTS (SELECT 1 FROM "
            f"{connections['default'].ops.quote_name(_table())} WHERE search_vector @@ "
            "to_tsquery('simple'::regconfig, token))"
        )
        params = [tokens]
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        held = {token for (token,) in cursor.fetchall()}
    return {token: token in held for token in tokens}


_held = KeptUntilCatalogChanges(_read_held_tokens, limit=50000)


# The look-ups below are raw SQL: bench/search_speed.py measured the ORM's equivalents
# (values_list, in_bulk) at three times the cost of a code search (p50 0.7 ms against
# 0.23 ms on SQLite), the cost of compiling each query on every search.


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _candidates_where(condition: str, params: list, suffix: str = "") -> list[tuple]:
    """CANDIDATE_COLUMNS of the rows that meet `condition` (SQL written in this module)."""
    sql = f"SELECT {', '.join(CANDIDATE_COLUMNS)} FROM {_table()} WHERE {condition} {suffix}"
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def candidates_by_ids(ids: list[int]) -> list[tuple]:
    """CANDIDATE_COLUMNS of the rows of `ids` that exist, in the order of `ids`."""
    return _rows_of(ids)


def candidates_by_codes(codes: list[str]) -> list[tuple]:
    """Every row of these codes (CANDIDATE_COLUMNS), code by code: a code has a few rows."""
    rows = _code_rows.get(codes)
    return [row for code in codes for row in rows[code]]


def _read_code_rows(codes: list[str]) -> dict[str, tuple[tuple, ...]]:
    """The rows of each code, none for a code no row has."""
    found: dict[str, list[tuple]] = {code: [] for code in codes}
    code_at = CANDIDATE_COLUMNS.index("code")
    for row in _candidates_where(f"code IN ({_placeholders(codes)})", codes, "ORDER BY id"):
        found[row[code_at]].append(row)
    return {code: tuple(rows) for code, rows in found.items()}


def candidates_by_status(status: int, limit: int, first_catalog: str) -> list[tuple]:
    """The first `limit` rows of an HTTP status, each table's in its order: up to half of
    them the first rows of the catalog the text does not point at, the rest the first
    rows of `first_catalog`, the catalog it points at (and the other's, when the first
    has too few). In a large catalog thousands of one table's rows share a status: they
    would otherwise leave no room for the other's row of that status, and a text is not
    always right about which gateway answered it."""
    branch = (
        f"SELECT * FROM (SELECT id, catalog, sort_order FROM {_table()} "
        "WHERE http_status = %s AND catalog = %s ORDER BY sort_order LIMIT %s) AS one_catalog"
    )
    first = (
        "SELECT id FROM (SELECT id, catalog, sort_order, ROW_NUMBER() OVER "
        "(PARTITION BY catalog ORDER BY sort_order) AS place "
        f"FROM ({' UNION ALL '.join([branch] * len(Catalog.values))}) AS each_catalog) "
        "AS both_catalogs ORDER BY CASE WHEN catalog = %s THEN 1 WHEN place <= %s THEN 0 "
        "ELSE 2 END, catalog, sort_order LIMIT %s"
    )
    params = [value for catalog in Catalog.values for value in (status, catalog, limit)]

    def read() -> tuple[int, ...]:
        with connections["default"].cursor() as cursor:
            cursor.execute(first, [*params, first_catalog, limit // 2, limit])
            return tuple(sorted(row_id for (row_id,) in cursor.fetchall()))

    return _rows_of(_status_rows.one((status, limit, first_catalog), read))


# Rows that share a key (a message cut at its first colon or placeholder, kb.text.tokens)
# are ranked one by one in Python: a key that thousands of rows share in a large catalog
# would cost milliseconds a row. The longest key a paste starts with is the likeliest,
# and among rows of one key the catalog's order decides, as it breaks ties in the ranking.
KEY_ORDER = "ORDER BY length(message_key) DESC, catalog, sort_order LIMIT %s"


def candidates_by_message_keys(keys: list[str], limit: int) -> list[tuple]:
    """Rows whose documented message's key is one of `keys` (the prefixes of a paste),
    at most `limit` of them. A key whose first word begins no row's key is not asked for:
    most descriptions begin with a word no documented message does (`our`, `when`)."""
    first_words = message_key_first_words()
    keys = [key for key in keys if key.split(" ", 1)[0] in first_words]
    if not keys:
        return []
    return _candidates_where(
        f"id IN (SELECT id FROM {_table()} WHERE message_key IN ({_placeholders(keys)}) "
        f"{KEY_ORDER})",
        [*keys, limit],
    )


# The first words of the rows' message keys, kept until the catalog changes: 26 at
# 100,000 rows of bench/distractors.py, read in one pass over the message keys' index
# (about 22 ms at that size on SQLite) once per catalog version, as the first rows are
# (`known_rows`).
_first_words = KeptUntilCatalogChanges(limit=1)


def message_key_first_words() -> frozenset[str]:
    """The first word of every row's message key (`kb.text.tokens.message_key`)."""
    return _first_words.one("words", _read_message_key_first_words)


def _read_message_key_first_words() -> frozenset[str]:
    connection = connections["default"]
    if connection.vendor == "postgresql":
        sql = f"SELECT DISTINCT split_part(message_key, ' ', 1) FROM {_table()}"
    else:
        # SQLite compares text byte by byte, and a key is words of [a-z0-9] with a space
        # between (kb.text.tokens.message_key): every key whose first word is `w` sorts
        # before `w!`. So the keys' index (`entry_message_key_order`) is walked from one
        # first word to the next, a look-up each (0.2 ms for 26 words at 100,000 rows),
        # not read whole (36 ms). PostgreSQL's collation may be a language's, which
        # orders keys without their spaces: it reads them whole.
        first = "substr(message_key, 1, instr(message_key || ' ', ' ') - 1)"
        sql = f"""
            WITH RECURSIVE word(first) AS (
                SELECT (SELECT {first} FROM {_table()} ORDER BY message_key LIMIT 1)
                UNION ALL
                SELECT (
                    SELECT {first} FROM {_table()} WHERE message_key >= word.first || '!'
                    ORDER BY message_key LIMIT 1
                )
                FROM word WHERE word.first IS NOT NULL
            )
            SELECT first FROM word WHERE first IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return frozenset(word for (word,) in cursor.fetchall())


def candidates_by_twins(keys: set[str], catalog: str) -> list[tuple]:
    """The first row of `catalog`, in its order, of each of these documented messages (by
    key): the same failure in the other catalog, whatever status that catalog answers it
    with (`The backend does not exist.` is a 500 of APIG's, a 404 of APIGW's)."""
    twins = _twins.get([(key, catalog) for key in sorted(keys)])
    return _rows_of(sorted(row_id for row_id in twins.values() if row_id))


def _read_twins(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Of each (message key, catalog), the id of its first row in the catalog's order (0:
    none). One look-up in the message keys' index each (`entry_message_key_order`): in a
    large catalog hundreds of rows share a key cut at its placeholder (`the following
    protocol is supported`)."""
    branches = " UNION ALL ".join(
        f"SELECT * FROM (SELECT {number} AS lookup, id FROM {_table()} WHERE message_key = %s "
        "AND catalog = %s ORDER BY sort_order LIMIT 1) AS twin"
        for number in range(len(pairs))
    )
    found = dict.fromkeys(pairs, 0)
    with connections["default"].cursor() as cursor:
        cursor.execute(branches, [value for pair in pairs for value in pair])
        for number, row_id in cursor.fetchall():
            found[pairs[number]] = row_id
    return found


def candidates_by_alias_keys(keys: list[str], limit: int) -> list[tuple]:
    """Rows with an alias (another known wording) whose key is one of `keys`:
    CANDIDATE_COLUMNS, then the alias's key; at most `limit` of them."""
    known = alias_keys()
    if known is not None:
        keys = [key for key in keys if key in known]
        if not keys:
            return []
    columns = ", ".join(f"e.{name}" for name in CANDIDATE_COLUMNS)
    sql = (
        f"SELECT {columns}, a.message_key FROM {ErrorAlias._meta.db_table} a "
        f"JOIN {_table()} e ON e.id = a.entry_id WHERE a.message_key IN ({_placeholders(keys)}) "
        f"ORDER BY length(a.message_key) DESC, e.catalog, e.sort_order LIMIT %s"
    )
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [*keys, limit])
        return cursor.fetchall()


# The keys of the aliases, kept until the catalog changes, as the look-ups below are: a
# text's words asked the database for the aliases their beginnings are in every search,
# and an alias is a wording staff add from the unknown-error queue (the shipped catalog
# has none), so the statement found nothing nearly every time. Only the keys a text
# begins with that are an alias's are asked for; past ALIAS_KEYS_KEPT distinct keys, every
# one is, as before.
ALIAS_KEYS_KEPT = 20_000
_alias_keys = KeptUntilCatalogChanges(limit=1)


def alias_keys() -> frozenset[str] | None:
    """Every alias's key, kept until the catalog changes; None when there are more than
    ALIAS_KEYS_KEPT."""
    return _alias_keys.one("keys", _read_alias_keys)


def _read_alias_keys() -> frozenset[str] | None:
    """Every alias's key; None when there are more than ALIAS_KEYS_KEPT."""
    table = ErrorAlias._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT message_key FROM {table} LIMIT %s", [ALIAS_KEYS_KEPT + 1])
        keys = frozenset(key for (key,) in cursor.fetchall())
    return keys if len(keys) <= ALIAS_KEYS_KEPT else None


# PostgreSQL's look-up of the first rows by id that hold every group goes window by window
# over the ids, each window only when the ones before it found too few: the ids of up to
# three digits, then of four, of five, then longer. Without windows it read every matching
# row from the table to sort them by id (the GIN index knows which rows match, never their
# ids): a phrase of the catalog that thousands of the 100,000 rows of
# bench/search_speed.py hold took 3 to 5 ms, and over 20 on a busy machine. The number of
# digits of each row's id is a lexeme of its search vector (`~5`,
# kb/migrations/0015_search_vector_id_digits.py), so the index alone finds a window's
# matches, and only those are read. A look-up whose rarest group is in at most
# WINDOWED_ROWS rows (as the token counts tell) is made in one go: each window costs a
# look-up in the index and a few lines of plan.
# A row whose search vector matches the tsquery %s (PostgreSQL).
PG_MATCHES = "search_vector @@ to_tsquery('simple'::regconfig, %s)"
ID_DIGIT_WINDOWS = ((1, 2, 3), (4,), (5,), tuple(range(6, 20)))
WINDOWED_ROWS = 300
# A word's first rows by id (a look-up of one group, `_read_first_rows`), PostgreSQL: the
# planner walks the primary key and tests each row it meets, expecting the rows that hold
# the word to be spread evenly over the ids. Those of a word of a few hundred rows sit
# mostly among the rows added later, and the walk met thousands before the first dozen
# (`null`, 285 of bench/search_speed.py's 100,000 rows: 6.2 ms, 7,446 buffers). Reading
# every row that holds the word from the GIN index and sorting them took 0.5 ms; at 1,275
# rows (`public`) 1.1 ms against 1.8, at 5,215 (`timeout`) 3.4 against 0.7 (a scratch
# script, five runs each, the best). Over the 2,973 look-ups of 2,464 tuning paraphrases
# (each timed both ways; a scratch script), reading this way every group in at most 1,500
# rows took the least in all and cut the slowest look-up from 9.4 to 2.6 ms; at 3,000 the
# total rose by a third. A group in at most FEW_ROWS rows, as the token counts tell, is
# read that way.
FEW_ROWS = 1500


def _any_token(group: list[str] | tuple[str, ...], vendor: str) -> str:
    """The full-text query of a row that holds any token of `group`, in the vendor's syntax."""
    if vendor == "postgresql":
        return "(" + " | ".join(group) + ")"
    return "(" + " OR ".join(f'"{token}"' for token in group) + ")"


def _first_by_id(name: str, words: str, limit: int) -> tuple[list, list, str]:
    """Common table expressions for the ids of the first `limit` rows by id that match the
    tsquery `words`, window by window (ID_DIGIT_WINDOWS): their definitions, their
    parameters, and a query of the ids."""
    table = connections["default"].ops.quote_name(_table())
    matches = "search_vector @@ (to_tsquery('simple'::regconfig, %s) && %s::tsquery)"
    ctes, params, names = [], [], []
    for number, digits in enumerate(ID_DIGIT_WINDOWS):
        window = f"{name}{number}"
        where, where_params = [matches], [words, " | ".join(f"'~{d}'" for d in digits)]
        if names:
            # Evaluated once, before the scan: a window the ones before it filled is skipped.
            found = " + ".join(f"(SELECT count(*) FROM {earlier})" for earlier in names)
            where.insert(0, f"{found} < %s")
            where_params.insert(0, limit)
        ctes.append(
            f"{window} AS MATERIALIZED (SELECT id FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY id LIMIT %s)"
        )
        params += [*where_params, limit]
        names.append(window)
    ids = " UNION ALL ".join(f"SELECT id FROM {window}" for window in names)
    return ctes, params, f"SELECT id FROM ({ids}) AS {name} ORDER BY id LIMIT {int(limit)}"


def candidates_by_full_text(
    groups: list[set[str]], limit: int, *, match_all: bool, named: frozenset[str] = frozenset()
) -> list[tuple]:
    """Rows whose tokens match every group (or any group), straight from the index.

    Bounded by `limit`, unranked: ranking a large hit set in the database is what makes
    full-text search slow, so the engine ranks these few in Python. Where more rows
    match than are kept, the first by id are (the rows the knowledge base had first,
    before rows added later): SQLite's index gives them in that order at no cost;
    PostgreSQL must be told, or a sequential scan may start anywhere in the table
    (synchronized scans) and keep whichever rows it meets first, and is told window by
    window (ID_DIGIT_WINDOWS).
    `groups` hold index tokens only ([a-z0-9]), so nothing here can inject query syntax.
    """
    numbers = [number for number, group in enumerate(groups) if group]
    groups = [sorted(group) for group in groups if group]
    if not groups:
        return []
    connection = connections["default"]
    table = connection.ops.quote_name(_table())
    columns = ", ".join(f"e.{name}" for name in CANDIDATE_COLUMNS)
    postgresql = connection.vendor == "postgresql"
    alternatives = [_any_token(group, connection.vendor) for group in groups]
    matches = PG_MATCHES if postgresql else f"{FTS_TABLE} MATCH %s"
    if match_all:
        params = [(" & " if postgresql else " AND ").join(alternatives), limit]
        # No more rows hold every group than hold its rarest.
        if postgresql and min(_rows(group) for group in groups) > WINDOWED_ROWS:
            ctes, params, ids = _first_by_id("w", params[0], limit)
            sql = (
                f"WITH {', '.join(ctes)} SELECT {columns} FROM {table} e "
                f"WHERE e.id IN ({ids}) ORDER BY e.id"
            )
        elif postgresql:
            sql = f"SELECT {columns} FROM {table} e WHERE e.{matches} ORDER BY e.id LIMIT %s"
        else:
            sql = (
                f"SELECT {columns} FROM {FTS_TABLE} JOIN {table} e "
                f"ON e.id = {FTS_TABLE}.rowid WHERE {matches} ORDER BY {FTS_TABLE}.rowid LIMIT %s"
            )
    else:
        # One bounded look-up per telling group, then the rows most groups found. A single
        # OR query would make PostgreSQL scan the table when one word is common, and
        # would give SQLite's first rows by id, whatever they hold.
        per_group = max(10, limit // 3)
        telling = [groups.index(group) for group in telling_groups(groups, named)]
        first = _first_rows.get([(tuple(groups[n]), per_group) for n in telling])
        # A look-up that came back full (its group is in more rows than it returns), the
        # only one that found a row: the row is there because the group was asked for.
        # Rows found by as many groups are kept first by id, as each look-up keeps them:
        # the same candidates on either database.
        found: Counter[int] = Counter()
        asked_for: dict[int, int] = {}
        for number in telling:
            full = number if _rows(groups[number]) > per_group else -1
            for row_id in first[tuple(groups[number]), per_group]:
                found[row_id] += 1
                asked_for[row_id] = max(asked_for.get(row_id, -1), full)
        best = sorted(found, key=lambda row_id: (-found[row_id], row_id))[:limit]
        rows = _candidate_rows.get(best)
        return [
            (
                *rows[row_id],
                numbers[asked_for[row_id]]
                if found[row_id] == 1 and asked_for[row_id] >= 0
                else None,
            )
            for row_id in best
            if row_id in rows
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The first rows by id, and which tokens each holds, read once per catalog version (a
# worker reads them at its start: kb.search.engine.read_first_rows; after an edit only
# the edited rows' tokens are filed again, `_patched_postings`): a word's look-up
# whose first rows are all among them needs no statement, and neither does any look-up
# in a catalog of fewer rows. The catalog the knowledge base was loaded with is its
# first rows, and the rows a look-up keeps are the first by id.
KNOWN_ROWS = 2048
# Of them, the rows whose texts are kept too: what the ranking reads of them is held for
# as long as they are the first rows (kb.search.engine.hold_first_rows).
KNOWN_TEXTS = 512
# The marks between a row's sections and phrasing lines, which are no tokens.
_MARKS = frozenset({SECTION_MARK.strip(), LINE_MARK.strip()})


def known_rows() -> tuple[dict[str, tuple[int, ...]], bool]:
    """Per token, the ids in order of the first KNOWN_ROWS rows by id that hold it; and
    whether they are all the rows there are."""
    postings, all_known, _texts = _known_rows.one(KNOWN_ROWS, _read_known_rows)
    return postings, all_known


def known_texts() -> tuple[str, ...]:
    """The token sections (`index_tokens`) of the first KNOWN_TEXTS rows by id, read with
    `known_rows` (once per catalog version)."""
    return _known_rows.one(KNOWN_ROWS, _read_known_rows)[2]


# The first rows' texts and which of them hold each token, as last read: at the next
# catalog version, the tokens of the rows whose text changed are moved, unless more than
# PATCHED_ROWS changed (a bulk load), when they are all read afresh.
# One entry, "read": (texts by id, postings by token), set in one assignment so that a
# reader never meets the texts of one read with the postings of another.
_last_known: dict[str, tuple[dict[int, str], dict[str, tuple[int, ...]]]] = {}
PATCHED_ROWS = 64


def _read_known_rows() -> tuple[dict[str, tuple[int, ...]], bool, tuple[str, ...]]:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT id, index_tokens FROM {_table()} ORDER BY id LIMIT %s", [KNOWN_ROWS]
        )
        rows = cursor.fetchall()
    texts = dict(rows)
    last = _last_known.get("read")
    postings = _patched_postings(*last, texts) if last else None
    if postings is None:
        filed: dict[str, list[int]] = {}
        for row_id, text in rows:
            for token in _row_tokens(text):
                filed.setdefault(token, []).append(row_id)
        postings = {token: tuple(ids) for token, ids in filed.items()}
    _last_known["read"] = (texts, postings)
    return postings, len(rows) < KNOWN_ROWS, tuple(text for _id, text in rows[:KNOWN_TEXTS])


def _row_tokens(text: str) -> set[str]:
    return set(text.split()) - _MARKS


def _patched_postings(
    before: dict[int, str], postings: dict[str, tuple[int, ...]], texts: dict[int, str]
) -> dict[str, tuple[int, ...]] | None:
    """`postings` of the rows `before` moved to the rows `texts` (by id): the ids of the
    rows whose text changed, came or went, out of the tokens they no longer hold and into
    the ones they now hold, in order. None when too many rows changed to be worth it."""
    changed = [row_id for row_id, text in texts.items() if before.get(row_id) != text]
    changed += [row_id for row_id in before if row_id not in texts]
    if len(changed) > PATCHED_ROWS:
        return None
    postings = dict(postings)  # the kept one may be in use by a search at its version
    for row_id in changed:
        old, new = _row_tokens(before.get(row_id, "")), _row_tokens(texts.get(row_id, ""))
        for token in old - new:
            if ids := tuple(held for held in postings[token] if held != row_id):
                postings[token] = ids
            else:
                del postings[token]
        for token in new - old:
            ids = postings.get(token, ())
            at = bisect.bisect_left(ids, row_id)
            postings[token] = (*ids[:at], row_id, *ids[at:])
    return postings


def forget_known_rows() -> None:
    """Read the first rows, and the first words of the message keys, afresh at the next
    search (tests: each starts a new database; after a bulk load, which other processes
    see within a second)."""
    _last_known.clear()
    _known_rows.forget()
    _first_words.forget()


def _first_known(group: tuple[str, ...], limit: int, postings: dict) -> list[int]:
    """The first `limit` ids, in order, of the known rows that hold a token of `group`."""
    ids: list[int] = []
    for row_id in heapq.merge(*(postings.get(token, ()) for token in group)):
        if not ids or ids[-1] != row_id:
            ids.append(row_id)
            if len(ids) == limit:
                break
    return ids


def _read_first_rows(
    lookups: list[tuple[tuple[str, ...], int]],
) -> dict[tuple[tuple[str, ...], int], tuple[int, ...]]:
    """The ids of the first rows by id that hold a token of each group (as many as its
    number): from the known rows (`known_rows`) where they are all among them, the others
    in one statement."""
    postings, all_known = known_rows()
    found: dict[tuple[tuple[str, ...], int], tuple[int, ...]] = {}
    asked = []
    for lookup in lookups:
        ids = _first_known(*lookup, postings)
        if all_known or len(ids) == lookup[1]:
            found[lookup] = tuple(ids)
        else:
            asked.append(lookup)
    if asked:
        found.update(_select_first_rows(asked))
    return found


def _select_first_rows(
    lookups: list[tuple[tuple[str, ...], int]],
) -> dict[tuple[tuple[str, ...], int], tuple[int, ...]]:
    """The ids of the first rows by id that hold a token of each group (as many as its
    number), in one statement."""
    connection = connections["default"]
    branches, params = [], []
    for number, (group, limit) in enumerate(lookups):
        if connection.vendor == "sqlite":
            rows = f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        else:
            rows = f"SELECT id FROM {connection.ops.quote_name(_table())} WHERE {PG_MATCHES}"
            if _rows(list(group)) <= FEW_ROWS:
                # Every row that holds the group, then the first of them by id (OFFSET 0
                # keeps the planner from walking the primary key instead; see FEW_ROWS).
                rows = f"SELECT id FROM ({rows} OFFSET 0) AS few"
        branches.append(
            f"SELECT {number} AS lookup, id FROM ({rows} ORDER BY id LIMIT %s) AS branch"
        )
        params += [_any_token(group, connection.vendor), limit]
    found: dict[tuple[tuple[str, ...], int], list[int]] = {lookup: [] for lookup in lookups}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        for number, row_id in cursor.fetchall():
            found[lookups[number]].append(row_id)
    return {lookup: tuple(ids) for lookup, ids in found.items()}


# The look-ups of a word's first rows, and the candidates' columns, kept by the process at
# one catalog version: the words of descriptions come back in search after search (a
# unique description is mostly common words), and so do the rows that hold them.
_first_rows = KeptUntilCatalogChanges(_read_first_rows, limit=8192)
_known_rows = KeptUntilCatalogChanges(limit=1)
_candidate_rows = KeptUntilCatalogChanges(
    lambda ids: {row[0]: row for row in _candidates_where(f"id IN ({_placeholders(ids)})", ids)},
    limit=4096,
)


# The first rows of a status, and each row's twin in the other catalog, kept likewise: a
# few statuses and the real catalog's rows come back in every other search.
_status_rows = KeptUntilCatalogChanges(limit=256)
_twins = KeptUntilCatalogChanges(_read_twins, limit=8192)
# The rows of each code pasted: the real catalog's codes come back in paste after paste.
# A code no row has is kept too, as none, until the catalog changes.
_code_rows = KeptUntilCatalogChanges(_read_code_rows, limit=4096)


@lru_cache(maxsize=2048)
def message_key_tokens(message_key: str) -> frozenset[str]:
    """The tokens of a row's message key, kept per key: the same for every row of it."""
    return frozenset(tokens(message_key))


def first_rows_said(
    said: frozenset[str], limit: int, fewest: int, column: str = "message_key"
) -> list[int]:
    """The ids, among the first `limit` rows by id (the catalog the knowledge base was
    loaded with, before rows added later), of the rows whose message key (or `column`:
    `meaning_zh`, the Chinese meaning) has `fewest` tokens or more and every one of them
    in `said`."""

    def read() -> dict[str, tuple[tuple[int, frozenset[str]], ...]]:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {_table()} ORDER BY id LIMIT %s", [limit])
            keys = cursor.fetchall()
        # Each message under its longest token (seldom a common one): a text says the
        # message only if it says that token, and a text's tokens are a few dozen against
        # hundreds of messages.
        by_token: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for row_id, key in keys:
            if len(words := message_key_tokens(key)) >= fewest:
                by_token.setdefault(max(sorted(words), key=len), []).append((row_id, words))
        return {token: tuple(found) for token, found in by_token.items()}

    by_token = _first_keys.one((column, limit, fewest), read)
    return sorted(
        row_id
        for token in said.intersection(by_token)
        for row_id, words in by_token[token]
        if words <= said
    )


_first_keys = KeptUntilCatalogChanges(limit=4)


def _rows_of(ids) -> list[tuple]:
    """CANDIDATE_COLUMNS of the rows of `ids` that exist, in the order of `ids`."""
    rows = _candidate_rows.get(ids)
    return [rows[row_id] for row_id in ids if row_id in rows]


def forget_row_lookups() -> None:
    """Look every word, status, code and twin up afresh, and read the candidates' columns
    afresh (bench/search_speed.py: a cold search, one that meets none of the rows it
    looked up before). What a worker reads once per catalog version (the aliases' keys,
    the first rows' message keys by token: kb.search.engine.read_first_rows) is kept."""
    for kept in (_first_rows, _candidate_rows, _status_rows, _twins, _code_rows):
        kept.forget()


def forget_lookups() -> None:
    """forget_row_lookups, and what a worker reads once per catalog version too (tests:
    each starts a new database)."""
    forget_row_lookups()
    _first_keys.forget()
    _alias_keys.forget()


def _read_shown_rows(ids: list[int]) -> dict[int, ErrorEntry]:
    columns = [
        field.column
        for field in ErrorEntry._meta.concrete_fields
        if field.name not in ("index_tokens", "shipped")
    ]
    sql = f"SELECT {', '.join(columns)} FROM {_table()} WHERE id IN ({_placeholders(ids)})"
    return {entry.pk: entry for entry in ErrorEntry.objects.raw(sql, ids)}


# The rows searches show, kept by the process at one catalog version (kb.pagecache): a
# row is read once, with what its page needs (its FAQ articles, read by the first page
# that shows it), and read again once the catalog changed, as a cached page is.
_shown_rows = KeptUntilCatalogChanges(_read_shown_rows)


def load_entries(ids: list[int]) -> dict[int, ErrorEntry]:
    """The rows shown, by id, without the columns only the search reads.

    The objects are shared by the searches of this process until the catalog changes:
    read them, never set anything on them.
    """
    return _shown_rows.get(ids)


def forget_shown_rows() -> None:
    """Read every row afresh at the next search (tests: each starts a new database)."""
    _shown_rows.forget()


def forget_held_tokens() -> None:
    """Ask the index afresh which tokens rows hold (tests: each starts a new database)."""
    _held.forget()
