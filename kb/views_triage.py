"""The triage page: paste or upload a log, read its failed calls grouped by row and cause.

Nothing sent is stored, logged or cached: the upload is held in memory for the request
(kb/triage_upload.py), the page is never cached, and the downloads are the report itself
as data: links in the page, so that no copy of the report waits on the server.
"""

import base64
import json

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kb.triage import MAX_BYTES, MAX_LINES, TriageError, triage
from kb.triage_chart import timeline_chart
from kb.triage_upload import log_stream, use_memory_uploads

TEMPLATE = "kb/triage.html"


# The CSRF check runs in _triage_posted(), once the upload handlers that keep the log in
# memory are in place: the check reads the form, and so the file, before any view could.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("log", "file")
def triage_page(request):
    if request.method != "POST":
        return _render(request, {})
    use_memory_uploads(request)
    try:
        stream = log_stream(request)
    except TriageError as error:
        return _render(request, {"error": str(error)}, status=error.status)
    return _triage_posted(request, stream)


@csrf_protect
def _triage_posted(request, stream):
    try:
        report = triage(stream)
    except TriageError as error:
        return _render(request, {"error": str(error)}, status=error.status)
    data = report.as_json()
    context = {
        "report": report,
        "chart": timeline_chart(report),
        "json_url": _data_url(json.dumps(data, ensure_ascii=False, indent=2), "application/json"),
        # The byte-order mark lets spreadsheet programs read the Chinese text as UTF-8.
        "csv_url": _data_url("\ufeff" + report.as_csv(), "text/csv"),
    }
    return _render(request, context)


def _render(request, context: dict, status: int = 200):
    context = {"max_mb": MAX_BYTES // (1024 * 1024), "max_lines": MAX_LINES, **context}
    response = render(request, TEMPLATE, context, status=status)
    response.kb_public = False
    add_never_cache_headers(response)
    return response


def _data_url(text: str, content_type: str) -> str:
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{content_type};charset=utf-8;base64,{encoded}"
