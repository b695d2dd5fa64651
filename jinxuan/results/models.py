"""Awards decided by the award stage, special awards, and their publication."""

from django.conf import settings
from django.db import models


class AwardDecision(models.Model):
    """One campaign's award decision: the stage run it came from, what the assignment noted, publication."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="award_decision")
    stage_run = models.ForeignKey("pipeline.StageRun", on_delete=models.PROTECT, related_name="+")
    notes = models.JSONField("说明", default=list, blank=True)
    shortfalls = models.JSONField("名额空缺", default=dict, blank=True)  # {track key: {"winners", "selected"}}
    special_notes = models.JSONField("特别奖项说明", default=list, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    publish_run = models.ForeignKey("pipeline.StageRun", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "评奖结果"
        verbose_name_plural = "评奖结果"

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.decided_at:%Y-%m-%d}"


class Award(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="awards")
    application = models.ForeignKey("applicants.Application", on_delete=models.PROTECT, related_name="awards")
    track_key = models.CharField("赛道/榜单", max_length=60)
    tier_key = models.CharField(max_length=60)
    tier_name = models.CharField("奖项", max_length=60)
    position = models.PositiveIntegerField("位次")
    special_key = models.CharField(max_length=60, blank=True)
    special_name = models.CharField("特别奖项", max_length=60, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "track_key", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "application"], name="one_award_per_application")]
        verbose_name = "获奖"
        verbose_name_plural = "获奖"

    def __str__(self) -> str:
        return f"{self.application_id}: {self.tier_name}"


class CapTieDecision(models.Model):
    """The jury's choice among cases tied on score at a capped list's last place (preset: tie_at_cap: jury)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="cap_tie_decisions")
    track_key = models.CharField("榜单", max_length=60)
    tied = models.JSONField("并列案例", default=list)  # application ids, in rank order
    chosen = models.JSONField("入选案例", default=list)  # application ids the jury chose
    reason = models.TextField("决定理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "track_key"], name="one_cap_tie_per_list")]
        verbose_name = "并列名额决定"
        verbose_name_plural = "并列名额决定"

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.track_key}: {self.chosen}"
