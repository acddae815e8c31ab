"""Fault drill: the site under load loses a gunicorn worker, then its database.

    .venv/bin/python bench/faults.py                                  # worker kill only
    DATABASE_URL=$(.ci/postgres) .venv/bin/python bench/faults.py     # and a PostgreSQL stop

Starts gunicorn with production settings on 127.0.0.1 (bench/server.py) and keeps
CLIENTS threads requesting code pages, the code list and /readyz for the whole
drill, which is bounded in time. Then:

1. SIGKILL one gunicorn worker. Expected: at most the requests that worker had in
   flight fail; gunicorn starts a new worker; then every request succeeds.
2. PostgreSQL only: stop the cluster (.ci/postgres stop) for OUTAGE seconds, then
   start it. Expected: meanwhile every failed request is a 503 page with Retry-After
   (never a 500, never a traceback); afterwards the site answers again by itself.
3. A staff edit saved before the drill is still there afterwards.

Prints what happened in each phase and exits 1 if an expectation is not met.
"""

import http.client
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import PROXY_HEADERS, ROOT, ProductionServer  # noqa: E402

CLIENTS = 12
OUTAGE = 5.0
SETTLE = 3.0  # seconds after a fault is over by which every request must succeed
EDIT = "Fault drill: this remedy was edited before the faults and must survive them."
PATHS = ["/en/codes/APIG.0201/", "/zh-hans/codes/APIG.0308/", "/en/codes/?http_status=429"]


@dataclass
class Outcome:
    at: float
    path: str
    status: int | None  # None: the connection failed
    retry_after: bool = False
    traceback: bool = False


@dataclass
class Load:
    server: ProductionServer
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def client(self) -> None:
        while not self.stop.is_set():
            path = random.choice(PATHS + ["/readyz"])
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            try:
                connection.request("GET", path, headers=PROXY_HEADERS)
                response = connection.getresponse()
                body = response.read()
                outcome = Outcome(
                    time.monotonic(),
                    path,
                    response.status,
                    retry_after=response.getheader("Retry-After") is not None,
                    traceback=b"Traceback" in body or b"OperationalError" in body,
                )
            except (OSError, http.client.HTTPException):
                outcome = Outcome(time.monotonic(), path, None)
            finally:
                connection.close()
            self.outcomes.append(outcome)

    def between(self, start: float, end: float, pages_only: bool = True) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if start <= o.at < end and (not pages_only or o.path != "/readyz")
        ]


def summary(outcomes: list[Outcome]) -> str:
    counts = Counter("failed" if o.status is None else str(o.status) for o in outcomes)
    return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "none"


def check(label: str, ok: bool, problems: list[str]) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {label}")
    if not ok:
        problems.append(label)


def save_edit(server: ProductionServer, text: str) -> str:
    code = (
        "from kb.models import ErrorEntry\n"
        "row = ErrorEntry.objects.get(code='APIG.0308')\n"
        f"row.remedy_en = {text!r} if {text!r} else row.remedy_en\n"
        "row.save()\n"
        "print(ErrorEntry.objects.get(code='APIG.0308').remedy_en)\n"
    )
    return server.manage("shell", "--verbosity", "0", "-c", code).strip()


def main() -> int:
    problems: list[str] = []
    with ProductionServer(workers=3) as server:
        save_edit(server, EDIT)
        load = Load(server)
        threads = [threading.Thread(target=load.client, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        print(f"gunicorn {server.url}, 3 workers, {server.database}; {CLIENTS} clients")
        try:
            time.sleep(3)

            # 1. A worker dies.
            workers = server.worker_pids()
            victim = random.choice(workers)
            killed_at = time.monotonic()
            subprocess.run(["kill", "-KILL", str(victim)], check=True)
            deadline = killed_at + 30
            while time.monotonic() < deadline:
                now = server.worker_pids()
                if len(now) == len(workers) and victim not in now:
                    break
                time.sleep(0.1)
            replaced = time.monotonic() - killed_at
            time.sleep(SETTLE + 2)
            end = time.monotonic()
            during = load.between(killed_at, end, pages_only=False)
            print(f"\nworker {victim} killed: replaced after {replaced:.1f} s")
            print(f"  requests since: {summary(during)}")
            failed = [o for o in during if o.status != 200]
            check(
                "at most the killed worker's request in flight failed",
                len(failed) <= 1,
                problems,
            )
            check("gunicorn replaced the worker", len(server.worker_pids()) == 3, problems)
            check(
                "every request succeeds afterwards",
                all(o.status == 200 for o in load.between(end - SETTLE, end)),
                problems,
            )

            # 2. The database goes away, then comes back.
            if server.database == "PostgreSQL":
                stopped_at = time.monotonic()
                subprocess.run([str(ROOT / ".ci" / "postgres"), "stop"], check=True)
                time.sleep(OUTAGE)
                subprocess.run([str(ROOT / ".ci" / "postgres"), "start"], check=True)
                started_at = time.monotonic()
                recovered = server.wait_ready("/en/codes/APIG.0201/", within=60)
                time.sleep(SETTLE + 2)
                end = time.monotonic()
                outage = load.between(stopped_at, started_at)
                probes = load.between(stopped_at, started_at, pages_only=False)
                print(
                    f"\nPostgreSQL stopped for {started_at - stopped_at:.1f} s; pages answered "
                    f"again {recovered:.1f} s after it started"
                )
                print(f"  requests while stopped: {summary(outage)}")
                print(f"  requests since restart: {summary(load.between(started_at, end))}")
                unclean = [
                    o for o in outage if o.status != 200 and not (o.status == 503 and o.retry_after)
                ]
                check(
                    "the outage was felt (503 pages)",
                    any(o.status == 503 for o in outage),
                    problems,
                )
                check(
                    "every failure was a 503 page with Retry-After, no 500, no traceback",
                    not unclean and not any(o.traceback for o in load.outcomes),
                    problems,
                )
                check(
                    "/readyz said not ready during the outage",
                    any(o.path == "/readyz" and o.status == 503 for o in probes),
                    problems,
                )
                check(
                    "every request succeeds after recovery",
                    all(o.status == 200 for o in load.between(end - SETTLE, end, False)),
                    problems,
                )
            else:
                print("\nSQLite has no server to stop: the database outage needs DATABASE_URL")
        finally:
            load.stop.set()
            for thread in threads:
                thread.join(timeout=15)

        # 3. Nothing stored was lost.
        print(f"\n{len(load.outcomes)} requests in all: {summary(load.outcomes)}")
        check(
            "the staff edit saved before the faults is intact",
            save_edit(server, "") == EDIT,
            problems,
        )
        # Extension point: row feedback posts during the drill and checks each accepted one.

    print(
        "\nresult: "
        + ("all expectations met" if not problems else "FAILED: " + "; ".join(problems))
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
