"""Rendered public pages, reused until the catalog changes.

Pages that only show the catalog are the same for every anonymous reader, so the
gunicorn workers of a host keep the ones they rendered (as files, shared between
them: settings.CACHES["pages"]), keyed by URL (which carries the language) and by
the catalog's version: one number that the database bumps in the same transaction as
every write to a catalog table, whatever path writes it (triggers; no clock). Each
process reads it (one small query) at most every KB_PAGE_CACHE_VERSION_SECONDS (one
second), and at once after it saved a change itself: an edit shows on the host that
saved it at the next request, and on every other host within that second. Hosts
share no cache and send no invalidation messages.

Not cached: a response that shows text a reader pasted (its view sets
`kb_public = False`; the search's decision says which, `kb.search.answer`), anything
but GET/HEAD, readers with a session (staff in the admin see
their edits as they are), responses other than pages and redirects, and responses
that set a cookie or vary on one (a form with a CSRF token, say).

Extension point: a feature whose data changes what a cached page shows (feedback
counts on a code page, say) puts the version triggers on its table in a migration (as
0012_catalog_version does for `catalog_tables()`), or leaves its view without
@cache_public_page.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header

from kb.expiring import ExpiringValue


def catalog_tables() -> set[str]:
    """The tables of catalog content (the models with `catalog_fields`, which an export
    holds) and of their links: migration 0012_catalog_version puts the triggers that bump
    the version on each of them (tests/test_catalog_version.py checks they are there)."""
    tables = set()
    for model in apps.get_app_config("kb").get_models():
        if getattr(model, "catalog_fields", None):
            tables.add(model._meta.db_table)
            tables.update(field.m2m_db_table() for field in model._meta.many_to_many)
    return tables


def catalog_version() -> str:
    """The catalog's version: a number the database bumps in the same transaction as
    every write to a catalog table (triggers of migration 0012_catalog_version).

    Read from the database at most every KB_PAGE_CACHE_VERSION_SECONDS per process, and
    at once after this process saved a change (`forget_catalog_version()`, which
    kb/signals.py calls on every save, delete or link of catalog rows).
    """
    return _version.get()


def forget_catalog_version(using: str | None = None) -> None:
    """This process changed the catalog: read the version afresh, now and once the
    change is committed (a read before the commit would still see the old one)."""
    _version.forget()
    transaction.on_commit(_version.forget, using=using)


class KeptUntilCatalogChanges:
    """Objects read by id (rows, their causes) or computed from the catalog (a query's
    ranking), kept by this process at one catalog version and read again once it
    changed, as a cached page is: shared by the requests of the process, so read them
    and never set anything on them. Bounded: past `limit` keys the kept ones are dropped
    and read again as they are asked for.

    `read(ids)` returns the objects of those ids that exist, by id (for `get()`).
    """

    def __init__(self, read: Callable[[list], dict] | None = None, limit: int = 4096):
        self._read = read
        self._limit = limit
        self._kept: dict = {}
        self._version: str | None = None

    def get(self, ids) -> dict:
        """The objects of `ids` that exist, by id."""
        # Read into this call's own dict: another thread may empty the shared one meanwhile.
        kept = self._at_this_version()
        found = {pk: kept.get(pk) for pk in ids}
        if missing := [pk for pk, value in found.items() if value is None]:
            read = self._read(missing)
            self._keep(kept, read)
            found.update(read)
        return {pk: value for pk, value in found.items() if value is not None}

    def one(self, key, compute: Callable[[], object]):
        """The object kept for `key`, or `compute()`'s (None too), then kept. The catalog
        version is read before computing: what is kept under it was computed from that
        catalog or a later one, never from an earlier one."""
        kept = self._at_this_version()
        try:
            return kept[key]
        except KeyError:
            value = compute()
            self._keep(kept, {key: value})
            return value

    def forget(self) -> None:
        """Read everything afresh at the next request (tests: each starts a new database)."""
        self._kept, self._version = {}, None

    def _at_this_version(self) -> dict:
        version = catalog_version()
        if self._version != version:
            self._kept, self._version = {}, version
        return self._kept

    def _keep(self, kept: dict, values: dict) -> None:
        if len(kept) + len(values) > self._limit:
            kept.clear()
        kept.update(values)


def _read_catalog_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM kb_catalogversion WHERE id = 1")
        row = cursor.fetchone()
    return str(row[0] if row else 0)


def hold_catalog_version() -> None:
    """Take the lock of the version's row now (PostgreSQL), as the first write to a catalog
    table in this transaction would. A transaction that locks catalog rows before it writes
    them (the admin's edit lock) calls this first: every writer then takes the two locks in
    one order, and none waits for the version while holding a row another writer needs."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT number FROM kb_catalogversion WHERE id = 1 FOR UPDATE")


_version = ExpiringValue(_read_catalog_version, lambda: settings.KB_PAGE_CACHE_VERSION_SECONDS)


def page_key(full_path: str) -> str:
    """The cache key of a page: its URL with the query string, at this catalog version."""
    identity = f"{full_path}|{catalog_version()}"
    return "page:" + hashlib.sha256(identity.encode()).hexdigest()


def cacheable(request: HttpRequest) -> bool:
    return (
        settings.KB_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # A message waits for this reader (e.g. thanks for their feedback).
        and MESSAGES_COOKIE not in request.COOKIES
    )


def cache_public_page(view: Callable) -> Callable:
    """Mark the view's responses as the same for every anonymous reader, so that
    PageCacheMiddleware may keep them; unless the view said otherwise of one response
    (`response.kb_public = False`: it shows what a reader pasted, say)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not hasattr(response, "kb_public"):
            response.kb_public = True
        return response

    return wrapper


# The cookie of django.contrib.messages' cookie storage (its default, FallbackStorage).
MESSAGES_COOKIE = CookieStorage.cookie_name

# Headers of the page itself; the security headers are added afresh to every response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Location")
# Pages, and the redirects of a search that names one row or code.
CACHED_STATUSES = (200, 301, 302)


class PageCacheMiddleware:
    """Answers a page seen before from the host's page cache, ahead of sessions, language
    selection and URL resolution; it runs after the probes, the security headers and
    the Host check (ALLOWED_HOSTS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable(request):
            return self.get_response(request)
        # The Host check first (DisallowedHost: 400), as for a page rendered afresh: a
        # cached page must not answer a host this site is not.
        request.get_host()
        cache = caches["pages"]
        key = page_key(request.get_full_path())
        stored = cache.get(key)
        if stored is not None:
            status, content, headers = stored
            headers = {**headers, "Content-Length": len(content)}
            return HttpResponse(content, status=status, headers=headers)
        response = self.get_response(request)
        if (
            getattr(response, "kb_public", False)
            and response.status_code in CACHED_STATUSES
            and not response.cookies
            and not response.streaming
            and not has_vary_header(response, "Cookie")
        ):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (response.status_code, response.content, headers))
        return response


def clear() -> None:
    caches["pages"].clear()
    _version.forget()
