"""Distractor rows: a catalog grown to 100,000 rows with rows that look like real ones.

Each distractor is built from a real row of the shipped catalog: its code is in a real
family's shape (APIG.2000 to APIGW.9999, skipping the real codes: a code names one error
of one service, so a look-up by a real code meets only its real rows), its message keeps the real
message's opening words and goes on like another service's error ("Request entity too
large for the bucket policy."), and its meanings and remedies are sentences of other real
rows, shuffled. So exact phrases of the catalog recur thousands of times, as they would in
a knowledge base that also held other services' codes, and a look-up by a common phrase
meets many rows. The derived search fields come from the model's own code and the rows go
in through the ORM, so the database's full-text index is filled by its own triggers.
"""

import random
import re

BATCH = 2000
SERVICE_TAILS = [
    "for the bucket policy",
    "in the object storage service",
    "when the queue is full",
    "for the selected database instance",
    "on the load balancer listener",
    "for the function trigger",
    "in the container registry",
    "for this key pair",
    "while the cluster is scaling",
    "in the DNS zone",
    "for the CDN domain",
    "on the message topic",
]


SENTENCE_ENDS = ("。", ".", "；", ";", "！", "？", "!", "?")


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[。.；;])\s*", text) if part.strip()]


def distractor_rows(count: int, seed: int = 7):
    from kb.models import Category, ErrorEntry

    rng = random.Random(seed)
    real = list(ErrorEntry.objects.order_by("catalog", "sort_order"))
    categories = list(Category.objects.all())
    pools = {
        field: [s for entry in real for s in _sentences(getattr(entry, field))]
        for field in ("meaning_zh", "meaning_en", "remedy_zh", "remedy_en")
    }

    def text(field: str, low: int, high: int) -> str:
        chosen = [rng.choice(pools[field]) for _ in range(rng.randint(low, high))]
        if field.endswith("_zh"):
            # Each sentence ends as written: `后端不可用` then `项目不可使用` run together
            # would make a piece (`用项`) that no text written by a person holds.
            return "".join(s if s.endswith(SENTENCE_ENDS) else s + "。" for s in chosen)
        return " ".join(s if s.endswith(SENTENCE_ENDS) else s + "." for s in chosen)

    # Up to 8,000 unused numbers in each catalog, 7 rows a code: room for 111,000 rows.
    per_code, taken = 7, {entry.code for entry in real}
    codes = [
        code
        for catalog in ("APIG", "APIGW")
        for code in (f"{catalog}.{number:04d}" for number in range(2000, 10000))
        if code not in taken
    ]
    for n in range(count):
        template = rng.choice(real)
        code = codes[n // per_code]
        catalog = code.split(".")[0]
        words = template.message_en.rstrip(".").split()
        head = " ".join(words[: rng.randint(max(1, len(words) // 2), len(words))])
        yield ErrorEntry(
            catalog=catalog,
            code=code,
            http_status=rng.choice([template, template, rng.choice(real)]).http_status,
            message_en=f"{head} {rng.choice(SERVICE_TAILS)} ({n}).",
            category=rng.choice(categories),
            sort_order=1000 + n,
            meaning_zh=text("meaning_zh", 1, 2),
            meaning_en=text("meaning_en", 1, 2),
            remedy_zh=text("remedy_zh", 1, 3),
            remedy_en=text("remedy_en", 1, 3),
        )


TAIL_RE = re.compile(" (?:" + "|".join(map(re.escape, SERVICE_TAILS)) + r") \(\d+\)\.$")


def is_twin(key: tuple, expected: tuple) -> bool:
    """Whether the row `key` (catalog, code, status, message) is a distractor made from
    the expected row: its message is the expected message's opening words followed by
    another service's tail, the same failure said of something else."""
    match = TAIL_RE.search(key[3])
    if not match:
        return False
    head = key[3][: match.start()].split()
    return expected[3].rstrip(".").split()[: len(head)] == head


def first_place(keys: list[tuple], expected: tuple, real: set[tuple]) -> str:
    """What came first in a ranking (`keys`, rows by natural key) that missed `expected`:
    a `twin` of it (is_twin), another `distractor`, another `real_row` (one of `real`,
    the catalog's own rows), or `nothing`."""
    if not keys:
        return "nothing"
    if keys[0] in real:
        return "real_row"
    return "twin" if is_twin(keys[0], expected) else "distractor"


def load_distractors(count: int) -> int:
    """Add `count` distractor rows; returns the number added."""
    from kb.models import ErrorEntry

    batch, added = [], 0
    for entry in distractor_rows(count):
        entry.set_derived_fields()
        batch.append(entry)
        if len(batch) == BATCH:
            ErrorEntry.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    if batch:
        ErrorEntry.objects.bulk_create(batch)
        added += len(batch)
    return added


def analyze() -> None:
    """What autovacuum does soon after a bulk load on PostgreSQL: statistics for the
    planner, and the GIN index's pending entries merged. Then the search reads its token
    counts afresh, as a worker does within minutes (kb.search.index.STATISTICS_SECONDS):
    counts kept from the catalog alone would call every word rare. Rankings and the first
    rows (kb.search.index.known_rows) kept from the catalog alone are forgotten, as a
    worker does within a second of the load."""
    from django.db import connection

    from kb.search.engine import forget_rankings
    from kb.search.index import forget_known_rows, forget_token_row_counts

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kb_errorentry")
    forget_token_row_counts()
    forget_known_rows()
    forget_rankings()
