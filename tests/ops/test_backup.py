"""Backup → restore into an empty database: counts, the audit chain and every stage result's replay match."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bench.support import fresh_database

CLI = [sys.executable, "-m", "jinxuan.cli"]


def _env(tmp: Path, db_url: str, name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(JINXUAN_DATA_DIR=str(tmp / name), DJANGO_SETTINGS_MODULE="jinxuan.settings",
               CACHE_KEY_PREFIX=f"backup-test-{name}-{os.getpid()}",
               # the audit chain's key goes with the application's environment, not with the backup
               AUDIT_HMAC_KEY="backup-test-audit-key")
    if db_url:
        env["DATABASE_URL"] = db_url
    return env


def _run(args, env, check=True):
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=600)
    if check and done.returncode:
        raise AssertionError(done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A demo installation (reviews closed, votes cast, applications with attachments) and its backup."""
    tmp = tmp_path_factory.mktemp("backup")
    base = os.environ.get("DATABASE_URL", "")
    drops = []
    if base.startswith("postgres"):
        url, drop = fresh_database(base, f"jinxuan_backup_src_{os.getpid()}")
        drops.append(drop)
    else:
        url = ""
    env = _env(tmp, url, "source")
    _run(["migrate", "-v0"], env)
    _run(["demo", "--per-campaign", "5"], env)
    archive = tmp / "backup.tar.gz"
    created = json.loads(_run(["backup", "create", str(archive)], env).stdout)
    yield tmp, base, archive, created, env
    for drop in drops:
        drop()


def _empty_target(tmp, base, name):
    if base.startswith("postgres"):
        url, drop = fresh_database(base, f"jinxuan_backup_{name}_{os.getpid()}")
        return _env(tmp, url, name), drop
    return _env(tmp, "", name), lambda: None


def _epoch(env) -> str:
    code = "from jinxuan.library.changes import head; print(head()[1])"
    return _run(["shell", "-c", code], env).stdout.strip()


def test_restore_into_empty_database_verifies(source):
    tmp, base, archive, created, source_env = source
    assert created["counts"]["applicants.Application"] > 0 and created["files"] > 0
    env, drop = _empty_target(tmp, base, "target")
    try:
        report = json.loads(_run(["backup", "restore", str(archive)], env).stdout)
        assert report["ok"] is True
        assert report["counts"] == created["counts"]
        assert report["audit_problems"] == []
        assert report["replayed"] >= 1 and report["replay_problems"] == []
        media = Path(env["JINXUAN_DATA_DIR"]) / "media"
        assert sum(1 for p in media.rglob("*") if p.is_file()) == created["files"]
        # the library's change log starts a new epoch: every host's index, built from the other database, rebuilds
        assert _epoch(env) and _epoch(env) != _epoch(source_env)
        # the restored installation answers the stage replay command on its own too
        assert _run(["pipeline", "replay"], env).returncode == 0
    finally:
        drop()


def test_refuses_a_non_empty_database(source):
    tmp, base, archive, _, env = source
    done = _run(["backup", "restore", str(archive)], env, check=False)
    assert done.returncode != 0 and "目标数据库不是空的" in done.stderr


def test_refuses_a_tampered_archive(source):
    tmp, base, archive, _, _ = source
    bad = tmp / "tampered.tar.gz"
    tampered = False
    with tarfile.open(archive, "r:gz") as src, tarfile.open(bad, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if not tampered and member.name.startswith("media/") and data is not None:
                data, tampered = data + b"x", True  # one uploaded file altered after the backup was made
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    assert tampered
    env, drop = _empty_target(tmp, base, "tampered")
    try:
        done = _run(["backup", "restore", str(bad)], env, check=False)
        assert done.returncode != 0 and "已损坏或被修改" in done.stderr
    finally:
        drop()
