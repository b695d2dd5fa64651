"""The client's address behind the reverse proxy.

nginx (deploy/) connects from 127.0.0.1 and passes the client's address in `X-Real-IP`. When — and only when — the
connection comes from an address listed in TRUSTED_PROXIES, that header replaces REMOTE_ADDR, so rate limits, login
lockouts, vote fraud signals and the audit log see the real client. From any other peer the header is ignored
(a client cannot claim an address by sending it).
"""

import ipaddress

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(meta) -> str | None:
    remote = meta.get("REMOTE_ADDR", "")
    if remote in getattr(settings, "TRUSTED_PROXIES", ()):
        real = _valid(meta.get("HTTP_X_REAL_IP", ""))
        if real:
            return real
    return remote or None


class TrustedProxyMiddleware(MiddlewareMixin):
    """A `process_request` hook, so the vote's fast path (jinxuan.voting.fastpath) replays it too."""

    def process_request(self, request):
        address = client_address(request.META)
        if address:
            request.META["REMOTE_ADDR"] = address
