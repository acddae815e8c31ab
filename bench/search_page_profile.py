"""Where the time of an uncached search page goes: unique pastes through the whole stack.

    .venv/bin/python bench/search_page_profile.py             # SQLite, 400 pastes
    DATABASE_URL=$(.ci/postgres) .venv/bin/python bench/search_page_profile.py
    .venv/bin/python bench/search_page_profile.py --cprofile  # and the functions that cost most

Production settings (DEBUG=0, the page cache on), a migrated database with the shipped
catalog, and Django's WSGI handler called in this process with what gunicorn would pass
it: every middleware, URL resolution, the view, the search and the template. Each
request is a paste no one sent before (bench/pastes.py), in both languages, through the
proxy from a reader's address of its own (bench/server.py's `reader_address`). Times are CPU
time of this thread (the machine may be shared; time waiting for the CPU does not
count, time waiting for the database is not CPU time of this process). The time of
each part is its own (the parts inside it are counted apart), so the parts add up to the
whole request; "Django and the rest" is what no part claims (the handler, the
middleware that has no part of its own, response building). /healthz goes through the
same handler, as the yardstick of bench/load.py. Every page's first row is checked
against the code the paste carries. The unknown-error queue starts full, as a busy
site's is: an unsure search's new group drops the oldest.
"""

import argparse
import contextlib
import cProfile
import functools
import io
import os
import pstats
import random
import re
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import repeated_queries  # noqa: E402
from bench.pastes import unique_paste  # noqa: E402
from bench.server import (  # noqa: E402
    database_url,
    fill_unknown_error_queue,
    fresh_database,
    reader_address,
)

# The readers' addresses, drawn apart from the pastes (a seed gives the same pastes).
ADDRESSES = random.Random(0)
FIRST_CODE_RE = re.compile(r'id="hit-1"><a href="[^"]*">([^<]+)</a>')


