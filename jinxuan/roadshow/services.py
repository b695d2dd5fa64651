"""Roadshow (路演答辩) operations: schedule, timer, judges' sheets, closing slots and the stage. Views call these;
every step that changes a score or who advances is written to the audit log.

Rules stated once:

* Entrants: the set the previous stage of the pipeline advanced (for 000: the composite's top 30 % plus the
  district-recommended direct entries) that is still 评审中.
* Schedule order: by track in the preset's order, then by application number (never by an earlier score: those
  do not count here); the organiser may reorder slots that have not started.
* Timer: the server's timestamps (started_at, qa_started_at, ended_at) are the truth; pages only count down
  from what the server says.
* Panel: the users holding the roadshow_judge role for this campaign (``sync_judges``); pseudonyms 评委01…
* A slot closes by itself when every judge of the panel has signed; the organiser may close it earlier with a
  reason (the missing judges are named in the audit log). Only signed sheets count.
* A signed sheet is immutable until the organiser reopens it with a reason; reopening a closed slot's sheet
  reopens the slot for scoring.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.log import record
from jinxuan.campaigns.stage_params import RoadshowParams
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.services import apply_result

from . import scoring
from .models import Judge, ScoreSheet, Slot, SlotState

LIVE = (SlotState.PRESENTING, SlotState.QA)
OPEN = (SlotState.PENDING, SlotState.PRESENTING, SlotState.QA, SlotState.SCORING)
DAY_START = dt.time(9, 0)


class RoadshowError(ValueError):
    """A refused roadshow operation; the message is shown to the user."""


# ------------------------------------------------------------------------------------------------ campaign side


def roadshow_stage(campaign):
    return campaign.stages.filter(kind="roadshow").first()


def params(campaign) -> RoadshowParams:
    stage = roadshow_stage(campaign)
    return RoadshowParams.model_validate(stage.params if stage else {})


def stage_run(campaign):
    """The stored final result of the roadshow stage, if it was closed."""
    return runtime.final_run(campaign, roadshow_stage(campaign))


def previous_run(campaign):
    """The stored result of the stage just before the roadshow (000: the composite)."""
    return runtime.previous_run(campaign, roadshow_stage(campaign))


def entrants(campaign):
    run = previous_run(campaign)
    if run is None:
        return Application.objects.none()
    advanced = [e["application_id"] for e in run.result["entries"] if e["advanced"]]
    return (Application.objects.filter(campaign=campaign, pk__in=advanced, state=State.IN_STAGE)
            .select_related("track"))


def slots(campaign):
    return Slot.objects.filter(campaign=campaign).select_related("application", "application__track")


def _require_open_stage(campaign):
    if roadshow_stage(campaign) is None:
        raise RoadshowError("本活动没有路演答辩阶段")
    if stage_run(campaign) is not None:
        raise RoadshowError("路演答辩已结束，结果已确定")
    runtime.require_open(campaign, "roadshow", RoadshowError)


# ------------------------------------------------------------------------------------------------ panel


def sync_judges(campaign, actor=None) -> list[Judge]:
    """Seat every holder of the roadshow_judge role for this campaign; unseat those who no longer hold it."""
    holders = set(RoleAssignment.objects.filter(role=Role.ROADSHOW_JUDGE, campaign=campaign)
                  .values_list("user_id", flat=True))
    seated = {j.user_id: j for j in Judge.objects.filter(campaign=campaign)}
    changed = []
    for user_id in sorted(holders - set(seated)):
        number = Judge.objects.filter(campaign=campaign).count() + 1
        seated[user_id] = Judge.objects.create(campaign=campaign, user_id=user_id, pseudonym=f"评委{number:02d}")
        changed.append((seated[user_id], True))
    for user_id, judge in seated.items():
        active = user_id in holders
        if judge.active != active:
            judge.active = active
            judge.save(update_fields=["active"])
            changed.append((judge, active))
    for judge, active in changed:
        record("roadshow.judge_seated" if active else "roadshow.judge_unseated", judge, campaign=campaign,
               actor=actor, after={"pseudonym": judge.pseudonym, "user": judge.user_id})
    return panel(campaign)


def seat_invited_judge(campaign, user, actor=None, **_profile) -> None:
    """An accepted judge invitation puts the new judge on the panel at once (audited by sync_judges)."""
    sync_judges(campaign, actor=actor)


def panel(campaign) -> list[Judge]:
    return list(Judge.objects.filter(campaign=campaign, active=True).select_related("user"))


def judge_for(campaign, user) -> Judge | None:
    if not user.is_authenticated:
        return None
    return Judge.objects.filter(campaign=campaign, user=user, active=True).first()


# ------------------------------------------------------------------------------------------------ schedule


def _order_key(app: Application):
    return (app.track.position, app.pk)


def _default_start(campaign) -> dt.datetime:
    stage = roadshow_stage(campaign)
    day = stage.starts if stage and stage.starts else timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, DAY_START))


@transaction.atomic
def build_schedule(campaign, starts_at: dt.datetime | None = None, actor=None) -> list[Slot]:
    """One slot per entrant, ordered by track then application number; planned times from the params."""
    _require_open_stage(campaign)
    existing = Slot.objects.filter(campaign=campaign)
    if existing.exclude(state=SlotState.PENDING).exists():
        raise RoadshowError("路演已经开始，不能重新生成出场顺序；可调整尚未开始的场次")
    if previous_run(campaign) is None:
        raise RoadshowError("上一阶段（综合得分）尚未确定晋级名单")
    apps = sorted(entrants(campaign), key=_order_key)
    if not apps:
        raise RoadshowError("没有进入路演答辩的案例")
    existing.delete()
    p = params(campaign)
    made = [Slot.objects.create(campaign=campaign, application=app, position=i + 1, minutes=p.minutes_per_presentation,
                                qa_minutes=p.qa_minutes) for i, app in enumerate(apps)]
    replan(campaign, starts_at or _default_start(campaign))
    sync_judges(campaign, actor=actor)
    record("roadshow.schedule_built", roadshow_stage(campaign), campaign=campaign, actor=actor,
           after={"order": [s.application_id for s in made], "rule": "按申报方向（预设顺序）、再按申报编号排序",
                  "starts_at": made[0].planned_start if made else None})
    return list(slots(campaign))


def replan(campaign, starts_at: dt.datetime | None = None) -> None:
    """Planned start times back to back from `starts_at` (default: the first slot's planned start)."""
    items = list(Slot.objects.filter(campaign=campaign).order_by("position"))
    if not items:
        return
    at = starts_at or items[0].planned_start or _default_start(campaign)
    for slot in items:
        slot.planned_start = at
        at += dt.timedelta(minutes=slot.minutes + slot.qa_minutes)
    Slot.objects.bulk_update(items, ["planned_start"])


@transaction.atomic
def reorder(campaign, slot_ids: list[int], actor=None) -> None:
    """A new order of all slots; slots already started keep their places."""
    _require_open_stage(campaign)
    items = {s.pk: s for s in Slot.objects.select_for_update().filter(campaign=campaign)}
    if sorted(slot_ids) != sorted(items) or len(set(slot_ids)) != len(slot_ids):
        raise RoadshowError("出场顺序须包含每个场次恰好一次，请刷新页面后重试")
    before = [s.pk for s in sorted(items.values(), key=lambda s: s.position)]
    for position, pk in enumerate(slot_ids, start=1):
        slot = items[pk]
        if slot.state != SlotState.PENDING and slot.position != position:
            raise RoadshowError(f"第 {slot.position} 场已开始，不能调整其顺序")
    for position, pk in enumerate(slot_ids, start=1):
        items[pk].position = position
    Slot.objects.bulk_update(list(items.values()), ["position"])
    replan(campaign)
    if before != list(slot_ids):
        record("roadshow.reordered", roadshow_stage(campaign), campaign=campaign, actor=actor,
               before={"order": [items[pk].application_id for pk in before]},
               after={"order": [items[pk].application_id for pk in slot_ids]})


def move(slot: Slot, offset: int, actor=None) -> None:
    """Swap a pending slot with its neighbour (offset −1: earlier, +1: later)."""
    order = list(Slot.objects.filter(campaign=slot.campaign).order_by("position").values_list("pk", flat=True))
    i = order.index(slot.pk)
    j = i + offset
    if not 0 <= j < len(order):
        raise RoadshowError("已经是第一场或最后一场")
    order[i], order[j] = order[j], order[i]
    reorder(slot.campaign, order, actor=actor)


# ------------------------------------------------------------------------------------------------ the timer


def _locked(slot: Slot) -> Slot:
    return Slot.objects.select_for_update().select_related("application", "campaign").get(pk=slot.pk)


def _log_state(slot: Slot, before: str, actor, reason: str = "", **extra) -> None:
    record("roadshow.slot_" + slot.state, slot.application, campaign=slot.campaign, actor=actor,
           before={"state": before}, after={"slot": slot.pk, "position": slot.position, "state": slot.state, **extra},
           reason=reason)


@transaction.atomic
def start(slot: Slot, actor=None, now=None) -> Slot:
    """待开始 → 陈述中 (only one presentation at a time)."""
    slot = _locked(slot)
    _require_open_stage(slot.campaign)
    if slot.state != SlotState.PENDING:
        raise RoadshowError(f"第 {slot.position} 场当前为“{slot.get_state_display()}”，不能开始陈述")
    live = Slot.objects.filter(campaign=slot.campaign, state__in=LIVE).exclude(pk=slot.pk).first()
    if live is not None:
        raise RoadshowError(f"第 {live.position} 场仍在{live.get_state_display()[:2]}，请先结束该场答辩")
    if not panel(slot.campaign):
        raise RoadshowError("尚无路演评委：请先为本活动指定路演评委并更新评委名单")
    slot.state, slot.started_at = SlotState.PRESENTING, now or timezone.now()
    slot.save(update_fields=["state", "started_at"])
    _log_state(slot, SlotState.PENDING, actor, at=slot.started_at)
    return slot


@transaction.atomic
def start_qa(slot: Slot, actor=None, now=None) -> Slot:
    """陈述中 → 问答中."""
    slot = _locked(slot)
    if slot.state != SlotState.PRESENTING:
        raise RoadshowError(f"第 {slot.position} 场当前为“{slot.get_state_display()}”，不能进入问答")
    slot.state, slot.qa_started_at = SlotState.QA, now or timezone.now()
    slot.save(update_fields=["state", "qa_started_at"])
    _log_state(slot, SlotState.PRESENTING, actor, at=slot.qa_started_at)
    return slot


@transaction.atomic
def end_presentation(slot: Slot, actor=None, now=None) -> Slot:
    """陈述中 / 问答中 → 评分中: the judges may now sign."""
    slot = _locked(slot)
    if slot.state not in LIVE:
        raise RoadshowError(f"第 {slot.position} 场当前为“{slot.get_state_display()}”，不能结束答辩")
    before = slot.state
    slot.state, slot.ended_at = SlotState.SCORING, now or timezone.now()
    slot.save(update_fields=["state", "ended_at"])
    _log_state(slot, before, actor, at=slot.ended_at)
    return slot


def current_slot(campaign) -> Slot | None:
    """The presentation on stage; else the earliest one still being scored."""
    qs = slots(campaign)
    return qs.filter(state__in=LIVE).first() or qs.filter(state=SlotState.SCORING).first()


def next_pending(campaign) -> Slot | None:
    return slots(campaign).filter(state=SlotState.PENDING).first()


def timer(slot: Slot | None, now=None) -> dict | None:
    """The countdown of a live slot from server timestamps: seconds left (negative: over time)."""
    if slot is None or slot.state not in LIVE:
        return None
    now = now or timezone.now()
    if slot.state == SlotState.PRESENTING:
        since, limit, label = slot.started_at, slot.minutes * 60, "陈述"
    else:
        since, limit, label = slot.qa_started_at, slot.qa_minutes * 60, "问答"
    elapsed = int((now - since).total_seconds())
    return {"phase": slot.state, "label": label, "since": since.isoformat(), "limit": limit, "elapsed": elapsed,
            "remaining": limit - elapsed}


# ------------------------------------------------------------------------------------------------ sheets


def sheet_of(slot: Slot, judge: Judge) -> ScoreSheet:
    return ScoreSheet.objects.get_or_create(slot=slot, judge=judge)[0]


def _check_scorable(slot: Slot, judge: Judge) -> None:
    runtime.require_open(slot.campaign, "roadshow", RoadshowError)
    if judge.campaign_id != slot.campaign_id or not judge.active:
        raise RoadshowError("您不在本场路演的评委名单中")
    if slot.state == SlotState.PENDING:
        raise RoadshowError("本场答辩尚未开始")
    if slot.state == SlotState.CLOSED:
        raise RoadshowError("本场评分已结束")


@transaction.atomic
def save_sheet(slot: Slot, judge: Judge, data, actor=None) -> tuple[ScoreSheet, dict]:
    """Store what the judge entered (kept even when invalid, so nothing is lost); refused once signed."""
    slot = _locked(slot)
    _check_scorable(slot, judge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet_of(slot, judge).pk)
    if sheet.signed:
        raise RoadshowError("该评分已签署，不能修改；如需更正请联系主办方重新开放")
    read = scoring.read_sheet(params(slot.campaign).criteria, data)
    sheet.scores, sheet.total = read.scores, read.total
    sheet.save(update_fields=["scores", "total", "updated_at"])
    return sheet, read.errors


@transaction.atomic
def sign_off(slot: Slot, judge: Judge, data=None, actor=None, now=None) -> tuple[ScoreSheet, dict]:
    """Sign the sheet (after saving `data` if given). When the whole panel has signed, the slot closes."""
    errors: dict = {}
    if data is not None:
        sheet, errors = save_sheet(slot, judge, data, actor=actor)
    slot = _locked(slot)
    _check_scorable(slot, judge)
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet_of(slot, judge).pk)
    if sheet.signed:
        raise RoadshowError("该评分已签署，不能修改；如需更正请联系主办方重新开放")
    if slot.state != SlotState.SCORING:
        raise RoadshowError("答辩结束后方可签署评分（可先保存）")
    lacking = scoring.missing(params(slot.campaign).criteria, sheet.scores)
    if lacking:
        errors = {**errors, "__all__": "尚未评分：" + "、".join(lacking)}
    if errors or sheet.total is None:
        return sheet, errors or {"__all__": "评分不完整"}
    sheet.signed_off_at = now or timezone.now()
    sheet.save(update_fields=["signed_off_at", "updated_at"])
    record("roadshow.sheet_signed", slot.application, campaign=slot.campaign, actor=actor,
           after={"slot": slot.pk, "judge": judge.pseudonym, "total": sheet.total, "scores": sheet.scores})
    if not missing_judges(slot):
        close_slot(slot, actor=None, reason="", now=now)
    return sheet, {}


