"""gz-dianshu-2025 after the site inspection, fabricated: ten accepted applications, stored results of the
composite (top 3 advance), the roadshow (all advance) and the site inspection (the 2nd is disqualified).
The applications and runs are built by tests/factories.py (publicity_entrant, inspected_run)."""

import uuid
from decimal import Decimal

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from tests.factories import inspected_run, publicity_entrant


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    """Rate-limit counters of each test under their own keys (no cache.clear(): Redis may be shared)."""
    from jinxuan.publicity import services

    monkeypatch.setattr(services, "RATE_PREFIX", f"objection-test-{uuid.uuid4().hex}")


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def organiser(make_user, gz):
    return make_user("org_pub", Role.ORGANISER, campaign=gz)


@pytest.fixture
def apps(gz):
    """Ten applications ranked 1..10 by the composite; 1–3 advanced; 2 failed the site inspection."""
    states = {1: State.IN_STAGE, 2: State.DISQUALIFIED, 3: State.IN_STAGE}
    made = [publicity_entrant(gz, n, states.get(n, State.ELIMINATED)) for n in range(1, 11)]
    inspected_run(gz, "composite", "composite",
              [(a, i, Decimal(95) - i, i <= 3, {}) for i, a in enumerate(made, start=1)])
    inspected_run(gz, "roadshow", "roadshow", [(a, i, Decimal(90) - i, True, {}) for i, a in enumerate(made[:3], start=1)])
    inspected_run(gz, "site_inspection", "site_inspection",
              [(made[0], 1, None, True, {}), (made[1], 2, None, False, {"drawn": True, "verdict": "fail", "disqualified": True,
                                          "verdict_reason": "申报材料真实性核查未通过"}),
               (made[2], 3, None, True, {})])
    Application.objects.filter(pk=made[1].pk).update(state_reason="实地考察不通过，取消资格：申报材料真实性核查未通过")
    return made
