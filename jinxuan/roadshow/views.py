"""Roadshow pages: the organiser's control page, the judges' phone page, the public scoreboard (+ JSON to poll)."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import check, guard, public
from jinxuan.accounts.models import Role
from jinxuan.accounts.roles import has_role
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.campaigns.models import Campaign

from . import presentation, scoring, services
from .models import ScoreSheet, Slot, SlotState


def _roadshow_campaign(slug):
    return get_object_or_404(Campaign, slug=slug, stages__kind="roadshow")


def _back(slug):
    return redirect("roadshow:control", slug=slug)


# ------------------------------------------------------------------------------------------------ public board


@public
def board(request, slug):
    campaign = _roadshow_campaign(slug)
    return render(request, "roadshow/board.html", {"campaign": campaign, "data": presentation.board(campaign)})


@public
def board_json(request, slug):
    campaign = _roadshow_campaign(slug)
    response = JsonResponse(presentation.board(campaign), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ judge


def _judge_slot(campaign, judge):
    """The slot a judge should score now: the earliest still being scored that they have not signed, else the
    presentation on stage."""
    signed = set(ScoreSheet.objects.filter(judge=judge, signed_off_at__isnull=False).values_list("slot_id", flat=True))
    for slot in services.slots(campaign).filter(state=SlotState.SCORING):
        if slot.pk not in signed:
            return slot
    return services.slots(campaign).filter(state__in=services.LIVE).first()


def _criteria_rows(campaign, scores, errors):
    return [{"key": key, "label": label, "max": scoring.fmt(maximum), "value": (scores or {}).get(key, ""),
             "error": errors.get(key, "")} for key, label, maximum in scoring.criteria_of(services.params(campaign).criteria)]


@guard("roadshow.judge", obj=campaign_from_url)
def judge(request, slug):
    campaign = request.access_target
    if services.roadshow_stage(campaign) is None:
        raise Http404
    seat = services.judge_for(campaign, request.user)
    if seat is None and has_role(request.user, Role.ROADSHOW_JUDGE, campaign):
        services.sync_judges(campaign)  # a judge added after the schedule was built takes the next seat
        seat = services.judge_for(campaign, request.user)
    if seat is None:
        return render(request, "roadshow/judge.html", {"campaign": campaign, "no_seat": True})
    errors: dict = {}
    slot = _judge_slot(campaign, seat)
    if request.method == "POST":
        slot = get_object_or_404(Slot, campaign=campaign, pk=request.POST.get("slot") or 0)
        action = request.POST.get("action", "save")
        try:
            if action == "sign" and request.POST.get("confirmed") == "1":
                sheet, errors = services.sign_off(slot, seat, request.POST, actor=request.user)
                if not errors:
                    messages.success(request, f"已签署第 {slot.position} 场评分：{scoring.fmt(sheet.total)} 分")
                    return redirect("roadshow:judge", slug=slug)
            else:
                sheet, errors = services.save_sheet(slot, seat, request.POST, actor=request.user)
                if not errors and action == "review":
                    lacking = scoring.missing(services.params(campaign).criteria, sheet.scores)
                    if lacking:
                        errors = {"__all__": "尚未评分：" + "、".join(lacking)}
                    elif slot.state != SlotState.SCORING:
                        messages.info(request, "已保存。答辩结束、进入评分后即可签署")
                        return redirect("roadshow:judge", slug=slug)
                    else:
                        return render(request, "roadshow/judge_confirm.html", {
                            "campaign": campaign, "slot": slot, "sheet": sheet, "seat": seat,
                            "rows": _criteria_rows(campaign, sheet.scores, {}), "total": scoring.fmt(sheet.total)})
                elif not errors:
                    messages.success(request, "已保存（尚未签署）")
                    return redirect("roadshow:judge", slug=slug)
        except services.RoadshowError as exc:
            messages.error(request, str(exc))
            return redirect("roadshow:judge", slug=slug)
    sheet = ScoreSheet.objects.filter(slot=slot, judge=seat).first() if slot else None
    values = (request.POST if request.method == "POST" else (sheet.scores if sheet else {}))
    mine = (ScoreSheet.objects.filter(judge=seat, signed_off_at__isnull=False).select_related("slot", "slot__application")
            .order_by("slot__position"))
    return render(request, "roadshow/judge.html", {
        "campaign": campaign, "seat": seat, "slot": slot, "sheet": sheet, "timer": services.timer(slot),
        "rows": _criteria_rows(campaign, values, errors), "form_error": errors.get("__all__", ""), "mine": mine,
        "signed": bool(sheet and sheet.signed), "waiting": None if slot else presentation.judge_waiting(campaign)})


@guard("roadshow.judge", obj=campaign_from_url)
def judge_state(request, slug):
    """What the judge's page shows, polled: when the slot or its state changes the page reloads itself."""
    campaign = request.access_target
    seat = services.judge_for(campaign, request.user)
    slot = _judge_slot(campaign, seat) if seat else None
    return JsonResponse({"slot": slot.pk if slot else None, "state": slot.state if slot else None,
                         "timer": services.timer(slot)})


# ------------------------------------------------------------------------------------------------ organiser


@guard("roadshow.oversee", obj=campaign_from_url)
def control(request, slug):
    campaign = request.access_target
    if services.roadshow_stage(campaign) is None:
        raise Http404
    items = list(services.slots(campaign))
    sheets = {}
    for sheet in ScoreSheet.objects.filter(slot__campaign=campaign).select_related("judge"):
        sheets.setdefault(sheet.slot_id, []).append(sheet)
    for found in sheets.values():
        found.sort(key=lambda x: x.judge.pseudonym)
    rows = [{"slot": s, "sheets": sheets.get(s.pk, []), "signed": [x for x in sheets.get(s.pk, []) if x.signed],
             "result": services.slot_result(s) if s.state == SlotState.CLOSED else None,
             "missing": services.missing_judges(s) if s.state == SlotState.SCORING else []} for s in items]
    run = services.stage_run(campaign)
    return render(request, "roadshow/control.html", {
        "campaign": campaign, "rows": rows, "params": services.params(campaign), "panel": services.panel(campaign),
        "results": presentation.named_entries(run),
        "current": services.current_slot(campaign), "next": services.next_pending(campaign),
        "run": run, "previous": services.previous_run(campaign),
        "organiser": check(request.user, "roadshow.manage", campaign), "data": presentation.control(campaign),
        "entrants": services.entrants(campaign).count(), "all_closed": bool(items) and all(
            s.state == SlotState.CLOSED for s in items)})


@guard("roadshow.oversee", obj=campaign_from_url)
def control_json(request, slug):
    campaign = request.access_target
    return JsonResponse(presentation.control(campaign), json_dumps_params={"ensure_ascii": False})


def _aware(text):
    value = parse_datetime(text or "")
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def build(request, slug):
    campaign = request.access_target
    try:
        raw = request.POST.get("starts_at", "").strip()
        starts = _aware(raw)
        if raw and starts is None:
            raise services.RoadshowError("请填写有效的开始时间")
        made = services.build_schedule(campaign, starts, actor=request.user)
        messages.success(request, f"已生成出场顺序：{len(made)} 场答辩")
    except services.RoadshowError as exc:
        messages.error(request, str(exc))
    return _back(slug)


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def judges(request, slug):
    campaign = request.access_target
    seated = services.sync_judges(campaign, actor=request.user)
    messages.success(request, f"评委名单已更新：{len(seated)} 位评委")
    return _back(slug)


ACTIONS = {"start": services.start, "qa": services.start_qa, "end": services.end_presentation}


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def slot_action(request, slug, pk, action):
    campaign = request.access_target
    slot = get_object_or_404(Slot, campaign=campaign, pk=pk)
    try:
        if action in ACTIONS:
            ACTIONS[action](slot, actor=request.user)
        elif action == "close":
            services.close_slot(slot, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, f"第 {slot.position} 场评分已结束")
        elif action in ("up", "down"):
            services.move(slot, -1 if action == "up" else 1, actor=request.user)
        else:
            raise Http404
    except services.RoadshowError as exc:
        messages.error(request, str(exc))
    return _back(slug)


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def next_slot(request, slug):
    """End the presentation on stage (if any) and start the next pending one."""
    campaign = request.access_target
    try:
        live = services.slots(campaign).filter(state__in=services.LIVE).first()
        if live is not None:
            services.end_presentation(live, actor=request.user)
        upcoming = services.next_pending(campaign)
        if upcoming is None:
            raise services.RoadshowError("没有待开始的场次")
        services.start(upcoming, actor=request.user)
    except services.RoadshowError as exc:
        messages.error(request, str(exc))
    return _back(slug)


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def reopen(request, slug):
    campaign = request.access_target
    sheet = get_object_or_404(ScoreSheet, slot__campaign=campaign, pk=request.POST.get("sheet") or 0)
    try:
        services.reopen_sheet(sheet, request.POST.get("reason", ""), actor=request.user)
        messages.success(request, f"已重新开放 {sheet.judge.pseudonym} 的评分")
    except services.RoadshowError as exc:
        messages.error(request, str(exc))
    return _back(slug)


@guard("roadshow.manage", obj=campaign_from_url)
@require_POST
def close(request, slug):
    campaign = request.access_target
    try:
        run = services.close_roadshow(campaign, actor=request.user)
        advanced = sum(1 for e in run.result["entries"] if e["advanced"])
        messages.success(request, f"路演答辩已结束：{advanced} 个案例晋级，{len(run.result['entries']) - advanced} 个未晋级")
    except services.RoadshowError as exc:
        messages.error(request, str(exc))
    return _back(slug)

