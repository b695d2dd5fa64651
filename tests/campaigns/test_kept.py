"""Slow results kept under a stamp of what they read: in the shared cache, and in the process's memory."""

import pytest
from django.core.cache import cache

from jinxuan.campaigns import kept as kept_module
from jinxuan.campaigns.kept import forget_in_process, kept

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


def _computer():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    return compute, calls


def test_a_value_is_computed_once_per_stamp(gz):
    compute, calls = _computer()
    assert kept(gz, "probe", 1, compute, 60) == {"n": 1}
    assert kept(gz, "probe", 1, compute, 60) == {"n": 1} and len(calls) == 1
    assert kept(gz, "probe", 2, compute, 60) == {"n": 2}  # the input changed
    assert kept(gz, "other", 1, compute, 60) == {"n": 3}  # another result of the same campaign


def test_the_process_keeps_its_own_copy_without_asking_the_cache(gz, monkeypatch):
    compute, calls = _computer()
    kept(gz, "probe", 1, compute, 60)
    asked = []
    monkeypatch.setattr(cache, "get", lambda *a, **k: asked.append(a) or None)
    assert kept(gz, "probe", 1, compute, 60) == {"n": 1} and not asked and len(calls) == 1


def test_another_process_finds_the_value_in_the_shared_cache(gz):
    compute, calls = _computer()
    kept(gz, "probe", 1, compute, 60)
    forget_in_process()  # as another process would start
    assert kept(gz, "probe", 1, compute, 60) == {"n": 1} and len(calls) == 1


def test_the_process_copy_expires_with_the_cache_and_stays_few(gz, monkeypatch):
    compute, calls = _computer()
    kept(gz, "probe", 1, compute, 0)  # expires at once
    cache.clear()
    assert kept(gz, "probe", 1, compute, 60) == {"n": 2}
    monkeypatch.setattr(kept_module, "IN_PROCESS", 3)
    for stamp in range(10):
        kept(gz, "many", stamp, compute, 60)
    assert len(kept_module._memory) == 3


def test_a_preset_change_computes_again(gz):
    compute, calls = _computer()
    kept(gz, "probe", 1, compute, 60)
    gz.preset_hash = "0" * 64
    assert kept(gz, "probe", 1, compute, 60) == {"n": 2}
