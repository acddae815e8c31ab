"""manage.py lookup prints the best rows, or JSON for scripts."""

import json
import re
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
    first = next(line for line in unsure if line.startswith("1. "))
    assert first.endswith(", not sure]")
    sure = lookup("APIG.0303", "--lang", "en").splitlines()
    assert sure[0].startswith("1. APIG.0303") and sure[0].endswith(", sure]")


def test_lookup_asks_for_the_status_among_its_rows_of_a_text_that_states_none(shipped_catalog):
    out = lookup("my cat ate the token", "--lang", "en", "--limit", "5")
    ask = "Add the HTTP status the gateway answered to narrow them down: "
    rows = re.findall(r"^\d+\. \S+ HTTP (\d{3})", out, re.MULTILINE)
    assert out.splitlines()[1] == ask + ", ".join(dict.fromkeys(rows))
    assert len(set(rows)) > 1
    # A text that states its status, and a sure answer, are asked nothing.
    assert ask not in lookup("weird 403 from somewhere", "--lang", "en", "--limit", "5")
    assert ask not in lookup("APIG.0303", "--lang", "en", "--limit", "5")


def test_lookup_json_matches_the_api(shipped_catalog, client):
    text = "APIG.0308"
    data = json.loads(lookup(text, "--json", "--lang", "en"))
    assert data == client.get("/api/v1/search", {"q": text, "lang": "en"}).json()


def test_lookup_too_long_is_an_error(shipped_catalog):
    with pytest.raises(CommandError, match="too long"):
        lookup("x" * 20000, "--lang", "en")
