"""The real-server tier itself: what every other test in this folder stands on."""


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
