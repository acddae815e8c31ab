"""A log sent to the triage page or API: a file part, a pasted text, or the raw body.

The upload is held in memory only (never in a temporary file: nothing sent is stored)
and refused past the triage's limit before it is read. The page and the API use
`log_stream()`; the shell that calls it sets `upload_handlers` before anything reads
`request.POST` (for the page, before the CSRF check: see kb/views_triage.py).
"""

import io

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kb.triage import MAX_BYTES, TriageError, too_large

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# What a multipart body adds around a file of MAX_BYTES: boundaries, headers, the token.
FORM_OVERHEAD = 64 * 1024


class InMemoryLogHandler(FileUploadHandler):
    """Keeps an uploaded log in memory, refusing one over MAX_BYTES as it arrives."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_BYTES:
            raise TriageError(too_large(), 413)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


def use_memory_uploads(request: HttpRequest) -> None:
    request.upload_handlers = [InMemoryLogHandler(request)]


def log_stream(request: HttpRequest):
    """The log as a binary stream: the `file` part, else the `log` (or `file`) text of a
    form, else the raw body. Raises TriageError for a body over the limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    is_form = request.content_type in FORM_TYPES
    if length > MAX_BYTES + (FORM_OVERHEAD if is_form else 0):
        raise TriageError(too_large(), 413)
    if not is_form:
        return request  # read as it arrives
    try:
        upload = request.FILES.get("file")
        text = request.POST.get("log") or request.POST.get("file") or ""
    except RequestDataTooBig:
        raise TriageError(
            _("A pasted log may be at most 2.5 MB: upload a larger log as a file."), 413
        ) from None
    if upload is not None and upload.size:
        return upload
    return io.BytesIO(text.replace("\r\n", "\n").encode("utf-8"))
