"""A gunicorn worker's start, before its first request (gunicorn.conf.py's
`post_worker_init`), and what the benchmarks do to stand for one."""

import gc
import logging

from django.db import DatabaseError, connections

from kb.search.engine import read_first_rows
from kb.text.spelling import english_words

log = logging.getLogger(__name__)


def start_worker() -> None:
    """Load what a search would otherwise load while a reader waits: the English word list
    that tells a misspelling (a fifth of a second, kb/text/spelling.py) and what the
    ranking reads of the catalog's rows (kb.search.engine.read_first_rows). A database not
    there yet (a host started before its migrations ran) leaves the rows to the first
    searches: the worker still serves. Then `settle()`."""
    english_words()
    try:
        read_first_rows()
    except DatabaseError as error:
        log.warning("search rows not read at start: %s", error)
    finally:
        connections.close_all()
    settle()


def settle() -> None:
    """Keep what the process holds now out of the garbage collector's full collections:
    it lives as long as the worker (Django's modules, the word list's 126,000 words, the
    rows read at the start), and a full collection that walked it stopped the search it
    fell in for about 0.1 s at 100,000 rows (bench/search_speed.py's `gc_p99`). What is
    garbage already is collected first, never kept."""
    gc.collect()
    gc.freeze()
