"""Application state changes and submission versions; each change is audit-logged."""

import contextvars
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from jinxuan.audit.log import record
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from .models import Application, ApplicationVersion, Consent, Membership
from .states import State, TransitionError, move_for


def transition(application: Application, target: str, *, reason: str = "", actor=None, stage: str = "",
               notify_members: bool = True) -> Application:
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        move = move_for(app.state, target)
        if move.needs_reason and not reason.strip():
            raise TransitionError(f"“{move.label}”必须填写原因")
        before = {"state": app.state, "stage": app.current_stage}
        app.state = target
        app.state_reason = reason
        if stage:
            app.current_stage = stage
        if target == State.SUBMITTED:
            app.submitted_at = timezone.now()
        app.save(update_fields=["state", "state_reason", "current_stage", "submitted_at", "updated_at"])
        record(f"application.{move.label}", app, actor=actor, before=before,
               after={"state": app.state, "stage": app.current_stage}, reason=reason)
        if notify_members and target != State.SUBMITTED:  # submission has its own notice with the version
            context = contextvars.copy_context()  # the notice is sent as it would be now (e.g. mail held)
            transaction.on_commit(lambda: context.run(_notify_state, app, reason))
    application.refresh_from_db()
    return application


def content_of(application: Application) -> dict:
    units = [
        {"credit_code": u.organisation.credit_code, "is_lead": u.is_lead, "answers": u.answers}
        for u in application.units.select_related("organisation").order_by("position")
    ]
    files = [
        {"key": a.key, "name": a.name, "sha256": a.sha256, "size": a.size}
        for a in application.attachments.order_by("key", "sha256")
    ]
    return {"title": application.title, "track": application.track.key, "answers": application.answers,
            "units": units, "attachments": files}


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def snapshot_version(application: Application, actor=None) -> ApplicationVersion:
    content = content_of(application)
    number = (application.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ApplicationVersion.objects.create(
        application=application, number=number, content=content, content_hash=content_hash(content),
        submitted_at=timezone.now(), submitted_by=actor,
    )


def member_emails(application: Application) -> list[str]:
    """Verified addresses of the people who may open the application (jinxuan.applicants.ownership.may_access):
    members of its verified, consenting units, and the creator of an own draft."""
    emails = set(Membership.objects.filter(
        organisation__application_units__application=application,
        organisation__application_units__consent=Consent.ACCEPTED, organisation__verified_at__isnull=False,
        user__email_verified_at__isnull=False).values_list("user__email", flat=True))
    creator = application.created_by
    if creator is not None and creator.email_verified and application.units.filter(
            is_lead=True, organisation__memberships__user=creator).exists():
        emails.add(creator.email)
    return sorted(emails)


def _notify_state(app: Application, reason: str) -> None:
    notify(Event.STATE_CHANGED, member_emails(app),
           {"campaign": app.campaign.short_name, "title": app.title, "number": app.number,
            "state": State(app.state).label, "reason": reason}, campaign=app.campaign)