def signed_sheets(slot: Slot) -> list[ScoreSheet]:
    return list(slot.sheets.filter(signed_off_at__isnull=False).select_related("judge").order_by("judge__pseudonym"))


def missing_judges(slot: Slot) -> list[Judge]:
    signed = set(slot.sheets.filter(signed_off_at__isnull=False).values_list("judge_id", flat=True))
    return [j for j in panel(slot.campaign) if j.pk not in signed]


@transaction.atomic
def close_slot(slot: Slot, actor=None, reason: str = "", now=None) -> Slot:
    """评分中 → 已结束. Without every judge's signature the organiser must give a reason."""
    slot = _locked(slot)
    if slot.state != SlotState.SCORING:
        raise RoadshowError(f"第 {slot.position} 场当前为“{slot.get_state_display()}”，不能结束评分")
    signed = signed_sheets(slot)
    if not signed:
        raise RoadshowError("尚无评委签署评分，不能结束本场评分")
    missing = missing_judges(slot)
    reason = (reason or "").strip()
    if missing and not reason:
        raise RoadshowError("尚有评委未签署：" + "、".join(j.pseudonym for j in missing)
                            + "；如需提前结束评分，请说明原因")
    slot.state, slot.closed_at = SlotState.CLOSED, now or timezone.now()
    slot.close_reason = reason if missing else ""
    slot.save(update_fields=["state", "closed_at", "close_reason"])
    result = slot_result(slot)
    _log_state(slot, SlotState.SCORING, actor, reason=slot.close_reason,
               scores={s.judge.pseudonym: s.total for s in signed}, aggregate=result["aggregate"],
               missing=[j.pseudonym for j in missing])
    return slot


