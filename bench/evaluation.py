"""The search evaluation set, by where each case came from, and how a ranking is scored.

Cases live in bench/cases/, one file per provenance:
- `derived.json`: generated from the catalog itself (every code, every message verbatim,
  every status, pastes templated from catalog strings). They measure that the engine
  reads what the catalog says; target 100%.
- `engine_written.json`: natural-language cases written alongside the engine and its
  synonym table. They measure memory, not understanding, and are reported apart.
- `independent.json`: written blind, from the official table alone, by someone who never
  saw the engine, the synonym table or the other cases, and committed before any tuning.
  Each carries `split`: `tune` (may guide changes to the engine) or `heldout` (never used
  to tune; the figure that predicts what customers meet), drawn by a hash of the query
  when the set was frozen, and `source`, the row of the table the writer worked from.
  Kinds: `paraphrase_en`/`paraphrase_zh` (failures described without quoting the message),
  `code_bearing` (pastes that carry a code) and `diagnosis` (pastes whose message carries
  detail; `note` says what a right diagnosis says).
- `independent_set4.json`: 240 more paraphrases (120 per language), written the same way
  by another blind writer (how: `set4-making/README.md`) and frozen before any use. They
  are all split `tune4`: a development set that the engine had not been fitted to when it
  was frozen, reported apart from the first set's `tune` and `heldout` halves.
- `independent_set5.json`: 260 more paraphrases (130 per language), written blind by two
  more writers, one per language (how: `set5-making/README.md`), frozen before any use;
  all split `tune5`, a development set like set 4.
- `independent_set6.json`: 259 more (130 English, 129 Chinese), written the same way by
  two more writers with a mix of personas (`set6-making/README.md`); all split `tune6`.
- `independent_set7.json`: 259 more (130 English, 129 Chinese), written the same way by
  two more writers, half of them short search-box queries (`set7-making/README.md`); all
  split `heldout7`: a second held-out set, frozen after sets 5 and 6 had guided changes
  and never used to tune. Its figures are what a fresh set of phrasings scores.
- `independent_set8.json`: 257 more (129 English, 128 Chinese), written the same way by two
  more writers in four registers: chat messages, support tickets, question bodies and
  search-box queries (`set8-making/README.md`); all split `heldout8`, a third held-out
  set, frozen after a decision had read set 7's figure among the distractors.
- `independent_set9.json`: 260 more (130 per language), longer texts with their context
  (chat messages, tickets, question bodies), written the same way by two more writers
  (`set9-making/README.md`); all split `tune9`, a development set like set 6.
- `independent_set10.json`: 320 more (160 per language) in registers no earlier set had
  (non-native English, Chinese mixed with English words, colloquial Chinese with typos,
  on-call notes and alerts, search-box queries), written the same way by two more writers
  (`set10-making/README.md`); half split `tune10`, half `heldout10` (drawn by a hash of
  the query within each language and register when the set was frozen).
- `independent_set11.json`: 158 more in the registers where set 10's held-out half scored
  lowest (colloquial Chinese with typos, Chinese mixed with English words, English by
  non-native writers, English search-box queries), written the same way by one more
  writer (`set11-making/README.md`); all split `tune11`, a development set.
- `independent_set12.json`: 279 more in set 10's registers, 35 per language and register,
  written the same way by two more writers (`set12-making/README.md`); all split
  `tune12`, a development set.
- `independent_set13.json`: 279 more in held-out set 8's registers (chat messages, ticket
  summaries, question bodies, search-box queries), written the same way by two more
  writers (`set13-making/README.md`); all split `tune13`, a development set.
- `independent_set14.json`: 299 more in twelve registers (six per language: chat messages,
  tickets, question bodies and search-box queries in both; developers' reports and
  non-native English; colloquial Chinese and Chinese mixed with English words), written
  the same way by two more writers (`set14-making/README.md`); all split `tune14`, a
  development set.
- `independent_set15.json`: 324 more in thirteen registers (English: chat messages,
  tickets, question bodies, search-box queries, developers' reports, non-native English,
  on-call notes; Chinese: the first four, colloquial Chinese and Chinese mixed with
  English words), written the same way by two more writers (`set15-making/README.md`);
  all split `tune15`, a development set.
- `independent_set16.json`: 338 more in the same thirteen registers (182 English, 156
  Chinese), written the same way by two more writers (`set16-making/README.md`); half
  split `tune16`, half `heldout16` (drawn by a hash of the query within each language and
  register when the set was frozen): a fourth held-out set.
- `independent_set17.json`: 161 English in set 16's seven English registers, written the
  same way by two more writers (`set17-making/README.md`); half split `tune17`, half
  `heldout17` (drawn the same way): a fifth held-out set.
- `independent_set18.json`: 161 more English in the same seven registers, written the same
  way by two more writers (`set18-making/README.md`); half split `tune18`, half
  `heldout18` (drawn the same way): a sixth held-out set.
- `independent_set19.json`: 84 English and 84 Chinese in the registers of sets 16 to 18,
  written the same way by two more writers after set 18's round had chosen its rules
  (`set19-making/README.md`); all split `heldout19`, a seventh held-out set.
- `independent_set20.json`: 160 more English in set 16's seven English registers, written
  the same way by two more writers (`set20-making/README.md`); half split `tune20`, half
  `heldout20` (drawn the same way): an eighth held-out set.
- `independent_set21.json`: 161 more English in the same seven registers, written the same
  way by two more writers (`set21-making/README.md`); all split `tune21`, a development set.
- `independent_set22.json`: 160 more English in the same seven registers, written the same
  way by two more writers (`set22-making/README.md`); half split `tune22`, half
  `heldout22` (drawn the same way): a ninth held-out set.
- `independent_set23.json`: 160 more English in the same seven registers, written the same
  way by two more writers (`set23-making/README.md`); half split `tune23`, half
  `heldout23` (drawn the same way): a tenth held-out set.
- `independent_set24.json`: 84 English in set 16's seven English registers and 84 Chinese
  in its six Chinese ones, written the same way by two more writers
  (`set24-making/README.md`); half of each language split `tune24`, half `heldout24`
  (drawn the same way within each language and register): an eleventh held-out set.
- `independent_set25.json`: 84 English and 84 Chinese in the same registers, written the
  same way by two more writers after set 23's rules were chosen (`set25-making/README.md`);
  all split `heldout25`, a twelfth held-out set.
- `independent_set26.json`: 167 Chinese in eleven registers (set 16's six and five more),
  written the same way by two more writers (`set26-making/README.md`); half split
  `tune26`, half `heldout26` (drawn the same way within each register): a thirteenth
  held-out set.
- `independent_set27.json`: 168 Chinese in eleven registers and 82 English in six, five of
  them new (`issue`, `stackoverflow`, `frontend`, `partner`, `postmortem`), written the
  same way by three more writers (`set27-making/README.md`); half of each language split
  `tune27`, half `heldout27` (drawn the same way): a fourteenth held-out set.
- `independent_set28.json`: 167 English in eleven registers (ten new: `jira`, `slack`,
  `runbook`, `email`, `esl`, `cli`, `mobile`, `manager`, `transcript`, `tweet`) and 84
  Chinese in six, written the same way by three more writers after set 27's rules were
  chosen (`set28-making/README.md`); half of each language split `tune28`, half
  `heldout28` (drawn the same way): a fifteenth held-out set.
- `independent_set29.json`: 84 English and 84 Chinese in registers the earlier sets had,
  written the same way by two more writers after the round's last rule was chosen
  (`set29-making/README.md`); all split `heldout29`, a sixteenth held-out set.
- `independent_set30.json`: 250 English in eighteen registers no set had (`commit`,
  `bugreport`, `statuspage`, `chatbot`, `mt`, `security`, `etl`, `gamedev`, `student`,
  `handover`, `title`, `voice`, `platform`, `apitester`, `helpdesk`, `retro`,
  `changelog`; `searchbox` besides) and 84 Chinese in six new ones, written the same way
  by four more writers after set 29 (`set30-making/README.md`); half of each language and
  register split `tune30`, half `heldout30` (drawn the same way): a seventeenth held-out set.
- `independent_set31.json`: 251 English in eighteen more registers no set had (`alert`,
  `comment`, `standup`, `vendor`, `faq`, `reddit`, `discord`, `consultant`, `ci`, `pager`,
  `blog`, `architect`, `reply`, `outage`, `terse`, `verbose`, `sloppy`; `searchbox`
  besides) and 84 Chinese in six new ones, written the same way by four more writers
  after set 30 (`set31-making/README.md`); half of each language and register split
  `tune31`, half `heldout31` (drawn the same way): an eighteenth held-out set.
- `independent_set32.json`: 166 English and 84 Chinese in registers the earlier sets had,
  written the same way by three more writers while the round's rules were being chosen
  (`set32-making/README.md`); all split `heldout32`, a nineteenth held-out set, first
  searched after the round's last rule.
- `independent_set33.json`: 251 English in eighteen registers the earlier sets had,
  written the same way by three more writers (`set33-making/README.md`); half of each
  register split `tune33`, half `heldout33` (drawn the same way): a twentieth held-out set.
- `independent_set34.json`: 168 English and 84 Chinese in registers the earlier sets had,
  written the same way by three more writers (`set34-making/README.md`); half of each
  language and register split `tune34`, half `heldout34` (drawn the same way): a
  twenty-first held-out set.
- `independent_set35.json`: 164 English and 84 Chinese in registers the earlier sets had,
  written the same way by three more writers (`set35-making/README.md`); half of each
  language and register split `tune35`, half `heldout35` (drawn the same way): a
  twenty-second held-out set.
- `independent_set36.json`: 84 English and 83 Chinese in registers the earlier sets had,
  written the same way by two more writers while the round's rules were being chosen
  (`set36-making/README.md`); all split `heldout36`, a twenty-third held-out set, first
  searched after the round's last rule.
- `independent_set37.json`: 168 English and 84 Chinese, in six registers each that no
  earlier set had under those names, written the same way by three more writers
  (`set37-making/README.md`); all split `heldout37`, a twenty-fourth held-out set.
- `independent_set38.json`: 166 English and 83 Chinese, in six registers each, written
  the same way by three more writers (`set38-making/README.md`); half of each language
  and register split `tune38`, half `heldout38` (drawn the same way): a twenty-fifth
  held-out set.
- `independent_set39.json`: 252 English and 84 Chinese, in six registers each, written
  the same way by four more writers (`set39-making/README.md`); half of each language
  and register split `tune39`, half `heldout39` (drawn the same way): a twenty-sixth
  held-out set.
- `independent_set40.json`: 252 English and 168 Chinese, in six registers each, written
  the same way by five more writers (`set40-making/README.md`); half of each language
  and register split `tune40`, half `heldout40` (drawn the same way): a twenty-seventh
  held-out set.
- `independent_set41.json`: 252 English and 168 Chinese, in six registers each, written
  the same way by five more writers (`set41-making/README.md`); half of each language
  and register split `tune41`, half `heldout41` (drawn the same way): a twenty-eighth
  held-out set.
- `independent_set42.json`: 168 English and 84 Chinese, in six registers each, written
  the same way by three more writers (`set42-making/README.md`); all `heldout42`, a
  twenty-ninth held-out set, first searched after the rules chosen on `tune41`.
- `independent_set43.json`: 168 English and 84 Chinese, in six registers each, written
  the same way by three more writers (`set43-making/README.md`); all `heldout43`, a
  thirtieth held-out set, searched first by an engine whose rules were all chosen before
  it was written.

No tool lists the misses of a held-out case (`held_out()`): only their figures are read.

A case passes at rank k when its expected row, or one listed as equally right (`also`),
is among the first k results. Rows are named by natural key: [catalog, code, status, message].
"""

