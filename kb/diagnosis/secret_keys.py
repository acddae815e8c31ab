"""Text that looks like a secret key. No page asks for one, and none accepts one.

A signature check never needs the SK or the AppSecret: the canonical request is
compared before anything is signed. Refusing input that carries one keeps it out
of our pages, logs and browser histories, and tells the customer to keep it out
of support tickets too.
"""

import re

from django.utils.translation import gettext as _

# `AppSecret=…`, `SK: …`, `secret_key="…"`, `X-Client-Secret: …`: a label, then a value.
LABELLED_SECRET_RE = re.compile(
    r"(?<![a-z0-9])(?:app[\s_-]?secret|secret[\w-]*|sk)[\"']?\s*[:=]\s*[\"']?([^\s\"',;|]{6,})",
    re.IGNORECASE,
)
# An access key's secret (SK): 40 letters and digits, upper and lower case mixed.
# Hex digests (signatures, body hashes) are one case only, and 64 characters long.
BARE_SECRET_RE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9]{40}(?![A-Za-z0-9/+=])")


def secret_in(text: str) -> str | None:
    """Why `text` looks like it holds a secret key, or None."""
    if not text:
        return None
    for match in LABELLED_SECRET_RE.finditer(text):
        if len(re.findall(r"[A-Za-z0-9]", match.group(1))) < 6:
            continue  # masked, such as SK=******
        return _("it holds a value labelled as a secret (such as AppSecret=, SK= or secret:)")
    for match in BARE_SECRET_RE.finditer(text):
        value = match.group()
        if re.search(r"[a-z]", value) and re.search(r"[A-Z]", value):
            return _("it holds a 40-character value shaped like a secret access key (SK)")
    return None
