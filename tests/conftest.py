import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No connection leaves the machine: no update, sync or background checks.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def imported_rows(django_db_setup, django_db_blocker) -> list[tuple[type, list]]:
    """Every row `import_catalog` writes into an empty database (the catalog, its links
    and its history), read back once per run, in a transaction that is rolled back."""
    from django.apps import apps
    from django.db import transaction

    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    with django_db_blocker.unblock(), transaction.atomic():
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        call_command("import_catalog", stdout=StringIO())
        written = [
            (model, [row for row in model._base_manager.all() if row.pk not in before[model]])
            for model in models
        ]
        transaction.set_rollback(True)
    return [(model, rows) for model, rows in written if rows]


@pytest.fixture
def write_shipped_catalog(imported_rows):
    """Writes the rows the import wrote, in one transaction: the catalog as `make run`
    loads it, in a tenth of the import's time (which reads, checks and merges every
    item). For tests whose database the test's transaction does not hold (live servers).

    Then the token counts are refreshed, as the import does (`refresh_statistics`).
    """
    from django.db import transaction

    from kb.pagecache import forget_catalog_version
    from kb.search.index import refresh_statistics

    def write() -> None:
        with transaction.atomic():
            for model, rows in imported_rows:
                model._base_manager.bulk_create(rows)
        refresh_statistics()
        forget_catalog_version()

    return write


@pytest.fixture
def shipped_catalog(db, write_shipped_catalog):
    """The catalog as `make run` loads it."""
    write_shipped_catalog()


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "admin", "admin@example.com", "pw-for-tests-1"
    )
    client.force_login(user)
    return client


@pytest.fixture
def editor(db, django_user_model):
    """A member of "Support editors", as `manage.py support_editor` makes one."""
    from kb.editors import ensure_support_editors_group

    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw-editor-1")
    user.is_staff = True
    user.save()
    user.groups.add(ensure_support_editors_group())
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the admin in English, for assertions
    return client


@pytest.fixture(scope="session")
def production_env(tmp_path_factory):
    """Environment variables of a production host (DEBUG=0), its static files collected,
    for tests that start `manage.py` or the site in a separate process."""
    data_dir = tmp_path_factory.mktemp("production")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,example.com",
        "DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    # The static files the real servers of this run serve too (bench/server.py).
    from bench.server import collected_static

    env["STATIC_ROOT"] = str(collected_static(env))
    return env


def manage(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """Run `manage.py` in a separate process: settings are read afresh from `env`."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


@pytest.fixture(autouse=True)
def api_answers_as_described(monkeypatch):
    """Every answer under /api/v1/ that a test gets, through Django's test client or
    `requests` from a real server, is checked against the API's OpenAPI description
    (tests/openapi.py): a test that gets an undescribed answer fails."""
    import requests
    from django.test import Client

    from tests.openapi import check_answer

    client_request, session_send = Client.request, requests.Session.send

    def request(client, **environ):
        response = client_request(client, **environ)
        if not response.streaming:
            check_answer(
                response.wsgi_request.method,
                response.wsgi_request.path,
                response.status_code,
                response.get("Content-Type", ""),
                response.content,
                response.get("Allow", ""),
            )
        return response

    def send(session, prepared, **kwargs):
        response = session_send(session, prepared, **kwargs)
        check_answer(
            prepared.method,
            prepared.url,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.content,
            response.headers.get("Allow", ""),
        )
        return response

    monkeypatch.setattr(Client, "request", request)
    monkeypatch.setattr(requests.Session, "send", send)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    # Tests change settings (page size, language) between requests for one URL; each
    # test's database has its own rows and token counts.
    from kb import pagecache
    from kb.models.catalog import forget_kept_causes
    from kb.search.engine import forget_held_rows, forget_rankings
    from kb.search.index import (
        forget_held_tokens,
        forget_known_rows,
        forget_lookups,
        forget_shown_rows,
        forget_token_row_counts,
    )
    from kb.search_page import forget_kept_parts

    pagecache.clear()
    forget_shown_rows()
    forget_kept_causes()
    forget_kept_parts()
    forget_token_row_counts()
    forget_held_tokens()
    forget_lookups()
    forget_known_rows()
    forget_held_rows()
    forget_rankings()


@pytest.fixture(autouse=True, scope="session")
def insight_counts_written_at_once():
    # In the test process the Insight counts are written in the request, not by a thread
    # on a connection of its own (the real servers buffer them: tests/server/).
    from django.conf import settings

    settings.KB_INSIGHT_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The admin tests log in many times; production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def browser_tests_required() -> bool:
    """In CI the browser tests must run: a skipped one fails the build."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and browser_tests_required():
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser test skipped while CI=true: {reason}"


_browser_tests_passed = 0


def pytest_runtest_logreport(report):
    global _browser_tests_passed
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _browser_tests_passed += 1


def pytest_sessionfinish(session, exitstatus):
    # A full run in CI (no paths, no -k/-m) must have run the browser tests.
    config = session.config
    full_run = config.args == list(config.getini("testpaths"))
    filtered = config.getoption("keyword") or config.getoption("markexpr")
    if browser_tests_required() and full_run and not filtered and exitstatus == 0:
        if not _browser_tests_passed:
            session.exitstatus = 1
            print("\nCI=true but no browser test ran: install chromium and playwright.")


# One browser for the whole run, shared by tests/browser and tests/server: Playwright's
# sync API runs an asyncio loop in this thread, and a second one may not start beside it.
@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # While Playwright's sync API runs, an asyncio loop runs in this thread, and Django's
    # guard against ORM calls from async code would refuse the tests' own queries. The
    # live server runs in its own thread and keeps the guard.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            # launch() gives the browser a fresh, temporary user-data directory.
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
