"""English words that are no words: slips of the keyboard (`forbiden`, `expird`, `recieve`).

A word of a query that no candidate row holds may be a misspelling of one they do, or a
real word the catalog happens not to use (`order`, `patch`, `night`), which is a letter
away from one it does (`older`, `path`, `right`): only the first may be read as its
neighbour. What tells them apart is an English dictionary: pyspellchecker's word list
(about 160,000 words, loaded once per process: by each gunicorn worker before its first
request, elsewhere when a query first needs it).
"""

from functools import lru_cache
from string import ascii_lowercase

from spellchecker import SpellChecker

# Shorter words are never checked: a letter away from too many others. A word of four
# letters is (`grop`: group), one edit away at most (kb.search.engine.MISSPELT_EDITS).
SHORTEST = 4


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


def english_neighbours(word: str) -> set[str]:
    """The English words (of SHORTEST letters or more) one edit away from `word`: a letter
    left out, added, changed, or two swapped (`orchestraton`: orchestration)."""
    english = english_words()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in ascii_lowercase}
    edits |= {a + c + b for a, b in splits for c in ascii_lowercase}
    return {edit for edit in edits if edit in english and edit != word}
