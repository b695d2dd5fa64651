"""The people of a campaign (活动管理 › 人员): invitations grouped by role, bulk invitations, resending.

Everything goes through `invitations` (one kind of invitation, one way to accept it); this module adds what the
page needs: parsing pasted lines, grouping, and a resend that replaces the old link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from jinxuan.audit.log import record

from . import invitations
from .models import Role, RoleAssignment, SeatInvitation
from .verification import normalise

# the order of the page's groups
PEOPLE_ROLES = (Role.EXPERT, Role.ROADSHOW_JUDGE, Role.INSPECTOR, Role.GUIDANCE, Role.FORMAL_REVIEWER)
EMAIL_RE = re.compile(r"[^\s,，;；<>（）()]+@[^\s,，;；<>（）()]+")
MAX_BULK = 200


@dataclass
class Bulk:
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, email)
    errors: list[str] = field(default_factory=list)


def parse_bulk(text: str) -> Bulk:
    """One person a line: a name and an address in either order, separated by spaces, commas or tabs
    ("张三 zhang@example.cn", "zhang@example.cn，张三", "张三 <zhang@example.cn>")."""
    out, seen = Bulk(), set()
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    if not lines:
        out.errors.append("请至少填写一行：姓名和电子邮箱")
    if len(lines) > MAX_BULK:
        out.errors.append(f"一次最多邀请 {MAX_BULK} 人，当前 {len(lines)} 行")
        return out
    for n, line in lines:
        found = EMAIL_RE.findall(line)
        if len(found) != 1:
            out.errors.append(f"第 {n} 行：{'缺少电子邮箱' if not found else '只能填写一个电子邮箱'}（{line}）")
            continue
        email = normalise(found[0])
        name = re.sub(r"[\s,，;；<>（）()\t]+", " ", line.replace(found[0], " ")).strip()
        if not name:
            out.errors.append(f"第 {n} 行：缺少姓名（{line}）")
            continue
        if len(name) > 60:
            out.errors.append(f"第 {n} 行：姓名过长（最多 60 字）")
            continue
        if "." not in email.split("@")[-1]:
            out.errors.append(f"第 {n} 行：电子邮箱“{email}”无效")
            continue
        if email in seen:
            out.errors.append(f"第 {n} 行：电子邮箱“{email}”重复")
            continue
        seen.add(email)
        out.people.append((name, email))
    return out


def _profile(role: str, name: str) -> dict:
    return {"name": name} if role == Role.EXPERT else {}


@transaction.atomic
def invite_many(campaign, role: str, text: str, *, actor=None, base_url: str = "") -> Bulk:
    """Invite everyone pasted, or (any line wrong) nobody: the errors come back and the text stays on the page."""
    if role not in PEOPLE_ROLES:
        return Bulk(errors=["请选择要邀请的职务"])
    bulk = parse_bulk(text)
    if bulk.errors:
        return bulk
    for name, email in bulk.people:
        invitations.invite(email, role, campaign, name=name, profile=_profile(role, name), actor=actor,
                           base_url=base_url)
    return bulk


def invite_one(campaign, role: str, name: str, email: str, *, actor=None, base_url: str = ""):
    if role not in PEOPLE_ROLES:
        raise invitations.InvitationError("请选择要邀请的职务")
    name = (name or "").strip()
    if not name:
        raise invitations.InvitationError("姓名：必填")
    return invitations.invite(email, role, campaign, name=name, profile=_profile(role, name), actor=actor,
                              base_url=base_url)


@transaction.atomic
def resend(invitation: SeatInvitation, *, actor=None, base_url: str = "") -> SeatInvitation:
    """A fresh link for a pending or expired invitation (the old link stops working); refused once accepted."""
    if invitation.state == SeatInvitation.ACCEPTED:
        raise invitations.InvitationError(f"{invitation.name or invitation.email} 已接受邀请，无需重新发送")
    fresh, _ = invitations.invite(invitation.email, invitation.role, invitation.campaign, name=invitation.name,
                                  profile=invitation.profile, actor=actor, base_url=base_url)
    record("accounts.seat_invitation_resent", fresh, campaign=invitation.campaign, actor=actor,
           before={"invitation": invitation.pk}, after={"email": fresh.email, "role": fresh.role})
    return fresh


@dataclass
class Group:
    role: str
    label: str
    rows: list[SeatInvitation]
    holders: int  # accounts holding the seat in this campaign (by invitation or earlier)


def grouped(campaign) -> list[Group]:
    """The campaign's invitations by role (newest first); each with its shown state."""
    sent = list(SeatInvitation.objects.filter(campaign=campaign).select_related("accepted_by", "invited_by"))
    held = {}
    for role in RoleAssignment.objects.filter(campaign=campaign, role__in=PEOPLE_ROLES).values_list("role",
                                                                                                   flat=True):
        held[role] = held.get(role, 0) + 1
    groups = []
    for role in PEOPLE_ROLES:
        rows = [i for i in sent if i.role == role]
        for i in rows:
            i.label = state_label(i)
        groups.append(Group(role, Role(role).label, rows, held.get(role, 0)))
    return groups


def state_label(invitation: SeatInvitation) -> str:
    """已邀请 / 已接受 / 已过期 / 已撤回."""
    label = invitations.state_label(invitation)
    return "已邀请" if label == "待接受" else label
