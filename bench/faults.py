"""Fault drill: the site under load, with readers and writers, loses a gunicorn worker,
then its database; nothing a client was told is saved may be missing afterwards.

    .venv/bin/python bench/faults.py                                  # SQLite: worker kill
    DATABASE_URL=$(.ci/postgres) .venv/bin/python bench/faults.py     # and a PostgreSQL stop

The PostgreSQL phase stops the cluster that `.ci/postgres` manages (PG_HOME, PG_PORT):
DATABASE_URL must name that cluster's port, and no one else may be using it. For a
cluster of your own: PG_HOME=/tmp/kb-pg-drill PG_PORT=5544 .ci/postgres.

Starts gunicorn with production settings on 127.0.0.1 (bench/server.py). For the whole
drill, which is bounded in time, READERS threads request code pages, the code list and
/readyz, and WRITERS threads post answers to "Did this fix it?", each with a comment
of its own, and write down what the site answered. Then:

1. SIGKILL one gunicorn worker in the middle of the writes. Expected: at most the request
   that worker had in flight fails; gunicorn starts a new worker; posts keep being
   accepted; then every request succeeds.
2. PostgreSQL only: stop the cluster (.ci/postgres stop) for OUTAGE seconds, then start
   it. Expected: meanwhile every failed request, posts included, is a 503 page with
   Retry-After (never a 500, never a traceback); afterwards the site answers again by
   itself and accepts posts.
3. Nothing is lost, nothing is half-written: every post the writers saw accepted is in
   the database, no post refused with a 503 is; a post whose connection broke (the
   killed worker's) may be either. A staff edit saved before the drill is intact.

Prints what happened in each phase, the posts accepted, refused and found afterwards,
and exits 1 if an expectation is not met.
"""

import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from urllib.parse import urlencode, urlparse  # noqa: E402

from bench.server import PROXY_HEADERS, ROOT, ProductionServer  # noqa: E402

READERS = 8
WRITERS = 4
OUTAGE = 5.0
SETTLE = 3.0  # seconds after a fault is over by which every request must succeed
EDIT = "Fault drill: this remedy was edited before the faults and must survive them."
PATHS = ["/en/codes/APIG.0201/", "/zh-hans/codes/APIG.0308/", "/en/codes/?http_status=429"]
POST = "POST"  # the `path` of a post's outcome
# The comments of this drill's posts start with it: the database may hold an earlier drill's.
RUN = f"fault drill {secrets.token_hex(4)} "


@dataclass
class Outcome:
    at: float
    path: str
    status: int | None  # None: the connection failed
    retry_after: bool = False
    traceback: bool = False
    comment: str = ""  # a post's own comment, to look it up afterwards