class Parts:
    """Time per named part, each without the time of the parts called inside it."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._inner: list[float] = []
        # What the queries run now are counted as (the Insight counts' apart).
        self.sql_part = "SQL (all queries)"

    def timed(self, name, function):
        """`function`, timed as part `name` (or `name(*args)`, a part per argument)."""

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            part = name(*args) if callable(name) else name
            self._inner.append(0.0)
            start = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.thread_time() - start
                self.seconds[part] += elapsed - self._inner.pop()
                self.calls[part] += 1
                if self._inner:
                    self._inner[-1] += elapsed

        return wrapper

    def patch(self, name, owner, attribute: str) -> None:
        setattr(owner, attribute, self.timed(name, getattr(owner, attribute)))

    def sql(self, execute, sql, params, many, context):
        return self.timed(self.sql_part, execute)(sql, params, many, context)

    def counts(self, record):
        """`record` (the Insight counts of a search), its queries counted with it."""
        timed = self.timed("Insight counts (Python)", record)

        @functools.wraps(record)
        def wrapper(*args, **kwargs):
            self.sql_part = "Insight counts (SQL)"
            try:
                return timed(*args, **kwargs)
            finally:
                self.sql_part = "SQL (all queries)"

        return wrapper

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def instrument(parts: Parts) -> None:
    """Wrap the functions of each part where the code that calls them looks them up."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.messages.middleware import MessageMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.handlers.base import BaseHandler
    from django.middleware.common import CommonMiddleware
    from django.middleware.csrf import CsrfViewMiddleware
    from django.middleware.locale import LocaleMiddleware
    from django.template.base import Template
    from django.urls.resolvers import URLResolver

    import kb.context_processors
    import kb.holes
    import kb.insight.counts
    import kb.pagecache
    import kb.search.answer
    import kb.search.engine
    import kb.search_page
    import kb.views
    from kb.models import ErrorEntry

    engine = kb.search.engine
    parts.patch("parse", engine, "parse")
    parts.patch("parse", engine, "query_groups")
    parts.patch("candidates (Python)", engine, "_gather")
    parts.patch("load rows (Python)", engine, "load_entries")
    parts.patch("rank", kb.search.answer, "search")
    parts.patch("diagnosis", engine, "attach_diagnoses")
    parts.patch("queue write (Python)", kb.search.answer, "record_unknown_error")
    parts.patch("answer (other)", kb.views, "answer")
    # One transaction of upserts per search (kb.insight.receivers calls it by module).
    kb.insight.counts.record_search = parts.counts(kb.insight.counts.record_search)
    # The view's own lines and decorators, reading request.GET, the view middleware.
    parts.patch("view (own lines, decorators, request.GET)", BaseHandler, "_get_response")
    parts.patch("client key", kb.views, "client_key")
    parts.patch("FAQ prefetch (Python)", ErrorEntry, "read_faqs")
    # The page: its kept parts filled in, or the template rendered (no rows, an error).
    parts.patch("rendering", kb.views, "render_search_page")
    parts.patch("rendering", kb.search_page, "render")
    parts.patch("rendering: the page's own values", kb.search_page, "search_context")
    # Each template's own nodes (what its includes and the tags timed apart cost aside).
    parts.patch(lambda template, *_: f"rendering: {template.name}", Template, "_render")
    parts.patch("rendering: language links", kb.context_processors, "language_links")
    parts.patch("rendering: language links", kb.search_page, "language_links")
    # A result: its row's common parts kept, the hit's own values put in.
    parts.patch("rendering: results (hit's own values)", kb.search_page, "hit_values")
    parts.patch("rendering: filling in kept parts", kb.holes.Holes, "fill")
    parts.patch("rendering: results (marked words)", kb.search_page.Markable, "highlight")
    parts.patch("rendering: results (row link)", kb.search_page, "row_link")
    parts.patch("page cache check", kb.pagecache, "cacheable")
    parts.patch("page cache check", kb.pagecache, "page_key")
    parts.patch("page cache check", FileBasedCache, "get")
    parts.patch("URL resolution", URLResolver, "resolve")
    # Each middleware's own work (the ones timed apart below aside).
    from django.conf import settings
    from django.utils.deprecation import MiddlewareMixin
    from django.utils.module_loading import import_string

    def middleware_name(instance, *args):
        return f"middleware: {type(instance).__name__}"

    parts.patch(middleware_name, MiddlewareMixin, "__call__")
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        if "__call__" in vars(middleware):
            parts.patch(middleware_name, middleware, "__call__")
    for middleware, name in [
        (SessionMiddleware, "session"),
        (LocaleMiddleware, "i18n (locale)"),
        (CsrfViewMiddleware, "CSRF"),
        (CommonMiddleware, "common"),
        (AuthenticationMiddleware, "auth and messages"),
        (MessageMiddleware, "auth and messages"),
    ]:
        for method in ("process_request", "process_view", "process_response"):
            if method in vars(middleware):
                parts.patch(name, middleware, method)


def environ(path: str, query: str = "") -> dict:
    """What gunicorn passes to the application for a GET through the TLS proxy."""
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_USER_AGENT": "bench",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(application, env: dict) -> tuple[str, bytes]:
    status = []
    body = b"".join(application(env, lambda s, headers, exc=None: status.append(s)))
    return status[0], body


def search_environ(
    language: str, kind: str = "unique", number: int | None = None
) -> tuple[dict, str]:
    """A GET of the search page with a paste no one sent before, and the code it carries;
    or a query of the evaluation set, as bench/load.py's `search described` sends them
    (any of them) or its `search repeated` (one of the 200 that come back, the `number`th
    if given)."""
    if kind == "described":
        from bench.evaluation import load_cases

        paste, code = random.choice(load_cases())["query"], ""
    elif kind == "repeated":
        queries = repeated_queries()
        paste = random.choice(queries) if number is None else queries[number]
        code = ""
    else:
        paste, code = unique_paste()
    env = environ(f"/{language}/search/", urlencode({"q": paste}))
    # From a reader of its own through the proxy, as bench/load.py sends searches.
    env["HTTP_X_FORWARDED_FOR"] = reader_address(ADDRESSES)
    return env, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="unique pastes measured")
    parser.add_argument("--warmup", type=int, default=300, help="unique pastes before measuring")
    parser.add_argument("--cprofile", action="store_true", help="also the costliest functions")
    parser.add_argument(
        "--kind",
        choices=["unique", "described", "repeated"],
        default="unique",
        help="unique pastes (checked), or the evaluation set's queries as load.py's search "
        "described or search repeated sends them (not checked)",
    )
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    random.seed(args.seed)

    data_dir = tempfile.TemporaryDirectory(prefix="kb-profile-")
    with data_dir, fresh_database(database_url()) as url:
        os.environ.pop("DATABASE_URL", None)
        if url:
            os.environ["DATABASE_URL"] = url
        os.environ.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            DATA_DIR=data_dir.name,
            LOG_LEVEL="WARNING",
            TRUSTED_PROXIES="127.0.0.1",
            DJANGO_SETTINGS_MODULE="kb.settings",
        )
        return profile(args, "PostgreSQL" if url else "SQLite")


