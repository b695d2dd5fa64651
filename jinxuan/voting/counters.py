"""Vote counters: Redis directly when REDIS_URL is set (one client per process; per vote one round trip before the
INSERT, `take`, and one after it has committed, `count`), else Django's cache (local memory: one process, the
database enforces the limits). A total never counts a vote that is not stored: it is counted after the commit.

Django's RedisCache builds a new redis client object for every operation, which costs more CPU than the
operation itself on the vote path; this module keeps one."""

from __future__ import annotations

import os
import threading

from django.conf import settings
from django.core.cache import cache
from redis import exceptions as redis_errors

TTL = 2 * 86400


def _prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:jxvote:"


class RedisCounters:
    shared = True  # one store for every process: it can hold the limits (the database has the final word)

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self._local = threading.local()
        self.prefix = _prefix()
        # INCRBY a total only if it exists (a missing total is rebuilt from the rows on read); sent once, then by hash
        self._bump = self.client.register_script(_BUMP)
        self._take = self.client.register_script(_TAKE)
        self._give_back = self.client.register_script(_GIVE_BACK)

    def take(self, claim_key: str, daily_key: str, limit: int, closed_key: str = "closed:none") -> int:
        """The vote path's Redis step before the INSERT: unless `closed_key` is set (the vote was closed, by any
        process), SET NX the (voter, application, day) claim and INCR the voter's daily count. Returns the daily
        count (>= 1), 0 for a repeat, -1 over the daily limit or -2 closed (nothing kept in those cases). The
        application's total is counted only once the vote is stored (`count`)."""
        return self._send(_TAKE, self._take.sha, (claim_key, daily_key, closed_key), (TTL, limit))

    def flag(self, key: str) -> bool:
        return bool(self.client.exists(self.prefix + key))

    def set_flag(self, key: str, on: bool) -> None:
        """Set (without expiry) or clear a flag every process's `take` reads, e.g. the vote's closed flag."""
        if on:
            self.client.set(self.prefix + key, 1)
        else:
            self.client.delete(self.prefix + key)

    def count(self, total_key: str) -> None:
        """After the vote's INSERT has committed: INCR the application's total (if it exists; a missing total is
        rebuilt from the rows on read)."""
        self._send(_BUMP, self._bump.sha, (total_key,), (1,))

    def _send(self, source: str, sha: str, keys: tuple, args: tuple):
        """EVALSHA on this thread's own connection (taken from the client's pool once, never given back) with that
        connection's retry policy, as the client would send it, without the pool's per-command bookkeeping. As
        the pool does before lending a connection, one with something to read (closed by the server, e.g. by a
        Redis restart) is replaced first; a script missing after a restart is loaded again, as `Script` does."""
        conn = self._connection()
        try:
            stale = conn.can_read()
        except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError):
            stale = True
        if stale:
            conn.disconnect()
        command = ("EVALSHA", sha, len(keys), *(self.prefix + k for k in keys), *args)

        def send():
            conn.send_command(*command)
            return conn.read_response()

        def call():
            return conn.retry.call_with_retry(send, lambda error: conn.disconnect())

        try:
            answer = call()
        except redis_errors.NoScriptError:
            self.client.script_load(source)
            answer = call()
        return None if answer is None else int(answer)

    def _connection(self):
        mine = self._local.__dict__.get("conn")
        if mine is None or mine[0] != os.getpid():  # a forked process makes its own
            mine = self._local.conn = (os.getpid(), self.client.connection_pool.get_connection())
        return mine[1]

    def give_back(self, claim_key: str, daily_key: str, keep_claim: bool) -> None:
        """Undo a `take` whose INSERT did not store a vote (the claim stays if the row already existed)."""
        self._give_back(keys=[self.prefix + claim_key, self.prefix + daily_key], args=[1 if keep_claim else 0])

    def forget(self, key: str) -> None:
        """Drop a counter so that the next read rebuilds it from the rows."""
        self.client.delete(self.prefix + key)

    def claim(self, claim_key: str | None, daily_key: str) -> tuple[bool, int]:
        """SET NX the (voter, application, day) claim and INCR the voter's daily count, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        if claim_key:
            pipe.set(self.prefix + claim_key, 1, nx=True, ex=TTL)
        pipe.incr(self.prefix + daily_key)
        pipe.expire(self.prefix + daily_key, TTL)
        out = pipe.execute()
        claimed = bool(out[0]) if claim_key else True
        if not claimed:  # a repeat: give the daily count back (a second round trip only on refusal)
            self.client.decr(self.prefix + daily_key)
            return False, int(out[-2]) - 1
        return True, int(out[-2])

    def release(self, claim_key: str | None, daily_key: str) -> None:
        pipe = self.client.pipeline(transaction=False)
        if claim_key:
            pipe.delete(self.prefix + claim_key)
        pipe.decr(self.prefix + daily_key)
        pipe.execute()

    def undo_daily(self, daily_key: str) -> None:
        self.client.decr(self.prefix + daily_key)

    def bump(self, key: str, delta: int) -> None:
        self._bump(keys=[self.prefix + key], args=[delta])

    def get_many(self, keys: list[str]) -> dict[str, int]:
        values = self.client.mget([self.prefix + k for k in keys]) if keys else []
        return {k: int(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def set_many(self, values: dict[str, int]) -> None:
        if values:
            self.client.mset({self.prefix + k: v for k, v in values.items()})

    def clear_all(self) -> None:
        for key in self.client.scan_iter(self.prefix + "*"):
            self.client.delete(key)


# KEYS: claim, daily, closed flag; ARGV: TTL, daily limit.
_TAKE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
if n > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[2])
  redis.call('DEL', KEYS[1])
  return -1
end
return n
"""
# KEYS: claim, daily; ARGV: 1 to keep the claim
_GIVE_BACK = """
if ARGV[1] ~= '1' then redis.call('DEL', KEYS[1]) end
redis.call('DECR', KEYS[2])
return 1
"""
# KEYS: total; ARGV: delta. A total is only counted if it exists (else it is rebuilt from the rows on read).
_BUMP = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end return nil"


