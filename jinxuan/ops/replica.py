"""Reads from a PostgreSQL streaming replica for the public read-only pages (DATABASE_REPLICA_URL).

With the variable set, settings add the database alias `replica`, this router and this middleware; without it
nothing here is installed and every query goes to the one database.

- `ReplicaMiddleware` marks a request as one that may read from the replica (a context variable the router reads)
  when it is a GET or HEAD of a public read-only page (`PUBLIC_READS`: the case library, the vote lists and case
  pages, the results and publicity pages) and its client has not written recently.
- Any other request (a write, the vote path, sign-in, the organisers' and reviewers' pages, the API) reads from
  the primary.  After a request with another method (POST …: the client wrote something) the answer sets a cookie
  that keeps that client on the primary for `REPLICA_STICKY_SECONDS` (10 s), longer than a replica lags in normal
  operation, so a user sees their own write on the next page.
- `ReplicaRouter` sends every write to the primary whatever the request, the reads of a marked request to the
  replica (except sessions and login lockouts, read on the primary always), and migrates the primary only.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
STICKY_COOKIE = "jx_primary"
PUBLIC_READS = {
    "library": {"index", "featured", "feed", "export", "case"},
    "vote": {"index", "detail"},
    "results": {"index"},
    "publicity": {"index"},
}
PRIMARY_APPS = {"sessions", "axes"}  # read on the primary even on a public page
READ_METHODS = {"GET", "HEAD"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_replica() -> bool:
    return _replica_reads.get()


@contextmanager
def replica_reads(on: bool = True):
    """Reads in this block go to the replica (when one is configured)."""
    token = _replica_reads.set(on)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def eligible(method: str, namespace: str, url_name: str, cookies) -> bool:
    """May this request read from the replica?"""
    return (method in READ_METHODS and url_name in PUBLIC_READS.get(namespace, ())
            and STICKY_COOKIE not in cookies)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label not in PRIMARY_APPS:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)
                request._replica_token = None
        if request.method not in SAFE_METHODS:
            response.set_cookie(STICKY_COOKIE, "1", max_age=settings.REPLICA_STICKY_SECONDS, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and eligible(request.method, match.namespace, match.url_name, request.COOKIES):
            request._replica_token = _replica_reads.set(True)
        return None
