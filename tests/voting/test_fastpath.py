"""The confirmed vote answered before the middleware stack (jinxuan/voting/fastpath.py), through the WSGI
application gunicorn serves: the same checks and answer as the view, everything else left to the full stack;
and the vote path's Redis step and INSERT (jinxuan/voting/services.py)."""

import datetime as dt
import io
import sys
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signals
from django.db import OperationalError, close_old_connections, connection
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory, override_settings
from django.utils import timezone

from jinxuan.voting import counters as counters_module
from jinxuan.voting import fastpath, services
from jinxuan.voting.models import Vote, Voter

pytestmark = pytest.mark.django_db
CSRF = "k" * 32


def voter_cookie(voter) -> str:
    """As the verification view sets it (test_vote.py signs the older way Django still accepts)."""
    response = HttpResponse()
    response.set_signed_cookie("jx_voter", voter.pk, salt="voter")
    return response.cookies["jx_voter"].value


class Answer:
    def __init__(self, status, headers, body, full_stack):
        self.status = int(status.split()[0])
        self.headers = {}
        self.cookies = SimpleCookie()
        for name, value in headers:
            if name == "Set-Cookie":
                self.cookies.load(value)
            else:
                self.headers[name] = value
        self.body, self.full_stack = body, full_stack

    def message(self):
        """(level, text) of the messages cookie, read the way the next page reads it."""
        request = RequestFactory().get("/")
        request.COOKIES[CookieStorage.cookie_name] = self.cookies[CookieStorage.cookie_name].value
        found = list(CookieStorage(request))
        assert len(found) == 1
        return found[0].level, found[0].message


@pytest.fixture
def wsgi(monkeypatch):
    """Call the WSGI application as gunicorn does; `full_stack` tells whether the middleware stack ran.
    As Django's test client, without closing the test's connection at the request's end."""
    from jinxuan.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    chain = application._middleware_chain
    calls = []
    monkeypatch.setattr(application, "_middleware_chain", lambda request: calls.append(1) or chain(request))

    def call(method, path, form=None, cookies=None, host="testserver", **extra):
        body = form.encode() if form else b""
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
                   "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "HTTP_HOST": host, "REMOTE_ADDR": "203.0.113.9", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
                   "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
                   "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items()),
                   "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) test", **extra}
        started = []
        before = len(calls)
        response = application(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        try:
            content = b"".join(response)
        finally:
            response.close()
        return Answer(*started[0], content, full_stack=len(calls) > before)

    yield call
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def confirm_url(campaign, app):
    return f"/vote/{campaign.slug}/{app.pk}/confirm/"


def cookies_for(voter, **more):
    return {"jx_voter": voter_cookie(voter), "jx_device": "dev-test-1", "csrftoken": CSRF, **more}


def test_the_served_application_keeps_the_loaded_project_out_of_the_collector():
    import gc

    from jinxuan.wsgi import application

    assert isinstance(application, fastpath.Handler)
    assert gc.get_freeze_count() > 100_000  # the project's objects: no full collection rescans them under load


def test_the_project_settings_keep_the_fast_path_on():
    assert fastpath.enabled()
    with override_settings(MIDDLEWARE=[*fastpath.SKIPPED, "some.new.RateLimitMiddleware"]):
        assert not fastpath.enabled()  # a middleware it does not know: everything takes the full stack
    with override_settings(MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage"):
        assert not fastpath.enabled()
    with override_settings(CSRF_USE_SESSIONS=True):
        assert not fastpath.enabled()


def test_a_confirmed_vote_skips_the_stack_and_answers_like_the_view(gz, vote_open, voter, wsgi):
    app = vote_open[0]
    answer = wsgi("POST", confirm_url(gz, app), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter))
    assert not answer.full_stack
    assert answer.status == 302 and answer.headers["Location"] == f"/vote/{gz.slug}/{app.pk}/"
    assert answer.message() == (constants.SUCCESS, "投票成功，感谢参与")
    assert answer.headers["Content-Length"] == "0"  # keep-alive without chunks
    assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["X-Content-Type-Options"] == "nosniff"
    scanner = wsgi("GET", confirm_url(gz, app), cookies=cookies_for(voter))  # a redirect from the full stack
    assert scanner.full_stack and scanner.status == 302
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                   "Content-Security-Policy", "Strict-Transport-Security"):
        assert answer.headers.get(header) == scanner.headers.get(header), header
    assert answer.headers.get("Content-Security-Policy") or "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE
    vote = Vote.objects.get()
    assert (vote.voter_id, vote.application_id, vote.campaign_id) == (voter.pk, app.pk, gz.pk)
    assert (vote.ip, vote.device, vote.user_agent) == ("203.0.113.9", "dev-test-1", "Mozilla/5.0 (iPhone) test")
    assert vote.valid and vote.signals == [] and vote.invalid_reason == "" and vote.created_at is not None
    assert vote.day == services.today()
    assert services.live_totals(gz)[app.pk] == 1

    again = wsgi("POST", confirm_url(gz, app), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter))
    assert not again.full_stack and again.status == 302
    assert again.message() == (constants.ERROR, services.REPEAT)
    assert Vote.objects.count() == 1 and services.live_totals(gz)[app.pk] == 1


