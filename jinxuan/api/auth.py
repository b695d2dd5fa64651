"""API authentication: bearer tokens, the browser session, or anonymous.

Authentication only says who is calling; whether they may is decided by
`access.api_guard` on each handler, the same rules as the pages.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from jinxuan.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(digest=hash_token(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class Anonymous:
    """Last in the chain: lets the call through as anonymous; the guard refuses what needs a user."""

    def __call__(self, request):
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            request.user = AnonymousUser()
        return request.user or True


AUTH = [TokenAuth(), SessionAuth()]  # default: a caller must be identified before any input is parsed
OPTIONAL = [TokenAuth(), SessionAuth(), Anonymous()]  # public operations
