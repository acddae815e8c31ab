"""Mixed reader traffic for bench/load.py (locust, headless).

Each simulated client sends its next request as soon as the last one is answered.
Request names group URLs into endpoints for the report. Tags select one endpoint
for the "alone" phases (`--tags healthz`).

Extension points:
- search page and JSON API: add tasks tagged "search page" and "api", with queries
  of every kind (code, message, pasted JSON response, Chinese text); load.py
  measures "search page" alone when its tag exists in ALONE_PHASES.
- feedback posts: add a task tagged "feedback" that posts, and on each accepted
  post calls `accepted(identifier)`; load.py then checks every one is stored.
"""

import json
import os
import random
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, tag, task

ROOT = Path(__file__).resolve().parent.parent
CATALOG = json.loads((ROOT / "fixtures" / "catalog.json").read_text(encoding="utf-8"))
CODES = sorted({o["fields"]["code"] for o in CATALOG if o["model"] == "kb.errorentry"})
STATUSES = sorted({o["fields"]["http_status"] for o in CATALOG if o["model"] == "kb.errorentry"})
CATEGORIES = [o["fields"]["slug"] for o in CATALOG if o["model"] == "kb.category"]
FAQS = [o["fields"]["slug"] for o in CATALOG if o["model"] == "kb.faqarticle"]
WORDS = ["throttling", "签名", "timeout", "APIG.03", "backend", "流控", "token"]
LANGUAGES = ["zh-hans", "en"]
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy sends

# Bounds: the run stops by itself after this many requests, whatever --run-time says.
MAX_REQUESTS = int(os.environ.get("KB_BENCH_MAX_REQUESTS", "2000000"))
ACCEPTED_FILE = os.environ.get("KB_BENCH_ACCEPTED", "")
_sent = 0
_accepted: list[str] = []


_environment = None


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _count(**kwargs):
    global _sent
    _sent += 1
    if _sent == MAX_REQUESTS and _environment is not None and _environment.runner is not None:
        gevent.spawn(_environment.runner.quit)


@events.quitting.add_listener
def _write_accepted(environment, **kwargs):
    if ACCEPTED_FILE:
        Path(ACCEPTED_FILE).write_text("".join(f"{item}\n" for item in _accepted))


def accepted(identifier: str) -> None:
    """Record a write the server accepted, for load.py's lost-write check."""
    _accepted.append(identifier)


class Reader(FastHttpUser):
    wait_time = constant(0)

    def get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers=HEADERS)

    @tag("code page")
    @task(6)
    def code_page(self):
        self.get(f"/{random.choice(LANGUAGES)}/codes/{random.choice(CODES)}/", "code page")

    @tag("code list")
    @task(3)
    def code_list(self):
        choice = random.random()
        if choice < 0.3:
            query = f"?http_status={random.choice(STATUSES)}"
        elif choice < 0.6:
            query = f"?category={random.choice(CATEGORIES)}"
        elif choice < 0.9:
            query = f"?q={random.choice(WORDS)}"
        else:
            query = "?page=2"
        self.get(f"/{random.choice(LANGUAGES)}/codes/{query}", "code list")

    @tag("home")
    @task(2)
    def home(self):
        self.get(f"/{random.choice(LANGUAGES)}/", "home")

    @tag("faq")
    @task(1)
    def faq(self):
        if random.random() < 0.2:
            self.get(f"/{random.choice(LANGUAGES)}/faq/", "faq list")
        else:
            self.get(f"/{random.choice(LANGUAGES)}/faq/{random.choice(FAQS)}/", "faq article")

    @tag("healthz")
    @task(1)
    def healthz(self):
        self.get("/healthz", "healthz")

    # @tag("search page") @task(4) def search_page(self): ...   kb/search, when it lands
    # @tag("api") @task(2) def api(self): ...                   JSON API, when it lands
    # @tag("feedback") @task(1) def feedback(self): ... accepted(id)   row feedback