def test_csrf_is_enforced_on_the_fast_path(gz, vote_open, voter, wsgi):
    url = confirm_url(gz, vote_open[0])
    missing = wsgi("POST", url, "confirmed=1", cookies_for(voter))
    wrong = wsgi("POST", url, "confirmed=1&csrfmiddlewaretoken=" + "z" * 32, cookies_for(voter))
    no_cookie = wsgi("POST", url, f"confirmed=1&csrfmiddlewaretoken={CSRF}", {"jx_voter": voter_cookie(voter)})
    assert [a.status for a in (missing, wrong, no_cookie)] == [403, 403, 403]
    assert not any(a.full_stack for a in (missing, wrong, no_cookie))
    # over HTTPS the Referer must be this site, as Django's middleware requires
    secure = wsgi("POST", url, f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter),
                  **{"wsgi.url_scheme": "https", "HTTP_REFERER": "https://evil.example/"})
    assert secure.status == 403
    assert Vote.objects.count() == 0


def test_everything_else_takes_the_full_stack_and_casts_nothing(gz, vote_open, voter, wsgi):
    url = confirm_url(gz, vote_open[0])
    for method in ("GET", "HEAD"):  # a link scanner
        answer = wsgi(method, url, cookies=cookies_for(voter))
        assert answer.full_stack and answer.status == 302 and answer.headers["Location"].endswith(
            f"/vote/{gz.slug}/{vote_open[0].pk}/")
    page = wsgi("POST", url, f"csrfmiddlewaretoken={CSRF}", cookies_for(voter))  # the confirmation step
    assert page.full_stack and page.status == 200 and "确认投票" in page.body.decode()
    anonymous = wsgi("POST", url, f"confirmed=1&csrfmiddlewaretoken={CSRF}", {"csrftoken": CSRF})
    assert anonymous.full_stack and anonymous.status == 302 and "/vote/verify/" in anonymous.headers["Location"]
    forged = wsgi("POST", url, f"confirmed=1&csrfmiddlewaretoken={CSRF}",
                  cookies_for(voter, jx_voter=voter_cookie(voter)[:-2] + "xx"))
    assert forged.full_stack and "/vote/verify/" in forged.headers["Location"]
    unknown = wsgi("POST", f"/vote/{gz.slug}/999999/confirm/", f"confirmed=1&csrfmiddlewaretoken={CSRF}",
                   cookies_for(voter))
    assert unknown.full_stack and unknown.status == 404
    assert wsgi("POST", url, f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter),
                host="evil.example").status == 400  # ALLOWED_HOSTS
    assert Vote.objects.count() == 0


def test_limits_hold_on_the_fast_path(gz, vote_open, voter, wsgi):
    stage = gz.stages.get(kind="public_vote")
    stage.params = {**stage.params, "max_votes_per_day": 2}
    stage.save()
    services.forget_snapshot(gz)
    answers = [wsgi("POST", confirm_url(gz, a), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter))
               for a in vote_open[:3]]
    assert [a.message()[0] for a in answers] == [constants.SUCCESS, constants.SUCCESS, constants.ERROR]
    assert "最多投 2 票" in answers[2].message()[1]
    assert Vote.objects.count() == 2
    window = services.window(gz)
    services.set_window(gz, window.opens_at, timezone.now() - dt.timedelta(minutes=1))
    late = wsgi("POST", confirm_url(gz, vote_open[3]), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter))
    assert late.message() == (constants.ERROR, "当前不在投票时间内") and Vote.objects.count() == 2


def test_a_deleted_voter_is_asked_to_verify_again(gz, vote_open, wsgi):
    gone = Voter.objects.create(phone="13711112222", verified_at=timezone.now())
    cookies = cookies_for(gone)
    gone.delete()
    if connection.vendor == "postgresql":  # foreign keys are checked at commit: at once, as a vote is autocommitted
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    answer = wsgi("POST", confirm_url(gz, vote_open[0]), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies)
    assert answer.message() == (constants.ERROR, "请先完成手机号验证") and Vote.objects.count() == 0


