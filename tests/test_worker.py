"""A gunicorn worker's start (kb/worker.py, gunicorn.conf.py's post_worker_init)."""

import gc
import weakref

import pytest

from kb.text.spelling import english_words
from kb.worker import start_worker


class Node:
    """A thing that refers to itself: garbage only a collection frees."""

    def __init__(self):
        self.me = self


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


@pytest.mark.django_db(transaction=True)
def test_what_a_worker_loads_at_its_start_is_out_of_the_collectors_way(unfrozen):
    # The word list's 126,000 words, Django's modules and the rows read at the start live
    # as long as the worker: a full collection that walked them held up the search it fell
    # in for about 0.1 s at 100,000 rows.
    start_worker()
    words = english_words()
    assert not any(held is words for held in gc.get_objects())


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_no_garbage_it_made_before_its_start(unfrozen):
    left = Node()
    gone = weakref.ref(left)
    del left
    start_worker()
    assert gone() is None
