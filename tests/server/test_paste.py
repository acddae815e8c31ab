"""The customer's paste, end to end through the production server: the home form, the
results page, the row's page, the JSON API, and what reaches the disk and the logs."""

import json
import pickle
import re
import zlib
from html import unescape
from pathlib import Path

import requests

README_PASTE = (
    '{"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached: '
    'policy ip over ratelimit,limit:5,time:1 minute"}'
)
CAUSE = "The limit is 5 calls in 1 minute"

TOKEN = "MIIEvQYJKoZIhvcNAQcCoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEwggjRBgkqhkiG9w0BBwGg"
ACCESS_KEY = "QTWAOYTTINDUT2QVKYUC"
SIGNATURE = "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
SECRET_KEY = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
PASSWORD = "Tr0ub4dor-3-horse-staple"
SECRETS = [TOKEN, ACCESS_KEY, SIGNATURE, SECRET_KEY, PASSWORD]
SECRET_LINES = (
    f"X-Auth-Token: {TOKEN}\n"
    f"Authorization: SDK-HMAC-SHA256 Access={ACCESS_KEY}, SignedHeaders=host;x-sdk-date, "
    f"Signature={SIGNATURE}\n"
    f"sk={SECRET_KEY}\n"
    f"password={PASSWORD}\n"
)


def post_form(site, text: str, path: str = "/en/search/"):
    """What the home form sends (no JavaScript): a form post, then the redirect, if any."""
    response = site.post(path, data={"q": text})
    if response.status_code == 303:
        assert len(response.headers["Location"]) <= 2048 + len(path) + 3
        response = site.get(response.headers["Location"])
    return response


def test_the_readme_paste_from_the_home_form_shows_its_cause_and_the_rows_page_agrees(site):
    home = site.get("/en/")
    assert re.search(r'<form[^>]*method="post"[^>]*action="/en/search/"', home.text)

    results = post_form(site, README_PASTE)

    assert results.status_code == 200
    assert "throttled" in results.text.lower() or "Likely cause" in results.text
    assert CAUSE in results.text
    link = re.search(r'href="(/en/codes/APIG\.0308/\?[^"]+)"', results.text).group(1)
    row_page = site.get(unescape(link))
    assert row_page.status_code == 200
    assert CAUSE in row_page.text


def test_the_rows_page_shows_the_facts_of_the_results_page_computed_at_the_requests_time(site):
    # A curl -i paste: the token expired two hours before the Date of the failed request.
    body = json.dumps(
        {
            "error_code": "APIG.0301",
            "error_msg": "Incorrect IAM authentication information: token expires, "
            "expires_at: 2026-11-27T01:01:01Z",
        }
    )
    paste = f"HTTP/1.1 401 Unauthorized\nDate: Fri, 27 Nov 2026 03:01:01 GMT\n\n{body}"
    facts = "That is 2 hours before the time of this request"

    results = post_form(site, paste)
    link = re.search(r'href="(/en/codes/APIG\.0301/\?[^"]+)"', results.text).group(1)
    row_page = site.get(unescape(link))

    assert facts in results.text
    assert facts in row_page.text


def test_a_16_kb_english_paste_and_a_3000_character_chinese_paste_reach_a_results_page(site):
    log_line = "2026-11-27 01:02:03 WARN gateway retry after throttling\n"
    english = README_PASTE + "\n" + log_line * 400
    english = english[: 16 * 1024]
    chinese = ("调用API时返回错误，签名校验失败，请检查签名和时间。" * 200)[:3000]
    for text in (english, chinese):
        # As a browser sends a textarea: each line break as CR LF.
        response = post_form(site, text.replace("\n", "\r\n"))
        assert response.status_code == 200, response.text[:500]
        assert 'class="results"' in response.text or "No row matches" in response.text
    assert CAUSE in post_form(site, english).text


def search_in_the_browser(page, text: str) -> None:
    page.goto("/en/")
    page.fill("#search-q", text)
    with page.expect_navigation():
        page.click(".search-box button[type=submit]")


def test_in_chromium_the_readme_paste_typed_into_the_home_box_shows_its_cause(server_page):
    page = server_page
    page.goto("/en/")
    page.type("#search-q", README_PASTE)  # typed, key by key, as a reader would
    with page.expect_navigation():
        page.click(".search-box button[type=submit]")

    assert "/en/search/?q=" in page.url  # a short query: a shareable address
    diagnosis = page.locator(".result.best .diagnosis")
    assert CAUSE in diagnosis.inner_text()
    with page.expect_navigation():
        page.click(".result.best h2 a")
    assert "/en/codes/APIG.0308/" in page.url
    assert CAUSE in page.locator(".entry .diagnosis").first.inner_text()


