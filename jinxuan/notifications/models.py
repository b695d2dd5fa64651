"""E-mail notifications: per-campaign editable templates and an outbox organisers can read."""

from django.db import models


class Event(models.TextChoices):
    SUBMITTED = "submitted", "申报已提交"
    STATE_CHANGED = "state_changed", "申报状态变更"
    DEADLINE_REMINDER = "deadline_reminder", "截止前 24 小时提醒"
    INVITATION = "invitation", "邀请加入单位"
    EXPERT_INVITED = "expert_invited", "邀请评审专家"
    EXPERT_ASSIGNED = "expert_assigned", "评审任务分配"
    EXPERT_REMINDER = "expert_reminder", "评审进度提醒"
    VERIFY_EMAIL = "verify_email", "验证电子邮箱"
    SEAT_INVITED = "seat_invited", "职务邀请"
    JOINT_UNIT_REQUEST = "joint_unit_request", "联合申报确认请求"
    CLAIM_DECIDED = "claim_decided", "单位认证结果"


class Template(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="mail_templates")
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "event"], name="unique_template_per_event")]

    def __str__(self) -> str:
        return f"{self.get_event_display()}"


class OutboxMessage(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox")
    event = models.CharField(max_length=30, choices=Event.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
