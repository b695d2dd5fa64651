"""The site_inspection stage kind (pure), apply_result's disqualification, and the demo builder."""

import random

import pytest

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.inspection.models import Inspection
from jinxuan.inspection.stage import NOT_DRAWN, SiteInspectionStage
from jinxuan.pipeline.engine import Entrant, StageContext, implementation

PARAMS = {"sample_fraction": "0.3", "checks": ["企业风险排查"]}


def run(data):
    entrants = [Entrant(i, "t") for i in (5, 3, 9, 1)]
    context = StageContext("c", data={"site_inspection": data})
    return SiteInspectionStage("site_inspection", PARAMS).run(entrants, context)


def test_registered_with_the_engine():
    assert implementation("site_inspection") is SiteInspectionStage


def test_unsampled_advance_passes_advance_failures_are_disqualified():
    result = run({"drawn": [3, 9], "ranks": {"9": 1, "1": 2, "3": 3, "5": 4},
                  "verdicts": {"3": {"verdict": "fail", "reason": "材料造假"}, 9: {"verdict": "pass", "reason": "一致"}}})
    assert [e.application_id for e in result.entries] == [9, 1, 3, 5]
    by_id = {e.application_id: e for e in result.entries}
    assert result.advanced == {9, 1, 5}
    assert by_id[1].reason == NOT_DRAWN and by_id[5].reason == NOT_DRAWN and by_id[1].detail == {"drawn": False}
    assert by_id[3].detail["disqualified"] is True and "材料造假" in by_id[3].reason
    assert not by_id[9].detail.get("disqualified") and by_id[9].reason == "实地考察通过：一致"


def test_a_drawn_entrant_without_a_verdict_is_refused():
    with pytest.raises(ValueError, match="尚无考察结论"):
        run({"drawn": [3], "verdicts": {}})
    with pytest.raises(ValueError, match="尚无考察结论"):
        run({"drawn": [3], "verdicts": {3: {"verdict": "", "reason": ""}}})


def test_apply_result_moves_disqualified_entries_to_disqualified(gz):
    from jinxuan.audit.models import AuditEvent
    from jinxuan.pipeline.engine import RankedEntry, StageResult
    from jinxuan.pipeline.services import apply_result
    from tests.factories import make_pipeline_apps

    a, b, c = make_pipeline_apps(gz, 3)
    entries = (RankedEntry(a.pk, 1, None, True, "通过"),
               RankedEntry(b.pk, 2, None, False, "实地考察不通过，取消资格：虚报", {"disqualified": True}),
               RankedEntry(c.pk, 3, None, False, "排名靠后"))
    apply_result(gz, StageResult("site_inspection", "site_inspection", entries, {}, "d" * 64))
    states = dict(Application.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "state"))
    assert states == {a.pk: State.IN_STAGE, b.pk: State.DISQUALIFIED, c.pk: State.ELIMINATED}
    assert AuditEvent.objects.get(action="application.取消资格").reason == "实地考察不通过，取消资格：虚报"


def test_demo_build(gz, passers, make_user):
    from jinxuan.demo import inspection as demo
    from jinxuan.inspection import services

    user = make_user("demo_inspector")
    draw = demo.build(gz, user, random.Random(3))
    assert draw.is_drawn and draw.size == 3
    records = list(Inspection.objects.filter(draw=draw).order_by("application_id"))
    assert all(list(r.inspectors.all()) == [user] for r in records)
    assert records[0].locked and records[0].verdict == "pass" and records[0].evidence.count() == 1
    assert not records[1].locked and records[1].findings["企业风险排查"]["outcome"] == "pass"
    assert list(services.assignments_of(user, gz)) == records
