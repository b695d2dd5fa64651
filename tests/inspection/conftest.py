"""Fixtures: gz after its roadshow — applications in the pipeline and a fabricated final roadshow StageRun."""

import random

import pytest

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Organisation
from jinxuan.applicants.states import State
from jinxuan.demo.population import credit_code
from jinxuan.pipeline.models import StageRun, StageState
from tests.review.conftest import make_application


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def xh(campaigns):
    return campaigns["xinhua-nqp-2025"]


def roadshow_run(campaign, apps, advanced=None, ranks=None):
    """A final roadshow StageRun over `apps` (listed in rank order); `advanced` defaults to all."""
    advanced = set(a.pk for a in apps) if advanced is None else set(advanced)
    key = campaign.stages.get(kind="roadshow").key
    entries = [{"application_id": a.pk, "rank": (ranks[i] if ranks else i + 1), "score": f"{90 - i}.5000",
                "advanced": a.pk in advanced, "reason": "", "detail": {}} for i, a in enumerate(apps)]
    # stored out of rank order on purpose: the draw must order by rank itself
    entries = entries[1::2] + entries[0::2]
    run = StageRun.objects.create(campaign=campaign, stage_key=key, kind="roadshow", is_final=True,
                                  inputs_digest="0" * 64, result={"stage_key": key, "kind": "roadshow",
                                                                  "entries": entries, "params": {}})
    # the ranking is stored but its stage not closed yet, so the tests may still commit a seed (in a real campaign
    # the seed is committed before the roadshow closes: see tests/pipeline/test_lifecycle.py)
    StageState.objects.update_or_create(campaign=campaign, stage_key=key, defaults={"status": StageState.OPEN})
    return run


def make_pipeline_apps(campaign, n, start=0, tracks=None):
    """n applications IN_STAGE at the roadshow stage; `tracks` (keys) overrides the round-robin track."""
    rng = random.Random(7 + start)
    key = campaign.stages.get(kind="roadshow").key
    apps = []
    for i in range(start, start + n):
        org = Organisation.objects.create(name=f"考察测试单位{i}有限公司", credit_code=credit_code(rng, "广州"))
        app = make_application(campaign, org, i, state=State.IN_STAGE)
        app.current_stage = key
        if tracks:
            app.track = campaign.tracks.get(key=tracks[i - start])
        app.save()
        apps.append(app)
    return apps


@pytest.fixture
def passers(gz):
    """Twelve roadshow entrants of gz, ten advanced (the 4th and 9th by rank did not)."""
    apps = make_pipeline_apps(gz, 12)
    out = {apps[3].pk, apps[8].pk}
    roadshow_run(gz, apps, advanced=[a.pk for a in apps if a.pk not in out])
    return [a for a in apps if a.pk not in out]


@pytest.fixture
def organiser(make_user, gz):
    return make_user("org1", Role.ORGANISER, campaign=gz)


@pytest.fixture
def inspector(make_user, gz):
    return make_user("insp1", Role.INSPECTOR, campaign=gz)


@pytest.fixture
def other_inspector(make_user, gz):
    return make_user("insp2", Role.INSPECTOR, campaign=gz)


@pytest.fixture
def foreign_inspector(make_user, xh):
    return make_user("insp_xh", Role.INSPECTOR, campaign=xh)


@pytest.fixture
def drawn(gz, passers, organiser):
    """gz with a committed and revealed draw; returns (draw, seed)."""
    from jinxuan.inspection import services

    _, seed = services.commit(gz, actor=organiser)
    return services.reveal_and_draw(gz, seed, actor=organiser), seed
