"""Backup and restore of one installation: the database, the stored files and the audit anchors in one archive.

The files (attachments, evidence, cached print-outs, compendium files) are read from the configured storage —
the local folder or the S3-compatible object store — and restored into whichever storage the restoring
installation has configured; each object is hashed when read and read back after the restore to check it.

The database part uses the engine's own tools — `pg_dump --format=custom` / `pg_restore` for PostgreSQL, the
SQLite online-backup API for SQLite — so a backup is consistent while the service runs. The archive holds a
manifest with the SHA-256 of every member, the audit chain's head and row counts; `restore` checks all of it,
loads into an empty database only, then verifies the audit chain and replays every stored stage result
(`jinxuan.pipeline.replay`) so a restored installation is known to rank exactly as before.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import connection

from jinxuan.audit.models import AuditHead
from jinxuan.audit.verify import verify_database
from jinxuan.library.changes import start_epoch
from jinxuan.library.search import rebuild
from jinxuan.pipeline.replay import replay_all
from jinxuan.storage.files import is_temporary, sha256_of, storage, walk

FORMAT = "jinxuan.backup/1"
COUNTED = ("applicants.Application", "applicants.ApplicationVersion", "review.Review", "voting.Vote",
           "pipeline.StageRun", "audit.AuditEvent", "accounts.User")


class BackupError(RuntimeError):
    pass


@dataclass
class RestoreReport:
    manifest: dict
    counts: dict[str, int] = field(default_factory=dict)
    audit_problems: list[str] = field(default_factory=list)
    replay: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (not self.audit_problems and self.counts == self.manifest["counts"]
                and all(r["same"] for r in self.replay))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _db() -> dict:
    return settings.DATABASES["default"]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_url() -> str:
    db = _db()
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{db['NAME']}"


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED if _has_model(label)}


def _has_model(label: str) -> bool:
    try:
        apps.get_model(label)
        return True
    except LookupError:
        return False


def audit_head() -> dict:
    head = AuditHead.objects.filter(pk=1).values("seq", "hash").first()
    return head or {"seq": 0, "hash": ""}


def create(out: Path, progress=lambda msg: None) -> dict:
    """Write a backup archive to `out` (written beside it first, then renamed); return its manifest."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="jinxuan-backup-") as tmp:
        tmp = Path(tmp)
        members: dict[str, Path] = {}
        if _is_postgres():
            dump = tmp / "database.pgdump"
            progress("导出 PostgreSQL 数据库（pg_dump）")
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump),
                  "--dbname", _pg_url()])
            members["database.pgdump"] = dump
        else:
            dump = tmp / "database.sqlite3"
            progress("导出 SQLite 数据库（在线备份）")
            src = sqlite3.connect(str(_db()["NAME"]))
            dst = sqlite3.connect(str(dump))
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
            members["database.sqlite3"] = dump
        anchors = Path(getattr(settings, "AUDIT_ANCHOR_FILE", "") or "")
        if anchors.is_file():
            shutil.copyfile(anchors, tmp / "audit-anchors.log")
            members["audit-anchors.log"] = tmp / "audit-anchors.log"
        store = storage()
        names = [name for name in walk(store) if not is_temporary(name)]
        progress(f"收集存储中的文件 {len(names)} 个（{type(store).__name__}）")
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "audit_head": audit_head(),
            "counts": counts(),
            "members": {name: _sha256(path) for name, path in members.items()},
            "media": {},
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for name, path in members.items():
                tar.add(path, arcname=name)
            for name in names:
                manifest["media"][name] = _add_object(tar, store, name)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, out)
    return manifest


class _Hashing:
    """A read-only file wrapper that hashes what passes through it."""

    def __init__(self, fh):
        self.fh, self.digest, self.read_bytes = fh, hashlib.sha256(), 0

    def read(self, size=-1):
        block = self.fh.read(size)
        self.digest.update(block)
        self.read_bytes += len(block)
        return block


def _add_object(tar: tarfile.TarFile, store, name: str) -> str:
    """Copy one stored object into the archive (streamed, not held in memory); return its SHA-256."""
    size = store.size(name)
    info = tarfile.TarInfo("media/" + name)
    info.size = size
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    with store.open(name, "rb") as fh:
        reader = _Hashing(fh)
        tar.addfile(info, reader)
    if reader.read_bytes != size:
        raise BackupError(f"读取存储中的文件时长度变化：{name}")
    return reader.digest.hexdigest()


def _run(cmd: list[str]) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"找不到命令 {cmd[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）") from None
    if done.returncode:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()[-500:]}")


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(archive: Path, progress=lambda msg: None) -> RestoreReport:
    """Restore `archive` into the configured (empty) database and storage, then verify it."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"备份文件不存在：{archive}")
    if not _database_is_empty():
        raise BackupError("目标数据库不是空的：恢复只写入空数据库，请新建数据库后再试")
    with tempfile.TemporaryDirectory(prefix="jinxuan-restore-") as tmp:
        tmp = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(tmp, filter="data")  # refuses absolute paths, `..` and links out of the folder
        try:
            manifest = json.loads((tmp / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BackupError("备份文件缺少有效的 manifest.json") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不支持的备份格式：{manifest.get('format')!r}")
        for name, digest in {**manifest["members"],
                             **{"media/" + k: v for k, v in manifest["media"].items()}}.items():
            path = tmp / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"备份文件已损坏或被修改：{name}")
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {connection.vendor}")
        progress("恢复数据库")
        if _is_postgres():
            connection.close()
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _pg_url(),
                  str(tmp / "database.pgdump")])
        else:
            connection.close()
            shutil.copyfile(tmp / "database.sqlite3", _db()["NAME"])
        store = storage()
        progress(f"恢复存储中的文件 {len(manifest['media'])} 个（{type(store).__name__}）")
        for rel, digest in manifest["media"].items():
            _restore_object(store, rel, tmp / "media" / rel, digest)
        anchors = tmp / "audit-anchors.log"
        anchor_file = Path(getattr(settings, "AUDIT_ANCHOR_FILE", "") or "")
        if anchors.is_file() and str(anchor_file) and not anchor_file.exists():
            anchor_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(anchors, anchor_file)
    progress("重建案例库检索索引")

    start_epoch()  # every host's index was built from another database: each rebuilds once, not only this one
    rebuild()  # the index is not in the archive: it is derived from the restored cases
    return verify(manifest, progress)


def _restore_object(store, name: str, source: Path, digest: str) -> None:
    """Write one object under its own name into the configured storage and check it there by its SHA-256."""
    if store.exists(name):
        store.delete(name)
    with source.open("rb") as fh:
        saved = store.save(name, File(fh, name=name))
    if saved != name:
        raise BackupError(f"恢复文件时名称被改变：{name} → {saved}")
    if sha256_of(store, name) != digest:
        raise BackupError(f"恢复后存储中的文件校验不一致：{name}")


def verify(manifest: dict, progress=lambda msg: None) -> RestoreReport:
    report = RestoreReport(manifest=manifest)
    report.counts = counts()
    progress("校验审计日志哈希链")
    head = manifest["audit_head"]
    anchors = [(head["seq"], head["hash"])] if head.get("seq") else []
    report.audit_problems = [str(p) for p in verify_database(anchors)]
    progress("重算各阶段结果")
    report.replay = replay_all()
    return report
