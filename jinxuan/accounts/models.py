"""Users, campaign-scoped role assignments and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报单位"
    ORGANISER = "organiser", "活动工作组"
    FORMAL_REVIEWER = "formal_reviewer", "形式审核"
    EXPERT = "expert", "评审专家"
    ROADSHOW_JUDGE = "roadshow_judge", "路演评委"
    INSPECTOR = "inspector", "实地考察"
    GUIDANCE = "guidance", "指导单位"
    VOTER = "voter", "公众投票"
    READER = "reader", "案例库读者"


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=60, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    # set when the owner of the mailbox opened a link sent to it; an unverified address grants nothing
    email_verified_at = models.DateTimeField("邮箱验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=models.Q(email_verified_at__isnull=False),
                                    name="unique_verified_email"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None and bool(self.email)


class RoleAssignment(models.Model):
    """A role held by a user, in one campaign or (campaign empty) in every campaign."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "campaign"], name="unique_role_per_campaign"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(campaign__isnull=True), name="unique_global_role"
            ),
        ]

    def __str__(self) -> str:
        scope = self.campaign.short_name if self.campaign_id else "全部活动"
        return f"{self.user} · {self.get_role_display()} · {scope}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Bearer token for the REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=80)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        raw = "jx_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], digest=hash_token(raw))
        return token, raw

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SeatInvitation(models.Model):
    """A seat (expert, judge, inspector, guidance, formal reviewer) offered to an e-mail address.

    Only the owner of the address can accept: the link sent there carries a signed, expiring token whose nonce
    is stored hashed and works once. Accepting grants the role (audit-logged); sharing the address grants nothing.
    """

    PENDING, ACCEPTED, REVOKED = "pending", "accepted", "revoked"
    STATES = [(PENDING, "待接受"), (ACCEPTED, "已接受"), (REVOKED, "已撤回")]

    email = models.EmailField("电子邮箱")
    name = models.CharField("姓名", max_length=60, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="seat_invitations")
    profile = models.JSONField("附加信息", default=dict, blank=True)  # e.g. the expert's profile and load
    nonce_digest = models.CharField(max_length=64, unique=True)
    state = models.CharField("状态", max_length=10, choices=STATES, default=PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="accepted_invitations")
    accepted_at = models.DateTimeField("接受时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "席位邀请"

    def __str__(self) -> str:
        return f"{self.get_role_display()} → {self.email}"
