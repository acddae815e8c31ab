"""The site as production runs it, on 127.0.0.1, for benchmarks, fault drills and the
real-server tests (tests/server/).

`ProductionServer` starts gunicorn with the repository's gunicorn.conf.py and DEBUG=0 on a
free port of 127.0.0.1. Its database is a fresh SQLite file in its own DATA_DIR, or, when
DATABASE_URL names a PostgreSQL server on this machine, that database (`fresh_database()`
makes a new one beside it, for tests). Unless told otherwise it migrates and loads the
catalog first (on SQLite, a copy of the database the process's first server set up) and
serves the static files collected once per process (`collected_static()`). Clients speak
plain HTTP and send X-Forwarded-Proto: https, as the TLS-terminating proxy would.
"""

import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def reader_address(draw: random.Random | None = None) -> str:
    """A reader's address, as the proxy in front forwards it (X-Forwarded-For): one of the
    131,072 of 198.18.0.0/15, the range set aside for benchmarks (only a header: no traffic
    goes there). Drawn afresh for each request, as a public site's many readers send
    theirs: the per-client limits (the unknown-error queue's, feedback's) then count
    each request as a new reader's, not the benchmark's one address as a single reader.
    `draw` keeps a benchmark's other random draws (its pastes) the same for a seed."""
    randint = (draw or random).randint
    return f"198.{randint(18, 19)}.{randint(0, 255)}.{randint(1, 254)}"


def reader_headers() -> dict[str, str]:
    """The proxy's headers on a reader's request: HTTPS, and the reader's address."""
    return {**PROXY_HEADERS, "X-Forwarded-For": reader_address()}


def fill_unknown_error_queue() -> int:
    """Fill the unknown-error queue as a busy site's stands: full (UNANSWERED_MAX_ENTRIES
    groups, seen over the last days), so that each new group an unsure search adds drops
    the oldest, as it does there. In a process with Django set up on the site's database
    (the page profile; `manage.py shell` for a server: `ProductionServer.fill_queue()`).
    The groups a run before this one queued stay, and this one's fillers take the
    places left, afresh (a second run on the same PostgreSQL database met the first
    one's). The number of groups."""
    from django.conf import settings
    from django.utils import timezone

    from kb.models import UnansweredSearch

    UnansweredSearch.objects.filter(normalized__startswith="queued error ").delete()
    places = settings.UNANSWERED_MAX_ENTRIES - UnansweredSearch.objects.count()
    now = timezone.now()
    groups = [
        UnansweredSearch(
            normalized=f"queued error {n}",
            text=f"Queued error {n}",
            language="en",
            first_seen=now - timezone.timedelta(days=3),
            last_seen=now - timezone.timedelta(minutes=n),
        )
        for n in range(max(places, 0))
    ]
    UnansweredSearch.objects.bulk_create(groups, batch_size=500)
    return UnansweredSearch.objects.count()


# Made by the first server of this process that needs them, for every later one: the
# static files (they depend on the repository alone, as a release's do) and, on SQLite,
# a database migrated with the catalog loaded, which each server copies into its
# DATA_DIR. The real-server tests start some twenty servers.
_prepared: dict[str, Path] = {}
_prepared_dir: tempfile.TemporaryDirectory | None = None


def prepared(name: str, make) -> Path:
    """The file or folder `name`, made once per process by `make(path)`."""
    global _prepared_dir
    if name not in _prepared:
        if _prepared_dir is None:
            _prepared_dir = tempfile.TemporaryDirectory(prefix="kb-prepared-")
        path = Path(_prepared_dir.name) / name
        make(path)
        _prepared[name] = path
    return _prepared[name]


def collected_static(env: dict[str, str]) -> Path:
    """The static files, collected once per process with the settings `env` gives."""
    return prepared(
        "static",
        lambda root: manage(
            env, "collectstatic", "--no-input", "--verbosity", "0", STATIC_ROOT=str(root)
        ),
    )


