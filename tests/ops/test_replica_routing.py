"""Which requests may read from the replica, and where the router sends reads and writes (the real streaming
replica: tests/deploy/test_replica.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from jinxuan.library.models import Case
from jinxuan.ops import replica


def run(method: str, path: str, cookies=None) -> tuple[bool, HttpResponse]:
    """(whether the view read from the replica, the answer) through the middleware."""
    request = getattr(RequestFactory(), method.lower())(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(request.path_info)
    seen = []

    def view(req):
        middleware.process_view(req, request.resolver_match.func, (), {})
        seen.append(replica.reading_replica())
        return HttpResponse("ok")

    middleware = replica.ReplicaMiddleware(view)
    response = middleware(request)
    assert not replica.reading_replica()  # reset after the answer
    return seen[0], response


@pytest.mark.parametrize("path", ["/library/", "/library/featured/", "/library/feed.json", "/library/7/",
                                  "/vote/gz-dianshu-2025/", "/vote/gz-dianshu-2025/3/",
                                  "/results/gz-dianshu-2025/", "/publicity/gz-dianshu-2025/"])
def test_public_read_only_pages_read_from_the_replica(path):
    assert run("GET", path)[0] is True


@pytest.mark.parametrize("method,path", [
    ("GET", "/accounts/login/"), ("GET", "/manage/results/gz-dianshu-2025/"), ("GET", "/workspace/"),
    ("GET", "/manage/publicity/gz-dianshu-2025/"), ("GET", "/vote/verify/"),
    ("POST", "/vote/gz-dianshu-2025/3/confirm/"), ("POST", "/library/7/feature/"),
    ("POST", "/publicity/gz-dianshu-2025/objection/"), ("GET", "/review/gz-dianshu-2025/"), ("GET", "/apply/"),
])
def test_writes_the_vote_path_and_staff_pages_read_from_the_primary(method, path):
    assert run(method, path)[0] is False


def test_a_client_that_wrote_reads_from_the_primary_for_a_while(settings):
    _, answer = run("POST", "/library/7/feature/")
    cookie = answer.cookies[replica.STICKY_COOKIE]
    assert int(cookie["max-age"]) == settings.REPLICA_STICKY_SECONDS == 10 and cookie["httponly"]
    assert run("GET", "/library/", {replica.STICKY_COOKIE: "1"})[0] is False
    assert replica.STICKY_COOKIE not in run("GET", "/library/")[1].cookies  # reading sets nothing


def test_the_router_sends_writes_and_sessions_to_the_primary():
    router = replica.ReplicaRouter()
    assert router.db_for_read(Case) == "default" and router.db_for_write(Case) == "default"
    with replica.replica_reads():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_write(Case) == "default"
        assert router.db_for_read(Session) == "default"
    assert router.allow_migrate("default", "library") and not router.allow_migrate("replica", "library")


def test_without_a_replica_nothing_is_installed(settings):
    assert not replica.configured()
    assert "jinxuan.ops.replica.ReplicaMiddleware" not in settings.MIDDLEWARE
    assert not getattr(settings, "DATABASE_ROUTERS", [])


def test_the_vote_fast_path_stays_on_with_a_replica(settings):
    from jinxuan.voting import fastpath

    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "jinxuan.ops.replica.ReplicaMiddleware"]
    assert fastpath.enabled()
