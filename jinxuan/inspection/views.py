"""Inspector-facing pages (my assignments, the record of one application, evidence) and the public draw record."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import guard, public
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.storage.files import download_response

from . import services
from .models import Evidence, Finding, Inspection, Verdict
from .publication import verify_document


def inspection_from_url(request, slug, pk, **_):
    """The record of application `pk` in the campaign's live draw (404 when missing; the gate answers 404 too when
    the user is not assigned to it)."""
    return get_object_or_404(Inspection.objects.select_related("campaign", "application__track", "draw"),
                             campaign__slug=slug, application_id=pk, draw__voided_at=None)


def download(evidence: Evidence):
    return download_response(evidence.file, evidence.name)


def check_rows(inspection: Inspection, data=None) -> list[dict]:
    """One row per preset check with its inputs and the saved (or just posted) values."""
    rows = []
    for i, check in enumerate(services.checks(inspection.campaign)):
        text_name, outcome_name = services.input_names(i)
        saved = inspection.findings.get(check) or {}
        text, outcome = saved.get("text", ""), saved.get("outcome", "")
        if data is not None:
            text, outcome = data.get(text_name, text), data.get(outcome_name, outcome)
        rows.append({"check": check, "text_name": text_name, "outcome_name": outcome_name, "text": text,
                     "outcome": outcome, "outcome_label": Finding(outcome).label if outcome in Finding.values else ""})
    return rows


@guard("inspection.inspect", obj=campaign_from_url)
def workspace(request, slug):
    campaign = request.access_target
    rows = list(services.assignments_of(request.user, campaign))
    return render(request, "inspection/workspace.html", {
        "campaign": campaign, "rows": rows, "done": sum(1 for r in rows if r.locked),
        "stage": services.stage_of(campaign), "closed": services.stage_run(campaign) is not None})


@guard("inspection.inspect", obj=inspection_from_url)
def record(request, slug, pk):
    inspection = request.access_target
    errors = {}
    posted = None
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            inspection, errors = services.save_record(inspection, request.POST, submit=submit, actor=request.user)
        except services.InspectionError as exc:
            messages.error(request, str(exc))
            return redirect("inspection:record", slug=slug, pk=pk)
        if not errors:
            messages.success(request, "考察记录已提交，已锁定" if submit else "已保存，可继续填写")
            return redirect("inspection:workspace" if submit else "inspection:record",
                            **({"slug": slug} if submit else {"slug": slug, "pk": pk}))
        messages.error(request, "请按提示补全后再提交；已填写的内容均已保存")
        posted = request.POST
    return render(request, "inspection/record.html", {
        "campaign": inspection.campaign, "inspection": inspection, "app": inspection.application,
        "rows": check_rows(inspection, posted), "errors": errors, "verdicts": Verdict.choices,
        "outcomes": Finding.choices, "verdict": posted.get("verdict", "") if posted else inspection.verdict,
        "reason": posted.get("reason", "") if posted else inspection.reason,
        "evidence": inspection.evidence.all(), "locked": inspection.locked,
        "closed": services.stage_run(inspection.campaign) is not None,
        "accept": ",".join(f".{f}" for f in services.EVIDENCE_RULE.formats),
    })


@guard("inspection.inspect", obj=inspection_from_url)
@require_POST
def evidence_upload(request, slug, pk):
    inspection = request.access_target
    try:
        item = services.add_evidence(inspection, request.FILES.get("file"), actor=request.user,
                                     note=request.POST.get("note", ""))
        messages.success(request, f"已上传：{item.name}")
    except services.EvidenceRefused as exc:
        for problem in exc.problems:
            messages.error(request, problem)
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:record", slug=slug, pk=pk)


@guard("inspection.inspect", obj=inspection_from_url)
def evidence_download(request, slug, pk, ev):
    return download(get_object_or_404(request.access_target.evidence, pk=ev))


@guard("inspection.inspect", obj=inspection_from_url)
@require_POST
def evidence_delete(request, slug, pk, ev):
    inspection = request.access_target
    item = get_object_or_404(inspection.evidence, pk=ev)
    try:
        services.remove_evidence(inspection, item, actor=request.user)
        messages.success(request, f"已删除：{item.name}")
    except services.InspectionError as exc:
        messages.error(request, str(exc))
    return redirect("inspection:record", slug=slug, pk=pk)


def _public_document(slug):
    campaign = campaign_from_url(None, slug)
    if services.stage_of(campaign) is None:
        raise Http404
    return campaign, services.document(campaign)


@public
def draw_record(request, slug):
    campaign, doc = _public_document(slug)
    selected = set(doc["selected"])
    keys = dict((i, k) for i, k in doc["keys"])
    rows = [dict(row, key=keys.get(row["application_id"], ""), drawn=row["application_id"] in selected)
            for row in doc["ranking"]]
    problems = verify_document(doc) if doc["seed"] else []
    times = {name: parse_datetime(doc[field]) if doc[field] else None for name, field in
             (("committed", "committed_at"), ("drawn", "drawn_at"), ("roadshow", "roadshow_result_at"))}
    track_names = {row["track"]: row.get("track_name") or "" for row in doc["ranking"]}
    track_names.update({t.key: t.name for t in campaign.tracks.all()})
    allocation = [(track_names.get(t) or "其他赛道", n) for t, n in (doc.get("allocation") or {}).items()]
    numbers = {row["application_id"]: row["number"] for row in doc["ranking"]}
    return render(request, "inspection/draw.html", {
        "campaign": campaign, "doc": doc, "rows": rows, "problems": problems, "times": times,
        "allocation": allocation, "selected_numbers": [numbers.get(i, "") for i in doc["selected"]],
        "canonical": json.dumps([[r["application_id"], r["track"]] for r in doc["ranking"]], ensure_ascii=False,
                                separators=(",", ":"))})


@public
def draw_json(request, slug):
    campaign, doc = _public_document(slug)
    response = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{campaign.slug}-inspection-draw.json")
    response["X-Content-Type-Options"] = "nosniff"
    return response
