"""Storage helpers shared by attachments, print-outs, compendium files and backups.

`AtomicFileSystemStorage` is the embedded default: a file is written under a temporary name in its target
folder and renamed into place once complete, so a server killed during a write leaves a temporary file (removed
by `jinxuan uploads purge`), never a truncated file under a real name. An S3-compatible store needs no such care:
an object appears only when its upload completed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage, Storage, storages

TEMP_PREFIX = ".partial-"
HASH_BLOCK = 1024 * 1024


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        folder, base = os.path.split(str(name).replace("\\", "/"))
        temp = "/".join(p for p in (folder, f"{TEMP_PREFIX}{secrets.token_hex(8)}-{base}") if p)
        try:
            temp = super()._save(temp, content)  # Django's own write, to the temporary name
            final = self._link_into_place(temp, name)
        finally:
            with contextlib.suppress(FileNotFoundError, OSError):
                os.unlink(self.path(temp))
        return final

    def _link_into_place(self, temp: str, name: str) -> str:
        """Give the complete file its real name without ever replacing another file (a hard link fails if taken)."""
        while True:
            try:
                os.link(self.path(temp), self.path(name))
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            except OSError:  # a file system without hard links: rename (the name was reserved free by save())
                if os.path.exists(self.path(name)):
                    name = self.get_available_name(name)
                    continue
                os.replace(self.path(temp), self.path(name))
            return str(name).replace("\\", "/")


def storage() -> Storage:
    """The configured storage of uploaded and generated files (local folder or object store)."""
    return storages["default"]


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a storage raises when it cannot read or write: OSError (a full or missing disk) and, for an object
    store, botocore's errors (the store unreachable, a refused request), which are not OSErrors."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is a dependency
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def is_temporary(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)


def walk(store: Storage, top: str = "") -> Iterator[str]:
    """Every file name in the storage under `top` (sorted, "/"-separated)."""
    try:
        folders, files = store.listdir(top)
    except FileNotFoundError:
        return
    prefix = f"{top.rstrip('/')}/" if top else ""
    for name in sorted(files):
        yield prefix + name
    for folder in sorted(folders):
        yield from walk(store, prefix + folder)


def sha256_of(store: Storage, name: str) -> str:
    """SHA-256 (hex) of a stored file, read back from the storage."""
    digest = hashlib.sha256()
    with store.open(name, "rb") as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def presigns(store: Storage) -> bool:
    """True for a storage whose `url()` is a short-lived signed link to the object (S3)."""
    return bool(getattr(store, "querystring_auth", False)) and hasattr(store, "bucket_name")


def download_response(fieldfile, filename: str):
    """The answer for a file whose access the caller has already checked.

    Streams it through the application, or, with ATTACHMENT_DOWNLOAD = "redirect" and an object store, redirects
    to a signed link that expires after ATTACHMENT_LINK_SECONDS (at most 60 s), named and typed as a download.
    """
    from django.conf import settings
    from django.http import FileResponse, HttpResponseRedirect
    from django.utils.encoding import escape_uri_path

    store = fieldfile.storage
    if getattr(settings, "ATTACHMENT_DOWNLOAD", "stream") == "redirect" and presigns(store):
        disposition = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
        url = store.url(fieldfile.name, expire=settings.ATTACHMENT_LINK_SECONDS,
                        parameters={"ResponseContentDisposition": disposition,
                                    "ResponseContentType": "application/octet-stream"})
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(store.open(fieldfile.name, "rb"), as_attachment=True, filename=filename)
        response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def storage_problem() -> str | None:
    """For the readiness probe: an object store that cannot be reached (Chinese), or None."""
    store = storage()
    if not presigns(store):
        return None
    try:
        store.connection.meta.client.head_bucket(Bucket=store.bucket_name)
    except Exception as exc:  # noqa: BLE001 - any client error means the files cannot be read or written
        return f"对象存储不可用（存储桶 {store.bucket_name}）：{type(exc).__name__}"
    return None
