"""Diagnosis: the specific cause behind the detail a real gateway error carries.

`kb.diagnosis.causes` is the stage of the search engine that matches a row's editable
causes (`kb.models.Cause`) against the detail after the documented message
(`attach_diagnoses()` for a search's best rows, `diagnose_detail()` for one row) and
computes the facts the detail holds. It takes plain strings (the paste, its message,
its other words), not the search's parsed query. The other modules are plain functions
it (and the signature checker) use:

- `times`: the time formats gateway errors carry, and durations in words;
- `facts`: clock skew, token expiry, request throttling, canonical-request facts;
- `canonical`: canonical requests parsed and compared part by part;
- `restated`: a detail in other words matched against the causes' explanations;
- `evidence`: what the pasted request or result shows when the detail names no cause.

Finding the detail and matching staff-written patterns safely is text work, below the
models: `kb.text.patterns`.
"""
