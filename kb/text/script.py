"""Which writing system a text is in, and which language the reader reads."""

import re

from django.utils.translation import get_language

# The Han (Chinese) characters: CJK Unified Ideographs, Extension A, Compatibility.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN_CHARS}]")


def is_chinese(language: str | None = None) -> bool:
    """Whether `language` (by default the active one) is Chinese."""
    return (language or get_language() or "zh-hans").lower().startswith("zh")
