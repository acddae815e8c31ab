"""Shared start-up for the benchmarks: Django with a throw-away database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_throwaway_database():
    """Configure Django and create an empty, migrated test database (SQLite in memory,
    or a `test_` database beside the one DATABASE_URL names). Returns a teardown function.

    DEBUG is off, as in production and in Django's test runner: with it on, every SQL
    statement is formatted and logged (`connection.queries`), a cost no deployment pays."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)

    def teardown():
        connection.creation.destroy_test_db(old_name, verbosity=0)

    return teardown
