"""A real S3-speaking server (moto's server mode) on 127.0.0.1 for the object-storage tests.

The product sees only what an operator would set: S3_ENDPOINT_URL, S3_BUCKET and the keys, turned into the
"default" storage by `jinxuan.storage.config` exactly as `settings.py` does from the environment.
"""


import pytest

from tests.helpers.s3 import new_bucket


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer  # a missing package fails the test (never a skip)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint):
    return new_bucket(s3_endpoint)


@pytest.fixture
def object_store(s3_env, settings):
    """Point the "default" storage at the bucket, as S3_* environment variables would."""
    from django.core.files.storage import storages

    from jinxuan.storage.config import default_storage

    settings.STORAGES = {**settings.STORAGES, "default": default_storage(s3_env)}
    store = storages["default"]
    assert type(store).__name__ == "S3Storage"
    return s3_env
