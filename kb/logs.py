"""The application log never carries a secret a customer pasted.

Django logs a failed request's path and, on a 500, the exception and its traceback,
whose messages may quote the text being searched. Every line the app logs goes through
`redact()` (kb/redact.py) on its way out, traceback included.
"""

import logging

from kb.redact import redact


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
