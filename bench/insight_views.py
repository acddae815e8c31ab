"""What counting a code page view costs: the page cache's answer with and without the
Insight page's upsert (KB_INSIGHT_PAGE_VIEWS=1 / 0), on gunicorn with production settings.

    .venv/bin/python bench/insight_views.py                # SQLite (a file of its own)
    DATABASE_URL=postgres://... .venv/bin/python bench/insight_views.py

For each setting: a server (bench/server.py) on a free port of 127.0.0.1 with --workers
workers, the page rendered once (then cached), then --requests GETs of it one after the
other from one client (latency p50, p99; and the workers' CPU time per request, which a
busy machine does not inflate, the write of the buffered counts included) and --requests
from --clients clients at once (throughput). Bounded by its counts; loopback only.
Prints one line per setting and the difference.
"""

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import PROXY_HEADERS, ProductionServer, database_url, fresh_database  # noqa: E402

PAGE = "/en/codes/APIG.0201/"


def workers_cpu_ms(server: ProductionServer) -> float:
    """CPU time (user + system) the workers have used, in ms: what the requests cost the
    site's own processes, whatever else the machine runs (the database's are apart)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.worker_pids():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / ticks


def measure(server: ProductionServer, count: int, clients: int) -> dict:
    url = server.url
    with requests.Session() as session:
        session.headers.update(PROXY_HEADERS)
        assert session.get(url + PAGE, timeout=30).status_code == 200  # now cached
        cpu = workers_cpu_ms(server)
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            response = session.get(url + PAGE, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        time.sleep(1.5)  # the counts buffered are written within a second: theirs too
        cpu = (workers_cpu_ms(server) - cpu) / count
    latencies.sort()

    def reader(n: int) -> int:
        with requests.Session() as session:
            session.headers.update(PROXY_HEADERS)
            return sum(session.get(url + PAGE, timeout=30).status_code == 200 for _ in range(n))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        served = sum(pool.map(reader, [count // clients] * clients))
    seconds = time.perf_counter() - started
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "rps": served / seconds,
        "cpu": cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per measure")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()
    results = {}
    for counting in ("0", "1"):
        with fresh_database(database_url()) as url:
            server = ProductionServer(
                workers=args.workers, database_url=url, env={"KB_INSIGHT_PAGE_VIEWS": counting}
            )
            with server:
                results[counting] = found = measure(server, args.requests, args.clients)
        print(
            f"{server.database} KB_INSIGHT_PAGE_VIEWS={counting}: cached code page "
            f"p50={found['p50']:.2f} ms p99={found['p99']:.2f} ms "
            f"workers' cpu={found['cpu']:.2f} ms/request "
            f"throughput={found['rps']:.0f}/s ({args.clients} clients)"
        )
    off, on = results["0"], results["1"]
    print(
        f"counting costs p50 {on['p50'] - off['p50']:+.2f} ms, "
        f"workers' cpu {on['cpu'] - off['cpu']:+.2f} ms/request, "
        f"throughput {100 * (on['rps'] / off['rps'] - 1):+.0f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
