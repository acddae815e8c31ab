"""Hostile input and careless pastes, through gunicorn with the production settings.

Each test stands for one finding of the security review: what a person can send to the
public site, and what must come of it (a clear answer, never a 500, nothing secret kept).
"""

import csv
import io
import json

import pytest

from tests.server.helpers import csrf_headers, query, queue


# One trusted proxy in front (bench/server.py sets TRUSTED_PROXIES=127.0.0.1): each test
# speaks as its own reader through X-Forwarded-For, so that limits per client stay apart.
def reader(n: int) -> dict:
    return {"X-Forwarded-For": f"198.51.100.{n}"}


def post_search(site, text: str, client: int, timeout: float = 30):
    """A long paste, posted to the API as JSON (with a CSRF token, which the API may
    or may not ask for)."""
    return site.post(
        "/api/v1/search?lang=en",
        data=json.dumps({"q": text}),
        headers={"Content-Type": "application/json", **csrf_headers(site), **reader(client)},
        timeout=timeout,
    )


# --- 1. Redaction: what people paste never reaches the queue or the feedback -------------

SECRETS = {
    "SK：": "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0",
    "密码：": "Zx9!mQ2#vL",
    "密钥=": "k3y-Of-The-App-77",
    "clientSecret=": "cs_live_51Hq2xYz",
    "accessToken=": "at.8f2b9c1d0e",
    "X-Auth-Token ": "gAAAAABlVx1_q2W3e4R5t6Y7u8I9",
    "password%3D": "hunter2hunter2",
    "pw=": "Sup3rS3cret",
    "private_key=": "ed25519:AbCdEf012345",
}


def test_secrets_in_any_common_shape_never_reach_the_queue(production_server, site):
    for n, (label, value) in enumerate(SECRETS.items()):
        text = f"APIG.9999 frobnicated widget zq{n}x failed\n{label}{value}\n"
        assert post_search(site, text, client=10).status_code == 200

    stored = json.dumps(queue(production_server), ensure_ascii=False)
    for value in SECRETS.values():
        assert value not in stored
    assert "frobnicated widget" in stored  # the error itself is kept


def test_every_word_of_a_password_with_spaces_is_redacted_in_feedback(production_server, site):
    row = query(
        production_server,
        "import json; from kb.models import ErrorEntry; "
        "print(json.dumps(ErrorEntry.objects.filter(code='APIG.0308').first().pk))",
    )
    comment = "Still fails. password = correct horse battery staple\nThanks"
    response = site.post(
        f"/en/rows/{row}/feedback/",
        data={"helpful": "no", "reason": "other", "comment": comment},
        headers={"Sec-Fetch-Site": "same-origin", **reader(11)},
    )
    assert response.status_code == 302

    stored = query(
        production_server,
        "import json; from kb.models import Feedback; "
        "print(json.dumps(list(Feedback.objects.values_list('comment', flat=True))))",
    )
    assert any("Still fails." in comment for comment in stored)
    for word in ("correct", "horse", "battery", "staple"):
        assert not any(word in comment for comment in stored)


# --- 2. A 16 KB paste is parsed in linear time ------------------------------------------


@pytest.mark.parametrize("text", ["{" * 16384, '{"a":' * 3276, "[" * 16384])
def test_a_paste_of_16_kb_of_braces_is_answered_at_once(site, text):
    # Before: 18 s of CPU for 16,384 `{`; now well within the 10 s the client waits.
    response = post_search(site, text, client=12, timeout=10)
    assert response.status_code == 200


# --- 3. Crafted input: never a 500 ------------------------------------------------------

DEEP_JSON = '{"a":' + "[" * 1100 + "]" * 1100 + "}"
EXTREME_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]


