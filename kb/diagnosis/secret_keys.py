"""Text that looks like a secret key. No page asks for one, and none accepts one.

A signature check never needs the SK or the AppSecret: the canonical request is
compared before anything is signed. Refusing input that carries one keeps it out
of our pages, logs and browser histories, and tells the customer to keep it out
of support tickets too.
"""

import re

from django.utils.translation import gettext as _

from kb.redact import PASSWORD, PRIVATE_KEY, SECRET, SK, labelled_values, sk_shaped_runs

# What `redact()` replaces by these because of its name is a secret no page needs.
SECRET_PLACEHOLDERS = (SK, PASSWORD, PRIVATE_KEY, SECRET)


def secret_in(text: str) -> str | None:
    """Why `text` looks like it holds a secret key, or None. The same reading as
    `kb.redact.redact()`: what it would replace as a secret, this refuses."""
    if not text:
        return None
    for placeholder, value in labelled_values(text):
        if placeholder not in SECRET_PLACEHOLDERS:
            continue
        if len(re.findall(r"[A-Za-z0-9]", value)) < 6:
            continue  # masked, such as SK=******
        return _("it holds a value labelled as a secret (such as AppSecret=, SK= or secret:)")
    for run in sk_shaped_runs(text):
        # An SK mixes upper and lower case; a hex digest is one case only.
        if re.search(r"[a-z]", run) and re.search(r"[A-Z]", run):
            return _("it holds a 40-character value shaped like a secret access key (SK)")
    return None
