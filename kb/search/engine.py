"""The one search engine: pasted text in, ranked catalog rows out.

parse the text -> gather candidates through the database's indexes (by code, by
message prefix, by HTTP status, by full text) -> rank them in Python -> load the
few rows shown. The search page, the JSON API and `manage.py lookup` all call
`search()` and only format its answer.
"""

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from kb.models import ErrorEntry
from kb.search.index import CANDIDATE_COLUMNS, fulltext_candidates
from kb.search.parse import ParsedQuery, QueryError, parse
from kb.search.synonyms import query_groups
from kb.search.tokens import normalize

__all__ = ["Hit", "QueryError", "SearchResult", "search"]

CANDIDATE_LIMIT = 300
STATUS_CANDIDATE_LIMIT = 60
FEW_CANDIDATES = 20
RESULT_LIMIT = 10
# Where a term is found counts: the message names the error, the meaning explains
# it, the remedy and the linked FAQ articles only mention it.
SECTION_WEIGHTS = (1.0, 0.85, 0.35, 0.6)


@dataclass(frozen=True)
class Candidate:
    id: int
    catalog: str
    code: str
    http_status: int
    message_key: str
    search_text: str
    sort_order: int

    @property
    def sections(self) -> list[set[str]]:
        return [set(part.split()) for part in self.search_text.split(" ~ ")]


@dataclass
class Hit:
    entry: ErrorEntry
    score: float
    match: str  # "code", "message", "status" or "text"
    terms: frozenset[str] = frozenset()
    similarity: float = 0.0  # of the pasted message to the row's, 0-100
    coverage: float = 0.0  # share of the query's words the row holds, 0-1

    @property
    def confident(self) -> bool:
        """This row answers the query: its code, its message, or most of the words."""
        return self.match in ("code", "message", "status") or self.coverage >= 0.6


@dataclass
class SearchResult:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.hits[0].confident

    @property
    def single(self) -> Hit | None:
        """The one row the query names, when it names exactly one."""
        if not self.confident:
            return None
        if len(self.hits) == 1 or self.hits[0].score - self.hits[1].score >= 10:
            return self.hits[0]
        return None


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", normalize(text)))


def _message_prefixes(message: str) -> list[str]:
    words = _words(message).split()[:40]
    return [" ".join(words[:n]) for n in range(1, len(words) + 1)]


def _fetch(queryset) -> list[Candidate]:
    return [Candidate(*row) for row in queryset.values_list(*CANDIDATE_COLUMNS)]


def _gather(query: ParsedQuery, groups, message: str) -> tuple[list[Candidate], list[str]]:
    """Candidates from the indexes; a known code, when the query has one, is authoritative."""
    unknown: list[str] = []
    if query.codes:
        rows = _fetch(ErrorEntry.objects.filter(code__in=query.codes))
        if rows:
            return rows, unknown
        unknown = query.codes
    if query.status_only:
        rows = ErrorEntry.objects.filter(http_status=query.http_status)
        return _fetch(rows.order_by("catalog", "sort_order")[:CANDIDATE_LIMIT]), unknown

    found: dict[int, Candidate] = {}
    if query.http_status and not query.status_implied:
        # A log line or curl output whose words say little: its status still does.
        rows = ErrorEntry.objects.filter(http_status=query.http_status)
        for row in _fetch(rows.order_by("catalog", "sort_order")[:STATUS_CANDIDATE_LIMIT]):
            found[row.id] = row
    prefixes = _message_prefixes(message) if message else []
    if prefixes:
        for row in _fetch(ErrorEntry.objects.filter(message_key__in=prefixes)):
            found[row.id] = row
    lowered = normalize(message)
    documented = any(
        row.message_key and _detail_after(row.message_key).match(lowered) for row in found.values()
    )
    if groups and not documented:
        rows = fulltext_candidates(list(groups), CANDIDATE_LIMIT, match_all=True)
        if len(rows) < FEW_CANDIDATES and len(groups) > 1:
            # Few rows have every word: widen to rows with any, the ranking sorts them.
            rows += fulltext_candidates(list(groups), CANDIDATE_LIMIT, match_all=False)
        for row in rows:
            found.setdefault(row[0], Candidate(*row))
    return list(found.values()), unknown


@lru_cache(maxsize=4096)
def _detail_after(key: str) -> re.Pattern:
    """The key's words at the start of a message, then its end or punctuation."""
    words = r"[^a-z0-9]+".join(re.escape(word) for word in key.split())
    return re.compile(rf"^[^a-z0-9]*{words}(?:[^a-z0-9]*$|\s*[:,.;(\[|])")


def _message_similarity(message: str, message_words: str, candidate: Candidate) -> float:
    """100 when the pasted message is the documented one, perhaps with detail after
    it or its placeholder filled in; otherwise how alike the two are."""
    key = candidate.message_key
    if not message_words or not key:
        return 0.0
    if message_words == key or _detail_after(key).match(message):
        return 100.0
    similarity = fuzz.ratio(message_words, key)
    if len(message_words) > len(key):
        # A drifted message with detail after it: compare the part as long as the key.
        similarity = max(similarity, fuzz.ratio(message_words[: len(key)], key) - 3)
    return similarity


def _group_weights(groups, candidates) -> list[float]:
    """How much each query group counts: rare terms among the candidates count most.

    A group no candidate has (a typo, a junk two-character piece of a Chinese
    phrase) counts for nothing.
    """
    sections = [set().union(*candidate.sections) for candidate in candidates]
    weights = []
    for group in groups:
        frequency = sum(1 for tokens in sections if group & tokens)
        weights.append(
            math.log((len(sections) + 1) / (frequency + 0.5)) + 0.2 if frequency else 0.0
        )
    return weights


def _rank(query, groups, weights, message, message_words, candidate) -> Hit:
    score, match = 0.0, "text"
    if query.codes and candidate.code in query.codes:
        score, match = 60.0, "code"
    if query.http_status:
        if candidate.http_status == query.http_status:
            score += 8.0 if query.status_implied else 12.0
        elif not query.status_implied:
            score -= 8.0
        if query.status_only:
            score, match = score + 50.0, "status"
    similarity = _message_similarity(message, message_words, candidate)
    if similarity >= 80:
        score += similarity - 60
        if match == "text" and similarity >= 85:
            match = "message"
    terms: set[str] = set()
    coverage = 0.0
    total = sum(weights)
    if total:
        sections = candidate.sections
        covered = 0.0
        for group, weight in zip(groups, weights, strict=True):
            best = 0.0
            for section_weight, tokens in zip(SECTION_WEIGHTS, sections, strict=False):
                hit = group & tokens
                if hit:
                    terms |= hit
                    best = max(best, section_weight)
            covered += best * weight
        # Words that match nothing at all make every row a weaker answer.
        known = sum(1 for weight in weights if weight) / len(weights)
        coverage = covered / total * (0.5 + 0.5 * known)
        # For a known code the words only break ties between its rows.
        score += coverage * (20.0 if match == "code" else 45.0)
    return Hit(
        entry=None,
        score=round(score, 1),
        match=match,
        terms=frozenset(terms),
        similarity=similarity,
        coverage=round(coverage, 3),
    )


def search(text: str, limit: int = RESULT_LIMIT) -> SearchResult:
    """Rank catalog rows for whatever was pasted. Raises QueryError for text it cannot take."""
    query = parse(text)
    result = SearchResult(query=query)
    if not query.text:
        return result
    message = query.message if query.message else ("" if query.code_only else query.free_text)
    search_text = message or ("" if query.code_only else query.free_text)
    groups = query_groups(search_text[:2000]) if search_text and not query.status_only else ()
    candidates, result.unknown_codes = _gather(query, groups, message)
    message_words = _words(message)[:400]

    weights = _group_weights(groups, candidates) if groups else []
    ranked = []
    for candidate in candidates:
        hit = _rank(query, groups, weights, normalize(message), message_words, candidate)
        if hit.score > 0:
            ranked.append((candidate, hit))
    ranked.sort(key=lambda item: (-item[1].score, item[0].catalog, item[0].sort_order))
    ranked = ranked[:limit]

    entries = ErrorEntry.objects.in_bulk([candidate.id for candidate, _hit in ranked])
    for candidate, hit in ranked:
        if candidate.id in entries:
            hit.entry = entries[candidate.id]
            result.hits.append(hit)
    return result
