"""The real-server tier itself: what every other test in this folder stands on."""

import re

from bench.server import ProductionServer, database_url, fresh_database


def test_the_server_serves_the_catalog_with_production_settings(site):
    response = site.get("/en/codes/APIG.0303/")

    assert response.status_code == 200
    assert "verify signature fail" in response.text or "APIG.0303" in response.text
    # DEBUG=0 behind a TLS proxy: HSTS is sent, and plain HTTP is redirected to HTTPS.
    assert "Strict-Transport-Security" in response.headers
    plain = site.get("/en/codes/APIG.0303/", headers={"X-Forwarded-Proto": "http"})
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")


def test_the_access_log_records_requests_without_their_query_string(production_server, site):
    site.get("/en/search/", params={"q": "marker-in-query-7f3a"})

    log = production_server.log(after='"GET /en/search/"')
    assert '"GET /en/search/"' in log
    assert "marker-in-query-7f3a" not in log


def test_a_missing_page_is_the_sites_404_page_in_the_readers_language(site):
    english = site.get("/en/no-such-page/")
    chinese = site.get("/zh-hans/no-such-page/")

    assert (english.status_code, chinese.status_code) == (404, 404)
    assert "<h1>Page not found</h1>" in english.text
    assert "<h1>页面不存在</h1>" in chinese.text
    # The site's page, with its search box, not Django's bare "Not Found".
    for response in (english, chinese):
        assert 'name="q"' in response.text


def test_pages_link_the_static_files_by_their_hashed_names_and_the_site_serves_them(site):
    # Production keeps each static file's URL per process (kb.staticfiles): a search
    # page, then a page in the other language, link the same files, which are served.
    first = site.get("/en/search/", params={"q": "Backend unavailable."}).text
    second = site.get("/zh-hans/").text
    links = [re.findall(r'href="(/static/kb/[^"]+)"', html) for html in (first, second)]
    assert links[0] == links[1] and len(links[0]) == 2
    for path in links[0]:
        assert re.fullmatch(r"/static/kb/(site|favicon)\.[0-9a-f]{12}\.(css|svg)", path)
        response = site.get(path)
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]


def test_a_worker_whose_database_is_not_migrated_yet_warns_and_serves():
    # gunicorn.conf.py's post_worker_init reads the catalog's rows for the search; a host
    # started before its migrations ran has none to read, and must still start and serve.
    with (
        fresh_database(database_url()) as url,
        ProductionServer(workers=1, database_url=url, setup=False, ready_path="/healthz") as s,
    ):
        assert s.get("/healthz")[0] == 200
        assert "search rows not read at start:" in s.log()