# ------------------------------------------------------------------------------------------ the Redis step


class SharedCounters(counters_module.CacheCounters):
    """The cache standing in for Redis (one test process: as shared as Redis), so the Redis path runs without
    a Redis server; with REDIS_URL set the tests below use Redis itself."""

    shared = True


@pytest.fixture
def shared(monkeypatch):
    store = counters_module.counters()
    if not store.shared:
        store = SharedCounters()
        monkeypatch.setattr(services, "counters", lambda: store)
    return store


def test_one_step_claims_counts_and_gives_back(gz, vote_open, voter, shared, monkeypatch):
    stage = gz.stages.get(kind="public_vote")
    stage.params = {**stage.params, "max_votes_per_day": 2}
    stage.save()
    services.forget_snapshot(gz)
    services.rebuild_counters(gz)
    first, second, third = (a.pk for a in vote_open[:3])
    # an INSERT that fails gives the whole step back: claim, daily count and total
    real_insert = services._insert

    def broken(row):
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "_insert", broken)
    with pytest.raises(OperationalError):
        services.cast_id(gz, first, voter.pk)
    assert services.live_totals(gz)[first] == 0
    monkeypatch.setattr(services, "_insert", real_insert)
    vote_id = services.cast_id(gz, first, voter.pk, ip="198.51.100.7", device="d", user_agent="ua")
    assert Vote.objects.get(pk=vote_id).ip == "198.51.100.7"
    with pytest.raises(services.VoteError, match="已为该案例投过票"):  # a repeat counts nothing
        services.cast_id(gz, first, voter.pk)
    services.cast_id(gz, second, voter.pk)  # so this is the second of two, not the third
    with pytest.raises(services.VoteError, match="最多投 2 票"):
        services.cast_id(gz, third, voter.pk)
    assert services.live_totals(gz) == {**{a.pk: 0 for a in vote_open}, first: 1, second: 1}
    # a row the claim does not know of (Redis lost its keys): the unique constraint refuses, the counts stay right
    shared.clear_all()
    services.rebuild_counters(gz)
    with pytest.raises(services.VoteError, match="已为该案例投过票"):
        services.cast_id(gz, first, voter.pk)
    assert services.live_totals(gz) == {**{a.pk: 0 for a in vote_open}, first: 1, second: 1}
    assert services.stored_totals(gz) == {first: 1, second: 1}


def test_daily_limit_in_one_step(gz, vote_open, voter, shared):
    stage = gz.stages.get(kind="public_vote")
    stage.params = {**stage.params, "max_votes_per_day": 1}
    stage.save()
    services.forget_snapshot(gz)
    services.cast_id(gz, vote_open[0].pk, voter.pk)
    for _ in range(3):  # refusals keep nothing: the count stays at the limit, not above it
        with pytest.raises(services.VoteError, match="最多投 1 票"):
            services.cast_id(gz, vote_open[1].pk, voter.pk)
    stage.params = {**stage.params, "max_votes_per_day": 2}
    stage.save()
    services.forget_snapshot(gz)
    services.cast_id(gz, vote_open[1].pk, voter.pk)
    assert Vote.objects.filter(voter=voter).count() == 2



def test_a_total_never_counts_a_vote_that_is_not_stored(gz, vote_open, voter, shared, monkeypatch):
    """Issue 18, finding 14: the total moves only once the vote's row is committed. A process that dies during the
    INSERT (a database restart under load) leaves no count behind, and a vote inside a transaction that rolls
    back counts nothing; a committed vote counts once."""
    from django.db import transaction

    first = vote_open[0].pk
    services.rebuild_counters(gz)
    seen_during_insert = []
    real_insert = services._insert

    def watched(row):
        seen_during_insert.append(services.live_totals(gz)[first])
        return real_insert(row)

    monkeypatch.setattr(services, "_insert", watched)
    services.cast_id(gz, first, voter.pk)
    assert seen_during_insert == [0]  # while the row is not yet stored, the total does not count it
    assert services.live_totals(gz)[first] == 1 == services.stored_totals(gz)[first]
    other = Voter.objects.create(phone="13800138111", verified_at=timezone.now())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.cast_id(gz, first, other.pk)
        raise RuntimeError("the surrounding work fails")
    assert services.stored_totals(gz)[first] == 1 and services.live_totals(gz)[first] == 1