def profile(args, database: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from kb.insight.counts import flusher

    call_command("migrate", verbosity=0)
    call_command("import_catalog", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    queued = fill_unknown_error_queue()
    parts = Parts()
    instrument(parts)  # first: the handler binds its own methods when it is built
    application = get_wsgi_application()
    languages = ["en", "zh-hans"]

    for n in range(args.warmup):
        call(application, search_environ(languages[n % 2])[0])
        call(application, environ("/healthz"))
    if args.kind == "repeated":  # each of the texts that come back asked once before
        for n in range(len(repeated_queries())):
            call(application, search_environ(languages[n % 2], args.kind, n)[0])

    start = time.thread_time()
    for _ in range(args.requests):
        call(application, environ("/healthz"))
    healthz_ms = (time.thread_time() - start) / args.requests * 1000

    parts.reset()
    wrong, statuses, sizes = [], defaultdict(int), 0
    profiler = cProfile.Profile() if args.cprofile else None
    requests = [search_environ(languages[n % 2], args.kind) for n in range(args.requests)]
    timed_call = parts.timed("Django and the rest", call)
    with connection.execute_wrapper(parts.sql):
        start = time.thread_time()
        with profiler or contextlib.nullcontext():
            for env, code in requests:
                status, body = timed_call(application, env)
                statuses[status] += 1
                sizes += len(body)
                first = FIRST_CODE_RE.search(body.decode())
                if code and (not first or first.group(1) != code):
                    wrong.append((code, first.group(1) if first else None))
        elapsed = time.thread_time() - start
    page_ms = elapsed / args.requests * 1000
    # What the page measured costs beyond the handler's own wrappers.
    overhead = page_ms - sum(parts.seconds.values()) * 1000 / args.requests

    queries = {
        "unique": "uncached search page, unique pastes",
        "described": "search page, evaluation-set queries (load.py's search described)",
        "repeated": "search page, queries asked before (load.py's search repeated)",
    }[args.kind]
    print(
        f"{queries}, {args.requests} of them (en and zh-hans), DEBUG=0, {database}, in one process"
    )
    print(f"the unknown-error queue held {queued:,} groups (its bound) before the first request")
    print(f"  {'part':<44}{'ms/request':>11}{'share':>8}{'calls/request':>15}")
    ordered = sorted(parts.seconds.items(), key=lambda item: -item[1])
    for name, seconds in ordered:
        ms = seconds * 1000 / args.requests
        calls = parts.calls[name] / args.requests
        print(f"  {name:<44}{ms:>11.3f}{ms / page_ms:>8.0%}{calls:>15.1f}")
    print(f"  {'(timing wrappers)':<44}{overhead:>11.3f}{overhead / page_ms:>8.0%}")
    print(f"  {'whole page':<44}{page_ms:>11.3f}{1:>8.0%}")
    print(f"  {'/healthz, same handler':<44}{healthz_ms:>11.3f}")
    print(
        f"responses: {dict(statuses)}, {sizes // args.requests:,} bytes on average; "
        f"first row not the pasted code: {len(wrong)}"
    )
    for code, first in wrong[:5]:
        print(f"  pasted {code}, first row {first}")
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(30)
        print(stream.getvalue())
    # The Insight counts the requests left in this process's buffer are written now: at
    # the process's exit the throwaway PostgreSQL database is gone, and the last flush
    # printed its failure after the figures.
    flusher.flush()
    connection.close()
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
