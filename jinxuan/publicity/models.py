"""The publicity period (公示) of a campaign, objections filed against listed entries, and the 顺位递补 chain."""

from django.conf import settings
from django.db import models


class Publicity(models.Model):
    """One campaign's publicity: the organiser's holiday overrides, the period once opened, its closing."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="publicity")
    # {"2027": {"holidays": ["2027-01-01", ...], "workdays": [...], "complete": true}} (outcomes.workdays)
    overrides = models.JSONField("节假日设置", default=dict, blank=True)
    starts_on = models.DateField("公示发布日", null=True, blank=True)
    first_day = models.DateField("第 1 个工作日", null=True, blank=True)
    ends_on = models.DateField("公示截止日", null=True, blank=True)
    working_days = models.PositiveSmallIntegerField("工作日数", null=True, blank=True)
    start_counts = models.BooleanField("发布当日计入", default=True)
    source_stage = models.CharField("公示名单来自", max_length=60, blank=True)
    frozen_stage = models.CharField("递补依据的排名", max_length=60, blank=True)
    listed = models.JSONField("公示时的名单（申报编号，按名次）", default=list, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    stage_run = models.ForeignKey("pipeline.StageRun", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = "结果公示"
        verbose_name_plural = "结果公示"

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.starts_on} – {self.ends_on}"

    @property
    def is_open(self) -> bool:
        return self.starts_on is not None


def evidence_path(instance, filename):
    return f"objections/{instance.campaign_id}/{instance.receipt}/{filename}"


class Objection(models.Model):
    PENDING, UPHELD, DISMISSED = "pending", "upheld", "dismissed"
    STATUSES = [(PENDING, "待处理"), (UPHELD, "异议成立"), (DISMISSED, "异议不成立")]

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="objections")
    receipt = models.CharField("回执编号", max_length=24, unique=True)
    name = models.CharField("异议人姓名", max_length=40)
    contact = models.CharField("联系方式", max_length=120)
    text = models.TextField("异议内容")
    evidence = models.FileField("证明材料", upload_to=evidence_path, max_length=300, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=20, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("处理结果", max_length=10, choices=STATUSES, default=PENDING)
    decision_reason = models.TextField("处理意见", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return self.receipt


class Substitution(models.Model):
    """One link of the 顺位递补 chain: who left, why, who came in and from which rank."""

    INSPECTION, OBJECTION = "inspection", "objection"
    CAUSES = [(INSPECTION, "实地考察未通过"), (OBJECTION, "公示异议成立")]

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="substitutions")
    left = models.ForeignKey("applicants.Application", on_delete=models.PROTECT, related_name="+")
    left_rank = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField("取消资格原因")
    cause = models.CharField(max_length=12, choices=CAUSES)
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    came_in = models.ForeignKey("applicants.Application", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    from_rank = models.PositiveIntegerField(null=True, blank=True)
    frozen_stage = models.CharField(max_length=60)
    note = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.left_id} → {self.came_in_id}"
