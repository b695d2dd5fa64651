"""A stage kind registered from the test suite alone shows in the dashboard, the stage links, the stage report and
replay: nothing outside its own package names it."""

import sys

import pytest
from django.urls import reverse

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Organisation
from jinxuan.applicants.states import State
from jinxuan.campaigns.models import StageDefinition
from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS, STAGE_PARAMS
from jinxuan.pipeline import engine, runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.links import manage_links, public_links
from jinxuan.pipeline.registry import register_stage_app, stage_app, unregister_stage_app
from jinxuan.pipeline.replay import replay_all
from jinxuan.pipeline.services import apply_result
from tests.factories import make_application

pytestmark = pytest.mark.django_db
KIND = "toy_tally"


@pytest.fixture
def toy():
    sys.modules.pop("tests.pipeline.toy_kind", None)  # importing it again registers the engine class
    from tests.pipeline import toy_stage

    register_stage_app(toy_stage.description())
    yield toy_stage
    unregister_stage_app(KIND)
    engine.REGISTRY.pop(KIND, None)
    STAGE_PARAMS.pop(KIND, None)
    STAGE_KIND_LABELS.pop(KIND, None)


def test_a_toy_stage_kind_is_found_everywhere_the_registry_is_read(toy, campaigns, client, make_user):
    campaign = campaigns["xinhua-nqp-2025"]
    last = campaign.stages.order_by("-position").first()
    stage = StageDefinition.objects.create(campaign=campaign, key="toy", kind=KIND, name="玩具阶段",
                                           position=last.position + 1, params={"bonus": 1})
    org = Organisation.objects.create(name="玩具测试单位有限公司", credit_code="91440101MA59TOY001")
    apps = [make_application(campaign, org, n, state=State.IN_STAGE) for n in range(3)]
    assert stage_app(KIND).label == "玩具计数"

    # links: public and organiser pages come from the description
    assert ("玩具公开页", f"/toy/{campaign.slug}/") in public_links(campaign)
    assert ("玩具管理页", f"/manage/toy/{campaign.slug}/") in manage_links(campaign)

    # the stage dashboard: the registry says it holds work, so it is 进行中 with what it holds
    client.force_login(make_user("toy_org", Role.ORGANISER, campaign=campaign))
    overview = client.get(reverse("reports:overview", args=[campaign.slug])).content.decode()
    assert "玩具阶段" in overview and "玩具计数" in overview and "玩具阶段正在计数" in overview
    assert runtime.lifecycle(campaign, stage).status == "open"
    assert f"/manage/toy/{campaign.slug}/" in client.get(reverse("dashboard:campaign", args=[campaign.slug])).content.decode()

    # a run through the engine and the runtime: the stage report lists it, replay confirms it
    result = implementation(KIND)(stage.key, stage.params).run(runtime.entrants(apps), StageContext(campaign.slug))
    apply_result(campaign, result, notify=False)
    assert runtime.lifecycle(campaign, stage).closed
    page = client.get(reverse("reports:stage", args=[campaign.slug, "toy"])).content.decode()
    assert "玩具阶段第 1 名" in page and "按申报编号顺序计数" in page
    assert "玩具阶段" in client.get(reverse("reports:report", args=[campaign.slug])).content.decode()
    replays = [r for r in replay_all(campaign) if r["stage"] == "toy"]
    assert replays and replays[0]["same"] is True and replays[0]["label"] == "玩具计数"
