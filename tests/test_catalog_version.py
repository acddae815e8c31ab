"""One version number of the catalog, bumped by the database in the same transaction as
every write to a catalog table, whatever path writes it; the page cache keys pages by it."""

import json
import re
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from kb import pagecache
from kb.models import (
    Category,
    Cause,
    ErrorAlias,
    ErrorEntry,
    FaqArticle,
    UnansweredSearch,
)
from kb.unknown_errors import record_unknown_error
from tests.adminforms import change_url, form_data

ROW = ("APIG", "APIG.0308", 429, "The throttling threshold has been reached.")


def stored_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM kb_catalogversion WHERE id = 1")
        return cursor.fetchone()[0]


def row():
    return ErrorEntry.objects.get_by_natural_key(*ROW)


def admin_edit(client):
    url = change_url(row())
    response = client.post(url, form_data(client, url) | {"remedy_en": "Edited in the admin."})
    assert response.status_code == 302


def admin_category_edit(client):
    category = row().category
    url = change_url(category)
    response = client.post(url, form_data(client, url) | {"name_en": "Renamed"})
    assert response.status_code == 302


def import_changed_fixture(client, tmp_path):
    from django.conf import settings

    objects = json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8"))
    cause = next(o for o in objects if o["model"] == "kb.cause")
    cause["fields"]["fix_en"] = "A newer shipped fix."
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    call_command("import_catalog", str(path), stdout=StringIO())


def queue_alias(client):
    record_unknown_error("Too many calls, slow down", "en")
    UnansweredSearch.objects.get().resolve(None, entry=row(), alias_text="Too many calls")


WRITES = {
    "admin: a row's form": admin_edit,
    "admin: a category's form": admin_category_edit,
    "import_catalog": import_changed_fixture,
    "the unknown-error queue: an alias": queue_alias,
    "update() of rows": lambda c: ErrorEntry.objects.filter(code="APIG.0308").update(
        remedy_en="Updated in bulk."
    ),
    "update() of categories": lambda c: Category.objects.update(description_en="All."),
    "update() of FAQ articles": lambda c: FaqArticle.objects.update(summary_en="Short."),
    "update() of causes": lambda c: Cause.objects.update(fix_en="Fix it."),
    "update() of aliases": lambda c: ErrorAlias.objects.filter(text="Kept wording").update(
        text="Another wording"
    ),
    "bulk_create of aliases": lambda c: ErrorAlias.objects.bulk_create(
        [ErrorAlias(entry=row(), text="Bulk wording", message_key="bulk wording")]
    ),
    "delete() of aliases": lambda c: ErrorAlias.objects.filter(entry=row()).delete(),
    "a FAQ link added": lambda c: (
        FaqArticle.objects.exclude(entries=row()).first().entries.add(row())
    ),
    "a FAQ link removed through the link table": lambda c: (
        FaqArticle.entries.through.objects.filter(errorentry=row()).delete()
    ),
    "a cause link added in bulk": lambda c: Cause.entries.through.objects.bulk_create(
        [
            Cause.entries.through(
                cause=Cause.objects.exclude(entries=row()).first(), errorentry=row()
            )
        ]
    ),
    "raw SQL": lambda c: connection.cursor().execute(
        "UPDATE kb_faqarticle SET title_en = title_en || '.'"
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_to_the_catalog_changes_the_version(
    shipped_catalog, admin_client, tmp_path, write
):
    ErrorAlias.objects.create(entry=row(), text="Kept wording")
    before = stored_version()

    if write is import_changed_fixture:
        write(admin_client, tmp_path)
    else:
        write(admin_client)

    assert stored_version() > before


def test_a_write_rolled_back_leaves_the_version(shipped_catalog):
    before = stored_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        ErrorEntry.objects.update(remedy_en="Never committed.")
        raise RuntimeError
    assert stored_version() == before


def test_what_is_not_the_catalog_leaves_the_version(shipped_catalog, client):
    before = stored_version()
    record_unknown_error("Something nobody documented", "en")
    entry = row()
    client.post(
        reverse("kb:feedback", args=[entry.pk]),
        {"helpful": "yes"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert stored_version() == before


def test_every_catalog_table_has_its_version_triggers(db):
    tables = pagecache.catalog_tables()
    assert {"kb_errorentry", "kb_erroralias", "kb_faqarticle_entries"} <= tables
    for table in tables:
        if connection.vendor == "sqlite":
            sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            sql += "AND sql LIKE '%%kb_catalogversion%%'"
            expected = 3  # insert, update, delete
        else:
            sql = "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            sql += "WHERE c.relname = %s AND t.tgname LIKE '%%_version'"
            expected = 1
        with connection.cursor() as cursor:
            cursor.execute(sql, [table])
            assert cursor.fetchone()[0] == expected, table


PASTE = "APIG.0201 upstream response came too slowly"


def best_status(html: str) -> str:
    best = html[html.index('class="result best"') :]
    return re.search(r"HTTP (\d{3})", best).group(1)


def in_page_cache(response) -> bool:
    """Whether the page cache keeps the page `response` answered."""
    key = pagecache.page_key(response.wsgi_request.get_full_path())
    return caches["pages"].get(key) is not None


def test_a_sure_search_page_shows_a_new_alias_at_the_next_request(shipped_catalog, client):
    first = client.get("/en/search/", {"q": PASTE})
    assert best_status(first.content.decode()) == "502"
    # A page that echoes a paste is never kept (kb/search/answer.py): rendered afresh.
    assert not in_page_cache(client.get("/en/search/", {"q": PASTE}))

    # Support makes the wording an alias of the 500 row, from the queue.
    record_unknown_error("Upstream response came too slowly", "en")
    search = UnansweredSearch.objects.get()
    entry = ErrorEntry.objects.get(code="APIG.0201", http_status=500)
    search.resolve(None, entry=entry, alias_text="Upstream response came too slowly")

    assert best_status(client.get("/en/search/", {"q": PASTE}).content.decode()) == "500"


def test_an_update_from_another_process_shows_once_the_version_is_read_again(
    shipped_catalog, client
):
    client.get("/en/codes/APIG.0308/")
    # No signal, no updated_at: only the trigger knows.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE kb_errorentry SET remedy_en = %s WHERE code = %s",
            ["Raised the limit.", "APIG.0308"],
        )
    pagecache._version.forget()  # the interval (KB_PAGE_CACHE_VERSION_SECONDS) has passed
    assert "Raised the limit." in client.get("/en/codes/APIG.0308/").content.decode()


def test_a_cached_search_redirect_follows_an_edit_at_the_next_request(shipped_catalog, client):
    code_search = {"q": "apig-0201 414"}
    first = client.get("/en/search/", code_search)
    assert first["Location"].endswith("#414-request-uri-too-large") and in_page_cache(first)
    assert client.get("/en/search/", code_search).context is None  # served from the cache

    ErrorEntry.objects.filter(code="APIG.0201", http_status=414).update(
        message_en="Request URI is too long."
    )
    pagecache._version.forget()  # the interval (KB_PAGE_CACHE_VERSION_SECONDS) has passed

    location = client.get("/en/search/", code_search)["Location"]
    assert location.endswith("#414-request-uri-is-too-long")
