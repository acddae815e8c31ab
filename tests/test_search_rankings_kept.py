"""A text searched again is not ranked again, yet follows every change to the catalog.

The real path (two gunicorn hosts on one database, an edit on one shown by the other's
searches within the documented second) is tests/server/test_several_hosts.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import ErrorAlias, ErrorEntry
from kb.search import engine, index
from kb.search.engine import search
from kb.search.index import (
    FTS_TERMS_TABLE,
    forget_known_rows,
    forget_lookups,
    forget_token_row_counts,
)
from tests.factories import make_entry

TEXT = "the sprocket gizmo jammed during calibration"


def first_row(text: str = TEXT, **kwargs):
    return search(text, **kwargs).hits[0].entry


@pytest.mark.django_db
def test_a_text_searched_again_after_an_edit_is_ranked_on_the_edited_catalog():
    jammed = make_entry(message_en="Sprocket gizmo jammed.", http_status=500)
    calibration = make_entry(message_en="Calibration failed.", http_status=500)
    assert first_row() == jammed
    assert first_row() == jammed  # asked again: the same answer

    calibration.phrasings_en = "the sprocket gizmo jammed during calibration"
    calibration.save()

    assert first_row() == calibration


@pytest.mark.django_db
def test_a_row_added_since_a_text_was_searched_is_found_when_it_is_searched_again():
    assert not search("flux capacitor overheated").hits
    added = make_entry(message_en="Flux capacitor overheated.", http_status=503)
    assert first_row("flux capacitor overheated") == added


@pytest.mark.django_db
def test_a_repeated_text_gets_as_many_rows_as_it_asks_for():
    for n in range(5):
        make_entry(message_en=f"Sprocket gizmo failure number {n}.", http_status=500)
    assert len(search("sprocket gizmo failure", limit=2).hits) == 2
    assert len(search("sprocket gizmo failure", limit=5).hits) == 5
    assert len(search("sprocket gizmo failure", limit=2).hits) == 2


@pytest.mark.django_db
def test_a_text_is_ranked_again_once_the_word_counts_are_read_afresh(monkeypatch):
    # The counts of rows per word steer which rows are looked up; PostgreSQL's come from
    # its statistics, read afresh every few minutes (after a bulk load, the first ANALYZE).
    from kb.search import engine
    from kb.search.index import forget_token_row_counts

    make_entry(message_en="Sprocket gizmo jammed.", http_status=500)
    gathered = []

    def gather(*args, **kwargs):
        gathered.append(args[0].text)
        return real_gather(*args, **kwargs)

    real_gather = engine._gather
    monkeypatch.setattr(engine, "_gather", gather)
    first_row()
    first_row()
    assert len(gathered) == 1

    forget_token_row_counts()  # as STATISTICS_SECONDS passing does
    first_row()
    assert len(gathered) == 2


def test_a_row_added_since_a_descriptions_words_were_looked_up_is_found(shipped_catalog):
    # In a catalog large enough for word counts each telling word of a description is
    # looked up on its own, and the look-ups are kept (kb.search.index): until the
    # catalog changes.
    text = "the frobnicator says the backend timed out behind the gateway"
    assert all("Frobnicator" not in hit.entry.message_en for hit in search(text).hits)

    added = make_entry(message_en="Frobnicator backend timeout.", http_status=504)

    assert added in [hit.entry for hit in search(text).hits]


@pytest.mark.django_db
def test_a_row_added_since_its_status_was_looked_up_is_found():
    make_entry(code="APIG.9301", message_en="Gizmo stalled.", http_status=503)
    assert [hit.entry.code for hit in search("503").hits] == ["APIG.9301"]

    make_entry(code="APIGW.9301", message_en="Gizmo stalled.", http_status=503)

    assert {hit.entry.code for hit in search("503").hits} == {"APIG.9301", "APIGW.9301"}


@pytest.mark.django_db
def test_the_rows_of_a_code_pasted_before_follow_the_catalog():
    # The rows of each code pasted are kept by the process (kb.search.index), as none
    # for a code no row has: until the catalog changes.
    assert search("APIG.9302").unknown_codes == ["APIG.9302"]

    stalled = make_entry(code="APIG.9302", message_en="Gizmo stalled.", http_status=503)
    assert [hit.entry for hit in search("APIG.9302 503").hits] == [stalled]

    jammed = make_entry(code="APIG.9302", message_en="Gizmo jammed.", http_status=500)
    pasted = '{"error_code": "APIG.9302", "error_msg": "Gizmo jammed."}'
    assert [hit.entry for hit in search(pasted).hits] == [jammed, stalled]


def test_a_worker_that_read_the_catalog_at_its_start_reads_no_row_at_its_first_search(
    shipped_catalog,
):
    # gunicorn.conf.py's post_worker_init: a catalog row's phrasings take about 0.2 ms to
    # read, and a worker's first descriptions read thirty rows each while a reader waited.
    engine.forget_row_texts()
    assert engine.read_first_rows() == ErrorEntry.objects.count()
    read = engine.token_weights.cache_info().misses
    hits = engine.search("the gateway says my app key and secret do not match, 401").hits
    assert hits
    assert engine.token_weights.cache_info().misses == read


def test_a_worker_that_read_the_catalog_at_its_start_reads_no_word_counts_at_its_first_search(
    shipped_catalog,
):
    # The index's word counts are a read of SQLite's whole full-text index (about 0.14 s at
    # 100,000 rows): a worker's first reader waited for them, and for the aliases' keys and
    # the first rows' messages.
    forget_lookups()
    forget_token_row_counts()
    forget_known_rows()
    engine.read_first_rows()
    with CaptureQueriesContext(connection) as statements:
        assert engine.search("the gateway says my app key and secret do not match, 401").hits
    read = " ".join(statement["sql"] for statement in statements.captured_queries)
    assert FTS_TERMS_TABLE not in read and "pg_stats" not in read
    assert "kb_erroralias" not in read
    # Nor which of the first rows hold each word (kb.search.index.known_rows).
    assert "SELECT id, index_tokens" not in read
    assert "SELECT id, message_key FROM" not in read


def alias_hit(wording: str):
    hit = search(f"{wording}: while reading the response").hits[0]
    return hit.entry, hit.match


@pytest.mark.django_db
def test_an_alias_added_since_a_search_is_found_by_its_wording():
    row = make_entry(message_en="Backend unavailable.", http_status=502)
    make_entry(message_en="Upstream quota exceeded.", http_status=429)
    wording = "Upstream connect error or disconnect reset before headers"
    assert alias_hit(wording)[1] != "message"  # the aliases as they were: none

    ErrorAlias.objects.create(entry=row, text=wording)

    assert alias_hit(wording) == (row, "message")


@pytest.mark.django_db
def test_past_the_aliases_kept_every_alias_is_still_found(monkeypatch):
    monkeypatch.setattr(index, "ALIAS_KEYS_KEPT", 1)
    first = make_entry(message_en="Backend unavailable.", http_status=502)
    second = make_entry(message_en="Backend timed out.", http_status=504)
    ErrorAlias.objects.create(entry=first, text="Upstream connect error")
    ErrorAlias.objects.create(entry=second, text="Upstream request timeout")

    assert alias_hit("Upstream connect error") == (first, "message")
    assert alias_hit("Upstream request timeout") == (second, "message")


def churn_row_readings() -> None:
    """Read as many other rows' texts as the cache of row readings holds, and more: what a
    busy worker's searches do at 100,000 rows (a description meets about fifty rows)."""
    for number in range(engine.token_weights.cache_info().maxsize + 100):
        text = f"apig {number} gizmo{number} jammed ~ z{number:08x}"
        engine.token_weights(text)
        engine.token_weights(text, engine.PHRASINGS)


