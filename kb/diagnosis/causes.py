"""The diagnosis stage: a row's known causes matched against the detail of a pasted error.

The search engine calls `attach_diagnoses()` on its best hits; a row's page calls
`diagnose_detail()` with the detail and request time a result link passed on
(`kb.search.answer`).

In order, the first that names a cause: a cause's pattern found in a detail; a detail
cut short (`...`) whose surviving words begin one cause's pattern more than any other's;
a statement that restates one cause's explanation (`kb.diagnosis.restated`): the detail
the gateway states in other words, or what the pasted request shows
(`kb.diagnosis.evidence`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kb.diagnosis import facts
from kb.diagnosis.evidence import Evidence, evidence_in
from kb.diagnosis.restated import first_person, restated_cause
from kb.models import Cause, CauseKind, ErrorEntry
from kb.text.patterns import MAX_DETAIL_CHARS, detail_of, stated_detail, words_before_cut
from kb.text.script import is_chinese

# Only the best rows of a search get a diagnosis: the rest are alternatives.
DIAGNOSED_HITS = 3

FACT_COMPUTERS = {
    CauseKind.SIGNATURE_EXPIRED: facts.signature_expired,
    CauseKind.TOKEN_EXPIRED: facts.token_expired,
    CauseKind.THROTTLED: facts.throttled,
    CauseKind.CANONICAL_REQUEST: facts.canonical_request,
}


@dataclass
class Diagnosis:
    cause: Cause
    detail: str  # the text the cause matched: what follows the documented message
    findings: list[str] = field(default_factory=list)  # computed, in the active language
    facts: dict = field(default_factory=dict)
    # The time of the failed request the paste carries (Date, X-Sdk-Date), if any: the
    # facts depend on it, so a row's page given the same detail and time shows the same.
    request_time: datetime | None = None

    @property
    def explanation(self) -> str:
        return self.cause.explanation

    @property
    def fix(self) -> str:
        return self.cause.fix

    @property
    def summary(self) -> str:
        """The cause's explanation, then what the detail's values say."""
        return ("" if is_chinese() else " ").join([self.explanation, *self.findings])

    def as_json(self) -> dict:
        return {
            "cause": self.cause.slug,
            "summary": self.summary,
            "fix": self.fix,
            "facts": self.facts,
        }


def no_diagnosis_json() -> dict:
    """What the API gives for a row without a diagnosis."""
    return {"cause": None, "summary": "", "fix": "", "facts": {}}


def details_in(entry: ErrorEntry, message: str, free_text: str, pasted: str = "") -> list[str]:
    """The detail after the row's documented message, in the pasted message and then in
    the rest of the paste (a log line's unquoted message stops at its first comma); and in
    `pasted`, the paste's lines as they came, whose line breaks a canonical request needs
    (given for a paste that is not a response)."""
    details = []
    for text in (message, free_text, pasted):
        detail = detail_of(text, entry.message_key)
        if detail and detail not in details:
            details.append(detail)
    return details


def statements_in(entry: ErrorEntry, message: str, shown: list[Evidence]) -> list[Evidence]:
    """What may restate one of the row's causes in plain words: the detail the pasted
    message states after its documented words and a colon, unless a customer wrote it
    (`kb.diagnosis.restated`), then `shown`, what the pasted request or result shows
    (`kb.diagnosis.evidence.evidence_in()`). Never the words around the error."""
    stated = stated_detail(message, entry.message_key)
    found = [Evidence(stated, stated, "")] if stated and not first_person(stated) else []
    return found + shown


def diagnose_detail(
    entry: ErrorEntry,
    details: Sequence[str],
    *,
    causes: Iterable[Cause] | None = None,
    request_time: datetime | None = None,
    words: bool = True,
    statements: Sequence[Evidence] | None = None,
) -> Diagnosis | None:
    """The first of the row's causes, in the order to try them, that a detail matches;
    failing that, the cause a statement restates (by default the details are read as
    statements: a row's page is given back the detail or excerpt a diagnosis came from).

    `words=False` computes the facts alone: the diagnosis has no findings (sentences)."""
    details = [detail[:MAX_DETAIL_CHARS] for detail in details if detail and detail.strip()]
    if not details and not statements:
        return None
    causes = list(entry.causes.all() if causes is None else causes)
    for cause in causes:
        if matching := [detail for detail in details if cause.matches(detail)]:
            # The longest holds the most values: a log line's unquoted message stops at
            # its first comma, the rest of the paste goes on.
            return _diagnosis(cause, max(matching, key=len), request_time, words)
    if found := _cut_short_match(causes, details, request_time, words):
        return found
    if statements is None:
        statements = _read_as_statements(details)
    for statement in statements:
        if cause := restated_cause(statement.statement, causes, ignored=entry.message_en):
            found = _diagnosis(cause, statement.excerpt, request_time, words)
            if words and statement.sentence:
                found.findings.insert(0, statement.sentence)
            return found
    return None


def _cut_short_match(
    causes: Sequence[Cause], details: Sequence[str], request_time: datetime | None, words: bool
) -> Diagnosis | None:
    """The cause whose pattern a detail cut short (`policy user over rat...`) begins to
    match, in more words than any other cause's; none when two tie."""
    reach = [
        max(
            ((words_before_cut(cause.pattern, detail), detail) for detail in details),
            default=(0, ""),
        )
        for cause in causes
    ]
    most = max((count for count, _detail in reach), default=0)
    if not most or [count for count, _detail in reach].count(most) > 1:
        return None
    index = next(i for i, (count, _detail) in enumerate(reach) if count == most)
    return _diagnosis(causes[index], reach[index][1], request_time, words)


def _read_as_statements(details: Sequence[str]) -> list[Evidence]:
    statements = []
    for detail in details:
        statements += evidence_in(detail)
        if not first_person(detail):
            statements.append(Evidence(detail, detail, ""))
    return statements


def attach_diagnoses(
    hits: Sequence, *, text: str, message: str, free_text: str, limit: int = DIAGNOSED_HITS
) -> None:
    """Set `hit.diagnosis` on the best hits; the causes of all of them in one query.

    `text` is the whole paste (its `Date` or `X-Sdk-Date` gives the request's time),
    `message` the message read in it and `free_text` the rest of its words."""
    found = {}
    shown = evidence_in(text)
    for hit in hits[:limit]:
        details = details_in(hit.entry, message, free_text, text if free_text else "")
        statements = statements_in(hit.entry, message, shown)
        if details or statements:
            found[hit.entry.pk] = details, statements
    if not found:
        return
    causes = Cause.objects.by_entry(found)
    request_time = facts.request_time_in(text)
    for hit in hits[:limit]:
        if entry_causes := causes.get(hit.entry.pk):
            details, statements = found[hit.entry.pk]
            hit.diagnosis = diagnose_detail(
                hit.entry,
                details,
                causes=entry_causes,
                request_time=request_time,
                statements=statements,
            )


def _diagnosis(
    cause: Cause, detail: str, request_time: datetime | None, words: bool = True
) -> Diagnosis:
    computer = FACT_COMPUTERS.get(cause.kind)
    found = computer(detail, request_time, words=words) if computer else facts.Findings()
    return Diagnosis(
        cause=cause,
        detail=detail,
        findings=found.sentences,
        facts=found.facts,
        request_time=request_time,
    )
