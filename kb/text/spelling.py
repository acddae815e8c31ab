"""English words that are no words: slips of the keyboard (`forbiden`, `expird`, `recieve`).

A word of a query that no candidate row holds may be a misspelling of one they do, or a
real word the catalog happens not to use (`order`, `patch`, `night`), which is a letter
away from one it does (`older`, `path`, `right`): only the first may be read as its
neighbour. What tells them apart is an English dictionary: pyspellchecker's word list
(about 160,000 words, loaded once per process: by each gunicorn worker before its first
request, elsewhere when a query first needs it).
"""

from functools import lru_cache

from spellchecker import SpellChecker

# Shorter words are never checked: a letter away from too many others.
SHORTEST = 5


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The dictionary's words of SHORTEST letters or more: its frequencies are not needed,
    and the set alone is half the memory (about 20 MB)."""
    return frozenset(
        word
        for word in SpellChecker(language="en", distance=1).word_frequency.keys()
        if len(word) >= SHORTEST and word.isascii() and word.isalpha()
    )


def not_words(words) -> set[str]:
    """The ones of `words` (lower-case letters, SHORTEST or more) that are no English word."""
    english = english_words() if words else frozenset()
    return {word for word in words if word not in english}
