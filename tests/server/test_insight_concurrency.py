"""Many readers at the same moment, on the real server's several workers: every code page
served is counted, none lost, whether rendered or answered from the page cache (each
worker buffers its counts and writes their sum once a second with an upsert, which
concurrent writers add to without reading first)."""

import csv
import time
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
    expected = {("APIG.0202", str(READERS * VIEWS_EACH))}
    deadline = time.monotonic() + 10
    while True:  # each worker writes what it counted within a second
        response = site.get("/admin/insight/rows_view.csv")
        rows = {(r["code"], r["count"]) for r in csv.DictReader(StringIO(response.text))}
        if rows == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert rows == expected, response.text
    time.sleep(1.5)  # and nothing more comes after
    response = site.get("/admin/insight/rows_view.csv")
    assert {(r["code"], r["count"]) for r in csv.DictReader(StringIO(response.text))} == expected
    log = production_server.log()
    assert "not recorded" not in log and "kept in the buffer" not in log