def manage(env: dict[str, str], *args: str, **more_env: str) -> str:
    """Run `manage.py` with the settings `env` (and `more_env`) gives; its standard output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, **more_env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and (urlparse(url).hostname or "") not in LOOPBACK:
        raise SystemExit(f"refusing to run against a database off this machine: {url}")
    return url


@contextlib.contextmanager
def fresh_database(url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database beside the one `url` names, dropped afterwards;
    None (each server then keeps SQLite in its DATA_DIR) when `url` is not PostgreSQL."""
    if not url or not url.startswith("postgres"):
        yield None
        return
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'kb'}_live_{secrets.token_hex(4)}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parts._replace(path=f"/{name}"))
    finally:
        # FORCE ends the servers' sessions; an autovacuum worker, which it may not end,
        # finishes within moments: try again until it has.
        for attempt in range(40):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.errors.InsufficientPrivilege:
                if attempt == 39:
                    raise
                time.sleep(0.25)


class ProductionServer:
    """gunicorn with production settings. `database_url=None` means a SQLite file in this
    server's own DATA_DIR; two servers given one PostgreSQL URL are two hosts of one site."""

    def __init__(
        self,
        workers: int = 5,
        worker_class: str = "sync",
        threads: int = 1,
        database_url: str | None = "from-environment",
        env: dict[str, str] | None = None,
        setup: bool = True,
        ready_path: str = "/readyz",
    ):
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.setup = setup
        # What answers 200 once it serves: /healthz for a server whose database is down.
        self.ready_path = ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tempfile.TemporaryDirectory(prefix="kb-server-")
        self.data_dir = Path(self.tmp.name)
        self.log_path = self.data_dir / "gunicorn.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATA_DIR": self.tmp.name,
            "LOG_LEVEL": "WARNING",
            # One proxy in front, as in production, on this machine: the load sends each
            # reader's request with its own client address in X-Forwarded-For
            # (`reader_headers()`), so the limits are per reader.
            "TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.env.pop("DATABASE_URL", None)
        if database_url == "from-environment":
            database_url = globals()["database_url"]()
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.database = "PostgreSQL" if database_url else "SQLite"
        self.process: subprocess.Popen | None = None

    def fill_queue(self) -> int:
        """This server's unknown-error queue filled as a busy site's stands
        (`fill_unknown_error_queue`); the number of groups."""
        code = "from bench.server import fill_unknown_error_queue as fill; print(fill())"
        return int(self.manage("shell", "--no-imports", "-c", code).strip())

    def manage(self, *args: str, **env: str) -> str:
        """Run `manage.py` with this server's settings and database (and `env` added);
        its standard output."""
        return manage(self.env, *args, **env)

    def __enter__(self) -> "ProductionServer":
        self.env["STATIC_ROOT"] = str(collected_static(self.env))
        if self.setup and self.database == "SQLite":
            shutil.copyfile(prepared("kb.sqlite3", self._set_up), self.data_dir / "kb.sqlite3")
        elif self.setup:
            self._set_up()
        self.start()
        return self

    def _set_up(self, sqlite_file: Path | None = None) -> None:
        """Migrate and load the catalog: into this server's database, or a SQLite file."""
        env = {"DATABASE_URL": f"sqlite:///{sqlite_file}"} if sqlite_file else {}
        self.manage("migrate", "--no-input", "--verbosity", "0", **env)
        self.manage("import_catalog", **env)

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config=gunicorn.conf.py",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                f"--worker-class={self.worker_class}",
                f"--threads={self.threads}",
                "--backlog=2048",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready(self.ready_path)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.tmp.cleanup()

    def log(self, after: str = "", within: float = 5) -> str:
        """Everything gunicorn and the app wrote: the access log and the error log. With
        `after`, waits (up to `within` seconds) until that text is in it: a worker writes
        its access-log line only once the response is sent."""
        deadline = time.monotonic() + within
        while True:
            text = self.log_path.read_text(errors="replace")
            if after in text or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def get(self, path: str, timeout: float = 5) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.url + path, headers=PROXY_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def wait_ready(self, path: str = "/readyz", within: float = 60) -> float:
        """Seconds until `path` answers 200; raises after `within` seconds."""
        start = time.monotonic()
        while time.monotonic() - start < within:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()[-3000:]}")
            try:
                if self.get(path, timeout=2)[0] == 200:
                    return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{path} did not answer 200 within {within} s")

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def readyz(self) -> dict:
        status, _, body = self.get("/readyz")
        return {"status": status, **json.loads(body)}
