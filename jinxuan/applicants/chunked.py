"""Resumable chunked uploads kept on the file system (tus-like, no database).

An upload is two files in the store's root, named after a random id:

- ``<id>.json``: the meta data written once by `start` (file name, declared size,
  optional expected SHA-256, creation time). It is never rewritten, so it is a
  stable target for the ``flock`` that serialises every operation on the upload.
- ``<id>.part``: the bytes received so far; its size is the upload's offset.
  `finish` renames it to ``<id>.done``.

A client that lost its connection asks `offset` and sends the rest from there;
`append` refuses any chunk whose offset is not exactly the current size.

Locks are ``flock`` locks, which exclude each other across processes and
across threads of one process (each operation opens its own descriptor); they
are not reliable on NFS, so keep the root on a local file system.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from .uploads import safe_filename

ID_BYTES = 24  # token_urlsafe(24) is 32 characters
_ID_RE = re.compile(r"[A-Za-z0-9_-]{32}")
_SHA_RE = re.compile(r"[0-9a-fA-F]{64}")
DEFAULT_MAX_TOTAL_SIZE = 1024 * 1024 * 1024  # 1 GiB
HASH_BLOCK = 1024 * 1024


class ChunkError(Exception):
    """A refused chunked-upload operation; the message is for the user (Chinese).

    `offset` is the number of bytes the server holds, when known, so a client can resume.
    """

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset


class ChunkStore:
    def __init__(self, root: Path | str, max_total_size: int = DEFAULT_MAX_TOTAL_SIZE):
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_total_size = max_total_size

    # -- public API -----------------------------------------------------------------------------

    def start(self, filename: str, total_size: int, expected_sha256: str | None = None) -> str:
        if isinstance(total_size, bool) or not isinstance(total_size, int) or total_size <= 0:
            raise ChunkError("文件大小必须是大于 0 的整数")
        if total_size > self.max_total_size:
            raise ChunkError(f"文件大小 {total_size} 字节超过上传上限 {self.max_total_size} 字节")
        if expected_sha256 is not None:
            if not isinstance(expected_sha256, str) or not _SHA_RE.fullmatch(expected_sha256):
                raise ChunkError("校验值格式不正确：应为 64 位十六进制的 SHA-256")
            expected_sha256 = expected_sha256.lower()
        meta = {
            "filename": safe_filename(filename),
            "total_size": total_size,
            "expected_sha256": expected_sha256,
            "created": time.time(),
        }
        while True:
            upload_id = secrets.token_urlsafe(ID_BYTES)
            try:
                fd = os.open(self._part(upload_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # pragma: no cover - 192 random bits
                continue
            os.close(fd)
            break
        # The id is unknown to anyone until we return, so a temp file + rename is enough.
        tmp = self.root / f"{upload_id}.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._meta(upload_id))
        return upload_id

    def meta(self, upload_id: str) -> dict:
        """The meta data recorded by `start` (filename, total_size, expected_sha256, created)."""
        with self._locked(upload_id, fcntl.LOCK_SH) as meta:
            return dict(meta)

    def offset(self, upload_id: str) -> int:
        with self._locked(upload_id, fcntl.LOCK_SH) as meta:
            return self._received(upload_id, meta)

    def append(self, upload_id: str, offset: int, chunk: bytes) -> int:
        """Append `chunk` at `offset`; returns the new offset."""
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError("chunk must be bytes")
        with self._locked(upload_id, fcntl.LOCK_EX) as meta:
            if self._done(upload_id).exists():
                raise ChunkError("该文件已上传完成，不能再追加数据", offset=meta["total_size"])
            part = self._part(upload_id)
            try:
                fd = os.open(part, os.O_WRONLY | os.O_APPEND)
            except FileNotFoundError:
                raise ChunkError("上传不存在或已过期，请重新上传") from None
            try:
                current = os.fstat(fd).st_size
                if offset != current:
                    raise ChunkError(
                        f"上传位置不符：服务器已收到 {current} 字节，请从第 {current} 字节处继续上传",
                        offset=current,
                    )
                total = meta["total_size"]
                if current + len(chunk) > total:
                    raise ChunkError(
                        f"数据超出声明的文件大小：已收到 {current} 字节，本段 {len(chunk)} 字节，"
                        f"文件共 {total} 字节",
                        offset=current,
                    )
                try:
                    view = memoryview(chunk)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                    os.fsync(fd)
                except OSError:
                    # Keep the file a clean prefix so the client can resume from `current`.
                    os.ftruncate(fd, current)
                    raise
                return current + len(chunk)
            finally:
                os.close(fd)

    def finish(self, upload_id: str) -> tuple[Path, str]:
        """Complete the upload: returns the data file and its SHA-256 (hex).

        The file stays in the store until `discard` (or `purge_older_than`); move or copy it
        to permanent storage first. A second `finish` returns the same result.
        """
        with self._locked(upload_id, fcntl.LOCK_EX) as meta:
            done = self._done(upload_id)
            total = meta["total_size"]
            if not done.exists():
                received = self._received(upload_id, meta)
                if received != total:
                    raise ChunkError(f"文件尚未传完：已收到 {received} / {total} 字节", offset=received)
            source = done if done.exists() else self._part(upload_id)
            sha256 = _sha256(source)
            expected = meta.get("expected_sha256")
            if expected and sha256 != expected:
                self._remove(upload_id)
                raise ChunkError(
                    "文件校验失败：SHA-256 与上传前声明的不一致，文件可能在传输中损坏，请重新上传"
                )
            if source != done:
                os.replace(source, done)
                _fsync_dir(self.root)
            return done, sha256

    def discard(self, upload_id: str) -> None:
        """Forget the upload and delete its files (no error when already gone)."""
        _check_id(upload_id)
        try:
            with self._locked(upload_id, fcntl.LOCK_EX):
                self._remove(upload_id)
        except ChunkError:
            self._remove(upload_id)  # meta already gone: clean up any leftover data file

    def purge_older_than(self, seconds: float) -> int:
        """Discard uploads with no activity for `seconds`; returns how many were removed.

        Uploads in use (locked) are skipped. Data files without meta are removed too.
        """
        cutoff = time.time() - seconds
        purged = 0
        for path in list(self.root.iterdir()):
            upload_id, _, suffix = path.name.partition(".")
            if not _ID_RE.fullmatch(upload_id) or suffix not in {"json", "part", "done", "json.tmp"}:
                continue
            if suffix != "json" and self._meta(upload_id).exists():
                continue  # handled through its meta file
            if suffix != "json":
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        purged += suffix != "json.tmp"
                continue
            if self._last_activity(upload_id) >= cutoff:
                continue
            try:
                with self._locked(upload_id, fcntl.LOCK_EX | fcntl.LOCK_NB):
                    self._remove(upload_id)
                    purged += 1
            except (ChunkError, BlockingIOError):
                continue
        return purged

    # -- internals ------------------------------------------------------------------------------

    def _meta(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.json"

    def _part(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.part"

    def _done(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.done"

    def _received(self, upload_id: str, meta: dict) -> int:
        if self._done(upload_id).exists():
            return meta["total_size"]
        try:
            return self._part(upload_id).stat().st_size
        except FileNotFoundError:
            raise ChunkError("上传不存在或已过期，请重新上传") from None

    def _last_activity(self, upload_id: str) -> float:
        times = []
        for path in (self._meta(upload_id), self._part(upload_id), self._done(upload_id)):
            with contextlib.suppress(FileNotFoundError):
                times.append(path.stat().st_mtime)
        return max(times, default=0.0)

    def _remove(self, upload_id: str) -> None:
        for path in (self._part(upload_id), self._done(upload_id), self._meta(upload_id)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    @contextlib.contextmanager
    def _locked(self, upload_id: str, how: int) -> Iterator[dict]:
        _check_id(upload_id)
        path = self._meta(upload_id)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise ChunkError("上传不存在或已过期，请重新上传") from None
        try:
            fcntl.flock(fd, how)
            # A concurrent discard may have unlinked the meta file while we waited for the lock.
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                raise ChunkError("上传不存在或已过期，请重新上传")
            try:
                with os.fdopen(os.dup(fd), "r", encoding="utf-8") as fh:
                    meta = json.load(fh)
            except (ValueError, OSError):
                raise ChunkError("上传记录已损坏，请重新上传") from None
            yield meta
        finally:
            os.close(fd)  # also releases the lock


def _check_id(upload_id: str) -> None:
    if not isinstance(upload_id, str) or not _ID_RE.fullmatch(upload_id):
        raise ChunkError("上传编号无效")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
