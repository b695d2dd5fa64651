"""Seats granted by invitation: expert, roadshow judge, inspector, guidance unit and formal reviewer.

An invitation names an address, a role and (usually) a campaign. The link sent to that address carries a signed,
expiring token (Django's signing) with a random nonce stored only as its SHA-256; it works once. Whoever opens it
owns the mailbox: a new person sets a password there (the new account's address is then verified); someone with
an account logs in and confirms, and the account must name that address (it is verified by the same act). An
account that merely shares the address never gains anything by it. Every grant is audit-logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jinxuan.audit.log import record
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from .models import Role, RoleAssignment, SeatInvitation, User
from .verification import VerificationError, mark_verified, normalise, verified_owner

SALT = "jinxuan.accounts.seat-invitation"
VALID_FOR = dt.timedelta(days=14)
INVITABLE = (Role.EXPERT, Role.ROADSHOW_JUDGE, Role.INSPECTOR, Role.GUIDANCE, Role.FORMAL_REVIEWER)


class InvitationError(ValueError):
    """The invitation cannot be used; the message is shown to the user."""


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _token(invitation: SeatInvitation, nonce: str) -> str:
    return signing.dumps({"i": invitation.pk, "n": nonce}, salt=SALT, compress=True)


def link_for(invitation: SeatInvitation, nonce: str, base_url: str) -> str:
    return base_url + reverse("accounts:invitation", args=[_token(invitation, nonce)])


@transaction.atomic
def invite(email: str, role: str, campaign=None, *, name: str = "", profile: dict | None = None, actor=None,
           base_url: str = "", send: bool = True) -> tuple[SeatInvitation, str]:
    """Create an invitation and mail its link; returns it with the link (shown to nobody else)."""
    email = normalise(email)
    if "@" not in email or len(email) > 254:
        raise InvitationError(f"“{name or email}”的电子邮箱无效")
    if role not in INVITABLE:
        raise InvitationError("该角色不能通过邀请授予")
    nonce = secrets.token_urlsafe(24)
    # a new invitation for the same seat replaces the pending one (its link stops working)
    SeatInvitation.objects.filter(email=email, role=role, campaign=campaign,
                                  state=SeatInvitation.PENDING).update(state=SeatInvitation.REVOKED)
    invitation = SeatInvitation.objects.create(
        email=email, name=name.strip()[:60], role=role, campaign=campaign, profile=profile or {},
        nonce_digest=_digest(nonce), invited_by=actor, expires_at=timezone.now() + VALID_FOR)
    record("accounts.seat_invited", invitation, campaign=campaign, actor=actor,
           after={"email": email, "role": role})
    link = link_for(invitation, nonce, base_url)
    if send:
        _mail(invitation, link)
    return invitation, link


def _mail(invitation: SeatInvitation, link: str) -> None:
    campaign = invitation.campaign
    notify(Event.SEAT_INVITED, [invitation.email], {
        "campaign": campaign.short_name if campaign else "金选平台", "name": invitation.name or "",
        "role": invitation.get_role_display(), "link": link,
        "until": timezone.localtime(invitation.expires_at).strftime("%Y年%m月%d日 %H:%M"),
    }, campaign=campaign)


def open_token(token: str) -> SeatInvitation:
    """The pending invitation a token names; refused if forged, expired, used or withdrawn."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.SignatureExpired as exc:
        raise InvitationError("邀请链接已过期，请联系活动工作组重新邀请。") from exc
    except signing.BadSignature as exc:
        raise InvitationError("邀请链接无效。") from exc
    invitation = SeatInvitation.objects.select_related("campaign").filter(pk=data.get("i")).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce_digest, _digest(str(data.get("n")))):
        raise InvitationError("邀请链接无效。")
    if invitation.state == SeatInvitation.ACCEPTED:
        raise InvitationError("该邀请已被接受，链接不能再次使用。")
    if invitation.state == SeatInvitation.REVOKED:
        raise InvitationError("该邀请已撤回或已被新的邀请取代。")
    if invitation.expires_at < timezone.now():
        raise InvitationError("邀请链接已过期，请联系活动工作组重新邀请。")
    return invitation


