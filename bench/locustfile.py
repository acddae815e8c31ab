"""Mixed reader traffic for bench/load.py (locust, headless).

Each simulated client sends its next request as soon as the last one is answered.
Request names group URLs into endpoints for the report. Tags select one endpoint
for the "alone" phases (`--tags healthz`). Every reader's request comes through the
proxy with an address of its own (bench/server.py's `reader_headers`), as a public
site's many readers' do: a search without a sure answer is counted in the unknown-error
queue as a new reader's would be, and feedback is limited per reader. `/healthz` is a
load balancer's probe, with no reader's address.

Searches come three ways. `search described` (and the API) take the queries of the
evaluation set, about five thousand, mostly descriptions: few come back to a worker that
still keeps their ranking, so most are ranked afresh. `search repeated` takes 200 of them
(bench/evaluation.py's `repeated_queries`), the same in every run, which come back again
and again: a worker ranks each once and keeps it (the cached search page; a code alone is
answered by the page cache).
`search unique` sends pastes that no one sent before, as customers' own are: each has
its own request ID, time, numbers and wording (bench/pastes.py), so that no cache of a
paste or of its shape can answer it; one in CHECK_EVERY is checked for the pasted code
as the first row (the count goes to KB_BENCH_CHECKS for load.py). Feedback posts carry
an identifier in their comment; each accepted one is recorded with `accepted()`, and
load.py checks afterwards that every one is stored.
"""

import json
import os
import random
import re
import sys
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
sys.path.insert(0, str(ROOT / "bench"))
from evaluation import load_cases, repeated_queries  # noqa: E402
from pastes import unique_paste  # noqa: E402
from server import PROXY_HEADERS, reader_headers  # noqa: E402

SEARCHES = [case["query"] for case in load_cases()]
REPEATED = repeated_queries()
ROW_IDS = [int(n) for n in os.environ.get("KB_BENCH_ROW_IDS", "").split(",") if n]
LANGUAGES = ["zh-hans", "en"]

# Bounds: the run stops by itself after this many requests, whatever --run-time says.
MAX_REQUESTS = int(os.environ.get("KB_BENCH_MAX_REQUESTS", "2000000"))
ACCEPTED_FILE = os.environ.get("KB_BENCH_ACCEPTED", "")
# One unique search in CHECK_EVERY is checked: the pasted code is the first row shown.
CHECK_EVERY = 10
CHECKS_FILE = os.environ.get("KB_BENCH_CHECKS", "")
FIRST_CODE_RE = re.compile(r'id="hit-1"><a href="[^"]*">([^<]+)</a>')
_sent = 0
_posts = 0
_accepted: list[str] = []
_checks = {"checked": 0, "wrong": 0}


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
    if CHECKS_FILE:
        Path(CHECKS_FILE).write_text(json.dumps(_checks))


def accepted(identifier: str) -> None:
    """Record a write the server accepted, for load.py's lost-write check."""
    _accepted.append(identifier)


class Reader(FastHttpUser):
    wait_time = constant(0)

    def get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers=reader_headers())

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
        # A load balancer's probe, sent to the host itself: no reader's address.
        self.client.get("/healthz", name="healthz", headers=PROXY_HEADERS)

    def search(self, text: str, name: str, code: str = "") -> None:
        """GET the results page; with `code`, check that it is the first row shown."""
        # A code alone answers with a redirect to its row; the redirect is not followed.
        with self.client.get(
            f"/{random.choice(LANGUAGES)}/search/",
            params={"q": text},
            name=name,
            headers=reader_headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if not code or response.status_code != 200:
                return  # locust counts an error status as a failure by itself
            _checks["checked"] += 1
            first = FIRST_CODE_RE.search(response.text or "")
            if not first or first.group(1) != code:
                _checks["wrong"] += 1
                response.failure(f"pasted {code}, first row {first and first.group(1)}")

    @tag("search described")
    @task(1)
    def search_described(self):
        self.search(random.choice(SEARCHES), "search described")

    @tag("search repeated")
    @task(1)
    def search_repeated(self):
        self.search(random.choice(REPEATED), "search repeated")

    @tag("search unique")
    @task(2)
    def search_unique(self):
        paste, code = unique_paste()
        self.search(paste, "search unique", code if random.randrange(CHECK_EVERY) == 0 else "")

    @tag("api")
    @task(2)
    def api(self):
        self.client.get(
            "/api/v1/search",
            params={"q": random.choice(SEARCHES), "lang": random.choice(LANGUAGES)},
            name="api search",
            headers=reader_headers(),
        )

    @tag("feedback")
    @task(1)
    def feedback(self):
        global _posts
        _posts += 1
        identifier = f"bench {os.getpid()} {_posts}"
        with self.client.post(
            f"/en/rows/{random.choice(ROW_IDS)}/feedback/",
            data={"helpful": random.choice(["yes", "no"]), "comment": identifier},
            name="feedback",
            headers=reader_headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                accepted(identifier)
                response.success()
            else:
                response.failure(f"feedback answered {response.status_code}")
