"""Log triage through the production server: a customer's GB18030 log uploaded through the
page (CSRF on) and posted to the API, the command on the same file, Chromium uploading it
and reading the table, the limits, and nothing of the log kept on disk or in the log."""

import base64
import gzip
import json
import re
import tempfile
from html import unescape
from pathlib import Path

import pytest
import requests

from tests.logs import incident_log
from tests.server.test_paste import ACCESS_KEY, SECRET_LINES, SECRETS, cached_and_stored_bytes

# Where Django would spill an upload over 2.5 MB: a folder where no file can be created,
# even by root (/proc), so that a spill would fail the request instead of leaving no trace.
SPILL_DIR = "/proc"
SERVER_ENV = {
    "FILE_UPLOAD_TEMP_DIR": SPILL_DIR,
    # Chromium reaches the server over plain HTTP, not through the TLS proxy, and sends that
    # origin; a browser in production sends the site's https origin, which Django trusts.
    "CSRF_TRUSTED_ORIGINS": lambda server: server.url,
}


@pytest.fixture(scope="module")
def customer_log(tmp_path_factory):
    """A log from a Chinese Windows machine: GB18030, with secrets in some lines."""
    log = incident_log(chinese=True)
    log.text = SECRET_LINES + log.text
    path = tmp_path_factory.mktemp("logs") / "网关调用.log"
    path.write_bytes(log.text.encode("gb18030"))
    log.path = path
    return log


def csrf_token(site, path: str = "/en/triage/") -> str:
    page = site.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def upload(site, path: Path, language: str = "en"):
    page = f"/{language}/triage/"
    token = csrf_token(site, page)
    # The CSRF cookie is Secure: behind the TLS proxy a browser sends it; requests, on
    # plain HTTP to 127.0.0.1, has to be given it.
    with path.open("rb") as file:
        return site.post(
            page,
            data={"csrfmiddlewaretoken": token},
            files={"file": (path.name, file, "text/plain")},
            headers={"Referer": site.base_url.replace("http://", "https://") + page},
            cookies={"csrftoken": site.cookies["csrftoken"]},
        )


def page_json(html: str) -> dict:
    link = re.search(r'href="data:application/json;charset=utf-8;base64,([^"]+)"', html)
    return json.loads(base64.b64decode(unescape(link.group(1))))


def test_an_uploaded_log_the_api_and_the_command_give_one_report(
    production_server, site, customer_log
):
    response = upload(site, customer_log.path)
    assert response.status_code == 200, response.text[:500]
    assert "no-store" in response.headers["Cache-Control"]

    api = requests.post(
        production_server.url + "/api/v1/triage?lang=en",
        data=customer_log.path.read_bytes(),
        headers={"X-Forwarded-Proto": "https", "Content-Type": "text/plain"},
        timeout=60,
    )
    assert api.status_code == 200, api.text[:500]
    assert "Set-Cookie" not in api.headers
    command = json.loads(
        production_server.manage("triage", str(customer_log.path), "--json", "--lang", "en")
    )
    report = api.json()
    assert page_json(response.text) == report == command

    assert report["encoding"] == "gb18030"
    assert [(g["row"]["code"], g["cause"], g["count"]) for g in report["groups"]] == [
        ("APIG.0303", "signature-expired", customer_log.signature_expired),
        ("APIG.0308", "throttled-source-ip", customer_log.throttled),
        ("APIG.0201", None, customer_log.backend_timeout),
    ]
    rows = re.findall(
        r'<tr class="triage-group">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', response.text
    )
    assert rows == ["APIG.0303", "APIG.0308", "APIG.0201"]
    assert customer_log.request_ids["APIG.0303"][0] in response.text


def test_a_chinese_page_and_a_gzip_upload(site, customer_log, tmp_path):
    packed = tmp_path / "gateway.log.gz"
    packed.write_bytes(gzip.compress(customer_log.path.read_bytes()))
    response = upload(site, packed, "zh-hans")
    assert response.status_code == 200
    assert "日志分析" in response.text
    assert "时间偏差（网关时间减签名时间）：最小1200秒，中位数1260秒，最大1320秒。" in response.text


def test_bad_files_are_refused_with_a_clear_message(production_server, site, tmp_path):
    binary = tmp_path / "screenshot.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    refused_binary = upload(site, binary)
    refused_empty = upload(site, empty)
    assert refused_binary.status_code == 400
    assert "binary data" in refused_binary.text
    assert refused_empty.status_code == 400
    assert "empty" in refused_empty.text

    too_large = requests.post(
        production_server.url + "/api/v1/triage",
        data=b"2026-11-27 01:00:00 INFO ok\n" * (11 * 1024 * 1024 // 28),
        headers={"X-Forwarded-Proto": "https", "Content-Type": "text/plain"},
        timeout=60,
    )
    assert too_large.status_code == 413
    assert "10 MB" in too_large.json()["error"]


def test_the_page_refuses_a_post_without_its_csrf_token(site, customer_log):
    with customer_log.path.open("rb") as file:
        response = site.post("/en/triage/", files={"file": file})
    assert response.status_code == 403


def test_nothing_of_the_log_reaches_the_disk_or_the_server_log(
    production_server, site, customer_log
):
    assert upload(site, customer_log.path).status_code == 200
    big = customer_log.path.read_bytes() * 110  # over 2.5 MB: Django would spill it to a file
    assert len(big) > 3 * 1024 * 1024
    big_path = Path(tempfile.mkdtemp(prefix="kb-triage-")) / "big.log"
    try:
        big_path.write_bytes(big)
        assert upload(site, big_path).status_code == 200
    finally:
        big_path.unlink()
    stored = cached_and_stored_bytes(production_server.data_dir)
    log = production_server.log()
    assert "/en/triage/" in log
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
        assert secret not in log, secret
    assert ACCESS_KEY not in upload(site, customer_log.path).text  # samples are redacted


def test_in_chromium_a_file_uploaded_shows_the_table_and_downloads_the_csv(
    server_page, customer_log
):
    page = server_page
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto("/en/triage/")
    page.set_input_files("#triage-file", str(customer_log.path))
    with page.expect_navigation():
        page.click(".triage-form button[type=submit]")

    rows = page.locator("table.triage-table tbody tr")
    assert rows.count() == 3, page.locator("body").inner_text()[:800]
    first = rows.nth(0)
    assert first.locator("th a").inner_text() == "APIG.0303"
    assert first.locator("td.count strong").inner_text() == str(customer_log.signature_expired)
    assert "median 1260 s" in first.locator("td.cause").inner_text()
    # The timeline is an image whose name and description say what it shows.
    timeline = page.get_by_role("img", name=re.compile("Failed calls per minute, by code"))
    assert timeline.count() == 1
    description = page.locator("#timeline-desc").text_content()
    assert f"APIG.0303 {customer_log.signature_expired}" in description
    summary = page.locator(".triage-summary").inner_text()
    assert f"{customer_log.lines + 4} lines read (gb18030)" in summary
    assert problems == []  # nothing refused by the Content Security Policy

    with page.expect_download() as download:
        page.click("a[download='apig-triage.csv']")
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[1].startswith("APIG.0303,401,")