def test_in_chromium_a_16_kb_english_and_a_3000_character_chinese_paste_reach_results(
    server_page,
):
    page = server_page
    log_line = "2026-11-27 01:02:03 WARN gateway retry after throttling\n"
    english = (README_PASTE + "\n" + log_line * 400)[: 16 * 1024]
    chinese = ("调用API时返回错误，签名校验失败，请检查签名和时间。" * 200)[:3000]
    for text in (english, chinese):
        search_in_the_browser(page, text)
        assert page.url.endswith("/en/search/")  # answered from the post: no text in the URL
        assert page.locator("h1").inner_text() == "Search"
        assert page.locator("ol.results > li").count() >= 1, page.locator("main").inner_text()[:600]
        assert page.locator("#search-q").input_value() == text.replace("\r", "")


# A description whose words mostly miss every row, and a sure one whose page shows as many
# rows (tests/test_search_page.py checks they do).
UNSURE_TEXT = "the portal is slow"
SURE_TEXT = "Request entity to large"


def test_in_chromium_a_search_with_no_sure_answer_says_so_and_a_sure_one_does_not(server_page):
    page = server_page
    for text, sure in ((UNSURE_TEXT, False), (SURE_TEXT, True), (UNSURE_TEXT, False)):
        page.goto("/en/")
        page.type("#search-q", text)
        with page.expect_navigation():
            page.click(".search-box button[type=submit]")
        notice = page.get_by_role("heading", name="Closest matches")
        first = page.locator("ol.results > li").first
        if sure:
            assert notice.count() == 0
            assert first.get_attribute("class") == "result best"
            assert "matched by some words" not in first.inner_text()
        else:
            assert notice.is_visible()
            assert first.get_attribute("class") == "result unsure"
            assert "matched by some words" in first.inner_text()


def test_in_chromium_a_closest_match_page_searches_again_with_the_status_clicked(server_page):
    # The reader wrote no status; the page offers each status its rows have, and the one
    # clicked is searched with the text: its rows come first, and nothing more is asked.
    page = server_page
    text = "my cat ate the token"
    page.goto("/en/")
    page.type("#search-q", text)
    with page.expect_navigation():
        page.click(".search-box button[type=submit]")
    choices = page.locator(".notice.unsure .status-choices a")
    assert choices.count() > 1
    offered = choices.all_inner_texts()
    row_statuses = page.locator("ol.results > li .status").all_inner_texts()
    assert offered == list(dict.fromkeys(status.removeprefix("HTTP ") for status in row_statuses))
    status = offered[-1]  # the rows' last status: the first would hardly move them
    with page.expect_navigation():
        choices.nth(len(offered) - 1).click()
    assert page.locator("#search-q").input_value() == f"{text} HTTP {status}"
    assert page.locator("ol.results > li .status").first.inner_text() == f"HTTP {status}"
    assert page.locator(".status-choices").count() == 0


def test_the_api_and_the_chinese_page_say_when_no_answer_is_sure(site):
    unsure = site.get("/api/v1/search", params={"q": UNSURE_TEXT}).json()
    sure = site.get("/api/v1/search", params={"q": SURE_TEXT}).json()
    assert unsure["results"] and unsure["sure"] is False
    assert not any(row["sure"] for row in unsure["results"])
    assert sure["sure"] is True and sure["results"][0]["sure"] is True
    # No status in the text: the statuses to ask for are the results', in their order.
    statuses = list(dict.fromkeys(row["http_status"] for row in unsure["results"]))
    assert unsure["statuses_to_ask"] == statuses and len(statuses) > 1
    assert sure["statuses_to_ask"] == []
    page = site.get("/zh-hans/search/", params={"q": UNSURE_TEXT})
    assert page.status_code == 200
    assert "<h2>最接近的条目</h2>" in page.text
    # The text states no status: the page asks for one, and offers its rows'.
    assert "请加上网关返回的HTTP状态码" in page.text
    assert '<p class="status-choices">加上HTTP状态码再搜索：' in page.text
    assert "最接近的条目" not in site.get("/zh-hans/search/", params={"q": SURE_TEXT}).text


def test_a_closest_match_page_links_only_what_fits_in_an_address(site):
    # A short text is redirected to its address, and its status links are addresses too;
    # one too long for an address is answered from the post, with the hint but no link
    # that gunicorn's request line could not take.
    short = post_form(site, "my cat ate the token")
    hrefs = re.findall(r'<p class="status-choices">.*?</p>', short.text)
    assert hrefs, "a short unsure text with no status gets its links"
    for href in re.findall(r'href="([^"]+)"', hrefs[0]):
        assert site.get(unescape(href)).status_code == 200
    long = post_form(site, "my cat ate the token " + "and then it sat on the keyboard " * 70)
    assert long.status_code == 200 and long.url.endswith("/en/search/")
    assert "Add the HTTP status the gateway answered" in long.text
    assert "status-choices" not in long.text


