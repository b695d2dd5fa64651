"""Results computed over a campaign's data that take too long to compute on every view (an open stage's preview,
the review overview's figures, the vote overview's counts): kept in the cache under a stamp of what they read, so
a change of that input — or of the campaign's preset — computes them again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")


def kept(campaign, name: str, stamp: Any, compute: Callable[[], T], seconds: int) -> T:
    """`compute()`, or what it gave last time for the same campaign, preset, `name` and `stamp` (at most `seconds`
    ago). `stamp` is anything whose repr changes when the inputs do; None is a value like any other."""
    what = repr((name, campaign.pk, campaign.preset_hash, stamp))
    key = f"kept:{name}:" + hashlib.sha256(what.encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(key, (value,), seconds)
    return value
