"""Publicity (结果公示): the period in working days, the public list, objections and 顺位递补.

Plain functions; the views only call these. Everything that changes who is listed is audit-logged:
opening (with the replacements for entries the site inspection disqualified), every upheld or dismissed
objection, every replacement, and the closing (through `pipeline.services.apply_result`).

Conventions
    * The period is counted by ``jinxuan.outcomes.workdays`` with the organiser's holiday overrides; the
      preset's ``start_counts`` (default true) says whether the publication day is working day 1.
      A year neither chinesecalendar nor the overrides know is refused with a Chinese message, never guessed.
    * Objections are accepted from the publication day to the end day inclusive (Beijing time).
    * The publicity may be closed from the day **after** the end day, and only when every objection is handled.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from jinxuan.applicants.models import Application
from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.applicants.uploads import inspect_upload
from jinxuan.audit.log import record
from jinxuan.campaigns.schema import Attachment
from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS, PublicityParams
from jinxuan.outcomes import workdays
from jinxuan.outcomes.backfill import Departure, Ranked, backfill
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.services import apply_result
from jinxuan.voting.phones import normalise

from .models import Objection, Publicity, Substitution

EVIDENCE_RULE = Attachment(key="objection_evidence", name="证明材料", formats=["pdf", "jpg", "png", "docx"],
                           max_size_kb=10240)
ATTEMPTS_PER_IP_HOUR = 10  # every objection POST from one address counts, accepted or not
FILINGS_PER_CONTACT_DAY = 3
RATE_PREFIX = "objection"  # cache key prefix of the rate-limit counters
TEXT_MIN, TEXT_MAX = 10, 2000
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NOT_ELIGIBLE = {State.DISQUALIFIED, State.WITHDRAWN, State.REJECTED}


class PublicityError(ValueError):
    """A refused publicity operation; the message is shown to the user."""


class ObjectionRefused(PublicityError):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def _objection_closed(message: str) -> ObjectionRefused:
    return ObjectionRefused([message])


# ------------------------------------------------------------------------------------------------ settings


def stage(campaign):
    return campaign.stages.filter(kind="publicity").first()


def params(campaign) -> PublicityParams:
    s = stage(campaign)
    return PublicityParams.model_validate(s.params if s else {})


def record_of(campaign) -> Publicity:
    return Publicity.objects.get_or_create(campaign=campaign)[0]


def overrides(campaign) -> workdays.Overrides:
    try:
        return workdays.Overrides.from_json(record_of(campaign).overrides)
    except workdays.InvalidOverrides as exc:
        raise PublicityError(str(exc)) from exc


def convention_text(start_counts: bool) -> str:
    if start_counts:
        return "发布当日为工作日的，计为第 1 个工作日；发布日为休息日的，自其后第一个工作日起算"
    return "发布当日不计入，自次日起的第一个工作日起算"


_SPLIT = re.compile(r"[\s,，、;；]+")


def _day_list(text: str) -> list[str]:
    return [d for d in _SPLIT.split(text or "") if d]


@transaction.atomic
def set_year_overrides(campaign, year, holidays: str, workdays_text: str, complete: bool, actor=None) -> dict:
    """Enter or replace one year's days off and make-up working days (checked by outcomes.workdays)."""
    pub = record_of(campaign)
    text = str(year or "").strip()
    if not re.fullmatch(r"\d{4}", text):
        raise PublicityError(f"年份「{text}」不正确：应为四位数字年份，例如 2027")
    entry = {"holidays": _day_list(holidays), "workdays": _day_list(workdays_text), "complete": bool(complete)}
    candidate = {**pub.overrides, text: entry}
    try:
        workdays.Overrides.from_json(candidate)
    except workdays.InvalidOverrides as exc:
        raise PublicityError(str(exc)) from exc
    before = pub.overrides.get(text)
    pub.overrides = dict(sorted(candidate.items()))
    pub.save(update_fields=["overrides"])
    record("publicity.holidays_set", pub, campaign=campaign, actor=actor, before={text: before}, after={text: entry})
    return entry


@transaction.atomic
def delete_year_overrides(campaign, year, actor=None) -> None:
    pub = record_of(campaign)
    text = str(year or "").strip()
    if text not in pub.overrides:
        raise PublicityError(f"没有 {text} 年的节假日设置")
    before = pub.overrides.pop(text)
    pub.save(update_fields=["overrides"])
    record("publicity.holidays_deleted", pub, campaign=campaign, actor=actor, before={text: before})


