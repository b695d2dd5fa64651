"""The one check of every `next` parameter: only a path on this site is followed, never another host."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "") -> str:
    """The `next` of the request (POST before GET) if it stays on this site, else `default` (a URL or URL name;
    empty: "")."""
    for candidate in (request.POST.get("next"), request.GET.get("next")):
        if candidate and is_safe(request, candidate):
            return candidate.strip()
    return resolve_url(default) if default else ""


def is_safe(request, url: str) -> bool:
    url = (url or "").strip()
    # a path of our own: "/…" but not "//host" or "/\host" (browsers read both as another host)
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