def test_deeply_nested_json_is_answered_on_the_page_and_the_api(site):
    pasted = '{"error_code": "APIG.0308", "detail": ' + DEEP_JSON + "}"
    response = post_search(site, pasted, client=13)
    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "APIG.0308"
    # As deep as a URL within gunicorn's request-line limit carries.
    shallower = '{"error_code": "APIG.0308", "detail": {"a":' + "[" * 600 + "]" * 600 + "}}"
    for path in ("/en/search/", "/api/v1/search"):
        response = site.get(path, params={"q": shallower}, headers=reader(13))
        assert response.status_code == 200
    body = json.dumps({"q": "APIG.0308", "x": json.loads("[" * 900 + "]" * 900)})
    deep_body = body.replace("[" * 900, "[" * 3000).replace("]" * 900, "]" * 3000)
    response = site.post(
        "/api/v1/search",
        data=deep_body,
        headers={"Content-Type": "application/json", **csrf_headers(site), **reader(13)},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


@pytest.mark.parametrize("moment", EXTREME_TIMES)
def test_extreme_times_are_answered_in_detail_search_and_date_lines(site, moment):
    detail = f"The signature expired: X-Sdk-Date {moment}, server time {moment}"
    response = site.get("/en/codes/APIG.0303/", params={"detail": detail}, headers=reader(14))
    assert response.status_code == 200
    pasted = f'{{"error_code":"APIG.0303","error_msg":"{detail}"}}\nDate: {moment}'
    response = site.get("/en/search/", params={"q": pasted}, headers=reader(14))
    assert response.status_code in (200, 302)  # 302: to the row it names
    assert post_search(site, pasted, client=14).status_code == 200


# --- 4. A row whose code cannot be linked to breaks no page -------------------------------

BREAK_ROW = """
import json
from django.db import connection
from kb.models import ErrorEntry
row = ErrorEntry.objects.filter(code={old!r}).order_by('sort_order').first()
with connection.cursor() as cursor:
    if connection.vendor == 'sqlite':
        cursor.execute('PRAGMA ignore_check_constraints = 1')
    else:
        cursor.execute('ALTER TABLE kb_errorentry DROP CONSTRAINT IF EXISTS entry_code_well_formed')
    cursor.execute('UPDATE kb_errorentry SET code = %s WHERE id = %s', [{new!r}, row.pk])
print(json.dumps(row.message_en))
"""


def test_a_row_with_an_unlinkable_code_still_lets_the_pages_render(production_server, site):
    message = query(production_server, BREAK_ROW.format(old="APIG.0201", new="APIG.0201/x"))
    try:
        listing = site.get("/en/codes/", headers=reader(15))
        assert listing.status_code == 200
        assert "APIG.0201/x" in listing.text
        results = site.get("/en/search/", params={"q": message}, headers=reader(15))
        assert results.status_code == 200
        assert "APIG.0201/x" in results.text
        assert post_search(site, message, client=15).status_code == 200
    finally:
        query(production_server, BREAK_ROW.format(old="APIG.0201/x", new="APIG.0201"))


# --- 5. The public CSV holds no formula --------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "＝1+1", "@SUM(1)"]


def test_the_public_csv_holds_no_cell_a_spreadsheet_would_run(production_server, site):
    production_server.manage(
        "shell",
        "-c",
        "from kb.models import ErrorAlias, ErrorEntry; "
        "row = ErrorEntry.objects.filter(code='APIG.0101').first(); "
        f"[ErrorAlias.objects.create(entry=row, text=t) for t in {FORMULAS!r}]",
    )
    response = site.get("/en/catalog.csv", headers=reader(16))
    assert response.status_code == 200
    cells = [
        cell
        for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        for field in line
        for cell in [field]
    ]
    assert cells, "the CSV has cells"
    dangerous = tuple("=+-@\t\r＝＋－＠")
    assert not [cell for cell in cells if cell.startswith(dangerous)]
    alias_cells = [cell for cell in cells if "HYPERLINK" in cell]
    assert alias_cells and alias_cells[0].startswith("'")


# --- 7. The Host check comes before the page cache ----------------------------------------


def test_a_cached_page_does_not_answer_a_foreign_host(site):
    for _ in range(2):  # the second is served from the page cache
        assert site.get("/en/codes/APIG.0303/", headers=reader(17)).status_code == 200
    response = site.get("/en/codes/APIG.0303/", headers={"Host": "evil.example", **reader(17)})
    assert response.status_code == 400


# --- 8. The unknown-error queue cannot be flooded or steered ------------------------------


def test_one_client_cannot_flood_the_queue(production_server, site):
    limit = query(
        production_server,
        "from django.conf import settings; print(getattr(settings, 'UNANSWERED_RATE_LIMIT', 20))",
    )
    for n in range(limit + 15):
        assert post_search(site, f"flood{n} quux blorp", client=20).status_code == 200

    flooded = [row for row in queue(production_server) if "blorp" in row["text"]]
    assert 0 < len(flooded) <= limit


def test_one_client_raises_an_entry_count_at_most_once_per_window(production_server, site):
    for _ in range(6):
        post_search(site, "steering wheel zyxxy frobnicated", client=21)
    post_search(site, "steering wheel zyxxy frobnicated", client=22)

    (entry,) = [row for row in queue(production_server) if "zyxxy" in row["text"]]
    assert entry["count"] == 2  # two clients, once each


def test_the_search_page_counts_toward_the_same_limit(production_server, site):
    limit = query(
        production_server,
        "from django.conf import settings; print(getattr(settings, 'UNANSWERED_RATE_LIMIT', 20))",
    )
    for n in range(limit + 5):
        site.get("/en/search/", params={"q": f"burst{n} snark"}, headers=reader(23))
    burst = [row for row in queue(production_server) if "snark" in row["text"]]
    assert 0 < len(burst) <= limit
