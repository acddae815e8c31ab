"""A full unknown-error queue through gunicorn with the production settings: each new
group from a reader's search drops the oldest group, resolved ones first, as the queue
of a busy site does (kb.unknown_errors._keep_queue_bounded)."""

import uuid

from tests.server.conftest import Site
from tests.server.helpers import queue

# A small bound, so that the queue is full at once (bench/server.py fills it to the bound).
SERVER_ENV = {"UNANSWERED_MAX_ENTRIES": "50"}


def search_unsure(server, reader: str) -> str:
    """A search no row answers, from a reader of its own; its text."""
    text = f"frobnicated gateway {uuid.uuid4().hex[:8]} weirdness"
    response = Site(server.url).get(
        "/en/search/", params={"q": text}, headers={"X-Forwarded-For": reader}
    )
    assert response.status_code == 200, server.log()[-3000:]
    return text


def test_a_full_queue_drops_its_oldest_group_for_each_new_one(production_server):
    server = production_server
    assert server.fill_queue() == 50  # "Queued error 49" was seen longest ago
    server.manage(
        "shell",
        "-c",
        "from kb.models import UnansweredSearch as U; "
        "U.objects.filter(text='Queued error 10').update(status='resolved')",
    )

    first = search_unsure(server, "198.51.100.21")
    texts = {group["text"] for group in queue(server)}
    assert len(texts) == 50
    assert first in texts
    assert "Queued error 10" not in texts  # the resolved group goes first
    assert "Queued error 49" in texts

    second = search_unsure(server, "198.51.100.22")
    texts = {group["text"] for group in queue(server)}
    assert len(texts) == 50
    assert {first, second} <= texts
    assert "Queued error 49" not in texts  # then the open one seen longest ago
    assert "Queued error 48" in texts


def test_the_queue_is_filled_again_on_a_database_a_run_before_filled(production_server):
    # As bench/load.py does on a PostgreSQL database it ran on before: the first run's
    # fillers and the groups its searches queued are there.
    server = production_server
    assert server.fill_queue() == 50
    first = search_unsure(server, "198.51.100.23")

    assert server.fill_queue() == 50
    texts = {group["text"] for group in queue(server)}
    assert len(texts) == 50
    assert first in texts  # what the run before queued stays; the fillers take the rest
