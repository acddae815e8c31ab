"""Search latency at scale: a synthetic catalog of 100,000 rows, p50 and p99 per query kind.

    .venv/bin/python bench/search_speed.py                 # SQLite (in memory)
    DATABASE_URL=postgres://... .venv/bin/python bench/search_speed.py
    .venv/bin/python bench/search_speed.py --rows 20000    # a quicker run

The synthetic rows are built from the words of the real catalog (English
messages, Chinese meanings and remedies of realistic lengths), get their derived
search fields from the model's own code and go into the database through the
ORM, so the database's full-text index is filled by its own triggers or index.
The real catalog is imported too, and the queries come from the evaluation set
plus queries that match nothing. The last line is `p99_ms_max=<worst p99>`.
"""

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from io import StringIO
from pathlib import Path

from _django import setup_throwaway_database

CASES = Path(__file__).resolve().parent / "search_cases.json"
BATCH = 2000


def synthetic_rows(count: int, seed: int = 7):
    from kb.models import Category, ErrorEntry

    rng = random.Random(seed)
    real = list(ErrorEntry.objects.all())
    english = sorted(
        {word for e in real for word in re.findall(r"[A-Za-z]+", f"{e.message_en} {e.remedy_en}")}
    )
    chinese = "".join(
        sorted({c for e in real for c in e.meaning_zh + e.remedy_zh if "\u4e00" <= c <= "\u9fff"})
    )
    categories = list(Category.objects.all())
    statuses = [400, 401, 403, 404, 405, 413, 429, 500, 502, 503, 504]

    def words(low, high):
        return " ".join(rng.choice(english) for _ in range(rng.randint(low, high)))

    def han(low, high):
        return "".join(rng.choice(chinese) for _ in range(rng.randint(low, high)))

    for n in range(count):
        code_number = 3000 + n // 15
        yield ErrorEntry(
            catalog="APIG",
            code=f"APIG.{code_number % 10000:04d}",
            http_status=rng.choice(statuses),
            message_en=(words(3, 9) + f" {n}.").capitalize(),
            category=rng.choice(categories),
            sort_order=1000 + n,
            meaning_zh=han(6, 24),
            meaning_en=words(5, 14) + ".",
            remedy_zh=han(12, 60) + "。",
            remedy_en=words(8, 30) + ".",
        )


def load(count: int) -> float:
    from kb.models import ErrorEntry

    started = time.perf_counter()
    batch = []
    for entry in synthetic_rows(count):
        entry.set_derived_fields()
        batch.append(entry)
        if len(batch) == BATCH:
            ErrorEntry.objects.bulk_create(batch)
            batch = []
    if batch:
        ErrorEntry.objects.bulk_create(batch)
    return time.perf_counter() - started


def queries() -> dict[str, list[str]]:
    by_kind = defaultdict(list)
    for case in json.loads(CASES.read_text(encoding="utf-8")):
        by_kind[case["kind"]].append(case["query"])
    rng = random.Random(11)
    by_kind["no_match"] = [
        "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(6, 12)))
        for _ in range(40)
    ] + ["APIG.9999 xylophone", "嗯嗯嗯嗯", "zzzz qqqq"]
    return by_kind


def measure(repeat: int) -> dict[str, list[float]]:
    from kb.search.engine import search

    timings = defaultdict(list)
    for kind, texts in queries().items():
        for text in texts[:3]:
            search(text)  # warm caches and the connection
        for _ in range(repeat):
            for text in texts:
                started = time.perf_counter()
                search(text)
                timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic rows (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (default 3)")
    args = parser.parse_args()

    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command
        from django.db import connection

        from kb.models import ErrorEntry

        call_command("import_catalog", stdout=StringIO())
        seconds = load(args.rows)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: statistics for the planner,
            # and the GIN index's pending entries merged.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE kb_errorentry")
        print(
            f"database={connection.vendor} rows={ErrorEntry.objects.count()} "
            f"load_seconds={seconds:.1f}"
        )
        timings = measure(args.repeat)
        print(f"{'kind':<22}{'queries':>8}{'p50_ms':>9}{'p99_ms':>9}")
        worst = 0.0
        for kind in sorted(timings):
            values = timings[kind]
            p99 = percentile(values, 0.99)
            worst = max(worst, p99)
            print(f"{kind:<22}{len(values):>8}{statistics.median(values):>9.2f}{p99:>9.2f}")
        print(f"p99_ms_max={worst:.2f}")
    finally:
        teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
