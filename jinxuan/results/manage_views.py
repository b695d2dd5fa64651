"""Organiser page for the awards: the ranking preview, deciding the awards, special awards, publication."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from jinxuan.accounts.access import guard
from jinxuan.applicants.models import Application
from jinxuan.campaigns.lookups import campaign_from_url

from . import services
from .stage import UNSCORED_RULE


@guard("results.manage", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    stage = services.award_stage(campaign)
    if stage is None:
        raise Http404
    made = services.decision(campaign)
    preview = error = None
    ties = []
    if made is None:
        try:
            result, notes, shortfalls, apps, found = services.compute_with_ties(campaign)
            titles = {a.pk: a for a in apps}
            preview = {"rows": [(e, titles[e.application_id]) for e in result.entries], "notes": notes,
                       "awarded": len(result.advanced)}
            decided = {d.track_key: d for d in services.CapTieDecision.objects.filter(campaign=campaign)}
            ties = [{**t, "key": key, "cases": [titles[a] for a in t["tied"]], "decision": decided.get(key)}
                    for key, t in found.items()]
            preview["pending"] = any(t["chosen"] is None for t in ties)
        except services.ResultsError as exc:
            error = str(exc)
        rows = []
    else:
        run = made.stage_run
        apps = Application.objects.in_bulk([e["application_id"] for e in run.result["entries"]])
        rows = [(e, apps[e["application_id"]]) for e in run.result["entries"]]
    specials = []
    if made is not None:
        awards = list(made.campaign.awards.select_related("application").order_by("track_key", "position"))
        for tier in campaign.spec.awards.special:
            specials.append({"tier": tier, "multiple": bool((tier.count or 1) > 1 or tier.per_track),
                             "chosen": {a.application_id for a in awards if a.special_key == tier.key},
                             "limit": tier.count or 1})
    else:
        awards = []
    return render(request, "results/manage.html", {
        "campaign": campaign, "stage": stage, "params": services.params(campaign),
        "previous": services.previous_stage(campaign), "publish_stage": services.publish_stage(campaign),
        "decision": made, "preview": preview, "error": error, "rows": rows, "awards": awards, "ties": ties,
        "specials": specials, "unscored_rule": UNSCORED_RULE, "groups": services.grouped(campaign, False),
        "tracks": {t.key: t for t in campaign.tracks.all()},
        "rank_by": campaign.stages.filter(key=services.params(campaign).rank_by).first(),
    })


@guard("results.manage", obj=campaign_from_url)
def close(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            made = services.close_award(campaign, actor=request.user)
            messages.success(request, f"奖项已评定：{made.campaign.awards.count()} 个案例获奖")
        except services.ResultsError as exc:
            messages.error(request, str(exc))
    return redirect("results:manage", slug=slug)


@guard("results.manage", obj=campaign_from_url)
def tie(request, slug):
    """The jury's decision on a tie at a capped list's last place."""
    campaign = request.access_target
    if request.method == "POST":
        try:
            made = services.decide_cap_tie(campaign, request.POST.get("track", ""), request.POST.getlist("chosen"),
                                           request.POST.get("reason", ""), actor=request.user)
            messages.success(request, f"已记录评审委员会的决定（{len(made.chosen)} 个案例入选）")
        except services.ResultsError as exc:
            messages.error(request, str(exc))
    return redirect("results:manage", slug=slug)


@guard("results.manage", obj=campaign_from_url)
def special(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        choices = {t.key: request.POST.getlist(f"special_{t.key}") for t in campaign.spec.awards.special}
        try:
            notes = services.set_specials(campaign, choices, actor=request.user)
            messages.success(request, "特别奖项已保存" + ("；" + "；".join(notes) if notes else ""))
        except services.ResultsError as exc:
            messages.error(request, str(exc))
    return redirect("results:manage", slug=slug)


@guard("results.manage", obj=campaign_from_url)
def publish(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            services.publish_results(campaign, actor=request.user)
            messages.success(request, "结果已发布，公开结果页已开放")
        except services.ResultsError as exc:
            messages.error(request, str(exc))
    return redirect("results:manage", slug=slug)
