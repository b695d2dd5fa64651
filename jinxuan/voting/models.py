"""Verified voters, one-time codes, votes (one row each) and the vote window."""

from django.conf import settings
from django.db import models


class Voter(models.Model):
    phone = models.CharField("手机号", max_length=11, unique=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # after too many wrong codes
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class SmsCode(models.Model):
    phone = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class SmsMessage(models.Model):
    """What the database SMS backend 'sent' (the default; a real provider is configuration)."""

    phone = models.CharField(max_length=11, db_index=True)
    body = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}: {self.body[:20]}"


class Vote(models.Model):
    # Every index costs each vote's INSERT: campaign and voter are searched through the composite indexes and the
    # unique constraint they lead (the organiser's list, newest first, through campaign + created_at),
    # invalidated_by and the votes the fraud signals flagged through partial indexes (rarely set).
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="votes", db_index=False)
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="votes", db_index=False)
    day = models.DateField("投票日（北京时间）")
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=40, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    valid = models.BooleanField(default=True)
    invalid_reason = models.TextField(blank=True)
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", db_index=False)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    signals = models.JSONField(default=list, blank=True)  # [{"code", "message", "related"}]

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["voter", "application", "day"], name="one_vote_per_day")]
        indexes = [models.Index(fields=["campaign", "application", "valid"]),
                   models.Index(fields=["campaign", "created_at"], name="vote_campaign_time"),
                   models.Index(fields=["invalidated_by"], condition=models.Q(invalidated_by__isnull=False),
                                name="vote_invalidated_by"),
                   models.Index(fields=["campaign", "created_at"], condition=~models.Q(signals=[]),
                                name="vote_flagged")]

    def __str__(self) -> str:
        return f"{self.application_id} ← {self.voter_id} {self.day}"


class VoteWindow(models.Model):
    """When the vote is open (initialised from the preset's stage dates; the organiser may change it)."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="vote_window")
    opens_at = models.DateTimeField("开始时间", null=True, blank=True)
    closes_at = models.DateTimeField("结束时间", null=True, blank=True)
    display_delay_minutes = models.PositiveIntegerField("公开票数延迟（分钟）", null=True, blank=True)  # None: preset

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.opens_at} – {self.closes_at}"
