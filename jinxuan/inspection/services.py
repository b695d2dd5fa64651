"""Site inspection operations: commit → reveal → draw, assignment, records, evidence, closing the stage.

Views call these plain functions; every step that can change who advances is written to the audit log.
"""

from __future__ import annotations

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment, User
from jinxuan.accounts.roles import has_role
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.applicants.uploads import inspect_upload, storage_name
from jinxuan.audit.log import record
from jinxuan.campaigns.schema import Attachment
from jinxuan.campaigns.stage_params import SiteInspectionParams
from jinxuan.outcomes import draw as D
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.services import apply_result

from .models import Draw, Evidence, Finding, Inspection, Verdict
from .publication import FORMAT, PROCEDURE

MIN_SEED_CHARS = 16
EVIDENCE_RULE = Attachment(key="inspection_evidence", name="考察佐证材料",
                           formats=["pdf", "jpg", "jpeg", "png", "docx", "xlsx", "mp4"],
                           max_size_kb=100 * 1024, max_files=30)


class InspectionError(ValueError):
    """A refused inspection operation; the message is shown to the user."""


class EvidenceRefused(InspectionError):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


# ------------------------------------------------------------------------------------------------ look-ups


def stage_of(campaign):
    return campaign.stages.filter(kind="site_inspection").first()


def params(campaign) -> SiteInspectionParams:
    stage = stage_of(campaign)
    if stage is None:
        raise InspectionError("本活动没有实地考察阶段")
    return SiteInspectionParams.model_validate(stage.params)


def checks(campaign) -> list[str]:
    return list(params(campaign).checks)


def roadshow_run(campaign) -> StageRun | None:
    """The latest final result of the campaign's roadshow stage, if it was closed."""
    return runtime.kind_run(campaign, "roadshow")


def stage_run(campaign) -> StageRun | None:
    """The stored final result of the site inspection stage, once it was closed."""
    return runtime.final_run(campaign, stage_of(campaign))


def ranking_stage(campaign):
    """The stage whose ranking the draw samples from (the roadshow)."""
    return runtime.stage_of(campaign, "roadshow")


def committed_late(campaign, draw: Draw) -> bool:
    """The seed was committed after the ranking it draws from was closed (known): such a draw is refused."""
    ranking = ranking_stage(campaign)
    if ranking is None:
        return False
    state = runtime.lifecycle(campaign, ranking)
    return state.closed and state.closed_at is not None and draw.committed_at >= state.closed_at


def live_draw(campaign) -> Draw | None:
    stage = stage_of(campaign)
    if stage is None:
        return None
    return Draw.objects.filter(campaign=campaign, stage_key=stage.key, voided_at=None).first()


def voided_draws(campaign):
    return Draw.objects.filter(campaign=campaign, voided_at__isnull=False).order_by("committed_at")


def passers(campaign, run: StageRun) -> list[tuple[int | None, Application]]:
    """The roadshow's advanced applications in rank order (unranked last), still in the pipeline."""
    entries = [(i, e) for i, e in enumerate(run.result.get("entries", [])) if e.get("advanced")]
    entries.sort(key=lambda t: (t[1].get("rank") is None, t[1].get("rank") or 0, t[0]))
    apps = Application.objects.select_related("track", "campaign").in_bulk([e["application_id"] for _, e in entries])
    return [(e.get("rank"), apps[e["application_id"]]) for _, e in entries
            if e["application_id"] in apps and apps[e["application_id"]].state == State.IN_STAGE
            and apps[e["application_id"]].campaign_id == campaign.pk]


def inspector_users(campaign):
    """Users who hold the inspector role in the campaign (or in every campaign)."""
    ids = RoleAssignment.objects.filter(role=Role.INSPECTOR).filter(
        campaign__isnull=True).values("user_id").union(
        RoleAssignment.objects.filter(role=Role.INSPECTOR, campaign=campaign).values("user_id"))
    return User.objects.filter(pk__in=[r["user_id"] for r in ids]).order_by("display_name", "username")


