"""Many readers at the same moment, on the real server's several workers: every code page
served is counted, none lost, whether rendered or answered from the page cache (each view
is one upsert, which concurrent writers add to without reading first)."""

import csv
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

from tests.server.conftest import Site
from tests.server.staff import log_in, make_editor

READERS, VIEWS_EACH = 8, 10


def test_concurrent_page_views_are_all_counted(production_server, site):
    def read(_n: int) -> list[int]:
        with Site(production_server.url) as reader:
            return [reader.get("/en/codes/APIG.0202/").status_code for _ in range(VIEWS_EACH)]

    with ThreadPoolExecutor(READERS) as pool:
        statuses = [status for statuses in pool.map(read, range(READERS)) for status in statuses]
    assert statuses == [200] * (READERS * VIEWS_EACH)

    make_editor(production_server, "insight-counter", "pw-insight-counter-1")
    log_in(site, "insight-counter", "pw-insight-counter-1")
    response = site.get("/admin/insight/rows_view.csv")
    rows = list(csv.DictReader(StringIO(response.text)))
    assert rows, response.text
    assert {(r["code"], r["count"]) for r in rows} == {("APIG.0202", str(READERS * VIEWS_EACH))}
    assert "was not recorded" not in production_server.log()
