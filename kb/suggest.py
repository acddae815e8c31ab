"""Suggestions for a code the catalog does not have."""

from rapidfuzz import fuzz

from kb.models import ErrorEntry
from kb.text.codes import CODE_RE


def closest_codes(text: str, limit: int = 6) -> list[ErrorEntry]:
    """The first row of each of the codes nearest to `text`, nearest first.

    `APIG.0309` suggests APIG.0308 and APIG.0310 (close numbers) and APIGW.0309.
    """
    text = (text or "").strip().upper()[:40]
    if not text:
        return []
    match = CODE_RE.search(text)
    digits = match.group(2) if match else "".join(ch for ch in text if ch.isdigit())[:4]
    codes = list(ErrorEntry.objects.order_by("code").values_list("code", flat=True).distinct())

    def score(code: str) -> float:
        similarity = fuzz.ratio(text, code)
        number = CODE_RE.search(code)
        if digits and len(digits) == 4 and number:
            distance = abs(int(number.group(2)) - int(digits))
            similarity += max(0, 40 - distance * 4)
        return similarity

    best = sorted(codes, key=lambda code: (-score(code), code))[:limit]
    if not best:
        return []
    rows = {}
    for row in ErrorEntry.objects.filter(code__in=best).order_by("sort_order"):
        rows.setdefault(row.code, row)
    return [rows[code] for code in best if code in rows]
