"""The confirmed public vote without the middleware it does not need.

A confirmed vote (POST /vote/<slug>/<pk>/confirm/ with confirmed=1 and the signed voter cookie) is the request
that must be served at a thousand per second on two cores. `Handler` is Django's WSGI handler (the same request
object, request signals, connection handling, exception answers and WSGI response) that answers exactly this
request itself: the hooks of the middleware that apply to it run as in the stack, in the settings' order
(security, CSP, common: ALLOWED_HOSTS and Content-Length, Django's own CSRF check, clickjacking), then the same
vote and answer as `views.confirm` (`views.cast_vote`, the outcome as a message in the messages cookie, a
redirect to the case page). That answer is built with Django's response, messages and response hooks the first
time for each outcome; later answers with the same outcome reuse its headers with their own Location (the hooks'
headers depend only on the settings and on HTTPS, and Django reads the messages cookie without an age limit, so
the signer's timestamp in it does not matter); a changed setting forgets them. Sessions, authentication, locale,
the audit request context, axes (login only), whitenoise (static files) and URL resolution are skipped.
Anything else (another path or method, no `confirmed`, no valid voter cookie, an unknown campaign or case, an
answer from a request hook such as a redirect to HTTPS) goes through the full stack to the ordinary views.

The fast path is off (everything takes the full stack) if settings.MIDDLEWARE holds a middleware not named here,
or messages or the CSRF secret are kept in the session; a test keeps it on for the project's settings.
"""

import re

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signals
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseBase, HttpResponseRedirect
from django.urls import get_script_prefix, reverse, set_urlconf
from django.utils.log import log_response
from django.utils.module_loading import import_string

from . import services, views

REPLAYED = {  # their request, view and response hooks run on the fast path, in the settings' order
    "jinxuan.ops.proxy.TrustedProxyMiddleware",  # the client's address behind nginx, for the fraud signals
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",  # ALLOWED_HOSTS, Content-Length; APPEND_SLASH: a matched path
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
}
SKIPPED = {  # nothing of theirs is used by a confirmed vote
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",  # the message is written to its cookie directly
    "jinxuan.audit.middleware.RequestContextMiddleware",  # a vote writes no audit event
    "axes.middleware.AxesMiddleware",
    "jinxuan.ops.replica.ReplicaMiddleware",  # a vote is a write: the primary, as every POST
}
COOKIE_MESSAGES = {"django.contrib.messages.storage.fallback.FallbackStorage",
                   "django.contrib.messages.storage.cookie.CookieStorage"}
_SLUG, _PK = "slugmark", 987654321  # placeholders in the reversed URLs


class _Ready:
    """A redirect answered before: the same status and headers (and cookies, as Set-Cookie headers) as the
    HttpResponseRedirect the view path built for the same outcome, with this request's Location. Django's WSGI
    handler turns it into the WSGI answer as it does a response; closing it does what closing a response does."""

    status_code, reason_phrase, cookies = 302, "Found", {}

    def __init__(self, headers: list, request):
        self.headers, self._request = headers, request

    def items(self):
        return self.headers

    def __iter__(self):
        return iter(())  # no body: the server sends the headers alone

    def close(self):
        try:
            self._request.close()
        finally:
            signals.request_finished.send(sender=self._handler_class)


_answers: dict = {}  # (level, text, secure) -> the answer's headers but Location: [(name, value), ...]


@receiver(setting_changed)
def _forget_answers(**kwargs):
    _answers.clear()


def enabled() -> bool:
    return (set(settings.MIDDLEWARE) <= REPLAYED | SKIPPED and settings.MESSAGE_STORAGE in COOKIE_MESSAGES
            and not settings.CSRF_USE_SESSIONS)  # no session here


def _hooks_only(request):  # the middleware objects below are used for their hooks, never called
    raise AssertionError("not called")


class Handler(WSGIHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fast = enabled()
        replayed = [import_string(path)(_hooks_only) for path in settings.MIDDLEWARE if path in REPLAYED]
        self._request_hooks = [m.process_request for m in replayed if hasattr(m, "process_request")]
        self._view_hooks = [m.process_view for m in replayed if hasattr(m, "process_view")]
        self._response_hooks = [m.process_response for m in reversed(replayed) if hasattr(m, "process_response")]
        self._answer = convert_exception_to_response(self._vote)
        confirm = reverse("vote:confirm", kwargs={"slug": _SLUG, "pk": _PK})
        self._confirm = re.compile(re.escape(confirm).replace(_SLUG, r"(?P<slug>[-a-zA-Z0-9_]+)")
                                   .replace(str(_PK), r"(?P<pk>[0-9]+)"))
        self._detail = reverse("vote:detail", kwargs={"slug": _SLUG, "pk": _PK}).replace(_SLUG, "{slug}").replace(
            str(_PK), "{pk}")

    def get_response(self, request):
        if self.fast and request.method == "POST" and (match := self._confirm.fullmatch(request.path_info)):
            set_urlconf(settings.ROOT_URLCONF)
            request.vote_target = match["slug"], int(match["pk"])
            response = self._answer(request)
            if isinstance(response, HttpResponseBase):
                response._resource_closers.append(request.close)
                if response.status_code >= 400:
                    log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
            if response is not None:
                return response
        return super().get_response(request)

    def _vote(self, request):
        """The answer to a confirmed vote, or None: the full stack answers."""
        slug, pk = request.vote_target
        for hook in self._request_hooks:
            if hook(request) is not None:
                return None
        if request.POST.get("confirmed") != "1":
            return None
        voter_id = views._voter_id(request)
        if voter_id is None:
            return None
        campaign = services.campaign_by_slug(slug)
        if campaign is None or pk not in services.snapshot(campaign)["entrants"]:
            return None
        response = None
        for hook in self._view_hooks:  # CSRF
            if (response := hook(request, views.confirm, (), {"slug": slug, "pk": pk})) is not None:
                break
        if response is not None:
            return self._finish(request, response)
        level, text = views.cast_vote(request, campaign, pk, voter_id)
        location = get_script_prefix()[:-1] + self._detail.format(slug=slug, pk=pk)
        key = (level, text, request.is_secure())
        headers = _answers.get(key)
        renewed = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a new CSRF cookie: this answer only
        if headers is not None and not renewed:
            return _Ready([("Location", location), *headers], request)
        response = HttpResponseRedirect(location)
        messages = CookieStorage(request)
        messages.add(level, text)
        messages.update(response)
        response = self._finish(request, response)
        if not renewed and len(_answers) < 100:
            _answers[key] = [*((name, value) for name, value in response.items() if name != "Location"),
                             *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        return response

    def _finish(self, request, response):
        for hook in self._response_hooks:
            response = hook(request, response)
        return response