def assignments_of(user, campaign):
    """The records the user inspects in the campaign (nothing without the inspector role there)."""
    if not has_role(user, Role.INSPECTOR, campaign):
        return Inspection.objects.none()
    return (Inspection.objects.filter(campaign=campaign, inspectors=user, draw__voided_at=None)
            .select_related("application__track").order_by("application_id"))


# ------------------------------------------------------------------------------------------------ commit / draw


@transaction.atomic
def commit(campaign, actor=None, seed: str | None = None) -> tuple[Draw, str | None]:
    """Publish the commitment to a seed; returns the draw and, if the platform generated the seed, the seed
    itself (shown to the organiser once; only its hash is stored)."""
    stage = stage_of(campaign)
    if stage is None:
        raise InspectionError("本活动没有实地考察阶段")
    runtime.require_open(campaign, stage, InspectionError)
    ranking = ranking_stage(campaign)
    if ranking is not None and runtime.is_closed(campaign, ranking):
        raise InspectionError(f"「{ranking.name}」已结束，抽取所依据的排名已经产生：随机种子须在该阶段结束之前承诺，"
                              "现在不能再承诺")
    if Draw.objects.select_for_update().filter(campaign=campaign, stage_key=stage.key, voided_at=None).exists():
        raise InspectionError("已公布随机种子承诺值；如需重新承诺，请先作废当前承诺（须说明原因，并公开记录）")
    generated = not (seed or "").strip()
    if generated:
        seed = D.new_seed()
    else:
        seed = seed.strip()
        if len(seed) < MIN_SEED_CHARS:
            raise InspectionError(f"自行输入的随机种子至少 {MIN_SEED_CHARS} 个字符，以免被人穷举猜出")
    try:
        value = D.commitment(seed)
    except ValueError as exc:
        raise InspectionError(str(exc)) from None
    draw = Draw.objects.create(campaign=campaign, stage_key=stage.key, commitment=value, committed_at=timezone.now(),
                               committed_by=actor, generated=generated)
    record("inspection.committed", draw, campaign=campaign, actor=actor,
           after={"commitment": value, "generated": generated, "committed_at": draw.committed_at.isoformat()})
    return draw, (seed if generated else None)


@transaction.atomic
def void_commitment(campaign, reason: str, actor=None) -> Draw:
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError("作废承诺须说明原因")
    draw = live_draw(campaign)
    if draw is None:
        raise InspectionError("当前没有可作废的承诺")
    if draw.is_drawn:
        raise InspectionError("已完成抽取，承诺不能作废")
    draw.voided_at, draw.void_reason = timezone.now(), reason
    draw.save(update_fields=["voided_at", "void_reason"])
    record("inspection.commitment_voided", draw, campaign=campaign, actor=actor,
           before={"commitment": draw.commitment}, reason=reason)
    return draw


def reveal_and_draw(campaign, seed: str, actor=None) -> Draw:
    """Check the revealed seed against the commitment, freeze the roadshow's ranked passers and draw the sample."""
    seed = (seed or "").strip()  # a committed seed never has surrounding whitespace
    draw = live_draw(campaign)
    if draw is None:
        raise InspectionError("请先公布随机种子的承诺值，再进行抽取")
    if draw.is_drawn:
        raise InspectionError("已完成抽取，结果不可更改")
    if committed_late(campaign, draw):
        raise InspectionError("该随机种子是在排名产生之后才承诺的，不能用于抽取；请作废该承诺（须说明原因）")
    if not D.verify(draw.commitment, seed):
        record("inspection.reveal_refused", draw, campaign=campaign, actor=actor,
               after={"commitment": draw.commitment}, reason="揭示的随机种子与承诺值不符")
        raise InspectionError("随机种子与已公布的承诺值不符（种子须与承诺时完全一致，区分大小写），未进行抽取")
    return _draw(campaign, draw.pk, seed, actor)


