"""Users, campaign-scoped role assignments and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


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

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


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
