"""Django's Redis cache, except that `clear()` removes only this site's keys.

One Redis may serve several deployments or test runs, each under its own KEY_PREFIX; Django's own `clear()`
empties the whole Redis database (FLUSHDB), taking every other prefix's counters and rate limits with it."""

import re

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

_GLOB = re.compile(r"([\\*?\[\]])")


class RedisCache(DjangoRedisCache):
    def clear(self):
        if not self.key_prefix:  # no namespace of its own: the database is the namespace
            return super().clear()
        client = self._cache.get_client(None, write=True)
        pattern = _GLOB.sub(r"\\\1", self.key_prefix) + ":*"  # the prefix matched literally
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True
