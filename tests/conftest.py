import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def production_env(tmp_path_factory):
    """Environment variables of a production host (DEBUG=0), its static files collected,
    for tests that start `manage.py` or the site in a separate process."""
    data_dir = tmp_path_factory.mktemp("production")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,example.com",
        "DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
    return env


def manage(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """Run `manage.py` in a separate process: settings are read afresh from `env`."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )
