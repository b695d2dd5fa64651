from django.conf import settings
from django.db import models


class StageRun(models.Model):
    """A stored stage result: reproducible from its inputs, referenced from the audit log."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="stage_runs")
    stage_key = models.CharField(max_length=60)
    kind = models.CharField(max_length=30)
    result = models.JSONField()
    inputs_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    is_final = models.BooleanField(default=False)

    class Meta:
        ordering = ["campaign", "created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.stage_key}"


class StageState(models.Model):
    """The lifecycle of one stage of a campaign: pending → open → closed, reopened only with a reason.

    A closed stage accepts nothing (submissions, uploads, scores, votes, objections, decisions) whatever the
    preset's dates say. ``stale_since`` is set when an earlier stage was reopened after this one produced its
    result, and cleared when this stage stores a new result."""

    PENDING, OPEN, CLOSED = "pending", "open", "closed"
    STATUSES = [(PENDING, "未开始"), (OPEN, "进行中"), (CLOSED, "已结束")]

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="stage_states")
    stage_key = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)
    stale_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "stage_key"], name="unique_stage_state")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.stage_key}:{self.status}"
