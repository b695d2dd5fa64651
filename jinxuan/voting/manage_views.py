"""Organiser pages for the public vote: totals, votes over time, flagged votes, invalidation, export, window."""

import datetime as dt

from django.contrib import messages
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jinxuan.accounts.access import check, guard
from jinxuan.campaigns.lookups import campaign_from_url

from . import charts, services
from .models import Vote
from .presentation import case_names


@guard("vote.oversee", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    apps = list(services.tallied(campaign))
    # the counters hold the cases still in the vote; those that did not advance keep their stored counts
    live = {**services.stored_totals(campaign), **services.live_totals(campaign)}
    shown = services.shown_totals(campaign) if services.display_delay(campaign) else live
    invalid = dict(Vote.objects.filter(campaign=campaign, valid=False).values_list("application_id")
                   .annotate(n=Count("id")).values_list("application_id", "n"))
    rows = sorted(({"app": a, "live": live.get(a.pk, 0), "shown": shown.get(a.pk, 0), "invalid": invalid.get(a.pk, 0)}
                   for a in apps), key=lambda r: -r["live"])
    per_day = (Vote.objects.filter(campaign=campaign, valid=True).annotate(d=TruncDate("created_at"))
               .values_list("application_id", "d").annotate(n=Count("id")))
    series = {}
    titles = {a.pk: a.title for a in apps}
    for app_id, day, n in per_day:
        series.setdefault(titles.get(app_id, str(app_id)), {})[day] = n
    flagged = Vote.objects.filter(campaign=campaign).exclude(signals=[]).select_related("voter", "application")
    composite = services.composite_run(campaign)
    return render(request, "voting/manage/overview.html", {
        "campaign": campaign, "rows": rows, "window": services.window(campaign), "open": services.is_open(campaign),
        "params": services.params(campaign), "delay": services.display_delay(campaign), "chart": charts.daily_lines(series, "每日有效票数"),
        "flagged": flagged.order_by("-created_at")[:300], "flagged_count": flagged.count(),
        "organiser": check(request.user, "vote.manage", campaign),
        "total": Vote.objects.filter(campaign=campaign).count(),
        "composite": composite,
        "case_names": case_names(e["application_id"] for e in (composite.result.get("entries", []) if composite else [])),
    })


@guard("vote.manage", obj=campaign_from_url)
def detect(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        summary = services.detect_signals(campaign)
        text = "、".join(f"{code} {n} 票" for code, n in summary.items()) or "未发现异常"
        messages.success(request, f"异常检测完成：{text}")
    return redirect("vote_manage:overview", slug=slug)


@guard("vote.manage", obj=campaign_from_url)
def invalidate(request, slug):
    """Invalidate the ticked votes with one reason (each is audit-logged on its own)."""
    campaign = request.access_target
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("votes") if v.isdigit()]
        votes = list(Vote.objects.filter(campaign=campaign, pk__in=ids, valid=True))
        if not votes:
            messages.error(request, "请先勾选要作废的投票")
        else:
            try:
                for vote in votes:
                    services.invalidate(vote, request.POST.get("reason", ""), actor=request.user)
                messages.success(request, f"已作废 {len(votes)} 票")
            except services.VoteError as exc:
                messages.error(request, str(exc))
    return redirect("vote_manage:overview", slug=slug)


@guard("vote.manage", obj=campaign_from_url)
def close(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            run = services.close_vote(campaign, actor=request.user)
            advanced = sum(1 for e in run.result["entries"] if e["advanced"])
            messages.success(request, f"综合得分已计算：{advanced} 个案例进入下一阶段，"
                                      f"{len(run.result['entries']) - advanced} 个未晋级")
        except services.VoteError as exc:
            messages.error(request, str(exc))
    return redirect("vote_manage:overview", slug=slug)


@guard("vote.manage", obj=campaign_from_url)
def window(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        tz = timezone.get_current_timezone()
        try:
            opens = parse_datetime(request.POST.get("opens_at", ""))
            closes = parse_datetime(request.POST.get("closes_at", ""))
            if opens is None or closes is None:
                raise services.VoteError("请填写有效的开始和结束时间")
            delay = request.POST.get("delay", "").strip()
            services.set_window(campaign, timezone.make_aware(opens, tz) if timezone.is_naive(opens) else opens,
                                timezone.make_aware(closes, tz) if timezone.is_naive(closes) else closes,
                                actor=request.user, delay=int(delay) if delay.isdigit() else None)
            messages.success(request, "投票时间已更新")
        except (services.VoteError, ValueError) as exc:
            messages.error(request, str(exc))
    return redirect("vote_manage:overview", slug=slug)


@guard("vote.oversee", obj=campaign_from_url)
def export(request, slug):
    from jinxuan.exports import xlsx

    from .export import votes_workbook

    campaign = request.access_target
    response = HttpResponse(votes_workbook(campaign), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="votes-{campaign.slug}-{dt.date.today()}.xlsx"'
    return response
