"""What the pages and the JSON endpoints show. The public board carries only public information: the position,
the case title and the lead organisation's name, the judges' scores by pseudonym, the aggregate and the ranking."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from jinxuan.applicants.models import ApplicationUnit
from jinxuan.voting.presentation import case_names

from . import services
from .models import SlotState


def _lead_names(slots) -> dict[int, str]:
    units = ApplicationUnit.objects.filter(application_id__in=[s.application_id for s in slots], is_lead=True)
    return dict(units.values_list("application_id", "organisation__name"))


def _slot(slot, leads, now) -> dict:
    return {"id": slot.pk, "position": slot.position, "title": slot.application.title,
            "lead": leads.get(slot.application_id, ""), "state": slot.state, "state_label": slot.get_state_display(),
            "planned": timezone.localtime(slot.planned_start).strftime("%H:%M") if slot.planned_start else "",
            "timer": services.timer(slot, now)}


def board(campaign, now=None) -> dict:
    """The public scoreboard's data (also polled as JSON)."""
    now = now or timezone.now()
    p = services.params(campaign)
    items = list(services.slots(campaign))
    leads = _lead_names(items)
    current = services.current_slot(campaign)
    data = {
        "campaign": campaign.short_name,
        "now": now.isoformat(),
        "live": p.publish_scores_live,
        "closed": services.stage_run(campaign) is not None,
        "current": _slot(current, leads, now) if current else None,
        "schedule": [_slot(s, leads, now) for s in items],
        "results": [],
        "ranking": [],
        "rule": services.scoring.METHODS[p.aggregate],
    }
    if not p.publish_scores_live:
        return data
    by_app = {}
    for slot in items:
        if slot.state != SlotState.CLOSED:
            continue
        result = services.slot_result(slot)
        row = {"position": slot.position, "title": slot.application.title, "lead": leads.get(slot.application_id, ""),
               "judges": result["judges"], "aggregate": result["aggregate"], "rule": result["rule"]}
        data["results"].append(row)
        by_app[slot.application_id] = row
    for entry in services.running_ranking(campaign):
        row = by_app[entry.application_id]
        data["ranking"].append({"rank": entry.rank, "title": row["title"], "lead": row["lead"],
                                "aggregate": row["aggregate"], "position": row["position"]})
    return data


def control(campaign, now=None) -> dict:
    """The organiser's live data: the board plus who has signed the open slots (names are fine here)."""
    now = now or timezone.now()
    data = board(campaign, now)
    judges = services.panel(campaign)
    data["signatures"] = []
    for slot in services.slots(campaign).filter(state__in=(SlotState.PRESENTING, SlotState.QA, SlotState.SCORING)):
        signed = {s.judge_id: s for s in slot.sheets.all()}
        data["signatures"].append({
            "slot": slot.pk, "position": slot.position, "title": slot.application.title,
            "judges": [{"judge": j.pseudonym, "name": str(j.user),
                        "status": ("signed" if signed.get(j.pk) and signed[j.pk].signed else
                                   "draft" if j.pk in signed else "none")} for j in judges]})
    return data


def judge_waiting(campaign) -> str:
    """What a judge with nothing to score now reads: the roadshow is over, not yet scheduled, or the next session."""
    if services.stage_run(campaign) is not None:
        return "路演答辩已结束，结果已确定。感谢您的评审。"
    items = list(services.slots(campaign))
    if not items:
        return "路演日程尚未排定。排定后，本页会显示您要评分的场次。"
    upcoming = [s for s in items if s.state == SlotState.PENDING]
    if not upcoming:
        return "全部场次均已结束，您没有待签署的评分。"
    first = upcoming[0]
    when = f"（计划 {timezone.localtime(first.planned_start):%m月%d日 %H:%M} 开始）" if first.planned_start else ""
    return (f"当前没有需要您评分的答辩。下一场是第 {first.position} 场：{first.application.number} "
            f"{first.application.title}{when}；开始后本页会自动更新。")


def named_entries(run) -> list[dict]:
    """A stored result's entries, each with its case named "编号 案例名称" (never the raw id)."""
    if run is None:
        return []
    entries = run.result.get("entries", [])
    names = case_names(e["application_id"] for e in entries)
    return [{**e, "name": names.get(e["application_id"], "（已删除的申报）"), "score_shown": score_shown(e.get("score"))}
            for e in entries]


def score_shown(score) -> str:
    """A roadshow score as the explanation states it: two decimals, the same for every row (93.90, 90.07)."""
    if score is None or score == "":
        return "—"
    return f"{Decimal(str(score)).quantize(Decimal('0.01'), ROUND_HALF_UP)}"
