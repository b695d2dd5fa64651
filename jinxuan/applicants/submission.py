"""Saving drafts, submitting by the deadline (idempotently), withdrawing."""

import datetime as dt
import hashlib
import hmac
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jinxuan.audit.log import record
from jinxuan.formalrules import formcheck

from .models import Application, ApplicationVersion
from .ownership import changed_keys, submit_problems
from .prefetch import prefetched
from .services import content_hash, content_of, snapshot_version, transition
from .signals import version_submitted
from .states import State, TransitionError

log = logging.getLogger(__name__)

EDITABLE = {State.DRAFT, State.SUBMITTED, State.NEEDS_CORRECTION}

# Installed by the stage lifecycle (pipeline app): campaign → a Chinese refusal when the stage that reads the
# applications is closed, else None. Applicants sit below the pipeline, so the pipeline installs the check.
CLOSED_CHECKS: list = []


def install_closed_check(check) -> None:
    if check not in CLOSED_CHECKS:
        CLOSED_CHECKS.append(check)


def closed_reason(campaign) -> str | None:
    return next((why for why in (c(campaign) for c in CLOSED_CHECKS) if why), None)


class SubmissionError(Exception):
    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.message, self.problems = message, problems or []


class SubmissionClosed(SubmissionError):
    """Refused because the stage that reads the applications is closed (HTTP 409 in the API)."""


def deadline(campaign) -> dt.datetime:
    return campaign.submission_closes + dt.timedelta(seconds=settings.SUBMISSION_GRACE_SECONDS)


def window_open(campaign, at: dt.datetime | None = None) -> bool:
    at = at or timezone.now()
    return campaign.submission_opens <= at <= deadline(campaign)


def correction_open(application: Application, at=None) -> bool:
    due = application.correction_due
    return application.state == State.NEEDS_CORRECTION and (due is None or (at or timezone.now()) <= due)


def can_edit(application: Application, at=None) -> bool:
    if closed_reason(application.campaign):
        return False
    if application.state == State.NEEDS_CORRECTION:
        return correction_open(application, at)  # a correction request reopens the application until its deadline
    return application.state in (State.DRAFT, State.SUBMITTED) and window_open(application.campaign, at)


def edit_refusal(application: Application, at=None) -> str:
    """Why the application cannot be changed now (Chinese), or "" when it can (see `can_edit`)."""
    if can_edit(application, at):
        return ""
    closed = closed_reason(application.campaign)
    if closed:
        return closed
    at = at or timezone.now()
    state = application.state
    if state == State.NEEDS_CORRECTION:
        due = timezone.localtime(application.correction_due).strftime("%Y年%m月%d日 %H:%M")
        return f"补正已于 {due}（北京时间）截止，不能再更改申报材料"
    if state in (State.DRAFT, State.SUBMITTED):
        if at < application.campaign.submission_opens:
            return "申报尚未开始，暂不能更改申报材料"
        close = timezone.localtime(deadline(application.campaign)).strftime("%Y年%m月%d日 %H:%M")
        return f"申报已于 {close}（北京时间）截止，不能再更改申报材料"
    return f"申报当前状态为“{State(state).label}”，已不能再更改申报材料"


def units_of(application: Application) -> list[dict]:
    units = (sorted(application.units.all(), key=lambda u: u.position) if prefetched(application, "units")
             else application.units.select_related("organisation").order_by("position"))
    return [
        {"credit_code": u.organisation.credit_code, "name": u.organisation.name, "is_lead": u.is_lead, "answers": u.answers}
        for u in units
    ]


def problems_of(application: Application, for_submit: bool = True) -> list[formcheck.Problem]:
    problems = formcheck.check(application.campaign.spec, application.answers, units_of(application), for_submit=for_submit)
    if for_submit:
        have = ({a.key for a in application.attachments.all()} if prefetched(application, "attachments")
                else set(application.attachments.values_list("key", flat=True)))
        for rule in application.campaign.spec.attachments:
            if rule.required and rule.key not in have:
                problems.append(formcheck.Problem(f"attachments.{rule.key}", rule.name, "必要附件，尚未上传"))

        problems += submit_problems(application)  # joint units that have not consented yet
    return problems