@transaction.atomic
def reopen_sheet(sheet: ScoreSheet, reason: str, actor=None) -> ScoreSheet:
    """The organiser reopens a signed sheet (with a reason); a closed slot goes back to 评分中."""
    reason = (reason or "").strip()
    if not reason:
        raise RoadshowError("重新开放评分须说明原因")
    sheet = ScoreSheet.objects.select_for_update().select_related("slot", "judge", "slot__campaign").get(pk=sheet.pk)
    slot = _locked(sheet.slot)
    _require_open_stage(slot.campaign)
    if not sheet.signed:
        raise RoadshowError("该评分尚未签署")
    before = {"judge": sheet.judge.pseudonym, "total": sheet.total, "signed_off_at": sheet.signed_off_at,
              "slot_state": slot.state}
    sheet.signed_off_at = None
    sheet.save(update_fields=["signed_off_at", "updated_at"])
    if slot.state == SlotState.CLOSED:
        slot.state, slot.closed_at, slot.close_reason = SlotState.SCORING, None, ""
        slot.save(update_fields=["state", "closed_at", "close_reason"])
    record("roadshow.sheet_reopened", slot.application, campaign=slot.campaign, actor=actor, before=before,
           after={"slot": slot.pk, "slot_state": slot.state}, reason=reason)
    return sheet


