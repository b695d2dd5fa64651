"""Which file storage holds attachments, print-outs and compendium files, read from the environment.

Pure: no Django import, so `settings.py` can call it. Without S3_BUCKET the files stay in the local folder
(MEDIA_ROOT); with it, the "default" storage is an S3-compatible object store (MinIO, Ceph, the clouds' object
storage) reached through django-storages and boto3.
"""

from collections.abc import Mapping

LOCAL_BACKEND = "jinxuan.storage.files.AtomicFileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
MAX_LINK_SECONDS = 60  # a presigned download link never lives longer than this


def link_seconds(environ: Mapping[str, str]) -> int:
    """Lifetime of a presigned download link: ATTACHMENT_LINK_SECONDS, at most 60 s."""
    try:
        seconds = int(environ.get("ATTACHMENT_LINK_SECONDS", "") or MAX_LINK_SECONDS)
    except ValueError:
        seconds = MAX_LINK_SECONDS
    return max(1, min(seconds, MAX_LINK_SECONDS))


def default_storage(environ: Mapping[str, str]) -> dict:
    """The STORAGES["default"] entry for this environment."""
    bucket = (environ.get("S3_BUCKET") or "").strip()
    if not bucket:
        return {"BACKEND": LOCAL_BACKEND}
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "region_name": environ.get("S3_REGION") or "us-east-1",
        "addressing_style": environ.get("S3_ADDRESSING_STYLE") or "path",
        "signature_version": "s3v4",
        "default_acl": None,  # objects stay private: every download passes the application's permission check
        "querystring_auth": True,
        "querystring_expire": link_seconds(environ),
        "file_overwrite": False,  # a name in use gets a new suffix, as on the local disk
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
