"""Search quality: top-1 and top-3 per provenance, split and kind (bench/evaluation.py).

    .venv/bin/python bench/search_quality.py                       # SQLite in memory
    DATABASE_URL=postgres://... .venv/bin/python bench/search_quality.py
    .venv/bin/python bench/search_quality.py --distractors 100000  # and again at scale
    .venv/bin/python bench/search_quality.py --gate                # CI: exit 1 under a floor
    .venv/bin/python bench/search_quality.py -v --only tune        # list the misses
    .venv/bin/python bench/search_quality.py --registers           # and per register (set 10)
    .venv/bin/python bench/search_quality.py --lengths             # and by the text's length

`code kept` counts the cases whose query carries their expected code and whose first
result has that code (the code is authoritative: must be 100%). `sure+wrong` counts the
answers the engine presented as sure whose first row was not a right one: a sure wrong
answer misleads more than an unsure one. `sure` is the share of answers presented as sure
(the page shows the others as its closest matches). With --distractors N the
same cases run again after N distractor rows (bench/distractors.py) join the catalog, and
the last column is the change in top-1; `distractors_lost` counts the cases right on the
catalog alone and wrong among the distractors, by what came first: a twin (a distractor
made from the expected row, the same failure said of another service), another
distractor, another row of the real catalog (the words' weights moved: kb.search.engine
weighs a word by its rarity among the candidates), or nothing.
--gate checks the floors in GATE. --lengths reports the independent paraphrases again,
held out and tuning apart, by the length of the text (`length_band`) and over all lengths,
with what the `sure` flag is worth over all lengths: how often a sure answer is right, an
unsure one, and how many of the wrong first rows were shown unsure. Figures only: it lists
no case.
"""

import argparse
import sys
from io import StringIO

from _django import setup_throwaway_database
from evaluation import (
    LENGTH_BAND_NAMES,
    group_of,
    held_out,
    length_group_of,
    load_cases,
    rate,
    register_group_of,
    score,
)

# Floors that fail CI (--gate): the derived cases must all pass; the independent cases a
# little under what was measured, so that a regression fails and noise does not (91.2 and
# 97.1 on SQLite, 91.1 and 96.9 on PostgreSQL once sets 8 and 9, longer texts, joined;
# 92.0 and 97.4, 92.0 and 97.5 with set 10; 92.8 and 98.1 on both with set 14 and twice
# the customer phrasings; 94.1 and 98.4 on both at 2d4cd2b; 94.4 and 98.5 with set 15 at
# 5aaf2ae; 94.6 and 98.5 with set 16 at c67807d; 94.1 and 98.7 on both with sets 30 to 34,
# the freshest and hardest, at a66c5e5; 93.7 and 98.6 with sets 37 and 38 at 2c27525; 93.4
# and 98.5 once set 39, written at length, joined at ccfbcca; 93.2 and 98.5 once set 40
# joined at 752b239, 93.4 and 98.5 after its rules at 30bd2d9; 93.2 and 98.4 with sets 41
# and 42 and set 41's rules at dbe467c).
GATE = {
    ("derived", "top1"): 100.0,
    ("independent", "top1"): 93.0,
    ("independent", "top3"): 98.0,
    ("any", "code kept"): 100.0,
}


def rank(text: str) -> tuple[list[tuple], bool]:
    from kb.search.engine import search

    result = search(text)
    return [tuple(hit.entry.natural_key()) for hit in result.hits], result.confident


def summarize(totals: dict) -> dict[str, float]:
    """Figures per provenance (and per split and language of the independent cases)."""
    sums: dict[str, list[int]] = {}
    for (provenance, split, kind), counts in totals.items():
        names = [provenance, "any"]
        if provenance == "independent":
            names += [f"independent/{split}", f"independent/{split}/{kind}"]
        for name in names:
            total = sums.setdefault(name, [0] * len(counts))
            for i, value in enumerate(counts):
                total[i] += value
    figures = {}
    for name, (count, top1, top3, coded, kept, sure_wrong, sure) in sums.items():
        figures[f"{name}:sure but wrong"] = rate(sure_wrong, count)
        figures[f"{name}:sure"] = rate(sure, count)
        figures[f"{name}:top1"] = rate(top1, count)
        figures[f"{name}:top3"] = rate(top3, count)
        figures[f"{name}:code kept"] = rate(kept, coded) if coded else 100.0
    return figures


def _right(totals: dict, provenance: str) -> tuple[int, int]:
    """How many cases of `provenance` there are, and how many are right at top-1."""
    rows = [counts for (name, _split, _kind), counts in totals.items() if name == provenance]
    return sum(counts[0] for counts in rows), sum(counts[1] for counts in rows)


BANDS = [*LENGTH_BAND_NAMES, "all"]