@transaction.atomic
def _draw(campaign, draw_pk: int, seed: str, actor) -> Draw:
    draw = Draw.objects.select_for_update().get(pk=draw_pk)
    if draw.is_drawn or draw.voided_at is not None:
        raise InspectionError("该承诺已完成抽取或已作废")
    if stage_run(campaign) is not None:
        raise InspectionError("实地考察阶段已结束")
    run = roadshow_run(campaign)
    if run is None:
        raise InspectionError("路演答辩尚未结束，晋级名单未确定，不能抽取")
    ranked = passers(campaign, run)
    if not ranked:
        raise InspectionError("路演答辩没有晋级的申报，无需抽取")
    p = params(campaign)
    pairs = [(app.pk, app.track.key) for _, app in ranked]
    fraction = f"{p.sample_fraction.normalize():f}" if p.sample_fraction is not None else None
    try:
        if p.sample_count is not None:  # more seats than candidates: inspect them all (the record says so)
            result = D.draw(seed, pairs, size=min(p.sample_count, len(pairs)), stratify=p.stratify_by_track)
        else:
            result = D.draw(seed, pairs, fraction=fraction, stratify=p.stratify_by_track)
    except ValueError as exc:
        raise InspectionError(str(exc)) from None
    draw.seed, draw.drawn_at, draw.drawn_by, draw.source_run = seed, timezone.now(), actor, run
    draw.ranking = [{"position": i + 1, "rank": rank, "application_id": app.pk, "number": app.number,
                     "title": app.title, "track": app.track.key, "track_name": app.track.name}
                    for i, (rank, app) in enumerate(ranked)]
    draw.ranking_digest = result.ranking_digest
    draw.sample_fraction = fraction or ""
    draw.sample_count = result.size if p.sample_count is not None else None
    draw.stratified, draw.size = result.stratified, result.size
    draw.allocation = dict(result.allocation) if result.allocation is not None else None
    draw.selected = list(result.selected)
    draw.keys = [[i, k] for i, k in result.keys.items()]
    draw.save()
    apps = {app.pk: app for _, app in ranked}
    for app_id in result.selected:
        Inspection.objects.create(campaign=campaign, draw=draw, application=apps[app_id])
    record("inspection.drawn", draw, campaign=campaign, actor=actor,
           after={"commitment": draw.commitment, "seed": seed, "ranking_digest": draw.ranking_digest,
                  "candidates": len(pairs), "size": result.size, "stratified": result.stratified,
                  "allocation": draw.allocation, "selected": draw.selected, "roadshow_run": run.pk})
    return draw


def document(campaign, draw: Draw | None = None) -> dict:
    """The public record of the campaign's draw (the page and the JSON download show the same)."""
    draw = draw or live_draw(campaign)
    run = draw.source_run if draw and draw.source_run_id else roadshow_run(campaign)
    stage = stage_of(campaign)
    doc = {
        "format": FORMAT,
        "campaign": {"slug": campaign.slug, "name": campaign.name},
        "stage": stage.key if stage else None,
        "procedure": PROCEDURE,
        "commitment": draw.commitment if draw else None,
        "committed_at": draw.committed_at.isoformat() if draw else None,
        "seed_generated_by_platform": draw.generated if draw else None,
        "roadshow_result_at": run.created_at.isoformat() if run else None,
        "drawn_at": draw.drawn_at.isoformat() if draw and draw.drawn_at else None,
        "seed": draw.seed if draw and draw.is_drawn else None,
        "ranking": draw.ranking if draw and draw.is_drawn else [],
        "ranking_digest": draw.ranking_digest if draw and draw.is_drawn else None,
        "sample_fraction": (draw.sample_fraction or None) if draw and draw.is_drawn else None,
        "sample_count": draw.sample_count if draw and draw.is_drawn else None,
        "stratified": draw.stratified if draw and draw.is_drawn else None,
        "size": draw.size if draw and draw.is_drawn else None,
        "allocation": draw.allocation if draw and draw.is_drawn else None,
        "selected": draw.selected if draw and draw.is_drawn else [],
        "keys": draw.keys if draw and draw.is_drawn else [],
        "voided_commitments": [
            {"commitment": v.commitment, "committed_at": v.committed_at.isoformat(),
             "voided_at": v.voided_at.isoformat(), "reason": v.void_reason} for v in voided_draws(campaign)],
    }
    return doc


