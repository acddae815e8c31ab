"""Search quality on our evaluation set: top-1 and top-3 accuracy per kind and overall.

    .venv/bin/python bench/search_quality.py            # SQLite in memory
    DATABASE_URL=postgres://... .venv/bin/python bench/search_quality.py

A case passes at rank k when the expected row, or one listed as equally right
("also"), is among the first k results. It also counts queries that carry a
known code but got a row of another code first (must be zero).
"""

import json
import sys
from collections import defaultdict
from io import StringIO
from pathlib import Path

from _django import setup_throwaway_database

CASES = Path(__file__).resolve().parent / "search_cases.json"


def main(verbose: bool = False) -> int:
    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command

        from kb.codes import CODE_RE
        from kb.models import ErrorEntry
        from kb.search.engine import search

        call_command("import_catalog", stdout=StringIO())
        known_codes = set(ErrorEntry.objects.values_list("code", flat=True))
        cases = json.loads(CASES.read_text(encoding="utf-8"))
        totals = defaultdict(lambda: [0, 0, 0])  # cases, top-1, top-3
        wrong_code_first = 0
        for case in cases:
            right = {tuple(case["expect"])} | {tuple(key) for key in case.get("also", [])}
            keys = [tuple(hit.entry.natural_key()) for hit in search(case["query"]).hits]
            for kind in (case["kind"], "overall"):
                totals[kind][0] += 1
                totals[kind][1] += bool(keys[:1]) and keys[0] in right
                totals[kind][2] += any(key in right for key in keys[:3])
            codes = {f"{m.group(1).upper()}.{m.group(2)}" for m in CODE_RE.finditer(case["query"])}
            if keys and codes & known_codes and keys[0][1] not in codes:
                wrong_code_first += 1
            if verbose and (not keys or keys[0] not in right):
                print(f"MISS [{case['kind']}] {case['query'][:90]!r}")
                print(f"     expected {case['expect']}, got {keys[:3]}")
        print(f"{'kind':<22}{'cases':>6}{'top-1':>9}{'top-3':>9}")
        for kind in sorted(totals, key=lambda k: (k == "overall", k)):
            count, top1, top3 = totals[kind]
            print(f"{kind:<22}{count:>6}{100 * top1 / count:>8.1f}%{100 * top3 / count:>8.1f}%")
        print(f"wrong_code_ranked_first={wrong_code_first}")
        count, top1, top3 = totals["overall"]
        print(f"top1_overall={100 * top1 / count:.1f} top3_overall={100 * top3 / count:.1f}")
    finally:
        teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main(verbose="-v" in sys.argv))
