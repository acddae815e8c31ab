"""Diagnosis quality: on pastes that carry detail, is the right row first, its cause
found, and every fact it computes right? Per split and format.

    .venv/bin/python bench/diagnosis_quality.py                # SQLite in memory
    .venv/bin/python bench/diagnosis_quality.py -v --only tune # list the misses
    DATABASE_URL=postgres://... .venv/bin/python bench/diagnosis_quality.py

The cases (bench/cases/diagnosis_independent.json) were written blind: from the official
tables and the list of causes the product publishes (slug, rows, explanation, the facts
each kind computes), modelled on public error texts where the writer found them
(`provenance`), never from the engine. Each carries `split`: `tune` may guide changes,
`heldout` never does. A case passes when the first result is the expected row, the diagnosis
names the expected cause (`none`: no diagnosis), and every expected fact has the
expected value. `facts right` counts the facts, over the cases whose cause was found.
"""

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime
from io import StringIO
from pathlib import Path

from _django import setup_throwaway_database
from evaluation import rate

CASES = Path(__file__).resolve().parent / "cases" / "diagnosis_independent.json"
# Floors that fail CI (--gate), a little under what was measured on every case: the right
# row first, and the cause and all its facts right.
GATE = {"row first": 100.0, "found and right": 96.0}


def load_cases(path: Path = CASES, only: str | None = None) -> list[dict]:
    cases = json.loads(path.read_text(encoding="utf-8"))
    return [case for case in cases if not only or only in (case["split"], case["format"])]


def flat(facts: dict) -> dict:
    """The API's facts with a nested object's fields also at the top level: the case
    writer read `method` and `path` where the API gives `canonical_request.method`."""
    nested = {k: v for value in facts.values() if isinstance(value, dict) for k, v in value.items()}
    return nested | facts


def same_value(expected, got) -> bool:
    """Facts compared as a reader would: times as instants, words without case, a list
    of header names as the `;`-joined form a signature writes."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return expected == got
    expected, got = (";".join(map(str, v)) if isinstance(v, list) else v for v in (expected, got))
    expected, got = str(expected).strip(), str(got).strip()
    try:
        return _instant(expected) == _instant(got)
    except ValueError:
        return expected.lower() == got.lower()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def diagnose(text: str):
    """The first result's row key and its diagnosis (cause slug, facts), as the API gives."""
    from kb.search.engine import search

    hits = search(text).hits
    if not hits:
        return None, None, {}
    hit = hits[0]
    diagnosis = getattr(hit, "diagnosis", None)
    if diagnosis is None:
        return tuple(hit.entry.natural_key()), None, {}
    return tuple(hit.entry.natural_key()), diagnosis.cause.slug, flat(diagnosis.facts)


def evaluate(cases: list[dict], verbose: bool = False) -> dict[tuple, list[int]]:
    """Per (split, format): [cases, row first, cause found, all right, facts, facts right]."""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    for case in cases:
        key, cause, facts = diagnose(case["text"])
        expect = case["expect"]
        row = key == (
            expect["code"].split(".")[0],
            expect["code"],
            expect["http_status"],
            expect["message"],
        )
        wanted = None if case["cause"] == "none" else case["cause"]
        cause_right = row and cause == wanted
        wrong_facts = {
            name: facts.get(name)
            for name, value in case["facts"].items()
            if not (name in facts and same_value(value, facts[name]))
        }
        counts = totals[(case["split"], case["format"])]
        counts[0] += 1
        counts[1] += row
        counts[2] += cause_right
        counts[3] += cause_right and not wrong_facts
        if cause_right:
            counts[4] += len(case["facts"])
            counts[5] += len(case["facts"]) - len(wrong_facts)
        if verbose and not (cause_right and not wrong_facts):
            print(f"MISS [{case['split']}/{case['format']}] {case['text'][:120]!r}")
            print(f"     expected {expect['code']}/{expect['http_status']} cause={case['cause']}")
            print(f"     got {key and key[1:3]} cause={cause} wrong facts={wrong_facts}")
    return totals


def print_table(totals: dict[tuple, list[int]]) -> dict[str, list[int]]:
    print(f"{'split':<9}{'format':<15}{'cases':>6}{'row 1st':>9}{'cause':>8}{'all':>8}{'facts':>9}")
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for (split, form), counts in sorted(totals.items()):
        for name in (split, "any"):
            sums[name] = [a + b for a, b in zip(sums[name], counts, strict=True)]
        print(_line(split, form, counts))
    for name, counts in sorted(sums.items()):
        print(_line(name, "(all)", counts))
    return sums


def _line(split: str, form: str, counts: list[int]) -> str:
    count, row, cause, everything, facts, facts_right = counts
    line = f"{split:<9}{form:<15}{count:>6}{rate(row, count):>8.1f}%"
    line += f"{rate(cause, count):>7.1f}%{rate(everything, count):>7.1f}%"
    return line + (f"{rate(facts_right, facts):>8.1f}%" if facts else f"{'-':>9}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES, help="another case file")
    parser.add_argument("--only", help="only cases of this split or format (e.g. tune)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a figure is under GATE")
    args = parser.parse_args()
    cases = load_cases(args.cases, args.only)
    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("import_catalog", stdout=StringIO())
        totals = evaluate(cases, args.verbose)
        print(f"database={connection.vendor} cases={len(cases)}")
        sums = print_table(totals)
        for name, (count, _row, _cause, everything, facts, right) in sorted(sums.items()):
            facts_figure = f"{rate(right, facts):.1f}" if facts else "-"
            found = f"{rate(everything, count):.1f}"
            print(f"{name}_found_and_right={found} {name}_facts_right={facts_figure}")
    finally:
        teardown()
    count, row, _cause, everything, _facts, _right = sums["any"]
    figures = {"row first": rate(row, count), "found and right": rate(everything, count)}
    failed = [
        f"{name} {figures[name]:.1f} < {floor}"
        for name, floor in GATE.items()
        if figures[name] < floor
    ]
    if args.gate:
        print("diagnosis gate: " + ("; ".join(failed) if failed else "every floor met"))
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