def compute_period(campaign, start: date) -> tuple[date, date]:
    """(first counted working day, end day) of the campaign's publicity published on ``start``."""
    p = params(campaign)
    try:
        return workdays.publicity_period(start, p.working_days, overrides(campaign), p.start_counts)
    except workdays.UnknownYear as exc:
        raise PublicityError(str(exc)) from exc


# ------------------------------------------------------------------------------------------------ rankings


final_run = runtime.final_run


def earlier_stages(campaign) -> list:
    s = stage(campaign)
    if s is None:
        return []
    return list(campaign.stages.filter(position__lt=s.position).order_by("position"))


def _cut(run: StageRun) -> bool:
    return any(not e["advanced"] and not (e.get("detail") or {}).get("disqualified") for e in run.result["entries"])


def frozen_stage(campaign):
    """(stage, final run) whose ranking 顺位递补 reads: ``backfill_from``, else the last earlier stage that cut."""
    earlier = earlier_stages(campaign)
    named = params(campaign).backfill_from
    if named:
        chosen = next((s for s in earlier if s.key == named), None)
        if chosen is None:
            raise PublicityError(f"递补依据的阶段 {named!r} 不是公示之前的阶段")
        run = final_run(campaign, chosen.key)
        if run is None:
            raise PublicityError(f"递补依据的阶段「{chosen.name}」尚无结果")
        return chosen, run
    for s in reversed(earlier):
        run = final_run(campaign, s.key)
        if run is not None and _cut(run):
            return s, run
    return None, None


def _ranking(run: StageRun | None) -> list[Ranked]:
    if run is None:
        return []
    entries = run.result["entries"]
    tracks = dict(Application.objects.filter(pk__in=[e["application_id"] for e in entries])
                  .values_list("pk", "track__key"))
    return [Ranked(e["application_id"], e["rank"], Decimal(str(e["score"])) if e["score"] is not None else None,
                   tracks.get(e["application_id"], "")) for e in entries]


def stage_label(s) -> str:
    return s.name if s is not None else "排名"


def previous_stage(campaign):
    earlier = earlier_stages(campaign)
    return earlier[-1] if earlier else None


# ------------------------------------------------------------------------------------------------ the list


def current_ids(campaign) -> list[int]:
    """Application ids listed now: the list as opened, minus those who left, plus replacements (in chain order)."""
    pub = record_of(campaign)
    chain = list(Substitution.objects.filter(campaign=campaign).order_by("pk"))
    left = {s.left_id for s in chain}
    ids = [a for a in pub.listed if a not in left]
    ids += [s.came_in_id for s in chain if s.came_in_id is not None and s.came_in_id not in left]
    return ids


def listed_applications(campaign) -> list[Application]:
    ids = current_ids(campaign)
    apps = {a.pk: a for a in Application.objects.filter(campaign=campaign, pk__in=ids).select_related("track")}
    return [apps[i] for i in ids if i in apps]


def chain(campaign):
    return Substitution.objects.filter(campaign=campaign).select_related("left", "came_in", "objection", "actor")


def _ineligible(campaign, ranking: list[Ranked], listed: set[int]) -> set[int]:
    """Entries of the frozen ranking that may not move in: not 未晋级 now (disqualified, withdrawn, rejected …)."""
    states = dict(Application.objects.filter(campaign=campaign, pk__in=[r.application for r in ranking])
                  .values_list("pk", "state"))
    return {r.application for r in ranking if r.application not in listed and states.get(r.application) != State.ELIMINATED}


