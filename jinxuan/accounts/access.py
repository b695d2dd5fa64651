"""The single gate of every view and API handler.

`guard(perm, obj=...)` checks a rule of `rules.py` (object-level, campaign-scoped);
`public` marks a view anyone may open. Both leave `access_rule` on the view so a
test can walk every URL and API route and fail on one that has neither.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

PUBLIC = "public"


def public(view: Callable) -> Callable:
    view.access_rule = PUBLIC
    return view


def check(user, perm: str, target=None) -> bool:
    return bool(user.has_perm(perm, target))


def guard(perm: str, obj: Callable | None = None) -> Callable:
    """View decorator: anonymous → login page; denied on an object → 404 (its existence is not disclosed)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target = obj(request, **kwargs) if obj else None
            if not check(request.user, perm, target):
                if target is not None:
                    raise Http404
                raise PermissionDenied
            request.access_target = target
            return view(request, *args, **kwargs)

        wrapper.access_rule = perm
        return wrapper

    return decorator


def api_guard(perm: str, obj: Callable | None = None) -> Callable:
    """The same gate for API handlers: 401 without credentials, 404/403 when denied."""
    from ninja.errors import HttpError

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if perm != PUBLIC:
                if not request.user.is_authenticated:
                    raise HttpError(401, "需要登录或有效的 API 令牌")
                target = obj(request, **kwargs) if obj else None
                if not check(request.user, perm, target):
                    if target is not None:
                        raise HttpError(404, "未找到")
                    raise HttpError(403, "没有权限")
                request.access_target = target
            return func(request, *args, **kwargs)

        wrapper.access_rule = perm
        return wrapper

    return decorator
