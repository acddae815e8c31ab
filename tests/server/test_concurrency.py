"""Writers at the same moment, for real: gunicorn with several workers and threads, each
with its own database connection, and clients that start together (a barrier)."""

import json
import threading
import uuid

import pytest

from bench.server import ProductionServer, database_url, fresh_database
from tests.server.conftest import Site
from tests.server.staff import log_in, make_editor, open_change_form, row_path, save_change_form

LIMIT = 7  # FEEDBACK_RATE_LIMIT of this server
AT_ONCE = 20


@pytest.fixture(scope="module")
def server():
    """Two workers of eight threads: sixteen requests in the database at one time."""
    env = {"FEEDBACK_RATE_LIMIT": str(LIMIT)}
    with (
        fresh_database(database_url()) as url,
        ProductionServer(
            workers=2, worker_class="gthread", threads=8, database_url=url, env=env
        ) as server,
    ):
        yield server


def at_once(calls):
    """Run each call in its own thread, all released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=30)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def shell(server, code: str) -> str:
    return server.manage(
        "shell", "--verbosity", "0", "-c", "from kb.models import *\n" + code
    ).strip()


def test_of_two_saves_from_forms_opened_at_one_revision_exactly_one_goes_through(server):
    path = row_path(server, "APIG.0308", 429)
    editors = []
    for name in ("lin", "mei"):
        make_editor(server, name, f"pw-{name}-concurrent-1")
        site = Site(server.url)
        log_in(site, name, f"pw-{name}-concurrent-1")
        editors.append((name, site, open_change_form(site, path)))

    responses = at_once(
        [
            lambda name=name, site=site, form=form: save_change_form(
                site, path, form, remedy_en=f"Remedy typed by {name}."
            )
            for name, site, form in editors
        ]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 302], statuses
    winner = editors[[r.status_code for r in responses].index(302)][0]
    loser = responses[[r.status_code for r in responses].index(200)]
    assert "Your changes were not saved" in loser.text
    assert f"{winner} saved this item at" in loser.text
    stored = shell(server, "print(ErrorEntry.objects.get(code='APIG.0308').remedy_en)")
    assert stored == f"Remedy typed by {winner}."


def test_twenty_feedback_posts_at_once_from_one_client_pass_the_limit_exactly(server):
    pk = shell(server, "print(ErrorEntry.objects.get(code='APIG.0201', http_status=413).pk)")
    client = Site(server.url)
    headers = {"X-Forwarded-For": "198.51.100.20", "Sec-Fetch-Site": "same-origin"}

    responses = at_once(
        [
            lambda i=i: client.post(
                f"/en/rows/{pk}/feedback/",
                data={"helpful": "no", "comment": f"post {i}"},
                headers=headers,
            )
            for i in range(AT_ONCE)
        ]
    )

    statuses = [response.status_code for response in responses]
    assert statuses.count(302) == LIMIT, statuses
    assert statuses.count(429) == AT_ONCE - LIMIT, statuses
    stored = shell(server, f"print(Feedback.objects.filter(entry_id={pk}).count())")
    assert int(stored) == LIMIT


def test_twenty_identical_first_time_searches_at_once_are_one_queue_entry(server):
    text = f"frobnicated gateway {uuid.uuid4().hex[:8]} weirdness"
    clients = [Site(server.url) for _ in range(AT_ONCE)]

    responses = at_once(
        [
            lambda i=i, client=client: client.get(
                "/en/search/",
                params={"q": text},
                headers={"X-Forwarded-For": f"198.51.100.{100 + i}"},
            )
            for i, client in enumerate(clients)
        ]
    )

    statuses = [response.status_code for response in responses]
    assert statuses == [200] * AT_ONCE, server.log()[-5000:]
    groups = f"UnansweredSearch.objects.filter(text={text!r})"
    counts = shell(server, f"print(list({groups}.values_list('count', flat=True)))")
    assert counts == f"[{AT_ONCE}]"


@pytest.fixture(scope="module")
def make_run_server():
    """Three sync workers, as `make run` serves (on SQLite unless DATABASE_URL is set)."""
    with (
        fresh_database(database_url()) as url,
        ProductionServer(workers=3, database_url=url) as server,
    ):
        yield server


def test_mixed_reads_and_writes_lose_nothing_and_never_fail(make_run_server):
    server = make_run_server
    path = row_path(server, "APIG.0201", 504)
    pk = path.split("/")[-3]
    make_editor(server, "ada", "pw-ada-mixed-1")
    stop = threading.Event()
    statuses: list[int] = []
    accepted_feedback: list[str] = []
    queued: dict[str, int] = {}
    saved_edits: list[str] = []

    def reader(n):
        site = Site(server.url)
        pages = ["/en/codes/APIG.0201/", "/zh-hans/codes/?http_status=429", "/en/faq/"]
        pages.append("/en/search/?q=APIG.0308+throttling+threshold")
        while not stop.is_set():
            statuses.append(site.get(pages[len(statuses) % len(pages)]).status_code)

    def feedback(n):
        site, i = Site(server.url), 0
        while not stop.is_set():
            i += 1
            comment = f"mixed feedback {n}-{i}"
            response = site.post(
                f"/en/rows/{pk}/feedback/",
                data={"helpful": "yes", "comment": comment},
                # Each post from its own reader: the rate limit is not what this tests.
                headers={
                    "X-Forwarded-For": f"10.{n}.{i // 250}.{i % 250}",
                    "Sec-Fetch-Site": "same-origin",
                },
            )
            statuses.append(response.status_code)
            if response.status_code == 302:
                accepted_feedback.append(comment)

    def queue(n):
        site, i = Site(server.url), 0
        while not stop.is_set():
            i += 1
            text = f"zorblax quux {n} {'abcde'[i % 5]}"
            response = site.get(
                "/en/search/",
                params={"q": text},
                # A new client each time: one client counts a group once a window,
                # and this test counts every answered search.
                headers={"X-Forwarded-For": f"10.{100 + n}.{i // 250}.{i % 250}"},
            )
            statuses.append(response.status_code)
            if response.status_code == 200:
                queued[text] = queued.get(text, 0) + 1

    def editor(n):
        site, i = Site(server.url), 0
        log_in(site, "ada", "pw-ada-mixed-1")
        while not stop.is_set():
            i += 1
            remedy = f"Mixed edit {i}: retry after the backend answers."
            response = save_change_form(site, path, open_change_form(site, path), remedy_en=remedy)
            statuses.append(response.status_code)
            if response.status_code == 302:
                saved_edits.append(remedy)

    workers = [reader] * 3 + [feedback] * 3 + [queue] * 2 + [editor]
    threads = [threading.Thread(target=work, args=(n,)) for n, work in enumerate(workers)]
    for thread in threads:
        thread.start()
    stop.wait(10)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses and set(statuses) <= {200, 302}, sorted(set(statuses))
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    assert accepted_feedback and queued and saved_edits
    code = (
        "import json\n"
        f"comments = Feedback.objects.filter(entry_id={pk}).values_list('comment', flat=True)\n"
        "groups = UnansweredSearch.objects.filter(text__startswith='zorblax quux')\n"
        "counts = dict(groups.values_list('text', 'count'))\n"
        f"remedy = ErrorEntry.objects.get(pk={pk}).remedy_en\n"
        "print(json.dumps([list(comments), counts, remedy]))"
    )
    stored = shell(server, code)
    comments, counts, remedy = json.loads(stored)
    assert sorted(comments) == sorted(accepted_feedback)
    assert counts == queued
    assert remedy == saved_edits[-1]
