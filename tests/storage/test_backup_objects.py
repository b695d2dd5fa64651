"""`jinxuan backup create/restore` with the files in an object store: the objects travel in the archive, land in
the restoring installation's bucket under the same names and are checked there by their SHA-256."""

import hashlib
import json
import os

import pytest

from tests.helpers.s3 import new_bucket, objects
from tests.ops.test_backup import _empty_target, _env, _run


@pytest.fixture(scope="module")
def source_in_bucket(tmp_path_factory, s3_endpoint):
    from bench.support import fresh_database

    tmp = tmp_path_factory.mktemp("backup-s3")
    base = os.environ.get("DATABASE_URL", "")
    drops = []
    url = ""
    if base.startswith("postgres"):
        url, drop = fresh_database(base, f"jinxuan_backup_s3_{os.getpid()}")
        drops.append(drop)
    bucket = new_bucket(s3_endpoint)
    env = {**_env(tmp, url, "source"), **bucket}
    _run(["migrate", "-v0"], env)
    _run(["demo", "--per-campaign", "2"], env)
    archive = tmp / "backup.tar.gz"
    created = json.loads(_run(["backup", "create", str(archive)], env).stdout)
    yield tmp, base, archive, created, bucket
    for drop in drops:
        drop()


def test_backup_and_restore_carry_the_objects(source_in_bucket, s3_endpoint):
    tmp, base, archive, created, bucket = source_in_bucket
    stored = objects(s3_endpoint, bucket["S3_BUCKET"])
    assert created["files"] == len(stored) > 0
    assert not list((tmp / "source" / "media").rglob("*.pdf"))  # the files were in the bucket, not on disk
    target_bucket = new_bucket(s3_endpoint)
    env, drop = _empty_target(tmp, base, "target")
    env.update(target_bucket)
    try:
        report = json.loads(_run(["backup", "restore", str(archive)], env).stdout)
        assert report["ok"] is True and report["counts"] == created["counts"]
        restored = objects(s3_endpoint, target_bucket["S3_BUCKET"])
        assert {k: hashlib.sha256(v).hexdigest() for k, v in restored.items()} == \
            {k: hashlib.sha256(v).hexdigest() for k, v in stored.items()}
    finally:
        drop()


def test_restore_into_the_local_folder_from_a_bucket_backup(source_in_bucket, s3_endpoint):
    """The archive does not tie the installation to its store: a bucket's backup restores onto a local disk."""
    tmp, base, archive, created, bucket = source_in_bucket
    env, drop = _empty_target(tmp, base, "local")
    try:
        report = json.loads(_run(["backup", "restore", str(archive)], env).stdout)
        assert report["ok"] is True
        media = tmp / "local" / "media"
        assert sum(1 for p in media.rglob("*") if p.is_file()) == created["files"]
    finally:
        drop()
