"""The client address behind nginx: X-Real-IP only from a trusted proxy."""

import pytest
from django.test import RequestFactory

from jinxuan.ops.proxy import TrustedProxyMiddleware, client_address


@pytest.fixture
def trusted(settings):
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})


def test_header_from_the_trusted_proxy_gives_the_client(trusted):
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.7"}) == "203.0.113.7"


def test_header_from_anyone_else_is_ignored(trusted):
    assert client_address({"REMOTE_ADDR": "198.51.100.2", "HTTP_X_REAL_IP": "203.0.113.7"}) == "198.51.100.2"


def test_garbage_header_is_ignored(trusted):
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "1.2.3.4, 5.6.7.8"}) == "127.0.0.1"


def test_no_trusted_proxy_by_default(settings):
    settings.TRUSTED_PROXIES = frozenset()
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.7"}) == "127.0.0.1"


def test_middleware_rewrites_remote_addr_for_everything_after_it(trusted):
    seen = {}
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="2001:db8::1")
    TrustedProxyMiddleware(lambda r: seen.setdefault("ip", r.META["REMOTE_ADDR"]))(request)
    assert seen["ip"] == "2001:db8::1"