@dataclass
class Load:
    server: ProductionServer
    row: int  # the row the writers answer for
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def request(self, method: str, path: str, body: str = "", headers=None) -> Outcome:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers or PROXY_HEADERS)
            response = connection.getresponse()
            content = response.read()
            return Outcome(
                time.monotonic(),
                path,
                response.status,
                retry_after=response.getheader("Retry-After") is not None,
                traceback=b"Traceback" in content or b"OperationalError" in content,
            )
        except (OSError, http.client.HTTPException):
            return Outcome(time.monotonic(), path, None)
        finally:
            connection.close()

    def reader(self) -> None:
        while not self.stop.is_set():
            self.outcomes.append(self.request("GET", random.choice(PATHS + ["/readyz"])))

    def writer(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            comment = f"{RUN}{n}-{i}"
            headers = {
                **PROXY_HEADERS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "same-origin",
                # Each post from a reader of its own: the drill is not about the rate limit.
                "X-Forwarded-For": f"10.{n}.{i // 250 % 250}.{i % 250}",
            }
            body = urlencode({"helpful": "no", "comment": comment})
            outcome = self.request("POST", f"/en/rows/{self.row}/feedback/", body, headers)
            outcome.path, outcome.comment = POST, comment
            self.outcomes.append(outcome)

    def posts(self, start: float = 0, end: float = float("inf")) -> list[Outcome]:
        return [o for o in self.outcomes if o.path == POST and start <= o.at < end]

    def between(self, start: float, end: float, pages_only: bool = True) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if start <= o.at < end and (not pages_only or o.path not in ("/readyz", POST))
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


def stored_comments(server: ProductionServer) -> list[str]:
    code = (
        "import json\n"
        "from kb.models import Feedback\n"
        f"posts = Feedback.objects.filter(comment__startswith={RUN!r})\n"
        "print(json.dumps(list(posts.values_list('comment', flat=True))))\n"
    )
    return json.loads(server.manage("shell", "--verbosity", "0", "-c", code))


def sqlite_intact(server: ProductionServer) -> bool:
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA integrity_check')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    return server.manage("shell", "--verbosity", "0", "-c", code).strip() == "ok"


def row_to_answer(server: ProductionServer) -> int:
    code = "from kb.models import ErrorEntry\n"
    code += "print(ErrorEntry.objects.get(code='APIG.0201', http_status=504).pk)"
    return int(server.manage("shell", "--verbosity", "0", "-c", code))


def postgres_control(server: ProductionServer) -> list[str]:
    """The command that stops and starts the cluster the server uses; refuses to touch a
    cluster that is not the one DATABASE_URL names."""
    port = urlparse(server.env["DATABASE_URL"]).port or 5432
    managed = int(os.environ.get("PG_PORT", "5432"))
    if port != managed:
        raise SystemExit(
            f"DATABASE_URL names port {port}, .ci/postgres manages {managed} (PG_PORT): "
            "refusing to stop a cluster the drill does not use"
        )
    return [str(ROOT / ".ci" / "postgres")]


def answered(outcome: Outcome) -> bool:
    return outcome.status in (200, 302)


def main() -> int:
    problems: list[str] = []
    with ProductionServer(workers=3) as server:
        control = postgres_control(server) if server.database == "PostgreSQL" else None
        save_edit(server, EDIT)
        load = Load(server, row_to_answer(server))
        threads = [threading.Thread(target=load.reader, daemon=True) for _ in range(READERS)]
        threads += [
            threading.Thread(target=load.writer, args=(n,), daemon=True) for n in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        print(
            f"gunicorn {server.url}, 3 workers, {server.database}; "
            f"{READERS} readers, {WRITERS} writers of feedback"
        )
        try:
            time.sleep(3)

            # 1. A worker dies in the middle of the writes.
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
            posts = load.posts(killed_at, end)
            print(f"\nworker {victim} killed: replaced after {replaced:.1f} s")
            print(f"  requests since: {summary(during)}")
            print(f"  posts since: {summary(posts)}")
            check(
                "at most the killed worker's request in flight failed",
                len([o for o in during if not answered(o)]) <= 1,
                problems,
            )
            check("gunicorn replaced the worker", len(server.worker_pids()) == 3, problems)
            check(
                "posts kept being accepted",
                any(o.status == 302 for o in posts),
                problems,
            )
            check(
                "every request succeeds afterwards",
                all(answered(o) for o in load.between(end - SETTLE, end, pages_only=False)),
                problems,
            )

            # 2. The database goes away, then comes back.
            if control:
                stopped_at = time.monotonic()
                subprocess.run([*control, "stop"], check=True)
                time.sleep(OUTAGE)
                subprocess.run([*control, "start"], check=True)
                started_at = time.monotonic()
                recovered = server.wait_ready("/en/codes/APIG.0201/", within=60)
                time.sleep(SETTLE + 2)
                end = time.monotonic()
                outage = load.between(stopped_at, started_at, pages_only=False)
                print(
                    f"\nPostgreSQL stopped for {started_at - stopped_at:.1f} s; pages answered "
                    f"again {recovered:.1f} s after it started"
                )
                print(f"  requests while stopped: {summary(load.between(stopped_at, started_at))}")
                print(f"  posts while stopped: {summary(load.posts(stopped_at, started_at))}")
                print(f"  requests since restart: {summary(load.between(started_at, end))}")
                print(f"  posts since restart: {summary(load.posts(started_at, end))}")
                # Pages and posts; /readyz answers a plain 503 to the load balancer.
                unclean = [
                    o
                    for o in outage
                    if o.path != "/readyz"
                    and not answered(o)
                    and not (o.status == 503 and o.retry_after)
                ]
                check(
                    "the outage was felt (503 pages, posts refused)",
                    any(o.status == 503 for o in load.posts(stopped_at, started_at)),
                    problems,
                )
                check(
                    "every failure, posts included, was a 503 page with Retry-After, no 500, "
                    "no traceback",
                    not unclean and not any(o.traceback for o in load.outcomes),
                    problems,
                )
                check(
                    "/readyz said not ready during the outage",
                    any(o.path == "/readyz" and o.status == 503 for o in outage),
                    problems,
                )
                check(
                    "every request succeeds after recovery, posts are accepted again",
                    all(answered(o) for o in load.between(end - SETTLE, end, False))
                    and any(o.status == 302 for o in load.posts(end - SETTLE, end)),
                    problems,
                )
            else:
                print("\nSQLite has no server to stop: the database outage needs DATABASE_URL")
        finally:
            load.stop.set()
            for thread in threads:
                thread.join(timeout=15)

        # 3. Nothing stored was lost, nothing refused was stored.
        print(f"\n{len(load.outcomes)} requests in all: {summary(load.outcomes)}")
        posts = load.posts()
        accepted = {o.comment for o in posts if o.status == 302}
        refused = {o.comment for o in posts if o.status is not None and o.status != 302}
        broken = {o.comment for o in posts if o.status is None}
        stored = stored_comments(server)
        found = set(stored)
        print(
            f"posts: {len(posts)} sent, {len(accepted)} accepted, {len(refused)} refused "
            f"({summary([o for o in posts if o.comment in refused])}), {len(broken)} cut off; "
            f"found afterwards: {len(stored)} ({len(accepted & found)} of the accepted, "
            f"{len(refused & found)} of the refused, {len(broken & found)} of the cut off)"
        )
        check("every accepted post is in the database", accepted <= found, problems)
        check("no refused post is in the database", not refused & found, problems)
        check(
            "nothing else, and nothing twice, is in the database",
            found <= accepted | broken and len(stored) == len(found),
            problems,
        )
        if server.database == "SQLite":
            check("the SQLite file is intact (integrity_check)", sqlite_intact(server), problems)
        check(
            "the staff edit saved before the faults is intact",
            save_edit(server, "") == EDIT,
            problems,
        )

    print(
        "\nresult: "
        + ("all expectations met" if not problems else "FAILED: " + "; ".join(problems))
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
