"""Backup and restore of one installation: the database, the uploaded files and the audit anchors in one archive.

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
from django.db import connection

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
    from jinxuan.audit.models import AuditHead

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
        media = Path(settings.MEDIA_ROOT)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        progress(f"收集上传文件 {len(files)} 个")
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "audit_head": audit_head(),
            "counts": counts(),
            "members": {name: _sha256(path) for name, path in members.items()},
            "media": {str(p.relative_to(media)): _sha256(p) for p in files},
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name)
            for p in files:
                tar.add(p, arcname="media/" + str(p.relative_to(media)))
        os.replace(partial, out)
    return manifest


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
    """Restore `archive` into the configured (empty) database and MEDIA_ROOT, then verify it."""
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
        media = Path(settings.MEDIA_ROOT)
        progress(f"恢复上传文件 {len(manifest['media'])} 个")
        for rel in manifest["media"]:
            target = media / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "media" / rel, target)
        anchors = tmp / "audit-anchors.log"
        anchor_file = Path(getattr(settings, "AUDIT_ANCHOR_FILE", "") or "")
        if anchors.is_file() and str(anchor_file) and not anchor_file.exists():
            anchor_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(anchors, anchor_file)
    progress("重建案例库检索索引")
    from jinxuan.library.search import rebuild

    rebuild()  # the index is not in the archive: it is derived from the restored cases
    return verify(manifest, progress)


def verify(manifest: dict, progress=lambda msg: None) -> RestoreReport:
    from jinxuan.audit.verify import verify_database
    from jinxuan.pipeline.replay import replay_all

    report = RestoreReport(manifest=manifest)
    report.counts = counts()
    progress("校验审计日志哈希链")
    head = manifest["audit_head"]
    anchors = [(head["seq"], head["hash"])] if head.get("seq") else []
    report.audit_problems = [str(p) for p in verify_database(anchors)]
    progress("重算各阶段结果")
    report.replay = replay_all()
    return report
