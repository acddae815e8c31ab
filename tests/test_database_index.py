"""The database's own full-text index (kb/search/index.py) on SQLite and on PostgreSQL."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from kb.expiring import ExpiringValue
from kb.models import ErrorEntry
from kb.search import index
from kb.search.engine import search
from kb.search.index import FTS_TERMS_TABLE, candidates_by_full_text, telling_groups
from kb.text.tokens import message_key, tokens
from tests.factories import make_category, make_entry

ON_POSTGRESQL_ONLY = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="about PostgreSQL's GIN index and statistics"
)


def ids_matching(word: str) -> set[int]:
    """Rows the engine's full-text look-up finds for one word."""
    return {row[0] for row in candidates_by_full_text([set(tokens(word))], 100, match_all=True)}


def test_an_edited_remedy_is_found_through_the_index(shipped_catalog):
    row = ErrorEntry.objects.get(code="APIG.0308")
    assert ids_matching("zebrafish") == set()
    row.remedy_en = "Ask the zebrafish team to raise the limit."
    row.save()
    assert ids_matching("zebrafish") == {row.pk}
    row.delete()
    assert ids_matching("zebrafish") == set()


@ON_POSTGRESQL_ONLY
def test_postgresql_answers_text_queries_from_its_gin_index(shipped_catalog):
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


def test_a_long_paste_looks_up_its_rare_words_then_numbers_then_common_words(monkeypatch):
    # As PostgreSQL's statistics would say of a large catalog: "error" is in 40,000 rows,
    # "request" in 5,000, "koogallery" in few.
    monkeypatch.setattr(index, "token_row_counts", lambda: {"error": 40000, "request": 5000})
    groups = [["2026"], ["error"], ["request"], ["koogalleri"], ["11"], ["quota", "use"]]
    assert telling_groups(groups) == [
        ["koogalleri"],
        ["quota", "use"],
        ["2026"],
        ["11"],
        ["request"],
        ["error"],
    ]
    # A paste with many rare words (rows hold each of them) leaves no look-up to the
    # common ones.
    many = [[f"word{n}"] for n in range(40)]
    monkeypatch.setattr(index, "held_tokens", lambda tokens: tokens)
    assert telling_groups([["error"], *many]) == many[: index.OR_LOOKUPS]


def test_a_long_text_asks_for_the_words_rows_hold_not_its_pieces_no_row_holds(shipped_catalog):
    # Pieces across word boundaries (`上公` of `晚上公司`) are in no row; the words that
    # say what failed come last, after more pieces than there are look-ups.
    nowhere = [[f"zq{n}"] for n in range(index.OR_LOOKUPS + 3)]
    (throttling,) = tokens("throttling")
    assert telling_groups([*nowhere, [throttling]]) == [[throttling]]


def test_a_paste_of_thousands_of_pieces_asks_the_index_a_few_times(db, monkeypatch):
    # A few thousand random Chinese characters hold no word of any row: checking them
    # all, a look-up's worth at a time, cost a search 84 reads of the index.
    asked = []
    monkeypatch.setattr(index, "held_tokens", lambda tokens: asked.append(tokens) or set())
    telling_groups([[f"zq{n}"] for n in range(3000)])
    assert len(asked) == index.HELD_ROUNDS


def test_a_word_an_edit_adds_is_asked_for_at_the_next_search(shipped_catalog):
    # More words no row holds than there are look-ups, then the one word that matters.
    text = " ".join(f"blorp{n}" for n in range(index.OR_LOOKUPS + 3)) + " zebrafish"
    assert search(text).hits == []
    row = ErrorEntry.objects.get(code="APIG.0308")
    row.remedy_en = "Ask the zebrafish team to raise the limit."
    row.save()
    assert search(text).hits[0].entry == row


def test_the_failure_a_long_chinese_text_describes_last_is_found(shipped_catalog):
    text = (
        "昨天晚上公司年会结束回家路上顺便看了眼监控大盘，"
        "早晨同事反馈说客户端调用接口时网关提示请求次数超过流控阈值"
    )
    best = search(text).hits[0].entry
    assert (best.code, best.http_status) == ("APIG.0308", 429)


