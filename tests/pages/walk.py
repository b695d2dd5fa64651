"""The page walk: every page route of the route walker (tests/security/matrix/routes.py), as each demo role.

Seeds are the routes without parameters and the routes whose only parameter is a campaign (filled with every
campaign of the demo); routes naming an object (an application, a record, an objection…) are reached by following
the links of the pages walked, so each role reaches exactly the objects its own pages offer it. Query strings and
fragments are dropped (a list's other pages or filters are the same template), and at most `per_route` URLs of one
route are visited per role. Only GET, only whole HTML pages with status 200; downloads (Excel, PDF, JSON) and htmx
fragments are skipped.

The walk is independent of the client: `fetch(url) -> (status, content_type, body)` is the Django test client for
the server-side checks and the browser's request context for the browser checks.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

from tests.security.matrix.routes import API_PREFIX, page_routes

# Demo accounts (jinxuan/demo/population.py ACCOUNTS) walked as roles; None is the anonymous visitor.
ROLES = (None, "applicant1", "organiser", "reviewer", "expert1", "judge", "inspector", "guidance", "voter", "reader")
# Routes never fetched by the walk: ending the session, and the API's own documentation (English by design, not ours).
NEVER = ("accounts/logout/", "api/v1/openapi.json", "api/v1/docs")
DOWNLOAD = re.compile(r"\.(xlsx|pdf|docx|json|zip|csv|txt|png|jpe?g)$|/(licence|evidence/\d+)/$")


def role_name(role: str | None) -> str:
    return role or "anonymous"


def route_of(path: str) -> str | None:
    """The route key (the URL pattern, as in the permission matrix) of a local path, or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def seeds(slugs: Iterable[str]) -> list[str]:
    out = []
    for route in page_routes():
        params = re.findall(r"<(?:\w+:)?(\w+)>", route.path)
        if route.key in NEVER or route.path.startswith(API_PREFIX) or DOWNLOAD.search(route.path):
            continue
        if not params:
            out.append("/" + route.path)
        elif params == ["slug"]:
            out.extend("/" + re.sub(r"<slug:slug>", slug, route.path) for slug in slugs)
    return out


def links(html: str, base: str) -> list[str]:
    """The local paths linked from a page (a[href] only: what a user can follow)."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except Exception:  # an empty or non-HTML body
        return []
    out = []
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc and parts.netloc != urlsplit(base).netloc:
            continue
        out.append(parts.path)
    return out


@dataclass
class Page:
    role: str | None
    url: str
    route: str
    body: str


@dataclass
class Walk:
    pages: list[Page] = field(default_factory=list)
    routes: dict[str | None, set[str]] = field(default_factory=dict)  # role → routes reached


def walk(role: str | None, fetch: Callable[[str], tuple[int, str, str]], slugs: Iterable[str],
         per_route: int = 2, limit: int = 400) -> list[Page]:
    """The pages one role reaches: the seeds and everything linked from them, breadth first."""
    base = "http://testserver"
    queue = deque(seeds(slugs))
    seen: set[str] = set()
    per: dict[str, int] = {}
    pages = []
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        route = route_of(path)
        if route is None or route in NEVER or route.startswith(API_PREFIX) or DOWNLOAD.search(path):
            continue
        if per.get(route, 0) >= per_route:
            continue
        status, content_type, body = fetch(path)
        if status != 200 or "text/html" not in content_type or "<html" not in body[:500].lower():
            continue  # not a page: a refusal, a download, or an htmx fragment (checked inside the page that loads it)
        per[route] = per.get(route, 0) + 1
        pages.append(Page(role, path, route, body))
        queue.extend(p for p in links(body, base + path) if p not in seen)
    return pages
