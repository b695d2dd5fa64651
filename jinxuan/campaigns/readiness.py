"""Readiness checks for a load balancer or orchestrator: each returns a Chinese problem or nothing."""

import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection

_migrated = False  # once true in a process it stays true: migrations are not rolled back under a running server


def _database() -> str | None:
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                return "数据库尚未完成迁移（jinxuan migrate）"
            _migrated = True
    except DatabaseError as exc:
        return f"数据库不可用：{type(exc).__name__}"
    return None


def _shared_cache() -> str | None:
    """In production the abuse limits (SMS codes per number and address, vote claims) must hold across every
    server process, so the cache must be shared (Redis, REDIS_URL). Without it, in development, each process
    keeps its own counts (a limit of 20 an hour per address allows 20 per process)."""
    from django.conf import settings

    if not getattr(settings, "PRODUCTION", False):
        return None
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.REDIS_URL or backend.endswith(("LocMemCache", "DummyCache")):
        return "生产环境未配置共享缓存（Redis，REDIS_URL）：验证码与频率限制只在单个进程内生效"
    return None


def _cache() -> str | None:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001 — any cache client error means not ready
        return f"缓存（Redis）不可用：{type(exc).__name__}"
    return None if ok else "缓存（Redis）读写异常"


# Checks installed by the apps above (e.g. the library's search index): each returns a Chinese problem or None.
CHECKS: list = []


def register_check(check) -> None:
    if check not in CHECKS:
        CHECKS.append(check)


# Facts a host reports beside its readiness, installed by the apps above (e.g. the library's index lag):
# name -> a function returning a JSON-able value, or None when it cannot be read.
REPORTS: dict = {}


def register_report(name: str, report) -> None:
    REPORTS[name] = report


def reports() -> dict:
    return {name: report() for name, report in REPORTS.items()}


def check() -> list[str]:
    return [p for p in (_database(), _shared_cache(), _cache(), *(c() for c in CHECKS)) if p]