def save_draft(application: Application, answers: dict, unit_answers: dict[int, dict], actor=None,
               via: str = "页面") -> Application:
    """Store what was typed, as typed: limits are reported, never used to drop input. Who changed which fields,
    and when, is audit-logged (nothing is written when nothing changed)."""
    closed = closed_reason(application.campaign)
    if closed:
        raise SubmissionClosed(closed)
    if not can_edit(application):
        raise SubmissionError("申报已截止或当前状态不可修改")
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        before_answers, before_title = dict(app.answers), app.title
        app.answers = {**app.answers, **answers}
        title_field = next((f.key for f in app.campaign.spec.form.fields("application") if f.label in {"案例名称", "事件名称"}), None)
        if title_field and str(app.answers.get(title_field) or "").strip():
            app.title = str(app.answers[title_field]).strip()[:200]
        app.save(update_fields=["answers", "title", "updated_at"])
        changed = {"answers": changed_keys(before_answers, app.answers)}
        for unit in app.units.all():
            if unit.position in unit_answers:
                merged = {**unit.answers, **unit_answers[unit.position]}
                keys = changed_keys(unit.answers, merged)
                if keys:
                    changed[f"units[{unit.position}]"] = keys
                unit.answers = merged
                unit.save(update_fields=["answers"])
        changed = {k: v for k, v in changed.items() if v}
        if changed or before_title != app.title:
            title = {"title": app.title} if before_title != app.title else {}
            record("application.draft_edited", app, actor=actor, before={"title": before_title} if title else None,
                   after={"fields": changed, "via": via, **title})
    return app


def submit(application: Application, actor=None, idempotency_key: str = "", at: dt.datetime | None = None,
           base_url: str = "") -> ApplicationVersion:
    """Create one immutable version; repeated or concurrent submits of the same content return it.
    Once committed, `version_submitted` is sent (print-outs and text analysis are prepared in the background);
    `base_url`: the site's address as the submitter reached it, for the verify link printed in the PDF."""
    at = at or timezone.now()
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("campaign").get(pk=application.pk)
        if idempotency_key:
            earlier = app.versions.filter(idempotency_key=idempotency_key).first()
            if earlier:
                return earlier
        latest = app.versions.order_by("-number").first()
        closed = closed_reason(app.campaign)
        if closed:
            raise SubmissionClosed(closed)
        if app.state not in EDITABLE:
            raise SubmissionError(f"当前状态“{State(app.state).label}”不能提交")
        if app.state == State.NEEDS_CORRECTION and not correction_open(app, at):
            due = timezone.localtime(app.correction_due).strftime("%Y年%m月%d日 %H:%M")
            raise SubmissionError(f"补正已于 {due}（北京时间）截止，不能再提交")
        if app.state != State.NEEDS_CORRECTION and not window_open(app.campaign, at):
            close = timezone.localtime(deadline(app.campaign)).strftime("%Y年%m月%d日 %H:%M:%S")
            raise SubmissionError(f"申报已于 {close}（北京时间）截止，不能再提交")
        content = content_of(app)
        if app.state == State.SUBMITTED and latest and latest.content_hash == content_hash(content):
            return latest  # nothing changed since the last submit
        problems = problems_of(app)
        if problems:
            raise SubmissionError(f"还有 {len(problems)} 处需要完善，暂不能提交", problems)
        version = snapshot_version(app, actor=actor)
        if idempotency_key:
            ApplicationVersion.objects.filter(pk=version.pk).update(idempotency_key=idempotency_key)
            version.idempotency_key = idempotency_key
        if app.state != State.SUBMITTED:
            transition(app, State.SUBMITTED, actor=actor)
        else:
            record("application.再次提交", app, actor=actor, after={"version": version.number, "hash": version.content_hash})
        transaction.on_commit(partial(_announce, version.pk, base_url))
    return version


def _announce(version_id: int, base_url: str) -> None:
    for receiver, result in version_submitted.send_robust(sender=ApplicationVersion, version_id=version_id,
                                                          base_url=base_url):
        if isinstance(result, Exception):
            log.error("after submit of version %s: %s failed: %r", version_id, receiver, result)


def withdraw(application: Application, reason: str, actor=None) -> Application:
    application.refresh_from_db(fields=["state"])
    if application.state == State.DRAFT:
        return transition(application, State.WITHDRAWN, reason=reason or "申报单位撤回草稿", actor=actor)
    try:
        return transition(application, State.WITHDRAWN, reason=reason, actor=actor)
    except TransitionError as exc:
        raise SubmissionError(str(exc)) from exc


def verify_token(version: ApplicationVersion) -> str:
    message = f"{version.application_id}:{version.number}:{version.content_hash}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]
