"""Stages open, close and reopen from the stage dashboard: closing is recorded with who and when, reopening needs a
reason, is audited and marks every later result stale until that stage stores a new one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, Organisation
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import RankedEntry, StageContext, StageResult, implementation
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.services import apply_result, store_run
from tests.factories import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def organiser(make_user, gz):
    return make_user("life_org", Role.ORGANISER, campaign=gz)


@pytest.fixture
def reviewed(gz, organiser):
    """Expert review closed through the runtime over three applications, a roadshow result stored after it."""
    org = Organisation.objects.create(name="生命周期测试单位有限公司", credit_code="91440101MA59LIFE01")
    apps = [make_application(gz, org, n, state=State.ACCEPTED) for n in range(3)]
    stage = runtime.stage_of(gz, "expert_review")
    scores = {a.pk: {"n": 3, "mean": 90 - i, "trimmed_mean": 90 - i, "median": 90 - i, "calibrated": 90 - i}
              for i, a in enumerate(apps)}
    result = implementation("expert_review")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(gz.slug, data={stage.key: scores}))
    apply_result(gz, result, actor=organiser, notify=False)
    roadshow = runtime.stage_of(gz, "roadshow")
    store_run(gz, StageResult(roadshow.key, "roadshow", tuple(
        RankedEntry(a.pk, i, Decimal(80 - i), True, "路演") for i, a in enumerate(apps, 1)), {}, "0" * 64),
        actor=organiser)
    return apps


def _post(client, gz, key, **data):
    return client.post(reverse("reports:lifecycle", args=[gz.slug, key]), data, follow=True).content.decode()


def test_closing_records_who_and_when_and_closes_the_stages_before(gz, organiser, reviewed):
    formal = runtime.lifecycle(gz, runtime.stage_of(gz, "formal_review"))
    expert = runtime.lifecycle(gz, runtime.stage_of(gz, "expert_review"))
    assert formal.closed and expert.closed and expert.closed_by == organiser and expert.closed_at is not None
    assert not runtime.lifecycle(gz, runtime.stage_of(gz, "publicity")).closed


def test_reopening_needs_a_reason_is_audited_and_marks_later_results_stale(client, gz, organiser, reviewed):
    client.force_login(organiser)
    expert, roadshow = runtime.stage_of(gz, "expert_review"), runtime.stage_of(gz, "roadshow")
    page = _post(client, gz, expert.key, action="reopen", reason="  ")
    assert "重开阶段必须说明原因" in page and runtime.is_closed(gz, expert)

    page = _post(client, gz, expert.key, action="reopen", reason="一位专家的评分录入有误")
    assert f"已重开「{expert.name}」" in page and "以下阶段的结果需要重新计算：路演答辩" in page
    assert not runtime.is_closed(gz, expert) and runtime.final_run(gz, expert) is None
    event = AuditEvent.objects.get(action="stage.reopened")
    assert event.reason == "一位专家的评分录入有误" and event.after["stale"] == [roadshow.key]
    assert runtime.lifecycle(gz, roadshow).stale
    overview = client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    assert "结果待重新计算" in overview and "一位专家的评分录入有误" in overview
    stage_page = client.get(reverse("reports:stage", args=[gz.slug, roadshow.key])).content.decode()
    assert "结果待重新计算" in stage_page

    # closed again: the same entrants are ranked anew; the later stage stays stale until it stores a new result
    page = _post(client, gz, expert.key, action="close")
    assert f"已结束「{expert.name}」" in page and runtime.is_closed(gz, expert)
    assert sorted(runtime.entered_ids(runtime.final_run(gz, expert))) == sorted(a.pk for a in reviewed)
    assert runtime.lifecycle(gz, roadshow).stale
    runtime.reopen_stage(gz, roadshow, "按重算后的专业评审结果重新排名", actor=organiser)
    store_run(gz, StageResult(roadshow.key, "roadshow", tuple(
        RankedEntry(a.pk, i, Decimal(70 - i), True, "路演") for i, a in enumerate(reviewed, 1)), {}, "1" * 64))
    assert not runtime.lifecycle(gz, roadshow).stale and runtime.is_closed(gz, roadshow)
    assert StageRun.objects.filter(campaign=gz, stage_key=roadshow.key).count() == 2  # the old one kept


def test_only_the_campaigns_organisers_change_a_stage(client, gz, make_user, reviewed):
    client.force_login(make_user("life_guide", Role.GUIDANCE, campaign=gz))
    overview = client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    assert "重开本阶段" not in overview
    response = client.post(reverse("reports:lifecycle", args=[gz.slug, "expert_review"]),
                           {"action": "reopen", "reason": "试试"})
    assert response.status_code == 404 and runtime.is_closed(gz, runtime.stage_of(gz, "expert_review"))


def test_opening_a_pending_stage_from_the_dashboard(client, gz, organiser):
    client.force_login(organiser)
    publicity = runtime.stage_of(gz, "publicity")
    assert runtime.lifecycle(gz, publicity).status == "pending"
    assert "开启本阶段" in client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    page = _post(client, gz, publicity.key, action="open")
    assert "已开启「结果公示」" in page
    state = runtime.lifecycle(gz, publicity)
    assert state.status == "open" and state.opened_by == organiser
    assert AuditEvent.objects.filter(action="stage.opened").exists()
    assert "已在进行中" in _post(client, gz, publicity.key, action="open")
    assert Application.objects.filter(campaign=gz).count() == 0


def test_every_lifecycle_read_at_once_is_each_read_alone(gz, organiser, reviewed, django_assert_max_num_queries):
    """Recorded (closed, reopened, stale), closed by a stored result only, and pending stages: the page's batch read
    gives what one stage's read gives, in a few queries whatever the number of stages."""
    runtime.reopen_stage(gz, runtime.stage_of(gz, "expert_review"), "补录一位专家的评分", actor=organiser)
    alone = {s.key: runtime.lifecycle(gz, s) for s in gz.stages.order_by("position")}
    with django_assert_max_num_queries(3 + len(alone)):  # stages, states, final times; a pending stage asks its app
        together = runtime.lifecycles(gz)
    assert together == alone
    assert together["expert_review"].status == "open" and together["roadshow"].stale
    assert {k for k, v in together.items() if v.closed} >= {"formal_review"}
