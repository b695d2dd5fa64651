"""The library's readiness check, installed into `campaigns.readiness` when the app loads."""

from . import follow, search_index


def index_ready() -> str | None:
    try:
        search_index.searcher()
    except (OSError, ValueError) as exc:
        return f"案例库检索索引不可用（{search_index.path()}）：{type(exc).__name__}"
    return None


def index_lag() -> dict | None:
    """How far this host's index is behind the change log: {"behind": changes, "seconds": age of the oldest
    unapplied change, "position", "head"}; None when it cannot be read (readiness reports that)."""
    from django.db import DatabaseError

    try:
        lag = follow.lag()
    except (DatabaseError, OSError):
        return None
    return {"behind": lag.changes, "seconds": lag.seconds, "position": lag.position, "head": lag.head}
