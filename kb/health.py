"""Probes for load balancers: `/healthz` (the process answers) and `/readyz` (it can serve).

They are answered by a middleware, ahead of the Host check, the language prefix and
the HTTPS redirect, because probes reach each host directly by its address, over
plain HTTP. Both answer a small JSON body and are never cached.
"""

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from kb.models import ErrorEntry

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive; it does not look at the database."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers and the catalog has been imported."""
    try:
        rows = ErrorEntry.objects.count()
    except DatabaseError as error:
        logger.warning("readyz: database unavailable: %s", error)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if not rows:
        body = {"status": "unavailable", "database": "ok", "catalog_rows": 0}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "catalog_rows": rows})


PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response
