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


def check() -> list[str]:
    return [p for p in (_database(), _cache(), *(c() for c in CHECKS)) if p]