def _run_backfill(campaign, pub: Publicity, departures: list[Departure], *, cause: str, actor=None,
                  objection: Objection | None = None, current: list[int] | None = None) -> list[Substitution]:
    p = params(campaign)
    s = stage(campaign)
    frozen, run = frozen_stage(campaign)
    ranking = _ranking(run) if p.backfill else []
    current = current if current is not None else current_ids(campaign)
    result = backfill(ranking, current, departures, _ineligible(campaign, ranking, set(current)),
                      same_track=p.backfill_same_track, stage_label=stage_label(frozen))
    numbers = dict(Application.objects.filter(pk__in=[st.left for st in result.substitutions])
                   .values_list("pk", "title"))
    rows = []
    for step in result.substitutions:
        note = step.note if p.backfill else "本活动不设顺位递补，名单减少 1 个"
        if step.came_in is not None:
            app = Application.objects.get(pk=step.came_in)
            transition(app, State.IN_STAGE, stage=s.key, actor=actor,
                       reason=f"顺位递补：接替「{numbers.get(step.left, step.left)}」（{step.reason}），{note}")
        row = Substitution.objects.create(
            campaign=campaign, left_id=step.left, left_rank=step.left_rank, reason=step.reason, cause=cause,
            objection=objection, came_in_id=step.came_in, from_rank=step.from_rank,
            frozen_stage=frozen.key if frozen is not None else "", note=note[:200], actor=actor)
        record("publicity.backfill", row, campaign=campaign, actor=actor, reason=step.reason,
               after={"left": step.left, "came_in": step.came_in, "from_rank": step.from_rank,
                      "frozen_stage": row.frozen_stage, "cause": cause, "note": note})
        rows.append(row)
    return rows


@transaction.atomic
def open_publicity(campaign, start: date, actor=None, today: date | None = None) -> Publicity:
    """Publish the list on ``start`` (today or later: a publicity never starts before the day it is published):
    compute the end day, list the previous stage's advanced entries and replace (顺位递补) those the site
    inspection disqualified."""
    s = stage(campaign)
    if s is None:
        raise PublicityError("本活动没有结果公示阶段")
    runtime.require_open(campaign, s, PublicityError)
    day = today or local_today()
    if isinstance(start, date) and start < day:
        raise PublicityError(f"公示发布日期 {start:%Y年%m月%d日} 早于今天（{day:%Y年%m月%d日}）：公示期不能从发布之前开始计算，"
                             "请填写今天或以后的日期")
    pub = Publicity.objects.select_for_update().get(pk=record_of(campaign).pk)
    if pub.is_open:
        raise PublicityError("公示已发布，不能重复发布")
    if not isinstance(start, date):
        raise PublicityError("请填写公示发布日期")
    previous = previous_stage(campaign)
    run = final_run(campaign, previous.key) if previous is not None else None
    if run is None:
        raise PublicityError(f"上一阶段「{previous.name if previous else '—'}」尚未结束，不能发布公示")
    first, end = compute_period(campaign, start)
    p = params(campaign)
    entries = run.result["entries"]
    listed = [e["application_id"] for e in entries if e["advanced"]]
    found = Application.objects.filter(campaign=campaign, pk__in=[e["application_id"] for e in entries])
    states = {pk: (st, why) for pk, st, why in found.values_list("pk", "state", "state_reason")}
    out = [e for e in entries
           if not e["advanced"] and ((e.get("detail") or {}).get("disqualified")
                                     or states.get(e["application_id"], ("", ""))[0] == State.DISQUALIFIED)]
    pub.starts_on, pub.first_day, pub.ends_on = start, first, end
    pub.working_days, pub.start_counts = p.working_days, p.start_counts
    pub.source_stage = previous.key
    frozen, _ = frozen_stage(campaign)
    pub.frozen_stage = frozen.key if frozen is not None else ""
    pub.listed, pub.opened_at, pub.opened_by = listed, timezone.now(), actor
    pub.save()
    record("publicity.opened", pub, campaign=campaign, actor=actor,
           after={"starts_on": start, "first_day": first, "ends_on": end, "working_days": p.working_days,
                  "start_counts": p.start_counts, "listed": listed, "frozen_stage": pub.frozen_stage})
    if out:
        def why(e):
            text = e.get("reason") or states.get(e["application_id"], ("", ""))[1]
            return text if "实地考察" in text else (f"实地考察未通过：{text}" if text else "实地考察未通过")

        departures = [Departure(e["application_id"], why(e))
                      for e in sorted(out, key=lambda e: (e["rank"] is None, e["rank"] or 0))]
        _run_backfill(campaign, pub, departures, cause=Substitution.INSPECTION, actor=actor,
                      current=listed + [d.application for d in departures])
    return pub


def local_today() -> date:
    return timezone.localdate()


def in_period(pub: Publicity, day: date | None = None) -> bool:
    day = day or local_today()
    return pub.is_open and pub.closed_at is None and pub.starts_on <= day <= pub.ends_on


# ------------------------------------------------------------------------------------------------ objections


