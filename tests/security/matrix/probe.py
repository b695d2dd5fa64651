"""Sending one request of the matrix as one role, and judging the answer against the route's row."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from jinxuan.audit.models import AuditEvent
from jinxuan.demo.files import tiny_pdf

from .routes import Route, fill
from .rows import Row
from .world import ANON, GHOST_PK, GHOST_SLUG, World

DEFAULTS = {"slug": "slug", "pk": "application", "id": "application", "att": "att", "ev": "ev",
            "stage_key": "stage_key", "unit": 1, "upload_id": "0" * 32, "token": "not-a-token", "number": 1,
            "fmt": "docx", "action": "start", "uidb64": "MQ", "version_id": 1}
LOGIN = "/accounts/login/"


class _Rollback(Exception):
    pass


@dataclass
class Answer:
    status: int
    passed_gate: bool  # the view's gate let the request through (public views: always)
    body: bytes
    location: str
    audit_written: int


def ghost_of(param: str) -> object:
    return GHOST_SLUG if param == "slug" else GHOST_PK


def values_for(row: Row, world: World, ghost: bool = False, swap: dict | None = None) -> dict:
    """The URL parameters of a row: real objects of the world; `ghost` names a nonexistent object instead of the
    gate's; `swap` replaces parameters (World.kwargs keys or literals)."""
    out = {}
    for name, default in DEFAULTS.items():
        ref = (swap or {}).get(name, row.values.get(name, default))
        out[name] = world.kwargs.get(ref, ref) if isinstance(ref, str) else ref
    if ghost:
        out[row.obj] = ghost_of(row.obj)
    return out


def _send(client, route: Route, row: Row, method: str, url: str, headers: dict):
    if route.api:
        if row.body == "multipart":
            data = {"key": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", tiny_pdf("matrix-api"))}
            return client.generic(method, url, **headers) if method == "GET" else client.post(url, data, **headers)
        if method == "GET":
            return client.get(url, **headers)
        return client.generic(method, url, data=row.body or "{}", content_type="application/json", **headers)
    return client.get(url) if method == "GET" else client.post(url, {})


def send(world: World, clients: dict, role: str, route: Route, row: Row, method: str, ghost=False,
         values: dict | None = None) -> Answer:
    """One request, in a transaction rolled back afterwards after counting the audit events it wrote; the role's
    cookies (session, flash messages) and the world's files are put back too, so every request meets the world
    exactly as built."""
    client = clients[role]
    url = fill(route, values or values_for(row, world, ghost))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"} if route.api and role != ANON else {}
    cookies = copy.deepcopy(client.cookies)  # a logout must not end the role's session for later requests
    try:
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = _send(client, route, row, method, url, headers)
            written = AuditEvent.objects.count() - before
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    if method != "GET":
        world.restore_files()
    passed = row.public or hasattr(response.wsgi_request, "access_target")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(response.status_code, passed, body, response.get("Location", ""), written)


def normalise(answer: Answer, url: str) -> tuple:
    """What must be identical between a refused object and a missing one: status, login target, body (with the
    request's own path blanked out, and the CSRF token, which changes per response)."""
    body = answer.body.replace(url.encode(), b"<url>")
    body = re.sub(rb"\b[A-Za-z0-9]{64}\b", b"<csrf>", body)
    return answer.status, answer.location.split("?")[0], body


def judge(world: World, clients: dict, role: str, route: Route, row: Row, method: str, ghosts: dict) -> list[str]:
    """Problems of one route × role × method (empty: as the row says). `ghosts` caches the answer to the same role
    for a nonexistent object, per route and role: the gate refuses before the method matters, so a refused POST
    must answer exactly like a GET of a nonexistent object too."""
    answer = send(world, clients, role, route, row, method)
    problems = []
    if answer.status >= 500:
        problems.append(f"server error {answer.status}")
    if role in row.allow:
        if not answer.passed_gate:
            problems.append(f"must be allowed, was refused ({answer.status})")
        elif row.public and (answer.status in (401, 403) or answer.location.startswith(LOGIN)):
            problems.append(f"public route refused ({answer.status} {answer.location})")
        return problems
    if answer.passed_gate:
        problems.append(f"must be refused, the gate let it through ({answer.status})")
    if answer.audit_written:
        problems.append(f"refused {method} wrote {answer.audit_written} audit event(s)")
    if role == ANON:
        expected = 401 if route.api else 302
        if answer.status != expected or (not route.api and not answer.location.startswith(LOGIN)):
            problems.append(f"anonymous must get {expected}{'' if route.api else ' to the login page'}, "
                            f"got {answer.status} {answer.location}")
    else:
        expected = 404 if row.obj else 403
        if answer.status != expected:
            problems.append(f"refusal must answer {expected}, got {answer.status}")
    if row.obj:
        ghost_url = fill(route, values_for(row, world, ghost=True))
        if role not in ghosts:
            ghosts[role] = normalise(send(world, clients, role, route, row, route.methods[0], ghost=True), ghost_url)
        mine, missing = normalise(answer, fill(route, values_for(row, world))), ghosts[role]
        if mine[:2] != missing[:2]:
            problems.append(f"refused answers {mine[:2]}, a nonexistent {row.obj} answers {missing[:2]}")
        elif mine[2] != missing[2]:
            problems.append(f"refused and nonexistent {row.obj} answer with different bodies")
    return problems
