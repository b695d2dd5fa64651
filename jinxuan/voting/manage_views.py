"""Organiser pages for the public vote: totals, votes over time, flagged votes, invalidation, export, window."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from jinxuan import lists
from jinxuan.accounts.access import check, guard
from jinxuan.applicants.prefetch import light
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.prepared.services import request_file

from . import bulk, charts, figures, services
from . import export as vote_export
from .models import Vote
from .presentation import case_names, signal_label

FLAGGED_SHOWN = 50  # the newest flagged votes on the overview; all of them in the vote list, filtered by signal
COUNTS_SHOWN = 50  # cases with the most votes in the open table; the rest folded below it


@guard("vote.oversee", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    apps = list(light(services.tallied(campaign)))
    delay = services.display_delay(campaign)
    counted = figures.figures(campaign, delay)
    # the counters hold the cases still in the vote; those that did not advance keep their stored counts
    live = {**counted.stored, **services.live_totals(campaign)}
    shown = counted.shown if delay else live
    rows = sorted(({"app": a, "live": live.get(a.pk, 0), "shown": shown.get(a.pk, 0),
                    "invalid": counted.invalid.get(a.pk, 0)} for a in apps), key=lambda r: -r["live"])
    for position, r in enumerate(rows, 1):
        r["position"] = position
    series = {}
    titles = {a.pk: a.title for a in apps}
    for app_id, day, n in counted.per_day:
        series.setdefault(titles.get(app_id, str(app_id)), {})[day] = n
    flagged = light(Vote.objects.filter(campaign=campaign).exclude(signals=[])
                    .select_related("voter", "application__campaign"), via="application__")
    composite = services.composite_run(campaign)
    return render(request, "voting/manage/overview.html", {
        "campaign": campaign, "rows": rows, "top": rows[:COUNTS_SHOWN], "rest": rows[COUNTS_SHOWN:],
        "window": services.window(campaign), "open": services.is_open(campaign),
        "params": services.params(campaign), "delay": delay, "chart": charts.daily_lines(series, "每日有效票数"),
        "flagged": flagged.order_by("-created_at")[:FLAGGED_SHOWN], "flagged_count": counted.flagged,
        "organiser": check(request.user, "vote.manage", campaign), "total": counted.total, "counted_at": counted.at,
        "figures_seconds": figures.FIGURES_SECONDS,
        "composite": composite,
        "case_names": case_names(e["application_id"] for e in (composite.result.get("entries", []) if composite else [])),
    })


@guard("vote.manage", obj=campaign_from_url)
def detect(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        summary = services.detect_signals(campaign)
        text = "、".join(f"{signal_label(code)} {n} 票" for code, n in summary.items()) or "未发现异常"
        messages.success(request, f"异常检测完成：{text}")
    return redirect("vote_manage:overview", slug=slug)


def _votes(request, campaign, phone_search: bool):
    return vote_export.votes_query(campaign, request.GET, phone_search)


@guard("vote.manage", obj=campaign_from_url)
def votes(request, slug):
    """Every vote of the campaign: search, filter by validity, signal and case; tick and invalidate."""
    campaign = request.access_target
    spec, state, base = _votes(request, campaign, phone_search=True)
    return render(request, "voting/manage/votes.html", {
        "campaign": campaign, "listing": lists.apply(spec, state, base), "open": services.is_open(campaign)})


@guard("vote.manage", obj=campaign_from_url)
def invalidate(request, slug):
    """Invalidate the ticked votes (of the list as filtered, see the query string) with one reason; each vote is
    audit-logged on its own. Refused once the vote stage is closed: its result is computed from the counts, so a
    correction goes through reopening the stage (with a reason, audited) and closing it again."""
    campaign = request.access_target
    back = "vote_manage:votes" if request.POST.get("back") == "votes" else "vote_manage:overview"
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        spec, state, base = _votes(request, campaign, phone_search=True)
        if not reason:
            messages.error(request, "作废投票须说明原因")
        else:
            outcome = bulk.invalidate_votes(campaign, lists.filtered(spec, state, base).filter(valid=True),
                                            request.POST.getlist("votes"), reason, actor=request.user)
            (messages.success if outcome.ok else messages.error)(request, outcome.message)
    target = reverse(back, args=[slug])
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query and back == "vote_manage:votes" else target)


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
    """The votes as filtered on the votes page (every vote without a filter); a large export is built in the
    background and its progress page shown."""
    campaign = request.access_target
    if vote_export.rows_count(campaign, request.GET, request.user) > vote_export.PREPARE_ABOVE:
        prepared = request_file(campaign, request.user, vote_export.KIND, vote_export.as_params(request.GET))
        back = reverse("vote_manage:overview", args=[slug])
        return redirect(f"{reverse('prepared:status', args=[prepared.token])}?{urlencode({'back': back})}")
    data, filename = vote_export.workbook(campaign, request.GET, request.user)
    return lists.xlsx_response(data, filename)
