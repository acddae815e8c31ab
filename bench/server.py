"""The site as production runs it, on 127.0.0.1, for benchmarks and fault drills.

`ProductionServer` migrates and loads its own database (a fresh SQLite file, or
DATABASE_URL if set: it must point at this machine), collects the static files and
starts gunicorn with DEBUG=0 on a free port of 127.0.0.1. Clients speak plain HTTP
and send X-Forwarded-Proto: https, as the TLS-terminating proxy would.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and (urlparse(url).hostname or "") not in LOOPBACK:
        raise SystemExit(f"refusing to run against a database off this machine: {url}")
    return url


class ProductionServer:
    def __init__(self, workers: int = 5, worker_class: str = "sync", threads: int = 1):
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tempfile.TemporaryDirectory(prefix="kb-bench-")
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATA_DIR": self.tmp.name,
            "LOG_LEVEL": "WARNING",
            # One proxy in front, as in production: the load sends each feedback post from
            # its own client address in X-Forwarded-For, so the rate limit is per reader.
            "PROXY_COUNT": "1",
        }
        url = database_url()
        if url:
            self.env["DATABASE_URL"] = url
        self.database = "PostgreSQL" if url and url.startswith("postgres") else "SQLite"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def __enter__(self) -> "ProductionServer":
        self.manage("migrate", "--no-input", "--verbosity", "0")
        self.manage("import_catalog")
        self.manage("collectstatic", "--no-input", "--verbosity", "0")
        log = open(Path(self.tmp.name) / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "kb.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                f"--worker-class={self.worker_class}",
                f"--threads={self.threads}",
                "--backlog=2048",
                "--timeout=30",
                "--graceful-timeout=5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.tmp.cleanup()

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
                raise SystemExit(f"gunicorn exited: see {self.tmp.name}/gunicorn.log")
            try:
                if self.get(path, timeout=2)[0] == 200:
                    return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{path} did not answer 200 within {within} s")

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def readyz(self) -> dict:
        status, _, body = self.get("/readyz")
        return {"status": status, **json.loads(body)}
