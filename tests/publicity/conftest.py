"""gz-dianshu-2025 after the site inspection, fabricated: ten accepted applications, stored results of the
composite (top 3 advance), the roadshow (all advance) and the site inspection (the 2nd is disqualified)."""

import uuid
from decimal import Decimal

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from tests.factories import ApplicationFactory, OrganisationFactory, StageRunFactory

PRIVATE_CANARY = "私密业务方案Z9QX"


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    """Rate-limit counters of each test under their own keys (no cache.clear(): Redis may be shared)."""
    from jinxuan.publicity import services

    monkeypatch.setattr(services, "RATE_PREFIX", f"objection-test-{uuid.uuid4().hex}")


def make_app(campaign, n, state, track=None):
    org = OrganisationFactory(name=f"测试申报单位{n}有限公司", seed=n, city="广州")
    app = ApplicationFactory(campaign=campaign, organisation=org, n=n, seed=200 + n, state=state, track=track,
                             title_format="案例{n:02d}·{title}")
    if "business_plan" in app.answers:
        app.answers["business_plan"] = PRIVATE_CANARY + str(app.answers["business_plan"])[:100]
        app.save(update_fields=["answers"])
    return app


def store_run(campaign, key, kind, rows):
    """rows: (application, rank, score, advanced, detail); a disqualified entry gets the site inspection's reason."""
    return StageRunFactory(campaign=campaign, stage_key=key, kind=kind, inputs_digest="f" * 64, rows=[
        (a, rank, score, advanced, detail,
         f"实地考察不通过，取消资格：{detail['verdict_reason']}" if (detail or {}).get("disqualified") else "")
        for a, rank, score, advanced, detail in rows])


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
    made = [make_app(gz, n, states.get(n, State.ELIMINATED)) for n in range(1, 11)]
    store_run(gz, "composite", "composite",
              [(a, i, Decimal(95) - i, i <= 3, {}) for i, a in enumerate(made, start=1)])
    store_run(gz, "roadshow", "roadshow", [(a, i, Decimal(90) - i, True, {}) for i, a in enumerate(made[:3], start=1)])
    store_run(gz, "site_inspection", "site_inspection",
              [(made[0], 1, None, True, {}), (made[1], 2, None, False, {"drawn": True, "verdict": "fail", "disqualified": True,
                                          "verdict_reason": "申报材料真实性核查未通过"}),
               (made[2], 3, None, True, {})])
    Application.objects.filter(pk=made[1].pk).update(state_reason="实地考察不通过，取消资格：申报材料真实性核查未通过")
    return made