def test_a_paste_over_16_kb_gets_a_clear_message(site):
    response = site.post("/en/search/", data={"q": "x" * (16 * 1024 + 1)})
    assert response.status_code == 413
    assert "too long" in response.text


def test_the_api_answers_any_http_client_without_cookies(production_server):
    url = production_server.url + "/api/v1/search?lang=en"
    headers = {"X-Forwarded-Proto": "https"}
    as_json = requests.post(url, json={"q": "APIG.0303"}, headers=headers, timeout=30)
    as_form = requests.post(url, data={"q": README_PASTE}, headers=headers, timeout=30)
    too_long = requests.post(url, json={"q": "x" * (16 * 1024 + 1)}, headers=headers, timeout=30)

    assert as_json.status_code == 200, as_json.text[:300]
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert as_json.json()["results"][0]["code"] == "APIG.0303"
    assert as_form.status_code == 200
    best = as_form.json()["results"][0]
    assert best["code"] == "APIG.0308"
    assert best["diagnosis"]["facts"]["throttle_limit"] == 5
    assert "Set-Cookie" not in as_json.headers and "Set-Cookie" not in as_form.headers
    assert too_long.status_code == 413
    assert "error" in too_long.json()


def test_a_session_still_needs_its_csrf_token(site):
    site.get("/admin/login/")
    assert "csrftoken" in site.cookies
    response = site.post(
        "/admin/login/",
        data={"username": "nobody", "password": "x"},
        headers={"Referer": site.base_url + "/admin/login/"},
    )
    assert response.status_code == 403


def cached_and_stored_bytes(data_dir: Path) -> bytes:
    """Every file under DATA_DIR, with the page cache's files unpacked (Django's file
    cache compresses each page: a secret kept there would not show to grep)."""
    out = []
    for path in data_dir.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        out.append(content)
        if path.suffix == ".djcache":
            with path.open("rb") as file:
                pickle.load(file)
                out.append(zlib.decompress(file.read()))
    return b"\n".join(out)


def test_pasted_secrets_reach_neither_the_disk_nor_the_logs(production_server, site):
    short = f"{SECRET_LINES}{README_PASTE}"
    unsure = f"frobnicated gateway weirdness {SECRET_LINES}"
    long = f"{SECRET_LINES}{README_PASTE}\n" + "upstream retry after throttling\n" * 100
    for text in (short, unsure, long):
        for path in ("/en/search/", "/zh-hans/search/"):
            results = post_form(site, text, path)
            assert results.status_code == 200
            for link in re.findall(r'href="(/[^"]+/codes/[^"]+\?[^"]+)"', results.text):
                assert site.get(unescape(link)).status_code == 200
        site.get("/en/search/", params={"q": text})
        site.get("/api/v1/search", params={"q": text})
        site.post("/api/v1/search", json={"q": text})
        site.post("/api/v1/search", data={"q": text})
    site.post("/en/search/", data={"q": SECRET_LINES * 200})  # 413
    site.get("/en/search/", params={"q": SECRET_LINES * 20})  # over gunicorn's request line

    stored = cached_and_stored_bytes(production_server.data_dir)
    queue = json.loads(
        production_server.manage(
            "shell",
            "--no-imports",
            "-c",
            "import json; from kb.models import UnansweredSearch as U; "
            "print(json.dumps(list(U.objects.values_list('text', flat=True))))",
        )
    )
    site.get("/en/faq/")  # the last request: its access line is written after the others
    log = production_server.log(after='"GET /en/faq/"')
    assert any("frobnicated" in text for text in queue)
    assert "/en/search/" in log
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
        assert not any(secret in text for text in queue), secret
        assert secret not in log, secret


def test_each_customers_page_shows_their_own_paste_and_no_one_elses(site):
    # Pages of one shape share the parts kept in each worker: one after another, pastes
    # with the same code and a request ID each come back with their own and no other.
    ids = [f"5f3c1d7e9a2b4c6d8e0f{n:012d}" for n in range(6)]
    pastes = [
        json.dumps(
            {
                "error_msg": f"Incorrect app authentication information: client {n} <b>",
                "error_code": "APIG.0303",
                "request_id": request_id,
            }
        )
        for n, request_id in enumerate(ids)
    ]
    for language in ("en", "zh-hans"):
        for n, paste in enumerate(pastes):
            page = site.get(f"/{language}/search/", params={"q": paste})
            assert page.status_code == 200
            assert f"<code>{ids[n]}</code>" in page.text
            assert f"client {n} &lt;b&gt;" in page.text and "<b>" not in page.text
            others = [text for m, text in enumerate(ids) if m != n]
            assert not any(other in page.text for other in others), (language, n)
