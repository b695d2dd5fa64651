"""Print-outs of submitted versions, rendered once and served from the default storage afterwards.

A version is immutable, so its print-outs are rendered once (in the background when it is submitted, or at the
first download) and kept through Django's storage API with their SHA-256 in a `PrintOut` row. A read checks the
file against that hash; a missing or altered file, or changed inputs (a renamed organisation, another verify
link, a new layout revision), renders and stores it again. Drafts have no version and are rendered on demand.

A storage that cannot be read or written (a full disk, an object store that does not answer) never fails a
download: the reader gets the freshly rendered document and a later download stores it. The background task
renders inside `must_store()`, where such a failure raises so the task can be tried again later.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from jinxuan.storage.files import storage_errors

from .models import ApplicationVersion, PrintOut

log = logging.getLogger(__name__)
_must_store = contextvars.ContextVar("printouts_must_store", default=False)


@contextlib.contextmanager
def must_store() -> Iterator[None]:
    """Inside: a print-out that cannot be stored raises (the storage's error) instead of being returned unstored."""
    token = _must_store.set(True)
    try:
        yield
    finally:
        _must_store.reset(token)

# Part of every inputs digest: bump it when the rendering code changes what a print-out looks like.
LAYOUT_REVISION = "2026-12-07"

EXTENSIONS = {"pdf": "pdf", "docx": "docx"}


def inputs_digest(inputs) -> str:
    """SHA-256 of what a print-out is rendered from (dataclasses, dicts, lists, strings)."""
    if dataclasses.is_dataclass(inputs):
        inputs = dataclasses.asdict(inputs)
    payload = json.dumps([LAYOUT_REVISION, inputs], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _read(row: PrintOut) -> bytes | None:
    """The stored file if it is there and matches its recorded hash."""
    try:
        with default_storage.open(row.name, "rb") as fh:
            data = fh.read()
    except storage_errors():  # missing, or the storage cannot be read now (an object store down)
        log.warning("print-out %s missing from storage or unreadable (%s); rendering again", row.pk, row.name)
        return None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        log.warning("print-out %s does not match its recorded hash (%s); rendering again", row.pk, row.name)
        return None
    return data


def _write(version: ApplicationVersion, kind: str, digest: str, data: bytes, previous: PrintOut | None) -> None:
    ext = kind.rsplit(".", 1)[-1]
    stem = kind.rsplit(".", 1)[0]
    path = f"printouts/{version.application_id}/v{version.number}/{stem}-{digest[:16]}.{EXTENSIONS.get(ext, 'bin')}"
    name = default_storage.save(path, ContentFile(data))
    fields = {"inputs": digest, "name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    try:
        with transaction.atomic():
            PrintOut.objects.update_or_create(version=version, kind=kind, defaults=fields)
    except IntegrityError:  # rendered at the same moment by another request: keep theirs
        default_storage.delete(name)
        return
    if previous is not None and previous.name != name:
        try:
            default_storage.delete(previous.name)
        except storage_errors():
            log.warning("could not delete the replaced print-out file %s", previous.name)


def stored(version: ApplicationVersion, kind: str, inputs, render: Callable[[], bytes]) -> bytes:
    """The print-out `kind` (e.g. "application.pdf") of `version` rendered from `inputs`: from storage when it
    was rendered from the same inputs and is intact, else rendered by `render()` now and stored."""
    digest = inputs_digest(inputs)
    row = PrintOut.objects.filter(version=version, kind=kind).first()
    if row is not None and row.inputs == digest:
        data = _read(row)
        if data is not None:
            return data
    data = render()
    try:
        _write(version, kind, digest, data, row)
    except storage_errors():  # the reader gets the document all the same; the next download tries to store it again
        if _must_store.get():
            raise
        log.exception("could not store print-out %s of version %s", kind, version.pk)
    return data
