"""Network addresses written in text."""

import re

# An IPv4 address, each of its four numbers 0-255, not part of a longer run of numbers
# and dots (a version such as `1.2.3.4.5`).
IPV4_RE = re.compile(
    r"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![0-9]|\.[0-9])"
)
