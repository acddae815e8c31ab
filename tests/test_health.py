"""/healthz and /readyz for load balancers."""

import pytest

from kb.models import ErrorEntry


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django would fail the test on any query.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_catalog_is_loaded(shipped_catalog, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "catalog_rows": ErrorEntry.objects.count(),
    }


def test_readyz_is_not_ready_before_the_catalog_is_imported(db, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["catalog_rows"] == 0


@pytest.mark.parametrize("url", ["/healthz", "/readyz", "/healthz/"])
def test_probes_answer_a_host_reached_by_its_address(shipped_catalog, client, url):
    # A load balancer probes each host at its IP address, which ALLOWED_HOSTS omits.
    assert client.get(url, HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/en/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_probes_accept_only_get_and_head(shipped_catalog, client):
    assert client.head("/readyz").status_code == 200
    assert client.post("/healthz").status_code == 405
