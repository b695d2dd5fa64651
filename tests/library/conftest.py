import pytest
from django.core.cache import cache

from jinxuan.library import services
from tests.helpers.library import CASES


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def library(gz):
    return [services.add_historical_case(campaign=gz, **c) for c in CASES]
