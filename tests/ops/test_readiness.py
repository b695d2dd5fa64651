"""Readiness in production needs the shared cache the abuse limits rely on (issue 18, finding 12)."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_production_without_redis_is_not_ready(client, settings):
    settings.PRODUCTION, settings.REDIS_URL, settings.CACHES = True, "", LOCAL
    cache.close()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert any("共享缓存" in p for p in answer.json()["problems"])


def test_development_without_redis_stays_ready_with_per_process_limits(client, settings):
    settings.PRODUCTION, settings.REDIS_URL, settings.CACHES = False, "", LOCAL
    answer = client.get("/readyz")
    assert not any("共享缓存" in p for p in answer.json().get("problems", []))
