"""Formal review stores a stage run like every other stage. A campaign whose formal review was over (a later
stage has a final result) gets the run it would have had: every submitted application, passed or not as its state
says, with the latest decision's reason and screening counts. Replay confirms it from its stored inputs."""

from django.db import migrations

PASSED = {"accepted", "in_stage", "eliminated", "disqualified", "awarded"}
OUTCOME = {"rejected": "reject", "needs_correction": "correction", "withdrawn": "withdrawn"}


def forwards(apps, schema_editor):
    from jinxuan.applicants.states import State
    from jinxuan.formalreview.stage import FormalReviewStage
    from jinxuan.pipeline.engine import Entrant, StageContext

    Campaign = apps.get_model("campaigns", "Campaign")
    StageRun = apps.get_model("pipeline", "StageRun")
    Application = apps.get_model("applicants", "Application")
    FormalDecision = apps.get_model("formalreview", "FormalDecision")
    ScreeningResult = apps.get_model("formalreview", "ScreeningResult")
    for campaign in Campaign.objects.all():
        stages = list(campaign.stages.order_by("position"))
        formal = next((s for s in stages if s.kind == "formal_review"), None)
        if formal is None or StageRun.objects.filter(campaign=campaign, stage_key=formal.key).exists():
            continue
        later = [s.key for s in stages if s.position > formal.position]
        if not StageRun.objects.filter(campaign=campaign, stage_key__in=later, is_final=True).exists():
            continue  # still in formal review: it stores its run when it closes
        found = (Application.objects.filter(campaign=campaign).exclude(state="draft")
                 .exclude(state="withdrawn", submitted_at__isnull=True).select_related("track").order_by("pk"))
        decisions = {d.application_id: d for d in FormalDecision.objects.filter(
            application__campaign=campaign).order_by("decided_at", "pk")}
        screenings = {s.application_id: s for s in ScreeningResult.objects.filter(
            application__campaign=campaign).order_by("created_at", "pk")}
        data, entrants = {}, []
        for a in found:
            d, s = decisions.get(a.pk), screenings.get(a.pk)
            decision = "pass" if a.state in PASSED else OUTCOME.get(a.state)
            reason = a.state_reason if decision in ("withdrawn", "correction") else (d.reason.strip() if d else "")
            item = {"decision": decision, "state": State(a.state).label, "reason": reason}
            if s is not None:
                item |= {"blocking": s.blocking, "warnings": s.warnings}
            if d is not None and d.overridden:
                item["overridden"] = len(d.overridden)
            data[a.pk] = item
            entrants.append(Entrant(a.pk, a.track.key, a.submitted_at.isoformat() if a.submitted_at else "",
                                    frozenset({"district_recommended"} if a.district_recommended else set())))
        result = FormalReviewStage(formal.key, formal.params).run(
            entrants, StageContext(campaign.slug, data={formal.key: data}))
        StageRun.objects.create(campaign=campaign, stage_key=result.stage_key, kind=result.kind,
                                result=result.to_json(), inputs_digest=result.inputs_digest, is_final=True)


class Migration(migrations.Migration):
    dependencies = [
        ("formalreview", "0002_version_analysis_stored_once"),
        ("applicants", "0004_application_contact_consent_at_and_more"),
        ("pipeline", "0002_stage_lifecycle"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
