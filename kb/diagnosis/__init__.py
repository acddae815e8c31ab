"""Diagnosis: the specific cause behind the detail a real gateway error carries.

`kb.diagnosis.causes.diagnose()` is the stage of the search engine that matches a
row's editable causes (`kb.models.Cause`) against the detail after the documented
message and computes the facts the detail holds. The other modules are plain
functions it (and the signature checker) use:

- `patterns`: the detail text of a pasted message, and matching staff-written patterns
  safely (bounded input, a time limit per match);
- `times`: the time formats gateway errors carry, and durations in words;
- `facts`: clock skew, token expiry, request throttling, canonical-request facts;
- `canonical`: canonical requests parsed and compared part by part.

This module imports nothing, so that `kb.models` can use `patterns` without a cycle.
"""
