"""API authentication: bearer tokens, the browser session, or anonymous.

Authentication only says who is calling; whether they may is decided by
`access.api_guard` on each handler, the same rules as the pages.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from jinxuan.accounts.models import ApiToken, hash_token

CSRF_FAILED = "CSRF 校验失败：请刷新页面后重试，或改用 API 令牌"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The browser session. CSRF is checked only when a session actually identifies a user, so a caller
    without one (or with a stale cookie) is told 401, not a CSRF failure, and the message is Chinese."""

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        return request.user


class Anonymous:
    """Last in the chain: lets the call through as anonymous; the guard refuses what needs a user."""

    def __call__(self, request):
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            request.user = AnonymousUser()
        return request.user or True


AUTH = [TokenAuth(), SessionAuth()]  # default: a caller must be identified before any input is parsed
OPTIONAL = [TokenAuth(), SessionAuth(), Anonymous()]  # public operations
# For public operations' `openapi_extra`: appends the empty requirement, OpenAPI's "credentials optional".
PUBLIC_SECURITY = {"security": [{}]}
