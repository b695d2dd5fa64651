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
