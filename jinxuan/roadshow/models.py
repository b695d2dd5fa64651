"""The roadshow: the schedule (one slot per presentation), the campaign's panel of judges, one sheet per judge and slot."""

from django.conf import settings
from django.db import models


class SlotState(models.TextChoices):
    PENDING = "pending", "待开始"
    PRESENTING = "presenting", "陈述中"
    QA = "qa", "问答中"
    SCORING = "scoring", "评分中"
    CLOSED = "closed", "已结束"


class Slot(models.Model):
    """One presentation. Server timestamps are the timer's truth; planned_start is the printed schedule."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="roadshow_slots")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="roadshow_slots")
    position = models.PositiveIntegerField("出场顺序")
    planned_start = models.DateTimeField("计划开始", null=True, blank=True)
    minutes = models.PositiveIntegerField("陈述时长（分钟）")
    qa_minutes = models.PositiveIntegerField("问答时长（分钟）")
    state = models.CharField("状态", max_length=12, choices=SlotState.choices, default=SlotState.PENDING)
    started_at = models.DateTimeField("陈述开始", null=True, blank=True)
    qa_started_at = models.DateTimeField("问答开始", null=True, blank=True)
    ended_at = models.DateTimeField("答辩结束", null=True, blank=True)
    closed_at = models.DateTimeField("评分结束", null=True, blank=True)
    close_reason = models.TextField("提前结束评分的原因", blank=True)

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "application"], name="roadshow_slot_once")]
        verbose_name = verbose_name_plural = "路演场次"

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.position}: {self.application_id}"


class Judge(models.Model):
    """A member of a campaign's roadshow panel (a holder of the roadshow_judge role for that campaign)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="roadshow_judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadshow_seats")
    pseudonym = models.CharField("评委编号", max_length=12)  # 评委01…: what the board shows
    active = models.BooleanField("在评委名单中", default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "pseudonym"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="roadshow_judge_once"),
                       models.UniqueConstraint(fields=["campaign", "pseudonym"], name="roadshow_pseudonym_once")]
        verbose_name = verbose_name_plural = "路演评委"

    def __str__(self) -> str:
        return self.pseudonym


class ScoreSheet(models.Model):
    """One judge's scores of one presentation. Signed → immutable until the organiser reopens it (audited)."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="sheets")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="sheets")
    scores = models.JSONField("评分", default=dict, blank=True)  # {criterion key or "score": value as entered}
    total = models.DecimalField("总分", max_digits=5, decimal_places=1, null=True, blank=True)
    signed_off_at = models.DateTimeField("签署时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "judge"]
        constraints = [models.UniqueConstraint(fields=["slot", "judge"], name="roadshow_sheet_once")]
        verbose_name = verbose_name_plural = "路演评分表"

    def __str__(self) -> str:
        return f"{self.slot_id}/{self.judge_id}: {self.total}"

    @property
    def signed(self) -> bool:
        return self.signed_off_at is not None
