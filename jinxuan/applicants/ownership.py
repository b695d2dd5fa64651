"""Whose organisation it is, and who may see an application because of it.

A credit code belongs to nobody until an organiser verifies a claim (the 营业执照 against the registered name and
code). Until then the claim grants nothing beyond the claimant's own drafts. Naming a verified organisation as a
joint unit sends a consent request to its administrators: until they accept, its members get no access and the
application cannot be submitted; declining removes the unit. A code nobody has verified can be named, but the
name typed binds nothing: the later verified owner takes the unit over (and is asked to consent). Disputes are
decided by the organiser. Every decision is audit-logged.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jinxuan.audit.log import record
from jinxuan.formalrules import formcheck
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from .models import Application, ApplicationUnit, Consent, Membership, Organisation, OrganisationClaim
from .prefetch import prefetched
from .uploads import safe_filename

LICENCE_MAX_BYTES = 10 * 1024 * 1024
LICENCE_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


class OwnershipError(ValueError):
    """A refused ownership operation; the message is shown to the user."""


# ------------------------------------------------------------------------------------------------ access


def may_access(user, application: Application | None) -> bool:
    """A member of a verified organisation that is a consenting unit, or the creator of a draft of their own
    (member of its lead unit, verified or not)."""
    if application is None or not getattr(user, "is_authenticated", False):
        return False
    mine = application.units.filter(organisation__memberships__user=user)
    if mine.filter(consent=Consent.ACCEPTED, organisation__verified_at__isnull=False).exists():
        return True
    return application.created_by_id == user.pk and mine.filter(is_lead=True).exists()


def visible_applications(user):
    """The applications `may_access` lets the user open, as one query."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    through_units = Q(units__organisation__memberships__user=user, units__consent=Consent.ACCEPTED,
                      units__organisation__verified_at__isnull=False)
    own_drafts = Q(created_by=user, units__is_lead=True, units__organisation__memberships__user=user)
    return Application.objects.filter(through_units | own_drafts).distinct()


def verified_admin_of(user, organisation: Organisation | None) -> bool:
    return (organisation is not None and organisation.is_verified
            and organisation.memberships.filter(user=user, is_admin=True).exists())


def admin_emails(organisation: Organisation) -> list[str]:
    return list(organisation.memberships.filter(is_admin=True, user__email_verified_at__isnull=False)
                .values_list("user__email", flat=True))


# ------------------------------------------------------------------------------------------------ claims


