"""Error codes as customers write them, and as the catalog stores them."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# APIG.0303, apig0303, APIG-0303, APIG_0303, APIGW.0101, APIG 0303
CODE_RE = re.compile(r"\b(APIGW|APIG)\s?[.\-_:]?\s?(\d{4})\b", re.IGNORECASE)


def _spelled(match: re.Match) -> str:
    return f"{match.group(1).upper()}.{match.group(2)}"


def canonical_code(text: str) -> str | None:
    """The canonical spelling of the first code in `text` (`apig-0303` -> `APIG.0303`)."""
    match = CODE_RE.search(text or "")
    return _spelled(match) if match else None


def codes_in(text: str, limit: int = 5) -> list[str]:
    """The canonical spelling of each code in `text`, in order, at most `limit`."""
    return [_spelled(match) for match in CODE_RE.finditer(text or "")][:limit]


def catalog_of(code: str) -> str:
    return "APIGW" if code.upper().startswith("APIGW") else "APIG"


# The only form a stored code takes; the code page's URL and the catalog rely on it.
STORED_CODE = r"^APIGW?\.[0-9]{4}\Z"
validate_code = RegexValidator(
    STORED_CODE,
    message=_("A code is APIG. or APIGW. and four digits, such as APIG.0303 or APIGW.0101."),
)
