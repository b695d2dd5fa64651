"""Experts, their campaign pools, conflicts of interest, assignments and rubric reviews."""

from django.conf import settings
from django.db import models


class Expert(models.Model):
    """An expert's profile (one per user), shared by every campaign they review for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert")
    name = models.CharField("姓名", max_length=60)
    title = models.CharField("职务/职称", max_length=120, blank=True)
    employer_name = models.CharField("现任职单位", max_length=200, blank=True)
    employer_code = models.CharField("现任职单位统一社会信用代码", max_length=18, blank=True)
    past_employers = models.JSONField("曾任职单位", default=list, blank=True)  # [{"name", "code"}]
    tags = models.JSONField("专长标签", default=list, blank=True)  # labels of the campaigns' choice lists
    bio = models.TextField("专业背景", blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = verbose_name_plural = "评审专家"

    def __str__(self) -> str:
        return self.name


class PoolMember(models.Model):
    """An expert invited to review for one campaign, with their load limit."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="expert_pool")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="pools")
    load = models.PositiveIntegerField("评审数量上限", default=20)
    invited_at = models.DateTimeField(auto_now_add=True)
    pseudonym = models.CharField("匿名编号", max_length=12)  # 专家A01…: what non-organisers see

    class Meta:
        ordering = ["campaign", "pseudonym"]
        constraints = [models.UniqueConstraint(fields=["campaign", "expert"], name="pool_member_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.pseudonym}"


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", "自动识别"
    DECLARED = "declared", "专家申报"
    ORGANISER = "organiser", "主办方设定"


class Conflict(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField("来源", max_length=12, choices=ConflictSource.choices)
    reason = models.TextField("原因")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "expert", "application"]
        constraints = [models.UniqueConstraint(fields=["expert", "application", "source"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.expert_id} × {self.application_id}: {self.get_source_display()}"


class PairRule(models.Model):
    """An organiser's pin (must assign) or forbid (never assign) for the solver."""

    PIN, FORBID = "pin", "forbid"
    KINDS = [(PIN, "指定"), (FORBID, "排除")]
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="pair_rules")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=KINDS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="pair_rule_once")]

    def __str__(self) -> str:
        return f"{self.expert_id} × {self.application_id}: {self.get_kind_display()}"


class Assignment(models.Model):
    SOLVER, MANUAL, IMPORT = "solver", "manual", "import"
    SOURCES = [(SOLVER, "自动分配"), (MANUAL, "手工指定"), (IMPORT, "表格导入")]
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE, related_name="assignments")
    affinity = models.FloatField("匹配度", default=0.0)
    explanation = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=8, choices=SOURCES, default=SOLVER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "application", "expert"]
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.expert_id} × {self.application_id}"


class Review(models.Model):
    DRAFT, SUBMITTED = "draft", "submitted"
    STATES = [(DRAFT, "草稿"), (SUBMITTED, "已提交")]
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField("评分", default=dict, blank=True)  # {criterion: value} or {criterion: {sub: value}}
    comments = models.JSONField("评语", default=dict, blank=True)  # {criterion: text}
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.get_state_display()} {self.total}"


class ReviewSettings(models.Model):
    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="review_settings")
    peer_scores_visible = models.BooleanField("专家可见他人评分", default=False)
    group_map = models.JSONField("集团关系（信用代码或单位名称 → 集团）", default=dict, blank=True)
    mask_terms = models.JSONField("额外隐去词（产品名等）", default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.campaign_id}"
