"""Readers of the source tables in fixtures/sources, for tests that prove the shipped
catalog matches them word for word. The product never reads them."""

import csv
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
SEED = SOURCES / "apig-error-codes.txt"
APIGW_TSV = SOURCES / "apigw-error-codes.tsv"


def seed_rows(path: Path = SEED) -> list[dict]:
    """The APIG table's rows in order; a remedy wrapped onto the next line joins its row."""
    rows: list[str] = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|---"):
            in_table = True
        elif in_table and line.startswith("APIG."):
            rows.append(line)
        elif in_table and rows and line.strip():
            rows[-1] += line
    parsed = []
    for text in rows:
        cells = [cell.strip() for cell in text.split("|")]
        while cells and not cells[-1]:
            cells.pop()
        code, message, status, meaning, remedy = cells
        parsed.append(
            {
                "code": code,
                "message_en": message,
                "http_status": int(status),
                "meaning_zh": meaning,
                "remedy_zh": remedy,
            }
        )
    return parsed


def apigw_rows(path: Path = APIGW_TSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "code": row["code"],
                "message_en": row["message_en"],
                "http_status": int(row["http_status"]),
            }
            for row in csv.DictReader(handle, delimiter="\t")
        ]