def _count(key: str, limit: int, ttl: int) -> bool:
    """Increment a cache counter; False once it exceeds ``limit`` within ``ttl`` seconds."""
    if cache.add(key, 1, ttl):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ttl)
        return True


def _contact(raw: str) -> str | None:
    text = (raw or "").strip()
    phone = normalise(text) if "@" not in text else None
    if phone:
        return phone
    try:
        validate_email(text)
        return text.lower()
    except ValidationError:
        return None


def _receipt(day: date) -> str:
    while True:
        code = f"YY-{day:%Y%m%d}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))
        if not Objection.objects.filter(receipt=code).exists():
            return code


def file_objection(campaign, *, application_id, name: str, contact: str, text: str, upload=None,
                   ip: str | None = None, day: date | None = None) -> Objection:
    """File an objection during the publicity period. Refuses with every problem listed (Chinese)."""
    pub = record_of(campaign)
    day = day or local_today()
    runtime.require_open(campaign, stage(campaign), _objection_closed)
    if ip and not _count(f"{RATE_PREFIX}:ip:{campaign.pk}:{ip}", ATTEMPTS_PER_IP_HOUR, 3600):
        raise ObjectionRefused(["提交过于频繁，请一小时后再试"])
    if not params(campaign).objections:
        raise ObjectionRefused(["本活动的公示不受理线上异议"])
    if not in_period(pub, day):
        raise ObjectionRefused(["当前不在公示期内，不受理异议"])
    problems = []
    try:
        target = int(application_id)
    except (TypeError, ValueError):
        target = None
    if target is None or target not in current_ids(campaign):
        problems.append("异议对象：请从公示名单中选择案例")
    name = (name or "").strip()
    if not name:
        problems.append("姓名：请填写")
    elif len(name) > 40:
        problems.append("姓名：不超过 40 个字")
    normalised = _contact(contact)
    if normalised is None:
        problems.append("联系方式：请填写有效的手机号或电子邮箱")
    text = (text or "").strip()
    if len(text) < TEXT_MIN:
        problems.append(f"异议内容：请具体说明事实和理由，不少于 {TEXT_MIN} 个字")
    elif len(text) > TEXT_MAX:
        problems.append(f"异议内容：不超过 {TEXT_MAX} 个字（当前 {len(text)} 个）")
    inspection = source = None
    if upload is not None:
        source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
        inspection = inspect_upload(upload.name, source, EVIDENCE_RULE)
        if not inspection.ok:
            problems.extend(inspection.problems)
    if problems:
        raise ObjectionRefused(problems)
    if not _count(f"{RATE_PREFIX}:contact:{campaign.pk}:{normalised}", FILINGS_PER_CONTACT_DAY, 86400):
        raise ObjectionRefused([f"同一联系方式每天至多提交 {FILINGS_PER_CONTACT_DAY} 件异议"])
    with transaction.atomic():
        objection = Objection(campaign=campaign, application_id=target, receipt=_receipt(day), name=name,
                              contact=normalised, text=text, ip=ip or None)
        if inspection is not None:
            from django.core.files import File
            from django.core.files.base import ContentFile

            objection.evidence_name, objection.evidence_type = inspection.safe_name, inspection.detected
            objection.evidence_size, objection.evidence_sha256 = inspection.size, inspection.sha256
            stored = f"evidence.{inspection.detected}"
            if isinstance(source, bytes):
                objection.evidence.save(stored, ContentFile(source), save=False)
            else:
                with open(source, "rb") as fh:
                    objection.evidence.save(stored, File(fh), save=False)
        objection.save()
        record("publicity.objection_filed", objection, campaign=campaign, actor=None,
               after={"receipt": objection.receipt, "application": target,
                      "evidence": objection.evidence_sha256 or None})
    return objection