def _share(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage; "-" for a share of nothing."""
    return f"{rate(part, whole):.1f}%" if whole else "-"


def print_lengths(paraphrases: list[dict]) -> None:
    """The paraphrases by the length of the text, held out and tuning apart, then over all
    lengths, and what the `sure` flag is worth over all lengths."""
    by_length = score(paraphrases, rank, group=length_group_of)
    for (half, _band, kind), counts in list(by_length.items()):
        whole = by_length.setdefault((half, "all", kind), [0] * len(counts))
        for i, value in enumerate(counts):
            whole[i] += value
    print(f"\nparaphrases by length in characters ({len(paraphrases)} cases)")
    print_table(
        by_length,
        key=lambda group: (group[0], group[2], BANDS.index(group[1])),
        columns=("split", "length"),
    )
    for (half, band, kind), counts in sorted(by_length.items()):
        if band != "all":
            continue
        count, top1, _top3, _coded, _kept, sure_wrong, sure = counts
        wrong, unsure = count - top1, count - sure
        print(
            f"sure_{half}_{kind}: sure={sure}/{count} ({_share(sure, count)}) "
            f"right_when_sure={_share(sure - sure_wrong, sure)} "
            f"right_when_unsure={_share(top1 - sure + sure_wrong, unsure)} "
            f"wrong_shown_unsure={_share(wrong - sure_wrong, wrong)} of {wrong}"
        )


def print_table(
    totals: dict, baseline: dict | None = None, key=None, columns=("provenance", "split")
) -> None:
    header = f"{columns[0]:<16}{columns[1]:<11}{'kind':<32}{'cases':>6}{'top-1':>8}{'top-3':>8}"
    header += f"{'code kept':>11}{'sure+wrong':>12}{'sure':>8}"
    print(header + ("  Δtop-1" if baseline else ""))
    for group in sorted(totals, key=key):
        count, top1, top3, coded, kept, sure_wrong, sure = totals[group]
        line = f"{group[0]:<16}{group[1]:<11}{group[2]:<32}{count:>6}"
        line += f"{rate(top1, count):>7.1f}%{rate(top3, count):>7.1f}%"
        line += f"{rate(kept, coded):>10.1f}%" if coded else f"{'-':>11}"
        line += f"{rate(sure_wrong, count):>11.1f}%{rate(sure, count):>7.1f}%"
        if baseline:
            line += f"{rate(top1, count) - rate(baseline[group][1], count):>+8.1f}"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=0, help="then again with N more rows")
    parser.add_argument("--gate", action="store_true", help="exit 1 when a figure is under GATE")
    parser.add_argument("--only", help="only cases of this provenance or split (e.g. tune)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument(
        "--registers", action="store_true", help="also per register, for the cases that have one"
    )
    parser.add_argument(
        "--lengths", action="store_true", help="also the paraphrases by the text's length"
    )
    args = parser.parse_args()

    cases = [
        case
        for case in load_cases()
        if not args.only or args.only in (case["provenance"], case.get("split"))
    ]

    def show_miss(case, keys):
        if args.verbose and not held_out(case):
            print(f"MISS [{'/'.join(group_of(case))}] {case['query'][:100]!r}")
            print(f"     expected {case['expect']}, got {keys[:3]}")

    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("import_catalog", stdout=StringIO())
        missed_alone = set()

        def alone_miss(case, keys):
            missed_alone.add(case["query"])
            show_miss(case, keys)

        totals = score(cases, rank, alone_miss)
        print(f"database={connection.vendor} cases={len(cases)}")
        print_table(totals)
        figures = summarize(totals)
        for name in sorted(figures):
            if "/" not in name or name.endswith(("top1", "top3")):
                print(f"{name.replace(' ', '_').replace(':', '_')}={figures[name]:.1f}")
        if args.registers:
            written = [case for case in cases if "register" in case]
            print(f"\nper register ({len(written)} cases)")
            print_table(score(written, rank, group=register_group_of))
        if args.lengths:
            print_lengths([case for case in cases if case["kind"].startswith("paraphrase")])
        if args.distractors:
            from distractors import analyze, first_place, load_distractors

            from kb.models import ErrorEntry

            real = {tuple(entry.natural_key()) for entry in ErrorEntry.objects.all()}
            added = load_distractors(args.distractors)
            analyze()
            print(f"\nwith {added} distractor rows")
            lost = dict.fromkeys(("twin", "distractor", "real_row", "nothing"), 0)

            def at_scale_miss(case, keys):
                if case["query"] not in missed_alone:
                    lost[first_place(keys, tuple(case["expect"]), real)] += 1
                show_miss(case, keys)

            at_scale = score(cases, rank, at_scale_miss)
            print_table(at_scale, baseline=totals)
            scaled = summarize(at_scale)
            for name in sorted(scaled):
                if name.endswith("top1"):
                    label = name.replace(":", "_")
                    change = scaled[name] - figures[name]
                    print(f"distractors_{label}={scaled[name]:.1f} ({change:+.1f})")
            # The target is a point at most: the one decimal above rounds it, the counts do not.
            for provenance in ("independent", "derived"):
                count, alone = _right(totals, provenance)
                _count, among = _right(at_scale, provenance)
                if count:
                    print(
                        f"distractors_{provenance}_change={rate(among - alone, count):+.2f} points "
                        f"(right {alone} of {count} alone, {among} among the distractors)"
                    )
            print(
                f"distractors_lost={sum(lost.values())} "
                + " ".join(f"first_{name}={count}" for name, count in lost.items())
            )
        failed = [
            f"{provenance} {measure} {figures.get(f'{provenance}:{measure}', 0):.1f} < {floor}"
            for (provenance, measure), floor in GATE.items()
            if f"{provenance}:{measure}" in figures and figures[f"{provenance}:{measure}"] < floor
        ]
        if args.gate:
            print("quality gate: " + ("; ".join(failed) if failed else "every floor met"))
            return 1 if failed else 0
    finally:
        teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
