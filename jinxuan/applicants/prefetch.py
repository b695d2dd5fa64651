"""Whether a list already loaded a relation for all its rows (prefetch_related): then read it without a query."""


def prefetched(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})
