"""Roadshow services without requests: schedule, timer, sheets, closing slots, the stage and its audit trail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.roadshow import services
from jinxuan.roadshow.models import Judge, ScoreSheet, SlotState

pytestmark = pytest.mark.django_db
D = Decimal


def actions(campaign, prefix="roadshow."):
    return list(AuditEvent.objects.filter(campaign_id=campaign.pk, action__startswith=prefix)
                .order_by("seq").values_list("action", flat=True))


def present(slot, organiser, now=None):
    slot = services.start(slot, actor=organiser, now=now)
    slot = services.start_qa(slot, actor=organiser)
    return services.end_presentation(slot, actor=organiser)


def judges_of(campaign):
    return list(Judge.objects.filter(campaign=campaign).order_by("pseudonym"))


def score_all(slot, values):
    for judge, value in zip(judges_of(slot.campaign), values, strict=False):
        sheet, errors = services.sign_off(slot, judge, {"score": str(value)})
        assert errors == {}


def test_schedule_takes_the_composite_advanced_set_in_the_stated_order(gz, ready, panel, organiser):
    start = timezone.make_aware(dt.datetime(2025, 11, 20, 14, 0))
    slots = services.build_schedule(gz, start, actor=organiser)
    composite = services.previous_run(gz)
    advanced = {e["application_id"] for e in composite.result["entries"] if e["advanced"]}
    assert {s.application_id for s in slots} == advanced == {ready[9].pk, ready[8].pk, ready[7].pk, ready[2].pk}
    # by track in preset order (make_application: track = n % 4), then application number
    assert [s.application_id for s in slots] == [ready[8].pk, ready[9].pk, ready[2].pk, ready[7].pk]
    assert [s.position for s in slots] == [1, 2, 3, 4]
    assert [s.planned_start for s in slots] == [start + dt.timedelta(minutes=15 * i) for i in range(4)]
    assert all((s.minutes, s.qa_minutes, s.state) == (10, 5, SlotState.PENDING) for s in slots)
    assert [j.pseudonym for j in judges_of(gz)] == ["评委01", "评委02", "评委03"]
    assert "roadshow.schedule_built" in actions(gz)


def test_schedule_needs_the_previous_stage(gz, panel, organiser):
    with pytest.raises(services.RoadshowError, match="尚未确定晋级名单"):
        services.build_schedule(gz, actor=organiser)


def test_reorder_moves_pending_slots_only(gz, scheduled, organiser):
    first, second = scheduled[0], scheduled[1]
    services.move(second, -1, actor=organiser)
    order = [s.application_id for s in services.slots(gz)]
    assert order[:2] == [second.application_id, first.application_id]
    assert "roadshow.reordered" in actions(gz)
    started = services.start(services.slots(gz)[0], actor=organiser)
    with pytest.raises(services.RoadshowError, match="已开始"):
        services.move(services.slots(gz)[1], -1, actor=organiser)
    with pytest.raises(services.RoadshowError, match="已经开始"):
        services.build_schedule(gz, actor=organiser)
    assert started.state == SlotState.PRESENTING


def test_timer_states_follow_server_timestamps(gz, scheduled, organiser):
    t0 = timezone.now() - dt.timedelta(minutes=11)
    slot = services.start(scheduled[0], actor=organiser, now=t0)
    assert services.timer(slot, now=t0 + dt.timedelta(seconds=90))["remaining"] == 600 - 90
    assert services.timer(slot)["remaining"] < 0  # 11 minutes of a 10-minute slot: over time
    with pytest.raises(services.RoadshowError, match="请先结束该场答辩"):
        services.start(scheduled[1], actor=organiser)
    with pytest.raises(services.RoadshowError, match="不能结束评分"):
        services.close_slot(slot, actor=organiser, reason="x")
    qa_at = t0 + dt.timedelta(minutes=10)
    slot = services.start_qa(slot, actor=organiser, now=qa_at)
    tm = services.timer(slot, now=qa_at + dt.timedelta(seconds=30))
    assert (tm["label"], tm["limit"], tm["remaining"]) == ("问答", 300, 270)
    slot = services.end_presentation(slot, actor=organiser)
    assert slot.state == SlotState.SCORING and services.timer(slot) is None
    assert slot.started_at == t0 and slot.qa_started_at == qa_at and slot.ended_at >= qa_at
    with pytest.raises(services.RoadshowError, match="不能进入问答"):
        services.start_qa(slot, actor=organiser)
    assert actions(gz)[-3:] == ["roadshow.slot_presenting", "roadshow.slot_qa", "roadshow.slot_scoring"]


def test_a_signed_sheet_is_immutable_until_reopened_with_a_reason(gz, scheduled, organiser):
    judge = judges_of(gz)[0]
    with pytest.raises(services.RoadshowError, match="尚未开始"):
        services.save_sheet(scheduled[0], judge, {"score": "80"})
    slot = services.start(scheduled[0], actor=organiser)
    with pytest.raises(services.RoadshowError, match="答辩结束后方可签署"):
        services.sign_off(slot, judge, {"score": "80"})
    sheet, errors = services.save_sheet(slot, judge, {"score": "80"})  # a draft may be saved while presenting
    assert errors == {} and sheet.total == D(80) and not sheet.signed
    slot = services.end_presentation(slot, actor=organiser)
    sheet, errors = services.sign_off(slot, judge, {"score": "120"})
    assert sheet.signed_off_at is None and "0 到 100" in errors["score"]
    assert ScoreSheet.objects.get(pk=sheet.pk).scores == {"score": "120"}  # kept as entered
    sheet, errors = services.sign_off(slot, judge, {"score": "81.5"})
    assert errors == {} and sheet.signed and sheet.total == D("81.5")
    with pytest.raises(services.RoadshowError, match="已签署"):
        services.save_sheet(slot, judge, {"score": "99"})
    with pytest.raises(services.RoadshowError, match="已签署"):
        services.sign_off(slot, judge, {"score": "99"})
    assert ScoreSheet.objects.get(pk=sheet.pk).total == D("81.5")
    with pytest.raises(services.RoadshowError, match="说明原因"):
        services.reopen_sheet(sheet, "  ", actor=organiser)
    services.reopen_sheet(sheet, "评委误按，现场确认更正", actor=organiser)
    event = AuditEvent.objects.filter(action="roadshow.sheet_reopened").get()
    assert event.reason == "评委误按，现场确认更正" and event.before["total"] == "81.5"
    sheet, errors = services.sign_off(slot, judge, {"score": "91"})
    assert errors == {} and sheet.total == D(91)
    signed = AuditEvent.objects.filter(action="roadshow.sheet_signed").order_by("seq")
    assert [e.after["total"] for e in signed] == ["81.5", "91.0"]


def test_slot_closes_when_every_judge_has_signed(gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    score_all(slot, [80, 90])
    slot.refresh_from_db()
    assert slot.state == SlotState.SCORING
    assert [j.pseudonym for j in services.missing_judges(slot)] == ["评委03"]
    services.sign_off(slot, judges_of(gz)[2], {"score": "70"})
    slot.refresh_from_db()
    assert slot.state == SlotState.CLOSED and slot.close_reason == ""
    result = services.slot_result(slot)
    assert result["aggregate"] == "80" and [j["dropped"] for j in result["judges"]] == [None, "high", "low"]


def test_organiser_closes_a_slot_early_only_with_a_reason(gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    with pytest.raises(services.RoadshowError, match="尚无评委签署"):
        services.close_slot(slot, actor=organiser, reason="")
    services.sign_off(slot, judges_of(gz)[0], {"score": "77"})
    with pytest.raises(services.RoadshowError, match="评委02、评委03"):
        services.close_slot(slot, actor=organiser)
    slot = services.close_slot(slot, actor=organiser, reason="评委02、03 因故离场")
    assert slot.state == SlotState.CLOSED
    event = AuditEvent.objects.filter(action="roadshow.slot_closed").get()
    assert event.reason == "评委02、03 因故离场" and event.after["missing"] == ["评委02", "评委03"]
    assert services.slot_result(slot)["rule"].startswith("仅 1 位评委评分")
    assert services.slot_result(slot)["aggregate"] == "77"


def test_reopening_a_closed_slots_sheet_reopens_the_slot(gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    score_all(slot, [80, 90, 70])
    sheet = ScoreSheet.objects.get(slot=slot, judge=judges_of(gz)[1])
    services.reopen_sheet(sheet, "分数录入有误", actor=organiser)
    slot.refresh_from_db()
    assert slot.state == SlotState.SCORING and slot.closed_at is None


def _run_through(gz, organiser, scores_by_position):
    for slot, values in zip(services.slots(gz), scores_by_position, strict=True):
        slot = present(slot, organiser)
        for judge, value in zip(judges_of(gz), values, strict=True):
            services.sign_off(slot, judge, {"score": str(value)})


def test_close_refuses_while_slots_are_open_then_ranks_by_roadshow_scores_only(gz, ready, scheduled, organiser):
    with pytest.raises(services.RoadshowError, match="尚有 4 场答辩未结束评分"):
        services.close_roadshow(gz, actor=organiser)
    # positions: 1 = #8, 2 = #9 (best composite), 3 = #2 (direct entry, weakest composite), 4 = #7
    _run_through(gz, organiser, [[80, 82, 84], [60, 99, 61], [90, 92, 95], [70, 40, 100]])
    run = services.close_roadshow(gz, actor=organiser)
    entries = {e["application_id"]: e for e in run.result["entries"]}
    assert run.kind == "roadshow" and run.stage_key == "roadshow"
    assert [(entries[a.pk]["rank"], entries[a.pk]["score"]) for a in (ready[2], ready[8], ready[7], ready[9])] == \
           [(1, "92.0000"), (2, "82.0000"), (3, "70.0000"), (4, "61.0000")]
    assert all(e["advanced"] for e in entries.values())
    for app in (ready[2], ready[9]):
        app.refresh_from_db()
        assert (app.state, app.current_stage) == (State.IN_STAGE, "roadshow")
    assert {"roadshow.closed", "roadshow.slot_closed", "roadshow.sheet_signed"} <= set(actions(gz))
    assert AuditEvent.objects.filter(action="stage.result_applied", after__stage="roadshow").exists()
    with pytest.raises(services.RoadshowError, match="已结束"):
        services.close_roadshow(gz, actor=organiser)
    with pytest.raises(services.RoadshowError, match="已结束"):
        services.reopen_sheet(ScoreSheet.objects.filter(slot__campaign=gz).first(), "晚了", actor=organiser)


def test_advance_by_top_fraction_eliminates_the_rest(gz, ready, scheduled, organiser):
    stage = services.roadshow_stage(gz)
    stage.params = {**stage.params, "advance": "top_fraction", "advance_fraction": "0.5"}
    stage.save()
    _run_through(gz, organiser, [[80, 82, 84], [60, 99, 61], [90, 92, 95], [70, 40, 100]])
    run = services.close_roadshow(gz, actor=organiser)
    assert {e["application_id"] for e in run.result["entries"] if e["advanced"]} == {ready[2].pk, ready[8].pk}
    ready[9].refresh_from_db()
    assert ready[9].state == State.ELIMINATED


def test_running_ranking_covers_closed_slots(gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    score_all(slot, [80, 82, 84])
    present(scheduled[1], organiser)  # being scored: not in the running ranking yet
    ranking = services.running_ranking(gz)
    assert [(e.application_id, e.rank, e.score) for e in ranking] == [(scheduled[0].application_id, 1, D(82))]


def test_judges_follow_the_role(gz, scheduled, organiser):
    from jinxuan.accounts.models import Role, RoleAssignment

    first = judges_of(gz)[0]
    RoleAssignment.objects.filter(user=first.user, role=Role.ROADSHOW_JUDGE, campaign=gz).delete()
    seated = services.sync_judges(gz, actor=organiser)
    assert [j.pseudonym for j in seated] == ["评委02", "评委03"]
    assert services.judge_for(gz, first.user) is None
    assert "roadshow.judge_unseated" in actions(gz)


def test_a_disqualified_entrant_does_not_hold_the_stage_up(gz, ready, scheduled, organiser):
    from jinxuan.applicants.services import transition

    items = list(services.slots(gz))
    for slot, values in zip(items[:3], [[80, 82, 84], [60, 99, 61], [90, 92, 95]], strict=True):
        slot = present(slot, organiser)
        for judge, value in zip(judges_of(gz), values, strict=True):
            services.sign_off(slot, judge, {"score": str(value)})
    transition(items[3].application, State.DISQUALIFIED, reason="实地核查发现申报材料不实", actor=organiser,
               notify_members=False)
    run = services.close_roadshow(gz, actor=organiser)
    assert {e["application_id"] for e in run.result["entries"]} == {s.application_id for s in items[:3]}
