"""A real S3-speaking server (moto's server mode) on 127.0.0.1 for the object-storage tests.

The product sees only what an operator would set: S3_ENDPOINT_URL, S3_BUCKET and the keys, turned into the
"default" storage by `jinxuan.ops.storage_config` exactly as `settings.py` does from the environment.
"""

import uuid

import pytest

KEYS = {"S3_ACCESS_KEY_ID": "jinxuan-test", "S3_SECRET_ACCESS_KEY": "jinxuan-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer  # a missing package fails the test (never a skip)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"], region_name="us-east-1")


def new_bucket(endpoint: str) -> dict:
    """Environment variables of an installation using a new, empty bucket."""
    bucket = f"jinxuan-{uuid.uuid4().hex[:16]}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    return {"S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, **KEYS}


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    names = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", [])]
    return {name: client.get_object(Bucket=bucket, Key=name)["Body"].read() for name in names}


@pytest.fixture
def s3_env(s3_endpoint):
    return new_bucket(s3_endpoint)


@pytest.fixture
def object_store(s3_env, settings):
    """Point the "default" storage at the bucket, as S3_* environment variables would."""
    from django.core.files.storage import storages

    from jinxuan.ops.storage_config import default_storage

    settings.STORAGES = {**settings.STORAGES, "default": default_storage(s3_env)}
    store = storages["default"]
    assert type(store).__name__ == "S3Storage"
    return s3_env