def test_a_workers_catalog_rows_stay_read_however_many_other_rows_it_reads(shipped_catalog):
    engine.forget_row_texts()
    engine.forget_held_rows()
    engine.read_first_rows()
    text = ErrorEntry.objects.get(code="APIG.0303", catalog="APIG").index_tokens
    weights = engine.token_weights(text)

    churn_row_readings()

    # The same reading, not a new one read from the text again.
    assert engine.token_weights(text) is weights
    hits = search("the gateway says my app key and secret do not match, 401").hits
    assert hits[0].entry.code == "APIG.0303"


def test_after_an_edit_only_the_edited_first_row_is_read_again(shipped_catalog):
    engine.read_first_rows()
    other = ErrorEntry.objects.filter(code="APIG.0101").first().index_tokens
    other_weights = engine.token_weights(other)
    edited = ErrorEntry.objects.get(code="APIG.0303", catalog="APIG")
    old_text = edited.index_tokens
    edited.phrasings_en += "\nthe sprocket gizmo says our signature wobbles"
    edited.save()

    # A description searched after the edit finds the row by its new words, and holds
    # the edited row's new text in place of its old one.
    assert first_row("sprocket gizmo says the signature wobbles") == edited
    new_weights = engine.token_weights(edited.index_tokens)
    churn_row_readings()

    assert engine.token_weights(edited.index_tokens) is new_weights
    assert engine.token_weights(other) is other_weights
    assert (old_text,) not in engine.token_weights.held


@pytest.mark.django_db
def test_the_first_rows_tokens_after_edits_are_what_a_fresh_read_gives(monkeypatch):
    # After an edit a worker files only the changed rows' tokens again (a read of all of
    # them took 58.5-72.5 ms at 100,000 rows): what it files must be what a read gives.
    rows = [
        make_entry(message_en=f"Sprocket gizmo {word}.", http_status=500)
        for word in ("jammed", "stalled", "wobbled")
    ]
    index.known_rows()
    patched = []
    real = index._patched_postings

    def patching(*args):
        patched.append(real(*args))
        return patched[-1]

    monkeypatch.setattr(index, "_patched_postings", patching)

    rows[0].phrasings_en = "the flux capacitor overheated"
    rows[0].save()
    rows[1].delete()
    make_entry(message_en="Gizmo flux overheated.", http_status=503)
    after_edits = index.known_rows()

    assert patched and patched[-1] is not None
    forget_known_rows()
    assert index.known_rows() == after_edits


@pytest.mark.django_db
def test_a_first_row_edited_is_found_by_its_new_words_and_not_its_old_ones():
    row = make_entry(
        message_en="Sprocket gizmo jammed.",
        http_status=500,
        phrasings_en="the flibbertigibbet froze",
    )
    make_entry(message_en="Calibration failed.", http_status=500)
    assert first_row("flibbertigibbet froze") == row

    row.phrasings_en = "the quuxinator froze"
    row.save()

    assert first_row("quuxinator froze") == row
    assert row not in [hit.entry for hit in search("flibbertigibbet").hits]
