"""Site inspection (实地考察): the committed, verifiable draw, inspection records and their evidence."""

from django.conf import settings
from django.db import models


class Draw(models.Model):
    """A commitment to a secret seed, then (at draw time) the revealed seed, the frozen ranked list and the sample.

    A voided commitment stays on record (and on the public page); at most one live draw per stage.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="inspection_draws")
    stage_key = models.CharField(max_length=60)
    commitment = models.CharField("承诺值", max_length=64)
    committed_at = models.DateTimeField("承诺时间")
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    generated = models.BooleanField("平台生成种子", default=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    # filled at draw time
    seed = models.CharField("随机种子", max_length=200, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source_run = models.ForeignKey("pipeline.StageRun", null=True, on_delete=models.PROTECT, related_name="+")
    ranking = models.JSONField(default=list, blank=True)  # [{rank, application_id, number, title, track, track_name}]
    ranking_digest = models.CharField(max_length=64, blank=True)
    sample_fraction = models.CharField(max_length=20, blank=True)  # as in the params, e.g. "0.3"
    sample_count = models.PositiveIntegerField(null=True, blank=True)
    stratified = models.BooleanField(default=False)
    size = models.PositiveIntegerField(null=True, blank=True)
    allocation = models.JSONField(null=True, blank=True)  # {track: seats} for stratified draws
    selected = models.JSONField(default=list, blank=True)  # application ids in ranked order
    keys = models.JSONField(default=list, blank=True)  # [[application id, key], ...] in ranked order

    class Meta:
        ordering = ["campaign", "committed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "stage_key"], condition=models.Q(voided_at=None),
                                               name="one_live_draw_per_stage")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.stage_key}:{self.commitment[:12]}"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class Verdict(models.TextChoices):
    PASS = "pass", "通过"
    FAIL = "fail", "不通过"


class Finding(models.TextChoices):
    PASS = "pass", "通过"
    ISSUE = "issue", "存在问题"


class Inspection(models.Model):
    """The inspection record of one drawn application: findings per check, verdict, evidence."""

    DRAFT, SUBMITTED = "draft", "submitted"
    STATES = [(DRAFT, "填写中"), (SUBMITTED, "已提交")]
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="inspections")
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="inspections")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="inspections")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="inspections")
    findings = models.JSONField("考察发现", default=dict, blank=True)  # {check: {"text": ..., "outcome": pass|issue}}
    verdict = models.CharField("考察结论", max_length=8, choices=Verdict.choices, blank=True)
    reason = models.TextField("结论理由", blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "application"]
        constraints = [models.UniqueConstraint(fields=["draw", "application"], name="inspection_once_per_draw")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_state_display()}"

    @property
    def locked(self) -> bool:
        return self.state == self.SUBMITTED


def evidence_path(instance, filename):
    i = instance.inspection
    return f"inspection/{i.campaign_id}/{i.application_id}/{instance.sha256[:16]}-{filename}"


class Evidence(models.Model):
    """A file an inspector attached to a record, checked by content like applicants' uploads."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    detected = models.CharField("文件类型", max_length=20)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
