"""Search latency at scale: the real catalog among 100,000 distractor rows, per query kind.

    .venv/bin/python bench/search_speed.py                 # SQLite (in memory)
    DATABASE_URL=postgres://... .venv/bin/python bench/search_speed.py
    .venv/bin/python bench/search_speed.py --rows 20000    # a quicker run

The distractors (bench/distractors.py) share the real catalog's phrases and code families,
so look-ups by a common phrase meet thousands of rows. The queries are the evaluation set's
(bench/evaluation.py), each timed four ways:
- `cold`: the first run of the query with the engine's caches of rows and look-ups
  emptied, the rows' readings too (`forget_row_texts`): a worker that read none of the
  rows the query meets since its start. What a worker holds from its start for as long
  as the catalog's first rows are the same (their readings: `hold_first_rows`, the
  catalog's own rows, read again after an edit only for the edited row) and what it
  reads once per catalog version is kept: the index's word counts, the aliases' keys,
  which of the first rows hold each token (`known_rows`) and the first rows' message
  keys by token (`first_rows_said`);
- `unique`: a variant seen for the first time (a new request ID, where the paste has one),
  caches as a busy worker has them: the catalog's rows read at the worker's start
  (`start_worker`, kb/worker.py) and what the searches of the cases before it left
  there, never its own cold run's (a pass of its own, after the cold one): what a
  customer's own paste costs;
- `warm`: the same text again, right after, ranked afresh (the rankings the engine keeps
  forgotten);
- `repeat`: the same text once more, its ranking kept: a text asked again (the address a
  search box post is sent on to, a shared link).
Every answer is checked against the case's expected row; `wrong_at_scale` counts the cases
whose first result was right on the real catalog alone but is wrong here, by what took
first place: a twin (a distractor made from the expected row: the same failure said of
another service, bench/distractors.py), another distractor, another row of the real
catalog, or nothing. `-v` lists them,
except the held-out cases' (bench/evaluation.py: never looked at one by one). `gc_p99`
is how long Python's garbage collections ran inside the search at the p99 (of a kind of a
few dozen cases, its slowest search): whether a slow search was the collector's. The last
line is `p99_ms_max=<worst p99 of any kind and way>`.
"""

import argparse
import gc
import os
import re
import statistics
import sys
import time
import uuid
from collections import defaultdict
from io import StringIO

from _django import setup_throwaway_database
from distractors import analyze, first_place, load_distractors
from evaluation import held_out, load_cases, right_keys

REQUEST_ID_RE = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
NO_MATCH = ["xylophone quartz", "APIG.9999 xylophone", "嗯嗯嗯嗯", "zzzz qqqq", "bcdfgh jklmn"]


def unique_variant(text: str) -> str:
    return REQUEST_ID_RE.sub(lambda m: uuid.uuid4().hex[: len(m.group())], text)


def percentile(values: list, share: float):
    """The value at `share` of the way through `values` sorted (tuples by their first)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Milliseconds the garbage collector ran since the last search began (`gc.callbacks`).
_collecting = {"since": 0.0, "ms": 0.0}


def _count_collection(phase: str, _info: dict) -> None:
    if phase == "start":
        _collecting["since"] = time.perf_counter()
    else:
        _collecting["ms"] += (time.perf_counter() - _collecting["since"]) * 1000


def timed(text: str) -> tuple[tuple[float, float, float], list[tuple]]:
    """(wall, CPU, garbage collection) milliseconds of one search, and the rows it
    ranked. The CPU time is this process's: with PostgreSQL the server's work is in the
    wall time only. The collections are the ones that ran during the search, whatever
    made them due."""
    from kb.search.engine import search

    _collecting["ms"] = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    hits = search(text).hits
    spent = (
        (time.perf_counter() - started) * 1000,
        (time.process_time() - cpu) * 1000,
        _collecting["ms"],
    )
    return spent, [tuple(hit.entry.natural_key()) for hit in hits]


def measure(cases: list[dict]) -> tuple[dict, dict[int, list[tuple]]]:
    """Timings per (kind, way), and the rows each case's cold search ranked."""
    from kb.search.engine import forget_rankings, forget_row_texts
    from kb.search.index import forget_row_lookups
    from kb.worker import start_worker

    def forget_rows() -> None:
        # A cold search: the rows' readings and look-ups forgotten, what a worker holds
        # from its start and reads once per catalog version kept (`cold` above).
        forget_row_texts()
        forget_row_lookups()
        forget_rankings()

    if _count_collection not in gc.callbacks:
        gc.callbacks.append(_count_collection)
    timings: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    ranked: dict[int, list[tuple]] = {}
    # A worker started as every worker does (kb/worker.py), its reading of the rows then
    # forgotten before each case.
    start_worker()
    for number, case in enumerate(cases):
        forget_rows()
        elapsed, ranked[number] = timed(case["query"])
        timings[case["kind"], "cold"].append(elapsed)
    # A text seen for the first time meets what the searches before it left in the caches
    # (the words and rows they looked up), never its own cold run's, in a worker that has
    # read the catalog's rows at its start (kb/worker.py); what it reads once per catalog
    # version is the same as the cold pass kept.
    forget_rows()
    start_worker()
    for case in cases:
        kind, text = case["kind"], case["query"]
        forget_rankings()
        timings[kind, "unique"].append(timed(unique_variant(text))[0])
        forget_rankings()
        timings[kind, "warm"].append(timed(text)[0])
        timings[kind, "repeat"].append(timed(text)[0])
    return timings, ranked


