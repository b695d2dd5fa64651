"""Results computed over a campaign's data that take too long to compute on every view (an open stage's preview,
the review overview's figures, the vote overview's counts): kept in the cache under a stamp of what they read, so
a change of that input — or of the campaign's preset — computes them again.

Each process also keeps the latest few in memory: the key names the stamp, so a value found there is as fresh as
one from the shared cache, and reading it costs no unpickling (a national campaign's stage preview takes ~0.1 s to
unpickle). Values are shared between callers and must not be changed."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
IN_PROCESS = 32  # values kept in this process's memory, newest used last

_memory: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


def _remember(key: str, value: Any, seconds: int) -> None:
    with _lock:
        _memory[key] = (time.monotonic() + seconds, value)
        _memory.move_to_end(key)
        while len(_memory) > IN_PROCESS:
            _memory.popitem(last=False)


def _recall(key: str) -> tuple[Any] | None:
    with _lock:
        hit = _memory.get(key)
        if hit is None:
            return None
        if hit[0] <= time.monotonic():
            del _memory[key]
            return None
        _memory.move_to_end(key)
        return (hit[1],)


def forget_in_process() -> None:
    """Drop what this process keeps in memory (the shared cache is left alone; tests clear both)."""
    with _lock:
        _memory.clear()


def kept(campaign, name: str, stamp: Any, compute: Callable[[], T], seconds: int) -> T:
    """`compute()`, or what it gave last time for the same campaign, preset, `name` and `stamp` (at most `seconds`
    ago). `stamp` is anything whose repr changes when the inputs do; None is a value like any other."""
    what = repr((name, campaign.pk, campaign.preset_hash, stamp))
    key = f"kept:{name}:" + hashlib.sha256(what.encode()).hexdigest()
    hit = _recall(key)
    if hit is None:
        hit = cache.get(key)
        if hit is not None:
            _remember(key, hit[0], seconds)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(key, (value,), seconds)
    _remember(key, value, seconds)
    return value
