"""Removing what unfinished or interrupted uploads leave behind (`jinxuan uploads purge`, or the worker's task).

- resumable uploads past their expiry (24 h after the start): pieces and reservation;
- pieces in UPLOAD_CHUNK_DIR with no reservation (a server killed between writing them and recording them);
- whole-file uploads spooled by Django (FILE_UPLOAD_TEMP_DIR, and the system temp folder used before) that a
  killed server never cleaned up;
- files under attachments/ in the storage that no stored attachment names (a write whose row was never
  committed), temporary files of interrupted writes, and, on an object store, abandoned multipart uploads.

Anything younger than the grace period is left alone: it may belong to a request still under way.
"""

import contextlib
import datetime as dt
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jinxuan.storage.files import is_temporary, presigns, storage, walk

from .chunked import ChunkStore
from .models import PendingUpload, StoredAttachment

GRACE_SECONDS = 3600
SPOOL_MAX_AGE_SECONDS = 6 * 3600  # a spooled upload lives for one request
ATTACHMENT_PREFIX = "attachments"
_ID_RE = re.compile(r"[A-Za-z0-9_-]{32}")
_SPOOL_RE = re.compile(r"^tmp[^/]*\.upload(\.[A-Za-z0-9]{1,16})?$")


def purge_uploads(now: dt.datetime | None = None, grace_seconds: int = GRACE_SECONDS) -> dict[str, int]:
    now = now or timezone.now()
    done = {"expired": 0, "orphaned_pieces": 0, "stale_spooled": 0, "orphaned_files": 0, "stale_partials": 0,
            "abandoned_multipart": 0}
    root = Path(settings.UPLOAD_CHUNK_DIR)
    for row in PendingUpload.objects.filter(expires_at__lte=now):
        if (root / str(row.application_id)).is_dir():
            ChunkStore(root / str(row.application_id)).discard(row.upload_id)
        row.delete()
        done["expired"] += 1
    done["orphaned_pieces"] = _orphaned_pieces(root, now.timestamp() - grace_seconds)
    done["stale_spooled"] = _stale_spooled(now.timestamp() - SPOOL_MAX_AGE_SECONDS)
    orphaned, partials = _orphaned_files(now - dt.timedelta(seconds=grace_seconds))
    done["orphaned_files"], done["stale_partials"] = orphaned, partials
    done["abandoned_multipart"] = _abandoned_multipart(now - dt.timedelta(seconds=settings.UPLOAD_EXPIRY_SECONDS))
    return done


def _orphaned_pieces(root: Path, cutoff: float) -> int:
    if not root.is_dir():
        return 0
    live = set(PendingUpload.objects.values_list("upload_id", flat=True))
    removed = 0
    for folder in root.iterdir():
        if not (folder.is_dir() and folder.name.isdigit()):
            continue  # other users of the folder (the compendium's pending imports) keep their own
        for path in folder.iterdir():
            upload_id = path.name.partition(".")[0]
            if not _ID_RE.fullmatch(upload_id) or upload_id in live:
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += path.suffix in {".part", ".done"}
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return removed


def _stale_spooled(cutoff: float) -> int:
    folders = {Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()), Path(tempfile.gettempdir())}
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not _SPOOL_RE.match(path.name):
                continue
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
    return removed


def _orphaned_files(cutoff: dt.datetime) -> tuple[int, int]:
    store = storage()
    named = set(StoredAttachment.objects.values_list("file", flat=True))
    orphaned = partials = 0
    for name in list(walk(store, ATTACHMENT_PREFIX)):
        if name in named:
            continue
        try:
            if store.get_modified_time(name) >= cutoff:
                continue
            store.delete(name)
        except (OSError, NotImplementedError):
            continue
        if is_temporary(name):
            partials += 1
        else:
            orphaned += 1
    return orphaned, partials


def _abandoned_multipart(cutoff: dt.datetime) -> int:
    store = storage()
    if not presigns(store):
        return 0
    aborted = 0
    for upload in store.bucket.multipart_uploads.all():
        if upload.initiated < cutoff:
            upload.abort()
            aborted += 1
    return aborted