def right_first(case: dict, keys: list[tuple]) -> bool:
    return bool(keys) and keys[0] in right_keys(case)


def report_changes(cases, alone, at_scale, real: set[tuple], verbose: bool) -> None:
    """The answers right on the real catalog alone and wrong among the distractors."""
    changed = {"twin": 0, "distractor": 0, "real_row": 0, "nothing": 0}
    for number, case in enumerate(cases):
        if not right_first(case, alone[number]) or right_first(case, at_scale[number]):
            continue
        changed[first_place(at_scale[number], tuple(case["expect"]), real)] += 1
        if verbose and not held_out(case):
            print(f"CHANGED [{case['kind']}] {case['query'][:100]!r}")
            print(f"     expected {case['expect']}, got {at_scale[number][:2]}")
    print(
        f"answers_checked={len(cases)} wrong_at_scale={sum(changed.values())} "
        + " ".join(f"first_{name}={count}" for name, count in changed.items())
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="distractor rows (100000)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the changed answers")
    args = parser.parse_args()

    cases = load_cases() + [
        {"kind": "no_match", "query": text, "expect": ["-", "-", 0, "-"]} for text in NO_MATCH
    ]
    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command
        from django.db import connection

        from kb.models import ErrorEntry

        call_command("import_catalog", stdout=StringIO())
        _, alone = measure(cases)
        real = {tuple(entry.natural_key()) for entry in ErrorEntry.objects.all()}
        started = time.perf_counter()
        load_distractors(args.rows)
        analyze()
        seconds = time.perf_counter() - started
        print(
            f"database={connection.vendor} rows={ErrorEntry.objects.count()} "
            f"load_seconds={seconds:.1f} cases={len(cases)} "
            f"load_average={os.getloadavg()[0]:.1f}"
        )
        timings, at_scale = measure(cases)
        # gc_p99: how long garbage collections ran inside the search whose wall time is
        # the p99 (of a kind of few cases, its slowest search).
        print(
            f"{'kind':<22}{'way':<8}{'queries':>8}{'p50_ms':>9}{'p99_ms':>9}"
            f"{'cpu_p50':>9}{'cpu_p99':>9}{'gc_p99':>8}"
        )
        worst = defaultdict(float)
        for kind, way in sorted(timings):
            values = [wall for wall, _cpu, _gc in timings[kind, way]]
            cpu = [cpu for _wall, cpu, _gc in timings[kind, way]]
            p99, _cpu, collected = percentile(timings[kind, way], 0.99)
            worst[way] = max(worst[way], p99)
            print(
                f"{kind:<22}{way:<8}{len(values):>8}{statistics.median(values):>9.2f}{p99:>9.2f}"
                f"{statistics.median(cpu):>9.2f}{percentile(cpu, 0.99):>9.2f}{collected:>8.2f}"
            )
        report_changes(cases, alone, at_scale, real, args.verbose)
        print(" ".join(f"p99_ms_max_{way}={value:.2f}" for way, value in sorted(worst.items())))
        print(f"p99_ms_max={max(worst.values()):.2f}")
    finally:
        teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
