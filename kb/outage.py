"""The database-outage pages, and error pages that never show a traceback.

A database that does not answer (stopped, restarting, unreachable) is a passing
condition, not a bug: the reader gets a 503 page with Retry-After, the operator a
one-line warning in the log, and the next request tries the database again.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    # The error may come before LocaleMiddleware has chosen the language; rendered
    # without the request, as context processors could query the database.
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        html = render_to_string("503.html", {"retry_after": settings.KB_RETRY_AFTER})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.KB_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database error raised by a view into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view (say, while saving a session)
    still gets the 503 page; anything else gets the static 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request, error)
    return defaults.server_error(request)
