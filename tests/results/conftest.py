"""Fixtures of the results tests: the campaigns and their organisers. Applications fabricated in given states and
stored stage results come from tests/factories.py (award_entrant, award_run), the rest from tests/helpers/results.py."""

import pytest

from jinxuan.accounts.models import Role
from tests.factories import award_numbers


@pytest.fixture
def xinhua(campaigns):
    return campaigns["xinhua-nqp-2025"]


@pytest.fixture
def top10(campaigns):
    return campaigns["top10-2025"]


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def organiser_of(make_user):
    def make(campaign):
        return make_user(f"org_{campaign.pk}_{next(award_numbers)}", Role.ORGANISER, campaign=campaign)

    return make
