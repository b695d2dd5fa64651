"""gz-dianshu-2025 after the site inspection, fabricated: ten accepted applications, stored results of the
composite (top 3 advance), the roadshow (all advance) and the site inspection (the 2nd is disqualified)."""

import random
import uuid
from decimal import Decimal

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, ApplicationUnit, Organisation
from jinxuan.applicants.states import State
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker
from jinxuan.pipeline.models import StageRun

PRIVATE_CANARY = "私密业务方案Z9QX"


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    """Rate-limit counters of each test under their own keys (no cache.clear(): Redis may be shared)."""
    from jinxuan.publicity import services

    monkeypatch.setattr(services, "RATE_PREFIX", f"objection-test-{uuid.uuid4().hex}")


def make_app(campaign, n, state, track=None):
    rng = random.Random(n)
    org = Organisation.objects.create(name=f"测试申报单位{n}有限公司", credit_code=credit_code(rng, "广州"))
    faker = TextFaker(200 + n)
    tracks = list(campaign.tracks.order_by("position"))
    track = track or tracks[n % len(tracks)]
    filler = AnswerFaker(faker, campaign.spec, track.key, [org.credit_code], faker.topic())
    title = f"案例{n:02d}·{faker.case_title(topic=filler.topic)}"[:60]
    answers = filler.application(title)
    if "business_plan" in answers:
        answers["business_plan"] = PRIVATE_CANARY + str(answers["business_plan"])[:100]
    app = Application.objects.create(campaign=campaign, track=track, title=title, answers=answers, state=state)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0,
                                   answers=filler.unit(org.name, org.credit_code))
    return app


def store_run(campaign, key, kind, rows):
    """rows: (application, rank, score, advanced, detail); a disqualified entry gets the site inspection's reason."""
    entries = [{"application_id": a.pk, "rank": rank, "score": None if score is None else str(score),
                "advanced": advanced, "detail": detail or {},
                "reason": f"实地考察不通过，取消资格：{detail['verdict_reason']}" if (detail or {}).get("disqualified")
                else ""} for a, rank, score, advanced, detail in rows]
    return StageRun.objects.create(campaign=campaign, stage_key=key, kind=kind, result={"entries": entries},
                                   inputs_digest="f" * 64, is_final=True)


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
