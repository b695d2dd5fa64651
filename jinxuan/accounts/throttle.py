"""Login and password-reset limits kept in the shared cache (Redis in production), so they hold across server
processes and across accounts: django-axes locks one user name from one address; these add a limit per address
over every account (password spraying), per account over every address, and per address and mailbox for resets.

Fixed windows: one counter per key and window, created with `add` and raised with `incr` (both atomic in Redis).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def _limits() -> dict[str, Limit]:
    conf = getattr(settings, "JINXUAN_THROTTLES", {})
    defaults = {
        "login_ip": (30, 3600),  # failed logins from one address, over all accounts
        "login_account": (10, 3600),  # failed logins on one account, from any address
        "reset_ip": (10, 3600),  # password-reset requests from one address
        "reset_email": (3, 3600),  # password-reset mails to one address
    }
    return {k: Limit(k, *conf.get(k, v)) for k, v in defaults.items()}


def _key(limit: Limit, subject: str, now: float) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"throttle:{limit.name}:{digest}:{int(now // limit.seconds)}"


def count(name: str, subject: str) -> int:
    limit = _limits()[name]
    return int(cache.get(_key(limit, subject, time.time())) or 0)


def exceeded(name: str, subject: str) -> bool:
    return bool(subject) and count(name, subject) >= _limits()[name].count


def hit(name: str, subject: str) -> int:
    """Count one event; returns the count in the current window."""
    if not subject:
        return 0
    limit = _limits()[name]
    key = _key(limit, subject, time.time())
    if cache.add(key, 1, timeout=limit.seconds + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds + 5)
        return 1


def take(name: str, subject: str) -> bool:
    """Count one event and say whether it is still within the limit."""
    return hit(name, subject) <= _limits()[name].count


def reset(name: str, subject: str) -> None:
    cache.delete(_key(_limits()[name], subject, time.time()))


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def minutes_left(name: str) -> int:
    limit = _limits()[name]
    return max(1, int((limit.seconds - time.time() % limit.seconds) // 60) + 1)
