"""Organiser pages for the publicity: the period, holiday overrides, the objection queue and the chain."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan import lists
from jinxuan.accounts.access import check, guard
from jinxuan.accounts.personal_data import XLSX, mask_contact, mask_text, unmasked_export
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.exports.xlsx import workbook
from jinxuan.outcomes.workdays import is_working_day
from jinxuan.storage.files import download_response

from . import lists as publicity_lists
from . import services
from .models import Objection


def _date(text):
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _known_years():
    import chinese_calendar

    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]


@guard("publicity.manage", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    if services.stage(campaign) is None:
        raise Http404
    pub = services.record_of(campaign)
    p = services.params(campaign)
    preview = preview_error = None
    start = _date(request.GET.get("start"))
    if request.GET.get("start") and start is None:
        preview_error = "请填写有效的日期（YYYY-MM-DD）"
    elif start is not None:
        try:
            first, end = services.compute_period(campaign, start)
            preview = {"start": start, "first": first, "end": end,
                       "start_is_workday": is_working_day(start, services.overrides(campaign))}
        except services.PublicityError as exc:
            preview_error = str(exc)
    spec = publicity_lists.objections_spec()
    listing = lists.apply(spec, lists.parse(spec, request.GET), publicity_lists.objections_base(campaign))
    frozen = None
    try:
        frozen, _ = services.frozen_stage(campaign)
    except services.PublicityError as exc:
        messages.warning(request, str(exc))
    years = [{"year": y, "holidays": " ".join(e.get("holidays", [])), "workdays": " ".join(e.get("workdays", [])),
              "complete": e.get("complete", True)} for y, e in sorted(pub.overrides.items())]
    return render(request, "publicity/manage.html", {
        "campaign": campaign, "pub": pub, "params": p, "stage": services.stage(campaign),
        "convention": services.convention_text(pub.start_counts if pub.is_open else p.start_counts),
        "preview": preview, "preview_error": preview_error, "start": request.GET.get("start", ""),
        "years": years, "known": _known_years(), "previous": services.previous_stage(campaign), "frozen": frozen,
        "listed": services.listed_applications(campaign) if pub.is_open else [],
        "listing": listing,
        "pending": Objection.objects.filter(campaign=campaign, status=Objection.PENDING).count(),
        "chain": services.chain(campaign), "handler": check(request.user, "publicity.handle", campaign),
        "can_export_unmasked": check(request.user, "personal_data.export_unmasked", campaign),
        "in_period": services.in_period(pub), "today": services.local_today(),
    })


@guard("publicity.manage", obj=campaign_from_url)
def open_period(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        start = _date(request.POST.get("start"))
        try:
            if start is None:
                raise services.PublicityError("请填写有效的公示发布日期（YYYY-MM-DD）")
            pub = services.open_publicity(campaign, start, actor=request.user)
            messages.success(request, f"公示已发布：{pub.starts_on:%Y-%m-%d} 至 {pub.ends_on:%Y-%m-%d}，"
                                      f"共 {pub.working_days} 个工作日")
        except services.PublicityError as exc:
            messages.error(request, str(exc))
    return redirect("publicity:manage", slug=slug)


@guard("publicity.manage", obj=campaign_from_url)
def holidays(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        year = request.POST.get("year", "")
        try:
            if request.POST.get("action") == "delete":
                services.delete_year_overrides(campaign, year, actor=request.user)
                messages.success(request, f"已删除 {year} 年的节假日设置")
            else:
                services.set_year_overrides(campaign, year, request.POST.get("holidays", ""),
                                            request.POST.get("workdays", ""), request.POST.get("complete") == "1",
                                            actor=request.user)
                messages.success(request, f"{year} 年的节假日设置已保存")
        except services.PublicityError as exc:
            messages.error(request, str(exc))
    return redirect("publicity:manage", slug=slug)


@guard("publicity.handle", obj=campaign_from_url)
def handle(request, slug, pk):
    campaign = request.access_target
    objection = get_object_or_404(Objection, campaign=campaign, pk=pk)
    if request.method == "POST":
        try:
            chain = services.handle_objection(objection, request.POST.get("decision", ""),
                                              request.POST.get("reason", ""), actor=request.user)
            if request.POST.get("decision") == Objection.UPHELD:
                came = [c.came_in.title for c in chain if c.came_in_id]
                messages.success(request, f"异议 {objection.receipt} 成立，已取消「{objection.application.title}」的资格；"
                                 + (f"「{came[0]}」顺位递补" if came else "已无可递补的案例"))
            else:
                messages.success(request, f"异议 {objection.receipt} 不成立，名单不变")
        except services.PublicityError as exc:
            messages.error(request, str(exc))
    return redirect("publicity:manage", slug=slug)


@guard("publicity.handle", obj=campaign_from_url)
def evidence(request, slug, pk):
    campaign = request.access_target
    objection = get_object_or_404(Objection, campaign=campaign, pk=pk)
    if not objection.evidence:
        raise Http404
    return download_response(objection.evidence, objection.evidence_name)


OBJECTION_HEADERS = ["回执编号", "提交时间", "申报编号", "案例名称", "异议人", "联系方式", "异议内容", "处理结果", "处理意见"]


def objections_workbook(campaign, masked: bool = True, query=None) -> tuple[bytes, int]:
    """The objection list as filtered on the page (`query`: its query string); the filers' contacts (and contacts
    typed into the text) masked unless ``masked`` is off."""
    from django.utils import timezone

    rows = []
    spec = publicity_lists.objections_spec()
    for o in lists.filtered(spec, lists.parse(spec, query), publicity_lists.objections_base(campaign)):
        rows.append([o.receipt, timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"), o.application.number,
                     o.application.title, o.name, mask_contact(o.contact) if masked else o.contact,
                     mask_text(o.text) if masked else o.text, o.get_status_display(), o.decision_reason])
    return workbook("公示异议", OBJECTION_HEADERS, rows), len(rows)


@guard("publicity.manage", obj=campaign_from_url)
def objections_export(request, slug):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    data, _ = objections_workbook(request.access_target, masked=True, query=request.GET)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{slug}-objections.xlsx")
    return response


@guard("personal_data.export_unmasked", obj=campaign_from_url)
def objections_export_unmasked(request, slug):
    from django.urls import reverse

    campaign = request.access_target
    return unmasked_export(request, campaign, kind="publicity.objections", title="公示异议",
                           build=lambda: objections_workbook(campaign, masked=False, query=request.GET),
                           filename=f"{slug}-objections-unmasked.xlsx",
                           back=reverse("publicity:manage", args=[slug]) + "#objections")


@guard("publicity.manage", obj=campaign_from_url)
def close(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            run = services.close_publicity(campaign, actor=request.user)
            messages.success(request, f"公示已结束：{len(run.result['entries'])} 个案例列入名单，进入下一阶段")
        except services.PublicityError as exc:
            messages.error(request, str(exc))
    return redirect("publicity:manage", slug=slug)
