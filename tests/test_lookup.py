"""manage.py lookup prints the best rows, or JSON for scripts."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def lookup(*args) -> str:
    out = StringIO()
    call_command("lookup", *args, stdout=out)
    return out.getvalue()


def test_lookup_prints_the_best_rows_with_remedy(shipped_catalog):
    out = lookup("Request entity too large. APIG.0201", "--lang", "en")
    assert out.splitlines()[0].startswith("1. APIG.0201 HTTP 413")
    assert "remedy:" in out


def test_lookup_says_when_it_has_no_sure_answer(shipped_catalog):
    unsure = lookup("the portal is slow", "--lang", "en").splitlines()
    assert unsure[0] == "No sure answer: these rows share some of the text's words."
    assert unsure[1].startswith("1. ") and unsure[1].endswith(", not sure]")
    sure = lookup("APIG.0303", "--lang", "en").splitlines()
    assert sure[0].startswith("1. APIG.0303") and sure[0].endswith(", sure]")


def test_lookup_json_matches_the_api(shipped_catalog, client):
    text = "APIG.0308"
    data = json.loads(lookup(text, "--json", "--lang", "en"))
    assert data == client.get("/api/v1/search", {"q": text, "lang": "en"}).json()


def test_lookup_too_long_is_an_error(shipped_catalog):
    with pytest.raises(CommandError, match="too long"):
        lookup("x" * 20000, "--lang", "en")