# ------------------------------------------------------------------------------------------------ results


def slot_result(slot: Slot) -> dict:
    """The signed scores of a slot by pseudonym, which were dropped, and the aggregate (per the params)."""
    signed = signed_sheets(slot)
    agg = scoring.aggregate([s.total for s in signed], params(slot.campaign).aggregate)
    judges = [{"judge": s.judge.pseudonym, "score": scoring.fmt(s.total),
               "dropped": "high" if i == agg.dropped_high else "low" if i == agg.dropped_low else None}
              for i, s in enumerate(signed)]
    return {"judges": judges, "aggregate": scoring.fmt(agg.value) if agg.value is not None else None,
            "value": agg.value, "rule": agg.rule}


def stage_data(campaign, closed_only: bool = True) -> dict:
    """Signed totals per application in the shape the `roadshow` stage reads (see jinxuan.roadshow.stage)."""
    data = {}
    for slot in slots(campaign):
        if closed_only and slot.state != SlotState.CLOSED:
            continue
        data[slot.application_id] = {"scores": [str(s.total) for s in signed_sheets(slot)], "position": slot.position}
    return data


def _run(campaign, apps):
    stage = roadshow_stage(campaign)
    return implementation("roadshow")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, data={stage.key: stage_data(campaign)}))


def running_ranking(campaign) -> list:
    """The stage's ranking over the presentations closed so far (the board's 实时排名)."""
    closed = [s.application for s in slots(campaign).filter(state=SlotState.CLOSED)]
    if not closed:
        return []
    return [e for e in _run(campaign, closed).entries if e.rank is not None]


@transaction.atomic
def close_roadshow(campaign, actor=None, notify: bool = True):
    """Rank the presentations by their roadshow scores only and apply the result (advanced → 评审中 at the next
    stage, the others → 未晋级). Refused while any slot is open."""
    _require_open_stage(campaign)
    items = list(slots(campaign))
    if not items:
        raise RoadshowError("尚未生成路演出场顺序")
    # a slot of an application no longer in the competition (disqualified, withdrawn) does not hold the stage up
    still = [s for s in items if s.state != SlotState.CLOSED and s.application.state == State.IN_STAGE]
    if still:
        names = "、".join(f"第 {s.position} 场（{s.get_state_display()}）" for s in still[:5])
        raise RoadshowError(f"尚有 {len(still)} 场答辩未结束评分：{names}")
    apps = [s.application for s in items if s.application.state == State.IN_STAGE]
    try:
        result = _run(campaign, apps)
    except ValueError as exc:
        raise RoadshowError(str(exc)) from None
    run = apply_result(campaign, result, actor=actor, notify=notify)
    record("roadshow.closed", roadshow_stage(campaign), campaign=campaign, actor=actor,
           after={"advanced": sorted(result.advanced), "entrants": len(apps), "inputs_digest": result.inputs_digest})
    return run
