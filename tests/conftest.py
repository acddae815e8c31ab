from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def shipped_catalog(db):
    """The catalog as `make run` loads it."""
    call_command("import_catalog", stdout=StringIO())


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "admin", "admin@example.com", "pw-for-tests-1"
    )
    client.force_login(user)
    return client
