"""The formal-review workspace: a queue with automatic findings, per-application decisions, re-checks."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan.accounts.access import guard
from jinxuan.applicants.models import Application, ApplicationVersion
from jinxuan.applicants.states import State
from jinxuan.campaigns.lookups import campaign_from_url

from .diff import version_diff
from .models import Decision, RecheckBatch, ScreeningResult
from .recheck import UNDER_REVIEW, start_recheck
from .services import DecisionError, decide, latest_screening, run_screening


def _current(app, result=None, latest=None, known=False):
    """The latest screening of the latest version, running the rules if there is none yet (`known`: the latest
    screening and version number are given, read for a whole list at once by `_with_latest`)."""
    if not known:
        result = latest_screening(app)
        latest = app.versions.order_by("-number").values_list("number", flat=True).first()
    if result is None or result.version_number != latest or result.preset_hash != app.campaign.preset_hash:
        result = run_screening(app)
    return result


def _with_latest(apps):
    """Each application with the id of its latest screening and the number of its latest version (no query per row)."""
    screening = ScreeningResult.objects.filter(application=OuterRef("pk")).order_by("-created_at").values("pk")[:1]
    version = ApplicationVersion.objects.filter(application=OuterRef("pk")).order_by("-number").values("number")[:1]
    return apps.annotate(latest_screening_id=Subquery(screening), latest_version=Subquery(version))


@guard("formal.review", obj=campaign_from_url)
def queue(request, slug):
    campaign = request.access_target
    state = request.GET.get("state", "")
    rule, severity = request.GET.get("rule", ""), request.GET.get("severity", "")
    apps = Application.objects.filter(campaign=campaign, state__in=[state] if state in UNDER_REVIEW else UNDER_REVIEW)
    rows, rules_seen = [], set()
    apps = list(_with_latest(apps.select_related("track", "campaign").order_by("submitted_at", "pk")))
    screenings = ScreeningResult.objects.in_bulk([a.latest_screening_id for a in apps if a.latest_screening_id])
    for app in apps:
        result = _current(app, screenings.get(app.latest_screening_id), app.latest_version, known=True)
        findings = result.findings
        rules_seen |= {f["rule"] for f in findings}
        shown = [f for f in findings if (not rule or f["rule"] == rule) and (not severity or f["severity"] == severity)]
        if (rule or severity) and not shown:
            continue
        rows.append({"app": app, "result": result, "shown": shown})
    batch = RecheckBatch.objects.filter(campaign=campaign).order_by("-created_at").first()
    return render(request, "formalreview/queue.html", {
        "campaign": campaign, "rows": rows, "rules": sorted(rules_seen), "filters": {"rule": rule, "severity": severity, "state": state},
        "states": [(s, State(s).label) for s in UNDER_REVIEW], "batch": batch,
    })


@guard("formal.review", obj=campaign_from_url)
def detail(request, slug, pk):
    campaign = request.access_target
    app = get_object_or_404(Application, campaign=campaign, pk=pk)
    if request.method == "POST":
        try:
            decide(app, request.POST.get("decision", ""), reason=request.POST.get("reason", ""),
                   override_reason=request.POST.get("override_reason", ""), actor=request.user)
        except DecisionError as exc:
            messages.error(request, str(exc))
            return redirect("formal:detail", slug=slug, pk=pk)
        messages.success(request, f"已记录审核结论：{app.title}")
        return redirect("formal:queue", slug=slug)
    result = _current(app) if app.state in UNDER_REVIEW else latest_screening(app)
    versions = list(app.versions.order_by("-number")[:2])
    changes = version_diff(campaign.spec, versions[1].content, versions[0].content) if len(versions) == 2 else None
    return render(request, "formalreview/detail.html", {
        "campaign": campaign, "app": app, "result": result, "decisions": app.formal_decisions.all(),
        "changes": changes, "versions": versions, "choices": Decision.choices, "reviewable": app.state in UNDER_REVIEW,
    })


@guard("formal.review", obj=campaign_from_url)
def recheck(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        batch = start_recheck(campaign, actor=request.user)
        messages.success(request, f"已开始重新检查 {batch.total} 份申报")
        return redirect("formal:queue", slug=slug)
    batch = RecheckBatch.objects.filter(campaign=campaign).order_by("-created_at").first()
    return render(request, "formalreview/_batch.html", {"batch": batch, "campaign": campaign})


@guard("formal.review", obj=campaign_from_url)
def insights_fragment(request, slug, pk):
    """htmx fragment: figures, tags vs ticks, duplicates and policy clauses for one application."""
    from .insights import insights

    app = get_object_or_404(Application, campaign=request.access_target, pk=pk)
    return render(request, "formalreview/_insights.html", {"campaign": request.access_target, "app": app, **insights(app)})