def test_a_count_that_cannot_be_moved_is_rebuilt_from_the_rows(gz, vote_open, voter, shared, monkeypatch):
    first = vote_open[0].pk
    services.rebuild_counters(gz)

    def unreachable(key):
        raise ConnectionError("Redis went away")

    with monkeypatch.context() as m:
        m.setattr(shared, "count", unreachable)
        services.cast_id(gz, first, voter.pk)  # the vote is stored and acknowledged
    assert services.live_totals(gz)[first] == 1 == services.stored_totals(gz)[first]


def test_the_fast_path_records_the_client_address_behind_the_proxy(gz, vote_open, voter, wsgi, settings):
    """nginx connects from 127.0.0.1 and passes X-Real-IP: the stored vote carries the client, not the proxy;
    the header from any other peer is ignored."""
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    form = f"confirmed=1&csrfmiddlewaretoken={CSRF}"
    proxied = wsgi("POST", confirm_url(gz, vote_open[0]), form, cookies_for(voter), REMOTE_ADDR="127.0.0.1",
                   HTTP_X_REAL_IP="198.51.100.23")
    spoofed = wsgi("POST", confirm_url(gz, vote_open[1]), form, cookies_for(voter), HTTP_X_REAL_IP="198.51.100.99")
    assert not proxied.full_stack and not spoofed.full_stack
    ips = dict(Vote.objects.values_list("application_id", "ip"))
    assert ips == {vote_open[0].pk: "198.51.100.23", vote_open[1].pk: "203.0.113.9"}


def test_the_csp_header_follows_the_policy_on_every_fast_answer(gz, vote_open, voter, wsgi):
    """CSP's headers are computed once per policy on the fast path; the next answers carry the same, and a
    changed policy is applied at once."""
    first, second = vote_open[0], vote_open[1]
    full = wsgi("GET", confirm_url(gz, first), cookies=cookies_for(voter)).headers["Content-Security-Policy"]
    answers = [wsgi("POST", confirm_url(gz, app), f"confirmed=1&csrfmiddlewaretoken={CSRF}", cookies_for(voter))
               for app in (first, second)]
    assert [a.full_stack for a in answers] == [False, False]
    assert [a.headers["Content-Security-Policy"] for a in answers] == [full, full]
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://img.example.cn"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        changed = wsgi("POST", confirm_url(gz, vote_open[2]), f"confirmed=1&csrfmiddlewaretoken={CSRF}",
                       cookies_for(voter))
    assert not changed.full_stack and changed.message()[0] == constants.SUCCESS
    assert "img.example.cn" in changed.headers["Content-Security-Policy"]
    assert "img.example.cn" not in full


def test_later_answers_of_an_outcome_repeat_the_first_answers_headers(gz, vote_open, voter, wsgi, monkeypatch):
    """The first answer of each outcome is built by Django's response, messages and hooks; later ones carry its
    headers and cookies with their own Location, finish the request like a response (request_finished), and
    HTTPS answers are never plain ones (HSTS)."""
    from jinxuan.wsgi import application

    security = [hook.__self__ for hook in application._response_hooks if isinstance(hook.__self__, SecurityMiddleware)]
    monkeypatch.setattr(security[0], "sts_seconds", 3600)  # as SECURE_HSTS_SECONDS = 3600 when the server started
    finished = []

    def count(**kwargs):
        finished.append(1)

    signals.request_finished.connect(count)
    form = f"confirmed=1&csrfmiddlewaretoken={CSRF}"
    try:
        answers = [wsgi("POST", confirm_url(gz, app), form, cookies_for(voter)) for app in vote_open[:3]]
        repeat = wsgi("POST", confirm_url(gz, vote_open[0]), form, cookies_for(voter))
        secure = wsgi("POST", confirm_url(gz, vote_open[3]), form, cookies_for(voter),
                      HTTP_ORIGIN="https://testserver", **{"wsgi.url_scheme": "https"})
    finally:
        signals.request_finished.disconnect(count)
    assert len(finished) == 5
    assert not any(a.full_stack for a in (*answers, repeat, secure))
    assert [a.headers.pop("Location") for a in answers] == [f"/vote/{gz.slug}/{app.pk}/" for app in vote_open[:3]]
    assert answers[0].headers == answers[1].headers == answers[2].headers
    assert "Strict-Transport-Security" not in answers[0].headers
    assert all(a.message() == (constants.SUCCESS, "投票成功，感谢参与") for a in answers)
    assert repeat.message() == (constants.ERROR, services.REPEAT)
    assert secure.headers["Strict-Transport-Security"] == "max-age=3600"
    assert secure.message() == (constants.SUCCESS, "投票成功，感谢参与")
    assert Vote.objects.filter(voter=voter).count() == 4