class CacheCounters:
    shared = False  # per process: the database enforces the limits

    def take(self, claim_key, daily_key, limit, closed_key="closed:none"):
        if cache.get(closed_key):
            return -2
        claimed, count = self.claim(claim_key, daily_key)
        if not claimed:
            return 0
        if count > limit:
            self.release(claim_key, daily_key)
            return -1
        return count

    def count(self, total_key):
        self.bump(total_key, 1)

    def flag(self, key):
        return bool(cache.get(key))

    def set_flag(self, key, on):
        if on:
            cache.set(key, 1, None)
        else:
            cache.delete(key)

    def give_back(self, claim_key, daily_key, keep_claim):
        if keep_claim:
            self.undo_daily(daily_key)
        else:
            self.release(claim_key, daily_key)

    def forget(self, key):
        cache.delete(key)

    def claim(self, claim_key, daily_key):
        if claim_key and not cache.add(claim_key, 1, TTL):
            return False, 0
        if cache.add(daily_key, 1, TTL):
            return True, 1
        try:
            return True, cache.incr(daily_key)
        except ValueError:
            cache.add(daily_key, 1, TTL)
            return True, 1

    def release(self, claim_key, daily_key):
        if claim_key:
            cache.delete(claim_key)
        self.undo_daily(daily_key)

    def undo_daily(self, daily_key):
        try:
            cache.decr(daily_key)
        except ValueError:
            pass

    def bump(self, key, delta):
        try:
            cache.incr(key, delta)
        except ValueError:
            pass

    def get_many(self, keys):
        return {k: int(v) for k, v in cache.get_many(keys).items()}

    def set_many(self, values):
        cache.set_many(values, None)

    def clear_all(self):
        cache.clear()


_counters = None


def counters():
    global _counters
    if _counters is None:
        url = getattr(settings, "REDIS_URL", "")
        _counters = RedisCounters(url) if url else CacheCounters()
    return _counters
