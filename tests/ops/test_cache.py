"""The Redis cache's clear() removes its own prefix's keys only (jinxuan/ops/cache.py): deployments and parallel test
workers sharing one Redis keep each other's counters."""

import os
import uuid

import pytest
import redis

from jinxuan.ops.cache import RedisCache

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def admin():
    client = redis.Redis.from_url(URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):  # CI has Redis on 127.0.0.1: its absence is a failure there
            raise
        pytest.skip("没有可用的 Redis（127.0.0.1:6379 或 REDIS_URL）")
    return client


def test_clear_keeps_other_prefixes(admin):
    tag = uuid.uuid4().hex
    mine = RedisCache(URL, {"KEY_PREFIX": f"a*[{tag}]"})  # glob characters in the prefix are matched literally
    other = RedisCache(URL, {"KEY_PREFIX": f"a-{tag}"})
    for i in range(1500):  # more than one batch
        mine.set(f"k{i}", i)
    other.set("k1", "kept")
    admin.set(f"a*[{tag}]-raw", 1)  # a key outside the namespace, however similar
    try:
        assert mine.clear() is True
        assert mine.get("k1") is None and mine.get("k1499") is None
        assert other.get("k1") == "kept"
        assert admin.get(f"a*[{tag}]-raw") == b"1"
    finally:
        other.clear()
        admin.delete(f"a*[{tag}]-raw")
    assert other.get("k1") is None
