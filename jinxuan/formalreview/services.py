"""Formal review: run the preset's rules on an application, decide, run the correction loop."""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from jinxuan.applicants.export import export_application
from jinxuan.applicants.models import Application, ApplicationVersion, Organisation, StoredAttachment
from jinxuan.applicants.prefetch import states_stamp
from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.audit.log import record
from jinxuan.formalrules.evaluate import screen
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.services import store_run

from .models import Decision, FormalDecision, ScreeningResult

REVIEWABLE = (State.SUBMITTED, State.FORMAL_REVIEW)


class DecisionError(ValueError):
    pass


def _result(application: Application, spec, data: dict) -> ScreeningResult:
    findings = [f.to_json() for f in screen(spec, data)]
    return ScreeningResult(
        application=application, version_number=data["version"], findings=findings,
        blocking=sum(1 for f in findings if f["severity"] == "blocking"),
        warnings=sum(1 for f in findings if f["severity"] == "warning"),
        rules=sorted({f["rule"] for f in findings}), preset_hash=application.campaign.preset_hash,
    )


def run_screening(application: Application, spec=None) -> ScreeningResult:
    result = _result(application, spec or application.campaign.spec, export_application(application))
    result.save()
    return result


def screen_batch(applications: list[Application], spec) -> list[ScreeningResult]:
    """Screen many applications with a handful of queries, and store the results in one insert."""
    ids = [a.pk for a in applications]
    latest: dict[int, ApplicationVersion] = {}
    for version in ApplicationVersion.objects.filter(application_id__in=ids).order_by("application_id", "number"):
        latest[version.application_id] = version
    files: dict[int, dict] = {}
    for item in StoredAttachment.objects.filter(application_id__in=ids):
        files.setdefault(item.application_id, {})[item.sha256] = item
    codes = {u["credit_code"] for v in latest.values() for u in v.content["units"]}
    orgs = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    results = []
    for app in applications:
        version = latest.get(app.pk)
        data = export_application(app, version, orgs=orgs if version else None, files=files.get(app.pk, {}), latest=False)
        results.append(_result(app, spec, data))
    return ScreeningResult.objects.bulk_create(results)


def latest_screening(application: Application) -> ScreeningResult | None:
    return application.screenings.order_by("-created_at").first()


def correction_days(campaign) -> int:
    stage = campaign.stages.filter(kind="formal_review").first()
    return int((stage.params or {}).get("correction_days", 5)) if stage else 5


def decide(application: Application, decision: str, *, reason: str = "", override_reason: str = "", actor=None,
           now: dt.datetime | None = None, due: dt.datetime | None = None, batch: str = "") -> FormalDecision:
    """Record one decision. `due`: the correction deadline (default: the stage's correction days from now);
    `batch`: the id of the bulk action this decision is part of (kept in its audit event)."""
    now = now or timezone.now()
    runtime.require_open(application.campaign, "formal_review", DecisionError)
    if decision not in Decision.values:
        raise DecisionError("审核结论无效")
    if decision != Decision.PASS and not reason.strip():
        raise DecisionError(f"“{Decision(decision).label}”须填写原因")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.state not in REVIEWABLE:
            raise DecisionError(f"当前状态“{State(app.state).label}”不在形式审核中")
        result = latest_screening(app) or run_screening(app)
        blocking = [f for f in result.findings if f["severity"] == "blocking"]
        if decision == Decision.PASS and blocking and not override_reason.strip():
            raise DecisionError(f"存在 {len(blocking)} 项阻断性问题，判定通过须写明推翻理由")
        if app.state == State.SUBMITTED:
            transition(app, State.FORMAL_REVIEW, actor=actor, notify_members=False)
        target = {Decision.PASS: State.ACCEPTED, Decision.CORRECTION: State.NEEDS_CORRECTION, Decision.REJECT: State.REJECTED}[decision]
        if decision == Decision.CORRECTION:
            if blocking:  # the applicant sees what the automatic check found, not only the reviewer's words
                listed = "\n".join(f"- {f['message']}" for f in blocking[:15])
                more = f"\n（另有 {len(blocking) - 15} 项）" if len(blocking) > 15 else ""
                reason = f"{reason.strip()}\n自动检查发现的问题：\n{listed}{more}"
            due = due or now + dt.timedelta(days=correction_days(app.campaign))
            Application.objects.filter(pk=app.pk).update(correction_due=due)
            shown = timezone.localtime(due).strftime("%Y年%m月%d日 %H:%M")
            reason = f"{reason.strip()}\n请于 {shown}（北京时间）前完成补正并重新提交。"
        transition(app, target, reason=reason, actor=actor)
        made = FormalDecision.objects.create(
            application=app, decision=decision, reason=reason, override_reason=override_reason,
            overridden=blocking if decision == Decision.PASS else [], version_number=result.version_number, decided_by=actor,
        )
        record("formal.decision", app, actor=actor, reason=reason or override_reason,
               after={"decision": decision, "version": result.version_number, "blocking": len(blocking),
                      "overridden": [f["rule"] for f in made.overridden], "override_reason": override_reason,
                      **({"batch": batch} if batch else {})})
    return made