import functools
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"
PROVENANCES = ("derived", "engine-written", "independent")
FILES = {
    "derived": ("derived.json",),
    "engine-written": ("engine_written.json",),
    "independent": (
        "independent.json",
        "independent_set4.json",
        "independent_set5.json",
        "independent_set6.json",
        "independent_set7.json",
        "independent_set8.json",
        "independent_set9.json",
        "independent_set10.json",
        "independent_set11.json",
        "independent_set12.json",
        "independent_set13.json",
        "independent_set14.json",
        "independent_set15.json",
        "independent_set16.json",
        "independent_set17.json",
        "independent_set18.json",
        "independent_set19.json",
        "independent_set20.json",
        "independent_set21.json",
        "independent_set22.json",
        "independent_set23.json",
        "independent_set24.json",
        "independent_set25.json",
        "independent_set26.json",
        "independent_set27.json",
        "independent_set28.json",
        "independent_set29.json",
        "independent_set30.json",
        "independent_set31.json",
        "independent_set32.json",
        "independent_set33.json",
        "independent_set34.json",
        "independent_set35.json",
        "independent_set36.json",
        "independent_set37.json",
        "independent_set38.json",
        "independent_set39.json",
        "independent_set40.json",
        "independent_set41.json",
        "independent_set42.json",
        "independent_set43.json",
    ),
}