# ------------------------------------------------------------------------------------------------ assignment


@transaction.atomic
def assign(inspection: Inspection, users, actor=None) -> list[int]:
    """Set the inspectors of a record; each must hold the inspector role in its campaign."""
    campaign = inspection.campaign
    users = list(users)
    wrong = [str(u) for u in users if not has_role(u, Role.INSPECTOR, campaign)]
    if wrong:
        raise InspectionError(f"{'、'.join(wrong)} 不是本活动的实地考察人员")
    before = sorted(inspection.inspectors.values_list("pk", flat=True))
    inspection.inspectors.set(users)
    after = sorted(u.pk for u in users)
    if before != after:
        record("inspection.assigned", inspection.application, campaign=campaign, actor=actor,
               before={"inspectors": before}, after={"inspectors": after})
    return after


# ------------------------------------------------------------------------------------------------ records


def input_names(index: int) -> tuple[str, str]:
    return f"text__{index}", f"outcome__{index}"


def _ensure_open(inspection: Inspection) -> None:
    runtime.require_open(inspection.campaign, "site_inspection", InspectionError)
    if inspection.locked:
        raise InspectionError("考察记录已提交并锁定；如需修改，请联系活动工作组退回")
    if stage_run(inspection.campaign) is not None:
        raise InspectionError("实地考察阶段已结束，记录不可修改")