def expire_corrections(now: dt.datetime | None = None) -> int:
    """A missed correction deadline leaves the application rejected, with the reason recorded."""
    now = now or timezone.now()
    expired = 0
    for app in Application.objects.filter(state=State.NEEDS_CORRECTION, correction_due__lt=now):
        due = timezone.localtime(app.correction_due).strftime("%Y年%m月%d日 %H:%M")
        transition(app, State.REJECTED, reason=f"逾期未补正（补正截止 {due}）")
        expired += 1
    return expired


# ------------------------------------------------------------------------------------------------ the stage

PASSED = {State.ACCEPTED, State.IN_STAGE, State.ELIMINATED, State.DISQUALIFIED, State.AWARDED}
IN_REVIEW = (State.SUBMITTED, State.FORMAL_REVIEW, State.NEEDS_CORRECTION)  # no final decision yet
OUTCOME = {State.REJECTED: "reject", State.NEEDS_CORRECTION: "correction", State.WITHDRAWN: "withdrawn"}


class FormalReviewError(ValueError):
    """A refused closing of formal review; the message is shown to the organiser."""


def stage_entrants(campaign) -> list[Application]:
    """Every submitted application (a draft withdrawn before submitting never entered)."""
    return list(_entered(campaign).select_related("track").defer("answers").order_by("pk"))


def _entered(campaign):
    return Application.objects.filter(campaign=campaign).exclude(state=State.DRAFT).exclude(
        state=State.WITHDRAWN, submitted_at__isnull=True)


def stage_data(campaign, apps) -> dict:
    """What the `formal_review` stage reads (see jinxuan.formalreview.stage): the outcome of each application as
    its state says, the latest decision's reason and the latest screening's counts."""
    decisions = {}
    for d in FormalDecision.objects.filter(application__campaign=campaign).order_by("decided_at", "pk"):
        decisions[d.application_id] = d
    screenings = {}
    for s in (ScreeningResult.objects.filter(application__campaign=campaign).order_by("created_at", "pk")
              .only("application_id", "blocking", "warnings")):
        screenings[s.application_id] = s
    data = {}
    for a in apps:
        d, s = decisions.get(a.pk), screenings.get(a.pk)
        decision = "pass" if a.state in PASSED else OUTCOME.get(a.state)
        reason = a.state_reason if decision in ("withdrawn", "correction") else (d.reason.strip() if d else "")
        item = {"decision": decision, "state": State(a.state).label, "reason": reason}
        if s is not None:
            item |= {"blocking": s.blocking, "warnings": s.warnings}
        if d is not None and d.overridden:
            item["overridden"] = len(d.overridden)
        data[a.pk] = item
    return data


def close_formal(campaign, actor=None):
    """Store the formal review's result (who passed, who did not and why) and close the stage: no submission,
    correction or decision is accepted after. Moves no application."""
    stage = runtime.stage_of(campaign, "formal_review")
    if stage is None:
        raise FormalReviewError("本活动没有形式审核阶段")
    if runtime.final_run(campaign, stage) is not None:
        raise FormalReviewError("形式审核已结束")
    return store_run(campaign, _stage_result(campaign, stage), actor=actor)


def _stage_result(campaign, stage):
    apps = stage_entrants(campaign)
    return implementation("formal_review")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, data={stage.key: stage_data(campaign, apps)}))


def preview_stamp(campaign) -> tuple:
    """What `preview_formal` reads, in brief: the applications' states, the decisions and the screenings."""
    decisions = FormalDecision.objects.filter(application__campaign=campaign).aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("decided_at"))
    screenings = ScreeningResult.objects.filter(application__campaign=campaign).aggregate(n=Count("pk"), last=Max("pk"))
    return states_stamp(campaign), *decisions.values(), *screenings.values()


def preview_formal(campaign) -> dict | None:
    """The result formal review would store if it closed now; an application still awaiting a decision or a
    correction is marked pending (for the stage report while the stage is open)."""
    stage = runtime.stage_of(campaign, "formal_review")
    if stage is None or not _entered(campaign).exists():
        return None
    data = _stage_result(campaign, stage).to_json()
    waiting = set(Application.objects.filter(campaign=campaign, state__in=IN_REVIEW).values_list("pk", flat=True))
    for e in data["entries"]:
        if int(e["application_id"]) in waiting:
            e["pending"] = True
    return data