def analyzed(monkeypatch) -> dict[str, float]:
    """The token counts of the rows as they are now, read afresh for this test."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_errorentry")
    monkeypatch.setattr(
        index, "_row_counts", ExpiringValue(index._read_token_row_counts, lambda: 300.0)
    )
    return index.token_row_counts()


def test_the_index_counts_the_rows_that_hold_a_token(shipped_catalog, monkeypatch):
    # PostgreSQL: from its statistics after ANALYZE; SQLite: from the FTS5 index itself.
    counts = analyzed(monkeypatch)
    (token,) = tokens("authentication")
    assert 1 <= counts[token] <= ErrorEntry.objects.count()


def rows_holding(token: str) -> int:
    return sum(
        token in row.split() for row in ErrorEntry.objects.values_list("index_tokens", flat=True)
    )


def test_a_catalog_just_imported_is_searched_with_its_token_counts(db):
    # PostgreSQL's counts come from ANALYZE: a search right after `import_catalog` chose
    # its look-ups as if every word were rare, unlike the same search a minute later.
    call_command("import_catalog", stdout=StringIO())
    (token,) = tokens("gateway")
    holding = rows_holding(token)
    assert holding >= index.COUNTED_ROWS
    assert index.token_row_counts()[token] == pytest.approx(holding, abs=1)


@ON_POSTGRESQL_ONLY
def test_a_token_of_a_few_dozen_rows_is_counted_among_many_rows_of_many_words(db, monkeypatch):
    # ANALYZE keeps a token only above a cutoff that grows with the words it samples: at
    # the statistics target before migration 0018, the tokens of fewer than about 40 of
    # 100,000 rows were left out, rare on PostgreSQL and counted on SQLite, and a text was
    # ranked otherwise on the two. 4,800 rows of 1,000 words sample as many words.
    category = make_category()
    words = " ".join(f"filler{n}" for n in range(1000))
    ErrorEntry.objects.bulk_create(
        (
            ErrorEntry(
                catalog="APIG",
                code="APIG.9999",
                http_status=400,
                message_en=f"Filler {n}.",
                category=category,
                identity=f"filler-{n}",
                index_tokens=f"{words} zebrafish" if n % 192 == 0 else words,
            )
            for n in range(4800)
        ),
        batch_size=600,
    )
    counts = analyzed(monkeypatch)
    assert counts.get("zebrafish") == pytest.approx(25, abs=1)


def test_both_databases_count_the_same_tokens(shipped_catalog):
    # A token of a few rows is rare on either database: PostgreSQL's statistics hold
    # such tokens too, and the look-ups of a small catalog were chosen in another order.
    counts = index.token_row_counts()
    (token,) = tokens("oidc")
    assert 1 <= rows_holding(token) < index.COUNTED_ROWS
    assert token not in counts
    assert min(counts.values()) >= index.COUNTED_ROWS


def test_a_small_analyzed_catalog_still_looks_up_every_word(shipped_catalog, monkeypatch):
    # In a catalog of a few hundred rows no word is too common to look up.
    if connection.vendor == "postgresql":
        analyzed(monkeypatch)
    best = search("Incorect app authentication informaton").hits[0].entry
    assert (best.code, best.http_status) == ("APIG.0303", 401)


def test_a_row_with_the_rare_words_is_found_among_many_with_the_common_ones(db):
    category = make_category()
    for n in range(60):
        make_entry(category=category, message_en=f"Widget gadget failure number {n}.")
    wanted = make_entry(category=category, message_en="Widget gadget sprocket failure.")

    # No row holds every word, and sixty hold the common ones: the rare word still counts.
    hits = search("widget gadget sprocket wobble").hits
    assert hits[0].entry == wanted


def test_a_description_whose_every_word_is_common_still_finds_its_row(shipped_catalog, monkeypatch):
    # As the counts of a catalog of 100,000 rows would say: every word here is common,
    # and the misspelt ones are in no row at all.
    common = {token: 50000.0 for token in tokens("app authentication information incorrect")}
    monkeypatch.setattr(index, "token_row_counts", lambda: common)
    best = search("Incorect app authentication informaton").hits[0].entry
    assert (best.code, best.http_status) == ("APIG.0303", 401)


def test_a_message_many_rows_start_alike_still_finds_the_documented_row(shipped_catalog):
    category = make_category()
    for n in range(60):
        make_entry(
            category=category,
            message_en=f"The following protocol is supported: for the queue {n}.",
            sort_order=1000 + n,
        )
    best = search("The following protocol is supported: HTTPS").hits[0].entry
    assert best.code == "APIG.0607"


def test_a_status_is_looked_up_in_both_catalogs_however_many_rows_one_has(shipped_catalog):
    # More rows of each gateway with this status than one look-up keeps.
    category = make_category()
    for n in range(40):
        make_entry(category=category, http_status=429, sort_order=1000 + n)
        make_entry(
            code=f"APIGW.{8000 + n}", category=category, http_status=429, sort_order=1000 + n
        )
    shared = ErrorEntry.objects.get(code="APIGW.0308", http_status=429)
    own = ErrorEntry.objects.get(code="APIG.0308", http_status=429)

    def found(first_catalog: str) -> list[tuple]:
        return index.candidates_by_status(429, 30, first_catalog)

    for first_catalog in ("APIG", "APIGW"):
        ids = {row[0] for row in found(first_catalog)}
        assert {shared.pk, own.pk} <= ids, first_catalog
        assert len(ids) == 30


def test_a_status_leaves_room_the_other_catalog_does_not_fill_to_the_one_pointed_at(
    shipped_catalog,
):
    category = make_category()
    for n in range(40):
        make_entry(category=category, http_status=429, sort_order=1000 + n)
    shared = ErrorEntry.objects.get(code="APIGW.0308", http_status=429)
    rows = index.candidates_by_status(429, 30, "APIG")
    # The shared gateway has one row of this status: the customer's own fills the rest.
    assert len(rows) == 30 and shared.pk in {row[0] for row in rows}


def test_the_first_rows_by_id_that_hold_every_word_are_kept_however_far_apart(db, monkeypatch):
    # Ids of one to six digits: on PostgreSQL each number of digits is a window of the
    # look-up (kb/migrations/0015_search_vector_id_digits.py), asked in turn.
    category = make_category()
    ids = [7, 420, 4200, 42000, 420000]
    for number in reversed(ids):
        make_entry(id=number, category=category, message_en="Okapi lemur refused.")
    make_entry(id=43, category=category, message_en="Okapi alone refused.")
    # As the counts of a large catalog say: common enough to be looked up window by window.
    common = {token: 50000.0 for token in tokens("okapi lemur")}
    monkeypatch.setattr(index, "token_row_counts", lambda: common)
    words = [set(tokens("okapi")), set(tokens("lemur"))]

    def first(limit: int) -> list[int]:
        return [row[0] for row in candidates_by_full_text(words, limit, match_all=True)]

    assert first(1) == [7]
    assert first(2) == [7, 420]
    assert first(3) == [7, 420, 4200]
    assert first(4) == [7, 420, 4200, 42000]
    assert first(40) == ids


def test_rows_found_by_as_many_words_are_kept_first_by_id_on_either_database(db):
    # More rows hold one word of the text than the candidates keep. Which of them are kept
    # decides what the ranking weighs the words against; before, SQLite and PostgreSQL
    # each kept their own choice, so one text could rank differently on each.
    category = make_category()
    okapi = [3, 11, 17, 26, 31, 40, 52, 67]
    lemur = [5, 8, 14, 22, 38, 45, 59, 71]
    for number in okapi:
        make_entry(id=number, category=category, message_en=f"Okapi refused {number}.")
    for number in lemur:
        make_entry(id=number, category=category, message_en=f"Lemur refused {number}.")
    words = [set(tokens("okapi")), set(tokens("lemur"))]

    kept = {row[0] for row in candidates_by_full_text(words, 10, match_all=False)}
    assert kept == set(sorted(okapi + lemur)[:10])


@pytest.mark.parametrize("known", [3, index.KNOWN_ROWS], ids=["asked", "known"])
@pytest.mark.parametrize("rows_said", [14.0, 50000.0], ids=["few", "many"])
def test_the_first_rows_by_id_that_hold_a_word_are_kept_however_the_table_stores_them(
    db, monkeypatch, rows_said, known
):
    # Written last id first, so that the table holds them in the reverse of their ids'
    # order: a look-up that keeps the rows it reads first, not the first by id, keeps the
    # wrong ones. On PostgreSQL a word the counts say few rows hold is read from its index
    # and sorted; a common one by walking the ids (index.FEW_ROWS): both keep the same.
    # With the first 3 rows known, the database is asked; with every row, it is not.
    category = make_category()
    ids = [5, 9, 60, 700, 701, 8000, 8001, 8002, 30000, 30001, 90000, 90001, 500000, 500001]
    for number in reversed(ids):
        make_entry(id=number, category=category, message_en=f"Okapi refused {number}.")
    monkeypatch.setattr(index, "token_row_counts", lambda: {"okapi": rows_said})
    monkeypatch.setattr(index, "KNOWN_ROWS", known)

    kept = [row[0] for row in candidates_by_full_text([{"okapi"}], 30, match_all=False)]
    assert kept == ids[:10]


def test_an_identifier_a_long_text_names_is_looked_up_whatever_its_count(
    shipped_catalog, monkeypatch
):
    # As in a large catalog where hundreds of rows name through_data: counted, so below
    # every rare word of a long text in the order of look-ups; the identifier the customer
    # names goes first all the same.
    named = tokens("through_data")[-1]
    monkeypatch.setattr(index, "token_row_counts", lambda: {named: 300.0})
    monkeypatch.setattr(index, "held_tokens", lambda tokens: tokens)
    story = " ".join(f"qz{n}word" for n in range(index.OR_LOOKUPS + 4))
    best = search(f"{story} we put a profile in through_data and the call fails").hits[0].entry
    assert best.code == "APIG.2208"


def test_the_counts_are_read_again_once_they_may_have_changed(shipped_catalog, monkeypatch):
    # SQLite's counts come from its index, written with the rows: past their time they are
    # read again only once the catalog changed (a read reads the whole index). PostgreSQL's
    # come from ANALYZE, whenever it runs: past their time they are read again.
    monkeypatch.setattr(index, "STATISTICS_SECONDS", 0.0)
    index.forget_token_row_counts()
    (token,) = tokens("request")
    before = index.token_row_counts().get(token, 0.0)
    reads = index._row_counts.reads
    index.token_row_counts()
    assert index._row_counts.reads == reads + (connection.vendor == "postgresql")

    row = next(row for row in ErrorEntry.objects.all() if token not in row.index_tokens.split())
    row.remedy_en += " Send the request again."
    row.save()
    counts = index.token_row_counts()
    assert index._row_counts.reads > reads
    if connection.vendor == "sqlite":
        assert counts[token] == before + 1


def _full_text_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if "MATCH" in q["sql"] or "to_tsquery" in q["sql"]]


def test_a_word_whose_first_rows_are_known_is_looked_up_without_asking_the_database(
    db, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    # The first 6 rows by id are known (as a worker reads them at its start); rows 1, 3, 5
    # of them say okapi, and so do 7 and 9 beyond them.
    monkeypatch.setattr(index, "KNOWN_ROWS", 6)
    category = make_category()
    for number in range(1, 11):
        animal = "Okapi" if number % 2 else "Lemur"
        make_entry(id=number, category=category, message_en=f"{animal} refused {number}.")
    okapi = tuple(tokens("okapi"))
    index.known_rows()

    with CaptureQueriesContext(connection) as queries:
        three = index._read_first_rows([(okapi, 3)])
    assert three == {(okapi, 3): (1, 3, 5)}
    assert not _full_text_statements(queries)

    # Four are more than the known rows hold: the database is asked, and says the same as
    # it would have of the first three.
    with CaptureQueriesContext(connection) as queries:
        four = index._read_first_rows([(okapi, 4)])
    assert four == {(okapi, 4): (1, 3, 5, 7)}
    assert _full_text_statements(queries)
    assert index._select_first_rows([(okapi, 3)]) == three


def test_a_catalog_whose_rows_are_all_known_is_looked_up_as_it_is_now(db):
    # Every row is known, so a word that fewer rows hold than asked for is answered from
    # them; a row added later (the catalog's version changes) is found all the same.
    category = make_category()
    first = make_entry(category=category, message_en="Okapi refused once.")
    make_entry(category=category, message_en="Lemur refused.")
    okapi = tuple(tokens("okapi"))
    assert index._first_rows.get([(okapi, 10)]) == {(okapi, 10): (first.pk,)}

    added = make_entry(category=category, message_en="Okapi refused again.")
    assert index._first_rows.get([(okapi, 10)]) == {(okapi, 10): (first.pk, added.pk)}
    assert index._select_first_rows([(okapi, 10)]) == {(okapi, 10): (first.pk, added.pk)}


def test_whether_a_word_is_held_is_answered_by_the_known_rows_where_they_can(db, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    category = make_category()
    for number in range(1, 5):
        make_entry(id=number, category=category, message_en=f"Okapi refused {number}.")
    make_entry(id=5, category=category, message_en="Lemur refused.")
    okapi, lemur, yak = (tokens(word)[0] for word in ("okapi", "lemur", "yak"))

    # Every row known: no statement, and a word none holds is held by none.
    with CaptureQueriesContext(connection) as queries:
        assert index.held_tokens({okapi, lemur, yak}) == {okapi, lemur}
    read = " ".join(query["sql"] for query in queries)
    assert not _full_text_statements(queries) and FTS_TERMS_TABLE not in read

    # The first 3 known: a word they hold needs no statement; the others are asked.
    index.forget_lookups()
    index.forget_held_tokens()
    monkeypatch.setattr(index, "KNOWN_ROWS", 3)
    assert index.held_tokens({okapi}) == {okapi}
    assert index.held_tokens({okapi, lemur, yak}) == {okapi, lemur}
    assert index._select_held_tokens([okapi, lemur, yak]) == {okapi: True, lemur: True, yak: False}


def test_the_rows_kept_of_a_pasted_messages_keys_are_the_longest_keys_first_in_catalog_order(db):
    # A short key that many rows share, written against their catalog order, and a longer
    # key two rows have: as many as asked for are kept, the longer key's rows first, then
    # each catalog's rows in its order; the same on either database.
    category = make_category()
    short = [
        make_entry(category=category, message_en=f"Sprocket jammed: gear {n}.", sort_order=50 - n)
        for n in range(8)
    ]
    longer = [
        make_entry(category=category, message_en="Sprocket jammed in the gearbox.", sort_order=n)
        for n in (7, 3)
    ]
    shared = make_entry(
        code="APIGW.9001", category=category, message_en="Sprocket jammed: gear 99.", sort_order=1
    )
    keys = [message_key("Sprocket jammed: gear"), message_key("Sprocket jammed in the gearbox")]

    first = [longer[1].pk, longer[0].pk]
    first += [row.pk for row in sorted(short, key=lambda row: row.sort_order)]
    # The shared gateway's row comes after the primary catalog's rows of its key.
    everything = [*first, shared.pk]

    assert {row[0] for row in index.candidates_by_message_keys(keys, 6)} == set(everything[:6])
    assert {row[0] for row in index.candidates_by_message_keys(keys, 20)} == set(everything)


def test_a_message_added_after_a_look_up_is_found_by_its_key_at_once(db):
    # The look-up by key asks only for keys whose first word begins some row's key, and
    # keeps those words until the catalog changes: a row added with a new first word is
    # found by its key at the next look-up, in the same process.
    category = make_category()
    make_entry(category=category, message_en="Sprocket jammed: gear 1.")
    wombat = message_key("Wombat burrow collapsed: tunnel 3")
    assert index.candidates_by_message_keys(["wombat", wombat], 10) == []

    added = make_entry(category=category, message_en="Wombat burrow collapsed: tunnel {n}.")

    assert [row[0] for row in index.candidates_by_message_keys(["wombat", wombat], 10)] == [
        added.pk
    ]


@pytest.mark.django_db
def test_the_message_keys_first_words_are_every_rows_first_word():
    # A paste is looked up by message key only when its first word begins some key: a
    # first word missed would leave that message's pastes unfound by their key.
    messages = [
        "The API does not exist.",
        "The",
        "Them all failed.",
        "Theme {xxx} refused.",
        "API gateway error.",
        "APIG failed.",
        "Apig",
        "A b c.",
        "z9 is the last.",
        "{xxx} comes first.",
        "0 requests left.",
    ]
    for message in messages:
        make_entry(message_en=message, http_status=500)
    keys = ErrorEntry.objects.values_list("message_key", flat=True)

    assert index.message_key_first_words() == {key.split(" ")[0] for key in keys}