@transaction.atomic
def save_record(inspection: Inspection, data, submit: bool = False, actor=None) -> tuple[Inspection, dict]:
    """Save what was entered (always, as a draft); on submit check it is complete, then lock it (audited).
    Returns the record and {field: message} errors (empty when saved as asked)."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _ensure_open(inspection)
    errors: dict[str, str] = {}
    findings = {}
    for i, check in enumerate(checks(inspection.campaign)):
        text_name, outcome_name = input_names(i)
        text = str(data.get(text_name, "")).strip()[:4000]
        outcome = str(data.get(outcome_name, "")).strip()
        if outcome and outcome not in Finding.values:
            errors[outcome_name] = f"“{check}”的结果无效"
            outcome = ""
        findings[check] = {"text": text, "outcome": outcome}
        if submit and not outcome:
            errors[outcome_name] = f"请选择“{check}”的结果（通过 / 存在问题）"
        if submit and outcome == Finding.ISSUE and not text:
            errors[text_name] = f"“{check}”存在问题，请写明发现的问题"
    verdict = str(data.get("verdict", "")).strip()
    if verdict and verdict not in Verdict.values:
        errors["verdict"] = "考察结论无效"
        verdict = ""
    reason = str(data.get("reason", "")).strip()[:4000]
    if submit and not verdict:
        errors["verdict"] = "请选择考察结论（通过 / 不通过）"
    if submit and not reason:
        errors["reason"] = "请填写结论理由"
    inspection.findings, inspection.verdict, inspection.reason = findings, verdict, reason
    fields = ["findings", "verdict", "reason", "updated_at"]
    if submit and not errors:
        inspection.state, inspection.submitted_at, inspection.submitted_by = (
            Inspection.SUBMITTED, timezone.now(), actor)
        fields += ["state", "submitted_at", "submitted_by"]
    inspection.save(update_fields=fields)
    if inspection.locked:
        record("inspection.submitted", inspection.application, campaign=inspection.campaign, actor=actor,
               after={"verdict": verdict, "findings": findings,
                      "evidence": list(inspection.evidence.values_list("sha256", flat=True))}, reason=reason)
    return inspection, errors


@transaction.atomic
def reopen(inspection: Inspection, reason: str, actor=None) -> Inspection:
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError("退回考察记录须说明原因")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not inspection.locked:
        raise InspectionError("该考察记录尚未提交")
    if stage_run(inspection.campaign) is not None:
        raise InspectionError("实地考察阶段已结束，记录不能退回")
    before = {"verdict": inspection.verdict, "reason": inspection.reason}
    inspection.state, inspection.submitted_at = Inspection.DRAFT, None
    inspection.save(update_fields=["state", "submitted_at", "updated_at"])
    record("inspection.reopened", inspection.application, campaign=inspection.campaign, actor=actor,
           before=before, reason=reason)
    return inspection


# ------------------------------------------------------------------------------------------------ evidence


def add_evidence(inspection: Inspection, upload, actor=None, note: str = "") -> Evidence:
    """Check a file by content (the applicants' upload rules) and attach it to an open record."""
    _ensure_open(inspection)
    if upload is None:
        raise EvidenceRefused([f"{EVIDENCE_RULE.name}：请选择要上传的文件"])
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
    result = inspect_upload(upload.name, source, EVIDENCE_RULE)
    if not result.ok:
        raise EvidenceRefused(result.problems)
    with transaction.atomic():
        if inspection.evidence.count() >= EVIDENCE_RULE.max_files:
            raise EvidenceRefused([f"{EVIDENCE_RULE.name}：最多上传 {EVIDENCE_RULE.max_files} 个文件"])
        if inspection.evidence.filter(sha256=result.sha256).exists():
            raise EvidenceRefused([f"{EVIDENCE_RULE.name}：同一文件已上传"])
        item = Evidence(inspection=inspection, name=result.safe_name, detected=result.detected, size=result.size,
                        sha256=result.sha256, note=(note or "").strip()[:200], uploaded_by=actor)
        if isinstance(source, bytes):
            item.file.save(storage_name(result), ContentFile(source), save=False)
        else:
            with open(source, "rb") as fh:
                item.file.save(storage_name(result), File(fh), save=False)
        item.save()
        record("inspection.evidence_added", inspection.application, campaign=inspection.campaign, actor=actor,
               after={"name": item.name, "sha256": item.sha256, "size": item.size})
    return item


def remove_evidence(inspection: Inspection, evidence: Evidence, actor=None) -> None:
    _ensure_open(inspection)
    record("inspection.evidence_removed", inspection.application, campaign=inspection.campaign, actor=actor,
           before={"name": evidence.name, "sha256": evidence.sha256})
    evidence.file.delete(save=False)
    evidence.delete()


# ------------------------------------------------------------------------------------------------ closing


def stage_data(draw: Draw) -> dict:
    """What the `site_inspection` stage reads (see jinxuan.inspection.stage)."""
    records = draw.inspections.filter(state=Inspection.SUBMITTED)
    return {
        "drawn": list(draw.selected),
        "verdicts": {r.application_id: {"verdict": r.verdict, "reason": r.reason} for r in records},
        "ranks": {row["application_id"]: row["position"] for row in draw.ranking},
        "draw": {"commitment": draw.commitment, "ranking_digest": draw.ranking_digest, "seed": draw.seed},
    }


@transaction.atomic
def close_inspection(campaign, actor=None, notify: bool = True) -> StageRun:
    """Refuse while a drawn application lacks a submitted verdict; then run the stage and apply it: not drawn or
    通过 → advance, 不通过 → 取消资格 with the verdict's reason (audited)."""
    stage = stage_of(campaign)
    if stage is None:
        raise InspectionError("本活动没有实地考察阶段")
    if stage_run(campaign) is not None:
        raise InspectionError("实地考察阶段已结束，结果已确定")
    draw = live_draw(campaign)
    if draw is None or not draw.is_drawn:
        raise InspectionError("尚未完成抽取，不能结束实地考察")
    pending = list(draw.inspections.exclude(state=Inspection.SUBMITTED).select_related("application__campaign"))
    if pending:
        numbers = "、".join(i.application.number for i in pending)
        raise InspectionError(f"尚有 {len(pending)} 份被抽中的申报没有提交考察结论（{numbers}），不能结束实地考察")
    ids = [row["application_id"] for row in draw.ranking]
    apps = list(Application.objects.filter(campaign=campaign, pk__in=ids, state=State.IN_STAGE)
                .select_related("track"))
    result = implementation("site_inspection")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, data={stage.key: stage_data(draw)}))
    return apply_result(campaign, result, actor=actor, notify=notify)
