"""Vote counters: Redis directly when REDIS_URL is set (one client per process; one round trip for the claim and
the voter's daily count), else Django's cache (local memory: one process, the database enforces the limits).

Django's RedisCache builds a new redis client object for every operation, which costs more CPU than the
operation itself on the vote path; this module keeps one."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

TTL = 2 * 86400


def _prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:jxvote:"


class RedisCounters:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = _prefix()
        # INCRBY a total only if it exists (a missing total is rebuilt from the rows on read); sent once, then by hash
        self._bump = self.client.register_script(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end return nil")

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


class CacheCounters:
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
