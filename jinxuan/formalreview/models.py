"""Stored screening results, formal-review decisions and batch re-checks."""

from django.conf import settings
from django.db import models


class ScreeningResult(models.Model):
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="screenings")
    version_number = models.PositiveIntegerField(null=True, blank=True)
    findings = models.JSONField(default=list)
    blocking = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    rules = models.JSONField(default=list)  # the rule codes that produced findings, for filtering
    preset_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-created_at"]
        indexes = [models.Index(fields=["application", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.blocking} 项阻断 / {self.warnings} 项提示"


class Decision(models.TextChoices):
    PASS = "pass", "通过"
    CORRECTION = "correction", "退回补正"
    REJECT = "reject", "不通过"


class FormalDecision(models.Model):
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="formal_decisions")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    overridden = models.JSONField(default=list)  # blocking findings the reviewer overrode
    version_number = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "-decided_at"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_decision_display()}"


class RecheckBatch(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="recheck_batches")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, default="queued")  # queued | running | finished | failed
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class VersionAnalysis(models.Model):
    """The text analysis of one submitted version, computed once (jinxuan.formalreview.insights).

    `text` (figures, suggested tags, tag mismatches, length) depends on the version and the preset (`preset_hash`);
    `duplicates` on the other applications too, so it carries the corpus state it was computed against
    (`corpus_state`) and is recomputed alone when that changes; `policies` likewise with `policy_state`."""

    version = models.OneToOneField("applicants.ApplicationVersion", on_delete=models.CASCADE, related_name="analysis")
    preset_hash = models.CharField(max_length=64)
    text = models.JSONField(default=dict)
    duplicates = models.JSONField(default=list)  # [{"other": application id, "scores": {...}, "passages": [...]}]
    corpus_state = models.CharField(max_length=100, blank=True)
    policies = models.JSONField(default=list)  # [{"policy": policy id, "clauses": [...]}]
    policy_state = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.version} 文本分析"
