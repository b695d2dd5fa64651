"""Organiser pages for site inspection: commit → reveal → draw, assignment, records, reopening, closing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import check, guard
from jinxuan.accounts.models import User
from jinxuan.campaigns.lookups import campaign_from_url

from . import services
from .models import Inspection
from .views import check_rows, download


def _record_from_url(request, slug, pk, **_):
    return get_object_or_404(Inspection.objects.select_related("campaign", "application__track", "draw"),
                             campaign__slug=slug, application_id=pk, draw__voided_at=None)


def _overview(request, campaign, new_seed=None):
    if services.stage_of(campaign) is None:
        messages.error(request, "本活动没有实地考察阶段")
    draw = services.live_draw(campaign)
    records = []
    if draw is not None and draw.is_drawn:
        records = list(draw.inspections.select_related("application__track").prefetch_related("inspectors"))
    run = services.roadshow_run(campaign)
    candidates = services.passers(campaign, run) if run is not None and not (draw and draw.is_drawn) else []
    response = render(request, "inspection/manage/overview.html", {
        "campaign": campaign, "draw": draw, "records": records, "roadshow": run, "candidates": candidates,
        "organiser": check(request.user, "inspection.manage", campaign), "new_seed": new_seed,
        "params": services.params(campaign) if services.stage_of(campaign) else None,
        "inspectors": services.inspector_users(campaign), "run": services.stage_run(campaign),
        "pending": sum(1 for r in records if not r.locked), "voided": services.voided_draws(campaign),
    })
    if new_seed:
        response["Cache-Control"] = "no-store"
    return response


@guard("inspection.oversee", obj=campaign_from_url)
def overview(request, slug):
    return _overview(request, request.access_target)


@guard("inspection.manage", obj=campaign_from_url)
@require_POST
def commit(request, slug):
    campaign = request.access_target
    try:
        _, seed = services.commit(campaign, actor=request.user, seed=request.POST.get("seed", ""))
    except services.InspectionError as exc:
        messages.error(request, str(exc))
        return redirect("inspection:manage", slug=slug)
    messages.success(request, "承诺值已公布。抽取时须揭示与承诺一致的随机种子")
    if seed:  # shown once, never stored: render instead of redirecting
        return _overview(request, campaign, new_seed=seed)
    return redirect("inspection:manage", slug=slug)


@guard("inspection.manage", obj=campaign_from_url)
@require_POST
def void(request, slug):
    try:
        services.void_commitment(request.access_target, request.POST.get("reason", ""), actor=request.user)
        messages.success(request, "已作废当前承诺（作废记录公开可查），可重新公布承诺值")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:manage", slug=slug)


@guard("inspection.manage", obj=campaign_from_url)
@require_POST
def draw(request, slug):
    try:
        d = services.reveal_and_draw(request.access_target, request.POST.get("seed", ""), actor=request.user)
        messages.success(request, f"抽取完成：从 {len(d.ranking)} 份路演晋级申报中抽中 {d.size} 份进行实地考察")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:manage", slug=slug)


@guard("inspection.manage", obj=campaign_from_url)
@require_POST
def close(request, slug):
    try:
        run = services.close_inspection(request.access_target, actor=request.user)
        entries = run.result["entries"]
        out = sum(1 for e in entries if not e["advanced"])
        messages.success(request, f"实地考察已结束：{len(entries) - out} 份申报晋级，{out} 份取消资格")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:manage", slug=slug)


@guard("inspection.oversee", obj=_record_from_url)
def record(request, slug, pk):
    inspection = request.access_target
    campaign = inspection.campaign
    return render(request, "inspection/manage/record.html", {
        "campaign": campaign, "inspection": inspection, "app": inspection.application,
        "rows": check_rows(inspection), "evidence": inspection.evidence.all(),
        "organiser": check(request.user, "inspection.manage", campaign),
        "inspectors": services.inspector_users(campaign), "assigned": set(inspection.inspectors.values_list(
            "pk", flat=True)), "closed": services.stage_run(campaign) is not None,
    })


@guard("inspection.manage", obj=_record_from_url)
@require_POST
def assign(request, slug, pk):
    inspection = request.access_target
    ids = [i for i in request.POST.getlist("inspectors") if i.isdigit()]
    users = list(User.objects.filter(pk__in=ids))
    try:
        services.assign(inspection, users, actor=request.user)
        messages.success(request, f"已为 {inspection.application.number} 指派 {len(users)} 位考察人员")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "overview":
        return redirect("inspection:manage", slug=slug)
    return redirect("inspection:manage_record", slug=slug, pk=pk)


@guard("inspection.manage", obj=_record_from_url)
@require_POST
def reopen(request, slug, pk):
    try:
        services.reopen(request.access_target, request.POST.get("reason", ""), actor=request.user)
        messages.success(request, "已退回考察记录，考察人员可修改后重新提交")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:manage_record", slug=slug, pk=pk)


@guard("inspection.oversee", obj=_record_from_url)
def evidence_download(request, slug, pk, ev):
    return download(get_object_or_404(request.access_target.evidence, pk=ev))
