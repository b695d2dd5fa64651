"""The vote path's Redis step on its per-thread connection (jinxuan/voting/counters.py), against the Redis on
127.0.0.1 (REDIS_URL if set): it survives the server dropping the connection and forgetting the script."""

import os
import uuid

import pytest
import redis

from jinxuan.voting.counters import RedisCounters

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def store():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):  # CI has Redis on 127.0.0.1: its absence is a failure there
            raise
        pytest.skip("没有可用的 Redis（127.0.0.1:6379 或 REDIS_URL）")
    counters = RedisCounters(URL)
    counters.prefix = f"test-{uuid.uuid4().hex}:"
    counters.client.set(counters.prefix + "total", 0)
    yield counters
    counters.clear_all()


def connection_id(store) -> int:
    conn = store._connection()
    conn.send_command("CLIENT", "ID")
    return int(conn.read_response())


def test_take_counts_refuses_and_survives_a_dropped_connection_and_a_flushed_script(store):
    admin = redis.Redis.from_url(URL)
    assert store.take("claim:1", "daily", 3) == 1
    store.count("total")  # after the vote's INSERT has committed
    assert store.take("claim:1", "daily", 3) == 0  # a repeat keeps nothing
    first = connection_id(store)
    assert connection_id(store) == first  # the same connection for every step of this thread

    admin.client_kill_filter(_id=first)  # as a Redis restart does to every open connection
    assert store.take("claim:2", "daily", 3) == 2
    assert connection_id(store) != first
    store.count("total")

    admin.script_flush()  # a restarted Redis knows no scripts
    assert store.take("claim:3", "daily", 3) == 3
    admin.script_flush()
    store.count("total")  # the counting script is loaded again too
    assert store.take("claim:4", "daily", 3) == -1  # over the daily limit: nothing kept
    assert int(admin.get(store.prefix + "daily")) == 3 and int(admin.get(store.prefix + "total")) == 3
    assert admin.exists(store.prefix + "claim:4") == 0