def load_cases(*provenances: str) -> list[dict]:
    """The cases of the given provenances (all when none is named), in file order."""
    cases = []
    for provenance in provenances or PROVENANCES:
        for name in FILES[provenance]:
            path = CASES_DIR / name
            if path.exists():
                cases += json.loads(path.read_text(encoding="utf-8"))
    return cases


@functools.cache
def repeated_queries(count: int = 200) -> tuple[str, ...]:
    """The queries that come back again and again in the load benchmark (`search
    repeated`, bench/locustfile.py) and the page's profile (bench/search_page_profile.py
    --kind repeated): `count` of the evaluation set's, the same in every run, far fewer than a
    worker keeps the rankings of (kb.search.engine._rankings)."""
    return tuple(random.Random(14).sample([case["query"] for case in load_cases()], count))


def held_out(case: dict) -> bool:
    """A case never used to tune: its misses are never listed, only counted."""
    return case.get("split", "").startswith("heldout")


def group_of(case: dict) -> tuple[str, str, str]:
    """Where a case is reported: provenance, split (or "-"), kind and language."""
    kind = case["kind"]
    if "lang" in case and not kind.endswith(f"_{case['lang']}"):
        kind = f"{kind}_{case['lang']}"
    return case["provenance"], case.get("split", "-"), kind


