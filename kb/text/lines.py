"""Text as it is stored: one form of line breaks, nothing a database cannot hold."""

import re

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Drop what no error text carries: control characters, lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return CONTROL_RE.sub(" ", text).strip()


def unify_line_breaks(value):
    """One form for stored text: browsers send textarea line breaks as CRLF; stripped."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def one_per_line(value: str) -> str:
    """Lines stripped, empty ones dropped: one item a line, as staff type them."""
    return "\n".join(line.strip() for line in unify_line_breaks(value).splitlines() if line.strip())
