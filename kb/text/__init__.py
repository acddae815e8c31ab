"""Text primitives, the bottom layer: index tokens, the folding of width, case and line
breaks, the spelling of error codes, network addresses, script detection, staff-written
patterns.

Pure functions of text (and the active language). Nothing here imports anything else
from `kb`; every other layer may import from here (see the import-linter contracts in
pyproject.toml).
"""
