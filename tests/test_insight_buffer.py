"""The Insight counts a process buffers (kb.insight.counts.CountBuffer, Flusher): summed
per key, bounded, written in one transaction with the summed counts, kept when the
database fails. The flusher thread and a graceful stop of gunicorn are proven on the real
server (tests/server/test_insight*.py)."""

import logging
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import OperationalError

from kb.insight import counts
from kb.insight.models import CauseDay, RowDay, SearchDay
from kb.models import Cause
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def flusher(settings, monkeypatch):
    """A buffering flusher whose thread never starts: the test flushes it itself."""
    settings.KB_INSIGHT_FLUSH_SECONDS = 1
    flusher = counts.Flusher()
    monkeypatch.setattr(flusher, "start", lambda: None)
    monkeypatch.setattr(counts, "flusher", flusher)
    return flusher


def test_the_buffer_sums_each_key_from_many_threads_at_once():
    buffer = counts.CountBuffer()

    def add(n: int) -> None:
        for i in range(5_000):
            buffer.add(("row", "day", i % 7, "view"))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken, dropped = buffer.take()
    assert sum(taken.values()) == 40_000 and len(taken) == 7 and dropped == 0
    assert len(buffer) == 0


def test_the_buffer_is_bounded_but_keys_it_holds_keep_adding_up():
    buffer = counts.CountBuffer(limit=3)
    for key in ("a", "b", "c", "d", "e", "a", "a"):
        buffer.add((key,))
    taken, dropped = buffer.take()
    assert taken == Counter({("a",): 3, ("b",): 1, ("c",): 1})
    assert dropped == 2
    buffer.put_back(Counter({("x",): 1, ("y",): 1, ("z",): 1, ("w",): 5}))
    assert len(buffer) == 3 and buffer.take()[1] == 5


def test_a_request_buffers_and_the_flush_writes_the_sums_in_one_transaction(
    flusher, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = make_entry(code="APIG.9401", http_status=400)
    second = make_entry(code="APIG.9401", http_status=413, category=first.category)
    cause = Cause.objects.create(slug="buffered-cause")
    with django_assert_num_queries(0):
        for _ in range(3):
            counts.record_code_view("APIG.9401")
        with django_capture_on_commit_callbacks(execute=True):
            counts.record_feedback(first.pk, False)  # buffered once the feedback commits
    counts.flusher.add(("search", counts.today(), "en", "api", "sure"), 4)
    counts.flusher.add(("cause", counts.today(), cause.pk), 2)
    assert not RowDay.objects.exists()
    # Two reads (the rows of the codes, the causes) and three upserts, in one transaction
    # (here a savepoint and its release, inside the test's own transaction).
    with django_assert_num_queries(7):
        assert flusher.flush() == 4
    views = dict(RowDay.objects.filter(kind="view").values_list("entry", "count"))
    assert views == {first.pk: 3, second.pk: 3}
    assert RowDay.objects.get(kind="not_fixed").count == 1
    assert SearchDay.objects.get().count == 4
    assert CauseDay.objects.get().count == 2
    assert flusher.flush() == 0  # nothing left: nothing written twice
    assert RowDay.objects.get(entry=first, kind="view").count == 3


def test_counts_of_a_deleted_row_or_a_day_before_yesterday_are_dropped_and_logged(flusher, caplog):
    kept, gone = make_entry(), make_entry()
    flusher.add(("row", counts.today(), kept.pk, "fixed"))
    flusher.add(("row", counts.today() - timedelta(days=1), kept.pk, "fixed"))
    flusher.add(("row", counts.today() - timedelta(days=2), kept.pk, "fixed"))
    flusher.add(("row", counts.today(), gone.pk, "fixed"))
    gone.delete()
    with caplog.at_level(logging.WARNING, logger="kb.insight.counts"):
        flusher.flush()
    assert sorted(RowDay.objects.values_list("day", "count")) == [
        (counts.today() - timedelta(days=1), 1),
        (counts.today(), 1),
    ]
    assert "1 count(s) not recorded" in caplog.text


def test_when_the_database_fails_the_buffer_is_kept_and_written_later(flusher, monkeypatch, caplog):
    entry = make_entry()
    real_write = counts.write

    def failing(batch):
        raise OperationalError("the database is down")

    monkeypatch.setattr(counts, "write", failing)
    today = counts.today()
    for _ in range(3):
        flusher.add(("row", today, entry.pk, "fixed"))
    with caplog.at_level(logging.WARNING, logger="kb.insight.counts"):
        assert flusher.flush() == 0
        flusher.add(("row", today, entry.pk, "fixed"))
        assert flusher.flush() == 0
    assert "3 count(s) kept in the buffer" in caplog.text
    assert caplog.text.count("kept in the buffer") == 1  # at most once a minute
    assert not RowDay.objects.exists()
    monkeypatch.setattr(counts, "write", real_write)
    with caplog.at_level(logging.WARNING, logger="kb.insight.counts"):
        assert flusher.flush() == 1
    assert RowDay.objects.get(entry=entry, kind="fixed").count == 4
    assert "written again" in caplog.text


def test_a_forked_child_forgets_what_its_parent_buffered(flusher):
    flusher.add(("row", counts.today(), 1, "view"))
    flusher.after_fork()
    assert len(flusher.buffer) == 0 and flusher.pid is None
