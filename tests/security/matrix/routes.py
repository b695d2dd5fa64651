"""The walker: every page route of the URL resolver and every operation of the ninja API, each under one key.

A page route's key is its pattern (`apply/<int:pk>/edit/`); an API operation's key is `API <METHOD> <path>` with
the path of the ninja schema (`API GET /applications/{id}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    key: str
    path: str  # the pattern, without the leading slash (API: the full /api/v1/… path with {params})
    methods: tuple[str, ...]  # what the matrix sends: GET and POST for pages, the operation's method for the API
    rule: str | None  # the view's access_rule (None: the view has none)
    api: bool = False


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def page_routes() -> list[Route]:
    """Every page route (the API's own schema and docs views included: they are pages the walker must see too)."""
    out = []
    for pattern, callback in _walk(get_resolver().url_patterns):
        if pattern.startswith(API_PREFIX) and not pattern.endswith(("openapi.json", "docs")):
            continue  # an API operation: listed from the schema instead
        out.append(Route(key=pattern, path=pattern, methods=("GET", "POST"),
                         rule=getattr(callback, "access_rule", None)))
    return out


def api_routes() -> list[Route]:
    from jinxuan.api.routes import api

    out = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    out.append(Route(key=f"API {method} {path}", path=f"/{API_PREFIX}{path.lstrip('/')}",
                                     methods=(method,), rule=getattr(op.view_func, "access_rule", None), api=True))
    return out


def schema_operations() -> set[str]:
    """The operations of the OpenAPI document, keyed like `api_routes` (a cross-check of the walk)."""
    from jinxuan.api.routes import api

    prefix = "/" + API_PREFIX.rstrip("/")
    return {f"API {method.upper()} {path.removeprefix(prefix)}"
            for path, item in api.get_openapi_schema()["paths"].items() for method in item}


def all_routes() -> list[Route]:
    return page_routes() + api_routes()


def fill(route: Route, values: dict[str, object]) -> str:
    """The route's URL with every parameter replaced by values[name]."""
    path = re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", lambda m: str(values[m.group(1) or m.group(2)]), route.path)
    return "/" + path.lstrip("/")
