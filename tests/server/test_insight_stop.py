"""A graceful stop of gunicorn (SIGTERM, as systemd and a deploy send it) writes the
Insight counts each worker still buffered: none lost. Here the flusher's interval is an
hour, so only the write at the worker's exit can record them."""

import pytest

from bench.server import ProductionServer, database_url, fresh_database
from tests.server.conftest import Site

VIEWS = 12

# The views counted per row of the code page (each row on it once per view), and the
# searches counted.
COUNTED = (
    "from kb.insight.models import RowDay, SearchDay\n"
    "from django.db.models import Sum\n"
    "views = set(RowDay.objects.filter(kind='view').values_list('count', flat=True))\n"
    "print(max(views, default=0), min(views, default=0),"
    " SearchDay.objects.aggregate(n=Sum('count'))['n'] or 0)"
)


@pytest.fixture
def stopped_server():
    with fresh_database(database_url()) as url:
        server = ProductionServer(
            workers=2, database_url=url, env={"KB_INSIGHT_FLUSH_SECONDS": "3600"}
        )
        with server:
            yield server


def counted(server) -> tuple[int, ...]:
    return tuple(map(int, server.manage("shell", "--verbosity", "0", "-c", COUNTED).split()))


def test_a_graceful_stop_writes_what_the_workers_buffered(stopped_server):
    server = stopped_server
    with Site(server.url) as customer:
        for _ in range(VIEWS):
            assert customer.get("/en/codes/APIG.0201/").status_code == 200
        for _ in range(3):
            assert customer.get("/en/search/", params={"q": "APIG.0303"}).status_code == 302
    assert counted(server) == (0, 0, 0)  # still in the workers' buffers
    server.stop()
    assert server.process.returncode == 0
    assert counted(server) == (VIEWS, VIEWS, 3)
    assert "not recorded" not in server.log()
