"""Attachments shown in place: PDFs in the browser's own viewer, images as images, everything else a download.

`preview_kind(stored)` says how the reader shows a stored attachment; `inline_response` answers the
permission-checked request for it with `Content-Disposition: inline` and the type its content was detected as
(never what the uploader's file name claims), or as a signed link of the object store that says the same.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect
from django.utils.encoding import escape_uri_path

from jinxuan.storage.files import download_response, presigns

INLINE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                "webp": "image/webp"}


def preview_kind(stored) -> str:
    """"pdf", "image" or "" (download only)."""
    if stored.detected == "pdf":
        return "pdf"
    return "image" if stored.detected in INLINE_TYPES else ""


def inline_response(stored):
    content_type = INLINE_TYPES.get(stored.detected)
    if content_type is None:
        return download_response(stored.file, stored.name)
    disposition = f"inline; filename*=UTF-8''{escape_uri_path(stored.name)}"
    store = stored.file.storage
    if getattr(settings, "ATTACHMENT_DOWNLOAD", "stream") == "redirect" and presigns(store):
        response = HttpResponseRedirect(store.url(stored.file.name, expire=settings.ATTACHMENT_LINK_SECONDS, parameters={
            "ResponseContentDisposition": disposition, "ResponseContentType": content_type}))
    else:
        response = FileResponse(store.open(stored.file.name, "rb"), content_type=content_type)
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
