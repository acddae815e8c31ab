"""Mixed reader traffic for bench/load.py (locust, headless).

Each simulated client sends its next request as soon as the last one is answered.
Request names group URLs into endpoints for the report. Tags select one endpoint
for the "alone" phases (`--tags healthz`).

Searches come two ways. `search repeated` (and the API) take the queries of the
evaluation set, so the same texts come back and a page cache may answer them.
`search unique` sends pastes that no one sent before, as customers' own are: each has
its own request ID, time, numbers and wording (`unique_paste()`), so that no cache of a
paste or of its shape can answer it. Feedback posts carry an identifier in their
comment; each accepted one is recorded with `accepted()`, and load.py checks
afterwards that every one is stored.
"""

import json
import os
import random
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
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
from evaluation import load_cases  # noqa: E402

SEARCHES = [case["query"] for case in load_cases()]
ROWS = [
    (o["fields"]["code"], o["fields"]["http_status"], o["fields"]["message_en"])
    for o in CATALOG
    if o["model"] == "kb.errorentry"
]
ROW_IDS = [int(n) for n in os.environ.get("KB_BENCH_ROW_IDS", "").split(",") if n]
LANGUAGES = ["zh-hans", "en"]
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy sends

# Bounds: the run stops by itself after this many requests, whatever --run-time says.
MAX_REQUESTS = int(os.environ.get("KB_BENCH_MAX_REQUESTS", "2000000"))
ACCEPTED_FILE = os.environ.get("KB_BENCH_ACCEPTED", "")
_sent = 0
_posts = 0
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


def _detail(code: str) -> str:
    """Detail the gateway adds after the message, with numbers of this call's own."""
    now = datetime.now(UTC) - timedelta(seconds=random.randint(0, 86_400))
    if code.endswith((".0301", ".0303")):
        signed = now - timedelta(minutes=random.randint(16, 600))
        return f"Signature expired: {signed:%Y%m%dT%H%M%SZ} now is {now:%Y%m%dT%H%M%SZ}"
    if code.endswith(".0308"):
        kind = random.choice(["ip", "api", "user", "app"])
        unit = random.choice(["second", "minute", "hour"])
        return f"policy {kind} over ratelimit,limit:{random.randint(1, 9999)},time:1 {unit}"
    if code.endswith(".0402"):
        return f"ip {random.randint(1, 223)}.{random.randint(0, 255)}.0.{random.randint(1, 254)}"
    return random.choice(["", "", f"backend {uuid.uuid4().hex[:8]}", "details omitted"])


def unique_paste() -> str:
    """An error as one failed call prints it: JSON, curl -i, an SDK exception or a log line."""
    code, status, message = random.choice(ROWS)
    # The gateway fills in a message's placeholder ("{xxx}") with this call's value.
    message = re.sub(r"\{[^}]*\}", lambda _: f"v{random.randint(1, 999)}", message)
    detail = _detail(code)
    text = f"{message.rstrip('.')}: {detail}" if detail else message
    request_id = uuid.uuid4().hex
    body = json.dumps({"error_msg": text, "error_code": code, "request_id": request_id})
    stamp = datetime.now(UTC) - timedelta(seconds=random.randint(0, 86_400))
    shape = random.randrange(4)
    if shape == 0:
        return body
    if shape == 1:
        return (
            f"HTTP/1.1 {status} \nDate: {stamp:%a, %d %b %Y %H:%M:%S GMT}\n"
            f"X-Request-Id: {request_id}\nContent-Type: application/json\n\n{body}"
        )
    if shape == 2:
        return (
            "huaweicloudsdkcore.exceptions.exceptions.ClientRequestException: "
            f"{{status_code:{status},request_id:{request_id},error_code:{code},"
            f"error_msg:{text}}}"
        )
    return (
        f"{stamp:%Y-%m-%d %H:%M:%S},{random.randint(0, 999):03d} ERROR "
        f"[worker-{random.randint(1, 64)}] GET /v1/orders/{random.randint(1, 10**6)} "
        f"failed with {status}: {body}"
    )


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

    def search(self, text: str, name: str) -> None:
        # A code alone answers with a redirect to its row; the redirect is not followed.
        self.client.get(
            f"/{random.choice(LANGUAGES)}/search/",
            params={"q": text},
            name=name,
            headers=HEADERS,
            allow_redirects=False,
        )

    @tag("search repeated")
    @task(2)
    def search_repeated(self):
        self.search(random.choice(SEARCHES), "search repeated")

    @tag("search unique")
    @task(2)
    def search_unique(self):
        self.search(unique_paste(), "search unique")

    @tag("api")
    @task(2)
    def api(self):
        self.client.get(
            "/api/v1/search",
            params={"q": random.choice(SEARCHES), "lang": random.choice(LANGUAGES)},
            name="api search",
            headers=HEADERS,
        )

    @tag("feedback")
    @task(1)
    def feedback(self):
        global _posts
        _posts += 1
        identifier = f"bench {os.getpid()} {_posts}"
        # Each answer from its own client address (198.18.0.0/15, the range set aside for
        # benchmarks; only a header, no traffic goes there), as many readers would send them.
        client = f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        with self.client.post(
            f"/en/rows/{random.choice(ROW_IDS)}/feedback/",
            data={"helpful": random.choice(["yes", "no"]), "comment": identifier},
            name="feedback",
            headers={**HEADERS, "X-Forwarded-For": client},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                accepted(identifier)
                response.success()
            else:
                response.failure(f"feedback answered {response.status_code}")
