import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.review.conftest import accepted, gz, organiser, orgs, pool  # noqa: F401 - shared fixtures
from tests.review.test_review_flow import sheet


@pytest.fixture(autouse=True)
def _clean_cache():
    from jinxuan.voting.services import forget_snapshot

    cache.clear()
    forget_snapshot()
    yield
    cache.clear()
    forget_snapshot()


@pytest.fixture
def vote_open(gz, pool, accepted, organiser):  # noqa: F811
    """gz after expert review (all six accepted applications scored and advanced), the vote open now."""
    from jinxuan.review import services as review
    from jinxuan.voting import services

    for i, app in enumerate(accepted):
        a = review.assign_manually(gz, pool[i % 4].expert, app, actor=organiser)
        review.save_review(a, sheet(gz.spec.rubric, 60 + i), submit=True)
    review.close_review(gz, actor=organiser)
    now = timezone.now()
    services.set_window(gz, now - dt.timedelta(days=1), now + dt.timedelta(days=5), actor=organiser)
    return list(services.entrants(gz))


@pytest.fixture
def voter(db):
    from jinxuan.voting.models import Voter

    return Voter.objects.create(phone="13800138000", verified_at=timezone.now())