def existing_owner(invitation: SeatInvitation) -> User | None:
    """The verified account of the invited address: only it may accept (a new account could not be verified)."""
    return verified_owner(invitation.email)


def may_accept_as(invitation: SeatInvitation, user: User) -> str:
    """Why this signed-in account may not accept (empty: it may)."""
    if normalise(user.email) != invitation.email:
        return "此邀请发给另一个电子邮箱。请退出后使用该邮箱的账户登录，或以新用户身份设置密码。"
    owner = existing_owner(invitation)
    if owner is not None and owner.pk != user.pk:
        return "该电子邮箱已由另一个已验证的账户使用，请使用该账户登录后接受。"
    return ""


@transaction.atomic
def accept_existing(token: str, user: User) -> SeatInvitation:
    """A signed-in account confirms: it must name the invited address, which the link proves it owns."""
    invitation = _lock(open_token(token))
    problem = may_accept_as(invitation, user)
    if problem:
        raise InvitationError(problem)
    try:
        mark_verified(user, how="seat_invitation", actor=user)
    except VerificationError as exc:
        raise InvitationError(str(exc)) from exc
    return _grant(invitation, user)


@transaction.atomic
def accept_new(token: str, *, username: str, password: str, display_name: str = "") -> tuple[SeatInvitation, User]:
    """A new person sets a password through the invitation: a new account with the invited address, verified."""
    invitation = _lock(open_token(token))
    if existing_owner(invitation) is not None:
        raise InvitationError("该电子邮箱已有已验证的账户，请登录后接受邀请。")
    if User.objects.filter(username__iexact=username).exists():
        raise InvitationError("该用户名已被使用")
    user = User.objects.create_user(username=username, email=invitation.email, password=password,
                                    display_name=(display_name or invitation.name)[:60])
    record("accounts.signed_up", user, actor=user, after={"via": "seat_invitation"})
    mark_verified(user, how="seat_invitation", actor=user)
    return _grant(invitation, user), user


def _lock(invitation: SeatInvitation) -> SeatInvitation:
    locked = SeatInvitation.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=invitation.pk)
    if locked.state != SeatInvitation.PENDING:
        raise InvitationError("该邀请已被接受，链接不能再次使用。")
    return locked


# role -> what the app that owns the seat does once it is accepted (e.g. the expert review seats the expert in
# the campaign's pool); installed by that app, since accounts sit below the stage apps.
SEAT_HANDLERS: dict = {}


def install_seat_handler(role: str, handler) -> None:
    SEAT_HANDLERS[role] = handler


def _grant(invitation: SeatInvitation, user: User) -> SeatInvitation:
    RoleAssignment.objects.get_or_create(user=user, role=invitation.role, campaign=invitation.campaign)
    invitation.state, invitation.accepted_by, invitation.accepted_at = (SeatInvitation.ACCEPTED, user,
                                                                        timezone.now())
    invitation.save(update_fields=["state", "accepted_by", "accepted_at"])
    record("accounts.seat_granted", invitation, campaign=invitation.campaign, actor=user,
           after={"user": user.username, "role": invitation.role, "email": invitation.email})
    user._role_cache = None
    handler = SEAT_HANDLERS.get(invitation.role)
    if handler is not None and invitation.campaign is not None:
        handler(invitation.campaign, user, actor=user, **invitation.profile)
    return invitation


def revoke(invitation: SeatInvitation, actor=None) -> SeatInvitation:
    if invitation.state == SeatInvitation.PENDING:
        invitation.state = SeatInvitation.REVOKED
        invitation.save(update_fields=["state"])
        record("accounts.seat_invitation_revoked", invitation, campaign=invitation.campaign, actor=actor,
               after={"email": invitation.email, "role": invitation.role})
    return invitation


def state_label(invitation: SeatInvitation) -> str:
    if invitation.state == SeatInvitation.PENDING and invitation.expires_at < timezone.now():
        return "已过期"
    return invitation.get_state_display()


def suggest_username(email: str) -> str:
    import re

    base = re.sub(r"[^A-Za-z0-9_.-]", "", normalise(email).split("@")[0])[:24] or "user"
    if len(base) < 3:
        base = f"{base}_jx"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate
