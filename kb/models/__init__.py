"""The catalog's models, by concern: the catalog content (`catalog`), the feedback on its
rows (`feedback`) and the unknown-error queue (`queue`). Import them from here."""

from kb.models.catalog import (
    CONTACT_SUPPORT_MARKERS,
    HISTORY_EXCLUDED,
    Catalog,
    Category,
    Cause,
    CauseKind,
    EditConflict,
    ErrorAlias,
    ErrorEntry,
    FaqArticle,
    ShippedContent,
    code_page_url,
    page_url,
    row_identity,
    status_class,
)
from kb.models.feedback import FEEDBACK_LOCK, Feedback, FeedbackByRow
from kb.models.queue import UnansweredSearch, UnansweredSighting

__all__ = [
    "CONTACT_SUPPORT_MARKERS",
    "FEEDBACK_LOCK",
    "HISTORY_EXCLUDED",
    "Catalog",
    "Category",
    "Cause",
    "CauseKind",
    "EditConflict",
    "ErrorAlias",
    "ErrorEntry",
    "FaqArticle",
    "Feedback",
    "FeedbackByRow",
    "ShippedContent",
    "UnansweredSearch",
    "UnansweredSighting",
    "code_page_url",
    "page_url",
    "row_identity",
    "status_class",
]