def right_keys(case: dict) -> set[tuple]:
    return {tuple(case["expect"])} | {tuple(key) for key in case.get("also", [])}


def register_group_of(case: dict) -> tuple[str, str, str]:
    """As `group_of`, the kind followed by the register the case was written in (set 10's
    `register`: `nonnative`, `mixed`, `searchbox`...)."""
    provenance, split, kind = group_of(case)
    return provenance, split, f"{kind}/{case.get('register', '-')}"


# The bands of a text's length, in characters, that `length_group_of` reports by: the
# longest descriptions are where the engine is weakest.
LENGTH_BANDS = (60, 120, 200, 300)
# Their names, shortest first: `<60` ... `<300`, then `>=300`.
LENGTH_BAND_NAMES = (*(f"<{limit}" for limit in LENGTH_BANDS), f">={LENGTH_BANDS[-1]}")


def length_band(text: str) -> str:
    """The name (LENGTH_BAND_NAMES) of the first band the text's length is under."""
    return next(
        (
            name
            for limit, name in zip(LENGTH_BANDS, LENGTH_BAND_NAMES, strict=False)
            if len(text) < limit
        ),
        LENGTH_BAND_NAMES[-1],
    )


def length_group_of(case: dict) -> tuple[str, str, str]:
    """Held out or tuning, the band of the query's length (`length_band`), the kind and
    language: how the figures fall with the length of what was written."""
    _provenance, _split, kind = group_of(case)
    return ("heldout" if held_out(case) else "tuning"), length_band(case["query"]), kind


def score(
    cases: Iterable[dict],
    rank: Callable[[str], tuple[list[tuple], bool]],
    on_miss: Callable[[dict, list[tuple]], None] | None = None,
    group: Callable[[dict], tuple] = group_of,
) -> dict[tuple, list[int]]:
    """Per group (`group`, by default `group_of`): [cases, top-1 hits, top-3 hits,
    code-bearing cases, code kept first, answers presented as sure that were wrong,
    answers presented as sure].

    `rank(text)` gives the ranked rows' keys and whether the engine called its answer sure.
    """
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    for case in cases:
        right = right_keys(case)
        keys, sure = rank(case["query"])
        first = bool(keys) and keys[0] in right
        counts = totals[group(case)]
        counts[0] += 1
        counts[1] += first
        counts[2] += any(key in right for key in keys[:3])
        counts[5] += sure and not first
        counts[6] += sure
        if case["expect"][1] in codes_in(case["query"]):
            counts[3] += 1
            counts[4] += bool(keys) and keys[0][1] == case["expect"][1]
        if on_miss and not first:
            on_miss(case, keys)
    return totals


def codes_in(text: str) -> set[str]:
    """Every code the text carries, spelled as the catalog spells it (kb.text.codes)."""
    from kb.text.codes import codes_in as spelled_codes

    return set(spelled_codes(text, limit=len(text)))


def rate(hits: int, count: int) -> float:
    return 100.0 * hits / count if count else 0.0