def check_licence(upload) -> str:
    """The licence's type (pdf, jpeg, png) from its content; refused otherwise."""
    if upload is None:
        raise OwnershipError("请选择营业执照文件")
    if upload.size > LICENCE_MAX_BYTES:
        raise OwnershipError("营业执照文件不能超过 10 MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = next((k for magic, k in LICENCE_TYPES.items() if head.startswith(magic)), None)
    if kind is None:
        raise OwnershipError("营业执照须为 PDF、JPG 或 PNG 文件")
    if kind != "pdf":
        from PIL import Image

        try:
            with Image.open(upload) as image:
                image.verify()
        except Exception as exc:  # Pillow raises many kinds for a broken image
            raise OwnershipError("营业执照图片无法打开，请重新扫描或拍照后上传") from exc
        finally:
            upload.seek(0)
    return kind


def attach_licence(claim: OrganisationClaim, upload, actor=None) -> OrganisationClaim:
    if claim.state != OrganisationClaim.PENDING:
        raise OwnershipError("该认证申请已处理，不能再更换营业执照")

    kind = check_licence(upload)
    name = safe_filename(getattr(upload, "name", "") or f"licence.{kind}")
    if claim.licence:
        claim.licence.delete(save=False)
    claim.licence.save(name, upload, save=False)
    claim.licence_name, claim.licence_type = name, kind
    claim.save(update_fields=["licence", "licence_name", "licence_type"])
    record("organisation.licence_uploaded", claim.organisation, actor=actor or claim.claimant,
           after={"claim": claim.pk, "file": name})
    return claim


@transaction.atomic
def register(user, *, name: str, credit_code: str, details: dict | None = None, licence=None,
             dispute: bool = False) -> OrganisationClaim:
    """Register (claim) a credit code: a new organisation, or a claim on one nobody has verified; a claim on a
    verified one is a dispute for the organiser. The claimant becomes the organisation's administrator, which
    grants nothing but their own drafts until an organiser verifies the claim."""
    code = credit_code.strip().upper()
    problem = formcheck.credit_code_problem(code)
    if problem:
        raise OwnershipError(problem)
    details = dict(details or {})
    org = Organisation.objects.select_for_update().filter(credit_code=code).first()
    if org is None:
        fields = {k: details[k] for k in ("unit_type", "registered_region", "office_region", "founded",
                                          "profile") if details.get(k) not in (None, "")}
        org = Organisation.objects.create(name=name, credit_code=code, **fields)
    elif org.is_verified and not dispute:
        raise OwnershipError("该统一社会信用代码已完成单位认证。请联系该单位管理员邀请您加入；"
                             "如对认证有异议，请勾选“对已认证单位提出异议”并上传营业执照。")
    if org.claims.filter(claimant=user, state=OrganisationClaim.PENDING).exists():
        raise OwnershipError("您已提交该单位的认证申请，请等待活动工作组核验")
    if dispute and org.is_verified and licence is None:
        raise OwnershipError("提出异议须上传营业执照")
    claim = OrganisationClaim.objects.create(
        organisation=org, claimant=user, claimed_name=name.strip()[:200], details=_jsonable(details),
        dispute=dispute and org.is_verified)
    if not org.is_verified:
        Membership.objects.update_or_create(user=user, organisation=org, defaults={"is_admin": True})
    record("organisation.claimed", org, actor=user,
           after={"name": claim.claimed_name, "credit_code": code, "claim": claim.pk, "dispute": claim.dispute})
    if licence is not None:
        attach_licence(claim, licence, actor=user)
    return claim


def _jsonable(details: dict) -> dict:
    out = {}
    for key, value in details.items():
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


@transaction.atomic
def verify_claim(claim: OrganisationClaim, actor, reason: str = "", base_url: str = "") -> Organisation:
    """The organiser checked the licence: the claimant owns the code. Competing claims are rejected and every
    other membership ends (the owner invites their colleagues again); units naming the code are handed to the
    owner for consent."""
    claim = OrganisationClaim.objects.select_for_update().select_related("organisation").get(pk=claim.pk)
    if claim.state != OrganisationClaim.PENDING:
        raise OwnershipError("该认证申请已处理")
    if not claim.licence:
        raise OwnershipError("申请人尚未上传营业执照，不能认证")
    org = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
    before = {"name": org.name, "verified": org.is_verified,
              "members": sorted(org.memberships.values_list("user__username", flat=True))}
    now = timezone.now()
    details = claim.details or {}
    org.name = claim.claimed_name
    for key in ("unit_type", "registered_region", "office_region"):
        if details.get(key):
            setattr(org, key, details[key])
    if details.get("founded"):
        import datetime as dt

        org.founded = dt.date.fromisoformat(str(details["founded"])[:10])
    if isinstance(details.get("profile"), dict):
        org.profile = details["profile"]
    org.verified_at, org.verified_by = now, actor
    org.save()
    claim.state, claim.decided_at, claim.decided_by, claim.reason = OrganisationClaim.VERIFIED, now, actor, reason
    claim.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    others = list(org.claims.filter(state=OrganisationClaim.PENDING).exclude(pk=claim.pk))
    for other in others:
        other.state, other.decided_at, other.decided_by = OrganisationClaim.REJECTED, now, actor
        other.reason = "同一统一社会信用代码已认证给其他申请人"
        other.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    removed = list(org.memberships.exclude(user=claim.claimant).values_list("user__username", flat=True))
    if before["verified"] or others:  # a dispute or competing claims: only the verified owner stays
        org.memberships.exclude(user=claim.claimant).delete()
    else:
        removed = []
    Membership.objects.update_or_create(user=claim.claimant, organisation=org, defaults={"is_admin": True})
    record("organisation.verified", org, actor=actor, before=before, reason=reason,
           after={"name": org.name, "claim": claim.pk, "owner": claim.claimant.username,
                  "rejected_claims": [o.pk for o in others], "removed_members": removed})
    taken = take_over_units(org, base_url=base_url)
    transaction.on_commit(lambda: _tell_claimant(claim, "已通过核验，单位认证完成", reason))
    for other in others:
        transaction.on_commit(lambda other=other: _tell_claimant(other, "未通过", other.reason))
    if taken:
        record("organisation.units_taken_over", org, actor=actor, after={"units": taken})
    return org


@transaction.atomic
def reject_claim(claim: OrganisationClaim, actor, reason: str) -> OrganisationClaim:
    if not reason.strip():
        raise OwnershipError("不予认证须填写原因")
    claim = OrganisationClaim.objects.select_for_update().select_related("organisation").get(pk=claim.pk)
    if claim.state != OrganisationClaim.PENDING:
        raise OwnershipError("该认证申请已处理")
    claim.state, claim.decided_at, claim.decided_by, claim.reason = (OrganisationClaim.REJECTED, timezone.now(),
                                                                     actor, reason.strip())
    claim.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    org = claim.organisation
    if not org.is_verified:  # an unproven claimant keeps no seat in a code that is not theirs
        org.memberships.filter(user=claim.claimant).delete()
    record("organisation.claim_rejected", org, actor=actor, reason=reason,
           after={"claim": claim.pk, "claimant": claim.claimant.username})
    transaction.on_commit(lambda: _tell_claimant(claim, "未通过", reason))
    return claim


def _tell_claimant(claim: OrganisationClaim, outcome: str, reason: str) -> None:
    if claim.claimant.email_verified:
        notify(Event.CLAIM_DECIDED, [claim.claimant.email], {
            "organisation": claim.claimed_name, "code": claim.organisation.credit_code, "outcome": outcome,
            "reason": reason})


# ------------------------------------------------------------------------------------------------ joint units


@transaction.atomic
def name_joint_unit(application: Application, *, credit_code: str, typed_name: str, actor,
                    base_url: str = "") -> ApplicationUnit:
    """Add a joint unit by code. A verified organisation is asked to consent; an unverified code is recorded with
    the typed name, binding nothing, until an owner is verified."""
    code = credit_code.strip().upper()
    org = Organisation.objects.filter(credit_code=code).first()
    if org is None:
        # an owner-less placeholder: the typed name is only a label until someone proves the code is theirs
        org = Organisation.objects.create(credit_code=code, name=typed_name.strip()[:200])
    if application.units.filter(organisation=org).exists():
        raise OwnershipError("该单位已在本申报中")
    position = (application.units.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    consent = Consent.PENDING if org.is_verified else Consent.UNCLAIMED
    if verified_admin_of(actor, org):
        consent = Consent.ACCEPTED  # the one naming it is one of its verified administrators
    unit = ApplicationUnit.objects.create(
        application=application, organisation=org, position=position, consent=consent,
        typed_name=typed_name.strip()[:200], requested_by=actor,
        answers=_unit_defaults(application.campaign, org, typed_name))
    record("application.unit_added", application, actor=actor,
           after={"credit_code": code, "typed_name": unit.typed_name, "consent": consent})
    if consent == Consent.PENDING:
        transaction.on_commit(lambda: request_consent(unit, base_url))
    return unit


def _unit_defaults(campaign, org: Organisation, typed_name: str) -> dict:
    values = {}
    for field in campaign.spec.form.fields("unit"):
        if field.type == "uscc":
            values[field.key] = org.credit_code
        elif field.label == "单位名称":
            values[field.key] = org.name if org.is_verified else typed_name
    return values


def request_consent(unit: ApplicationUnit, base_url: str = "") -> None:
    app = unit.application
    lead = app.lead
    notify(Event.JOINT_UNIT_REQUEST, admin_emails(unit.organisation), {
        "campaign": app.campaign.short_name, "title": app.title, "lead": lead.name if lead else "",
        "organisation": unit.organisation.name,
        "link": base_url + reverse("apply:organisation", args=[unit.organisation_id]),
    }, campaign=app.campaign)


def take_over_units(org: Organisation, base_url: str = "") -> list[int]:
    """A newly verified owner takes over the units that named its code: each becomes a consent request."""
    units = list(ApplicationUnit.objects.filter(organisation=org, consent=Consent.UNCLAIMED, is_lead=False)
                 .select_related("application__campaign"))
    for unit in units:
        unit.consent = Consent.PENDING
        unit.save(update_fields=["consent"])
        transaction.on_commit(lambda unit=unit: request_consent(unit, base_url))
    return [u.pk for u in units]


def pending_requests(user):
    """Consent requests the user may answer: pending units of verified organisations they administer."""
    return (ApplicationUnit.objects.filter(consent=Consent.PENDING, organisation__verified_at__isnull=False,
                                           organisation__memberships__user=user,
                                           organisation__memberships__is_admin=True)
            .select_related("application__campaign", "organisation").distinct())


@transaction.atomic
def answer_request(unit: ApplicationUnit, user, accept: bool) -> ApplicationUnit | None:
    unit = ApplicationUnit.objects.select_for_update().select_related("organisation", "application").get(pk=unit.pk)
    if unit.consent != Consent.PENDING:
        raise OwnershipError("该联合申报请求已处理")
    if not verified_admin_of(user, unit.organisation):
        raise OwnershipError("只有已认证单位的管理员可以确认联合申报")
    app = unit.application
    if accept:
        unit.consent, unit.decided_by, unit.decided_at = Consent.ACCEPTED, user, timezone.now()
        unit.save(update_fields=["consent", "decided_by", "decided_at"])
        record("application.unit_consented", app, actor=user, after={"credit_code": unit.organisation.credit_code})
        return unit
    record("application.unit_declined", app, actor=user, before={"credit_code": unit.organisation.credit_code,
                                                               "typed_name": unit.typed_name})
    unit.delete()
    return None


def submit_problems(application: Application) -> list[formcheck.Problem]:
    """What ownership still blocks: joint units whose administrators have not yet consented."""
    if prefetched(application, "units"):  # a list loaded them: no query here
        pending = [u for u in application.units.all() if u.consent == Consent.PENDING]
    else:
        pending = application.units.filter(consent=Consent.PENDING).select_related("organisation")
    return [formcheck.Problem(f"units.{u.position}", "联合申报单位",
                              f"{u.organisation.name}尚未确认参与联合申报，确认前不能提交")
            for u in pending]


# ------------------------------------------------------------------------------------------------ draft edits


def changed_keys(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
