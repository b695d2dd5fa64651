"""The library's readiness check, installed into `campaigns.readiness` when the app loads."""

from . import engine


def index_ready() -> str | None:
    try:
        engine.searcher()
    except (OSError, ValueError) as exc:
        return f"案例库检索索引不可用（{engine.path()}）：{type(exc).__name__}"
    return None
