"""Codes are APIG.dddd or APIGW.dddd; a row that slipped in with another form breaks no page."""

import pytest
from django.db import IntegrityError, connection, transaction

from kb.models import ErrorEntry
from tests.adminforms import change_url, form_data


@pytest.mark.parametrize(
    "code", ["APIG.0201/x", "APIG.201", "apig.0201", "APIG.٠٢٠١", "APIGX.0201"]
)
def test_the_admin_refuses_a_code_of_another_form(shipped_catalog, editor_client, code):
    row = ErrorEntry.objects.filter(code="APIG.0201").first()
    url = change_url(row)
    response = editor_client.post(url, {**form_data(editor_client, url), "code": code})
    assert response.status_code == 200
    assert "APIG. or APIGW. and four digits" in response.content.decode()
    assert ErrorEntry.objects.get(pk=row.pk).code == "APIG.0201"


def test_the_database_refuses_a_code_of_another_form(shipped_catalog):
    row = ErrorEntry.objects.filter(code="APIG.0201").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ErrorEntry.objects.filter(pk=row.pk).update(code="APIG.0201/x")
    assert ErrorEntry.objects.get(pk=row.pk).code == "APIG.0201"


@pytest.fixture
def unlinkable_row(shipped_catalog):
    """A row stored before codes were checked (the constraint set aside for this test)."""
    row = ErrorEntry.objects.filter(code="APIG.0201").first()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks to block ALTER
            cursor.execute("ALTER TABLE kb_errorentry DROP CONSTRAINT entry_code_well_formed")
        cursor.execute("UPDATE kb_errorentry SET code = %s WHERE id = %s", ["APIG.0201/x", row.pk])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 0")
    row.refresh_from_db()
    return row


def test_pages_listing_a_row_they_cannot_link_to_still_render(unlinkable_row, client):
    listing = client.get("/en/codes/", {"catalog": "APIG"})
    assert listing.status_code == 200
    assert "APIG.0201/x" in listing.content.decode()
    for query in (unlinkable_row.message_en, "APIG.0201/x", "APIG.0201"):
        response = client.get("/en/search/", {"q": query})
        assert response.status_code in (200, 302), query
        api = client.get("/api/v1/search", {"q": query})
        assert api.status_code == 200
    assert client.get("/en/codes/APIG.0202/").status_code in (200, 404)
    assert client.get("/en/codes/APIG.0200/").status_code in (200, 404)
    # Its link leads to the code list searched for it.
    assert "/en/codes/?q=APIG.0201%2Fx" in unlinkable_row.get_absolute_url()


def test_the_migration_names_the_rows_it_cannot_constrain(unlinkable_row):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("kb.migrations.0008_entry_code_well_formed")
    with pytest.raises(RuntimeError, match=r"APIG\.0201/x"):
        migration.refuse_malformed_codes(apps, None)