@transaction.atomic
def handle_objection(objection: Objection, decision: str, reason: str, actor=None) -> list[Substitution]:
    """The review group's decision. Upheld: the entry is disqualified and replaced (顺位递补); dismissed: no
    change. The reason is required; both are audit-logged. Returns the new links of the chain."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    campaign = objection.campaign
    reason = (reason or "").strip()
    runtime.require_open(campaign, stage(campaign), PublicityError)
    if objection.status != Objection.PENDING:
        raise PublicityError(f"异议 {objection.receipt} 已处理（{objection.get_status_display()}）")
    if decision not in (Objection.UPHELD, Objection.DISMISSED):
        raise PublicityError("请选择“异议成立”或“异议不成立”")
    if not reason:
        raise PublicityError("处理意见必填：请写明核实情况和理由")
    pub = record_of(campaign)
    if pub.closed_at is not None:
        raise PublicityError("公示已结束，不能再处理异议")
    objection.status, objection.decision_reason = decision, reason
    objection.handled_by, objection.handled_at = actor, timezone.now()
    objection.save(update_fields=["status", "decision_reason", "handled_by", "handled_at"])
    record(f"publicity.objection_{decision}", objection, campaign=campaign, actor=actor, reason=reason,
           after={"receipt": objection.receipt, "application": objection.application_id, "status": decision})
    if decision == Objection.DISMISSED:
        return []
    app = objection.application
    current = current_ids(campaign)
    if app.pk not in current and app.state == State.DISQUALIFIED:
        return []  # already disqualified (another objection, the inspection): the decision is recorded, no change
    if app.pk not in current or app.state != State.IN_STAGE:
        raise PublicityError(f"「{app.title}」已不在公示名单中")
    why = f"公示期异议经核实成立（回执 {objection.receipt}）：{reason}"
    transition(app, State.DISQUALIFIED, stage=stage(campaign).key, actor=actor, reason=why)
    return _run_backfill(campaign, pub, [Departure(app.pk, why)], cause=Substitution.OBJECTION, actor=actor,
                         objection=objection, current=current)


# ------------------------------------------------------------------------------------------------ closing


@transaction.atomic
def close_publicity(campaign, actor=None, today: date | None = None) -> StageRun:
    """After the end day, with every objection handled: the publicity stage through the pipeline (audited)."""
    s = stage(campaign)
    if s is None:
        raise PublicityError("本活动没有结果公示阶段")
    pub = Publicity.objects.select_for_update().get(pk=record_of(campaign).pk)
    if not pub.is_open:
        raise PublicityError("公示尚未发布")
    if pub.closed_at is not None:
        raise PublicityError("公示已结束")
    day = today or local_today()
    if day <= pub.ends_on:
        after = pub.ends_on + timedelta(days=1)
        raise PublicityError(f"公示期至 {pub.ends_on:%Y年%m月%d日} 止（含当日），{after:%Y年%m月%d日} 起方可结束公示")
    pending = Objection.objects.filter(campaign=campaign, status=Objection.PENDING).count()
    if pending:
        raise PublicityError(f"尚有 {pending} 件异议未处理，请先处理")
    ids = current_ids(campaign)
    apps = {a.pk: a for a in Application.objects.filter(campaign=campaign, pk__in=ids).select_related("track")}
    wrong = [apps[i].title for i in ids if i in apps and apps[i].state != State.IN_STAGE]
    if wrong:
        raise PublicityError("以下案例的状态已不是“评审中”，请核实：" + "、".join(wrong))
    subs = [{"left": x.left_id, "came_in": x.came_in_id, "from_rank": x.from_rank, "reason": x.reason,
             "cause": x.cause, "frozen_stage": x.frozen_stage} for x in chain(campaign).order_by("pk")]
    data = {s.key: {"order": ids, "substitutions": subs,
                    "period": {"starts_on": pub.starts_on.isoformat(), "ends_on": pub.ends_on.isoformat(),
                               "working_days": pub.working_days, "start_counts": pub.start_counts},
                    "objections": {st: Objection.objects.filter(campaign=campaign, status=st).count()
                                   for st in (Objection.UPHELD, Objection.DISMISSED)}}}
    # removed during the publicity by an upheld objection: entrants that do not advance (the funnel adds up)
    removed = [x.left_id for x in chain(campaign).filter(cause=Substitution.OBJECTION).order_by("pk")
               if x.left_id not in ids]
    for a in Application.objects.filter(campaign=campaign, pk__in=removed).select_related("track"):
        apps[a.pk] = a
    people = runtime.entrants(apps[i] for i in ids + removed if i in apps)
    result = implementation("publicity")(s.key, s.params).run(people, StageContext(campaign.slug, data=data))
    run = apply_result(campaign, result, actor=actor)
    pub.closed_at, pub.stage_run = timezone.now(), run
    pub.save(update_fields=["closed_at", "stage_run"])
    record("publicity.closed", pub, campaign=campaign, actor=actor,
           after={"listed": ids, "stage_run": run.pk, "label": STAGE_KIND_LABELS["publicity"]})
    return run
