"""Who the client is, through gunicorn with the production settings: a forwarded address
counts only when it comes from a trusted proxy and is an address at all.

Two servers: one reached directly (no trusted proxy, as a host bound to 0.0.0.0:8000
is when someone skips the proxy), and one behind a trusted proxy on 127.0.0.1.
"""

import json

import pytest

from bench.server import ProductionServer, database_url, fresh_database
from tests.server.conftest import Site
from tests.server.helpers import admin_login, create_superuser, query

USERNAME, PASSWORD = "editor", "a-long-Passw0rd-for-tests"


@pytest.fixture(scope="module")
def direct_server():
    """Nothing in front: every X-Forwarded-For is the client's own word."""
    with (
        fresh_database(database_url()) as url,
        ProductionServer(workers=2, database_url=url, env={"TRUSTED_PROXIES": ""}) as server,
    ):
        create_superuser(server, USERNAME, PASSWORD)
        yield server


@pytest.fixture
def direct(direct_server):
    with Site(direct_server.url) as session:
        yield session


def test_rotating_forwarded_addresses_do_not_escape_the_login_lock(direct_server, direct):
    limit = query(
        direct_server, "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT)"
    )
    statuses = []
    for n in range(limit + 5):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        statuses.append(admin_login(direct, USERNAME, f"guess-{n}", forged).status_code)
    assert statuses[-1] == 429
    right = admin_login(direct, USERNAME, PASSWORD, {"X-Forwarded-For": "192.0.2.99"})
    assert right.status_code == 429  # locked, whatever address the request claims


def test_rotating_forwarded_addresses_do_not_escape_the_feedback_limit(direct_server, direct):
    limit = query(
        direct_server, "from django.conf import settings; print(settings.FEEDBACK_RATE_LIMIT)"
    )
    row = query(
        direct_server,
        "import json; from kb.models import ErrorEntry; "
        "print(json.dumps(ErrorEntry.objects.filter(code='APIG.0308').first().pk))",
    )
    accepted = 0
    for n in range(limit + 4):
        response = direct.post(
            f"/en/rows/{row}/feedback/",
            data={"helpful": "yes"},
            headers={"Sec-Fetch-Site": "same-origin", "X-Forwarded-For": f"203.0.113.{n}"},
        )
        accepted += response.status_code == 302
    assert accepted == limit


# --- Behind a trusted proxy ---------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied_server(production_server):
    """bench/server.py's default: 127.0.0.1, where the test speaks from, is the proxy."""
    create_superuser(production_server, USERNAME, PASSWORD)
    return production_server


def clear_attempts(server) -> None:
    server.manage("axes_reset")


def attempts(server) -> list[str]:
    return query(
        server,
        "import json; from axes.models import AccessAttempt; "
        "print(json.dumps(list(AccessAttempt.objects.values_list('ip_address', flat=True))))",
    )


def test_a_forwarded_value_that_is_no_address_is_never_taken(proxied_server, site):
    clear_attempts(proxied_server)
    for forged in ["not-an-ip<script>", "x" * 5000, "1.2.3.4.5", "203.0.113.7 oops"]:
        admin_login(site, USERNAME, "wrong", {"X-Forwarded-For": forged})
    stored = attempts(proxied_server)
    assert stored
    for address in stored:
        assert address == "127.0.0.1"
    query(
        proxied_server,
        "from axes.models import AccessAttempt; AccessAttempt.objects.all().delete(); print(0)",
    )


def test_the_proxy_appended_address_counts_not_the_one_the_client_wrote(proxied_server, site):
    clear_attempts(proxied_server)
    admin_login(site, USERNAME, "wrong", {"X-Forwarded-For": "10.9.8.7, 192.0.2.44"})
    assert attempts(proxied_server) == ["192.0.2.44"]
    query(
        proxied_server,
        "from axes.models import AccessAttempt; AccessAttempt.objects.all().delete(); print(0)",
    )


def test_one_username_is_locked_after_failures_from_many_addresses(proxied_server, site):
    limit = query(
        proxied_server,
        "from django.conf import settings; "
        "print(getattr(settings, 'AXES_USERNAME_FAILURE_LIMIT', 20))",
    )
    clear_attempts(proxied_server)
    for n in range(limit):
        # Fewer failures from each address than the per-address limit.
        admin_login(site, USERNAME, f"guess-{n}", {"X-Forwarded-For": f"192.0.2.{n + 1}"})
    response = admin_login(site, USERNAME, PASSWORD, {"X-Forwarded-For": "198.51.100.200"})
    assert response.status_code == 429
    proxied_server.manage("axes_reset_username", USERNAME)
    response = admin_login(site, USERNAME, PASSWORD, {"X-Forwarded-For": "198.51.100.200"})
    assert response.status_code == 302
    assert json.dumps(response.headers.get("Location", "")).find("/admin/") != -1
