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
