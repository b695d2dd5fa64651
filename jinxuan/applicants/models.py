"""Organisations, their people, and applications with their versions."""

from django.conf import settings
from django.db import models

from .states import State


class Organisation(models.Model):
    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    unit_type = models.CharField("单位类型", max_length=40, blank=True)
    registered_region = models.CharField("注册地", max_length=60, blank=True)
    office_region = models.CharField("主要办公地", max_length=60, blank=True)
    founded = models.DateField("成立时间", null=True, blank=True)
    profile = models.JSONField("其他信息", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # set when an organiser verified a claim (营业执照 against name and code); unverified, it grants nothing
    verified_at = models.DateTimeField("认证时间", null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


def licence_path(instance, filename):
    return f"licences/{instance.organisation_id}/{instance.claimant_id}-{filename[-60:]}"


class OrganisationClaim(models.Model):
    """Someone says a credit code is theirs; an organiser checks the 营业执照 and verifies or rejects."""

    PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
    STATES = [(PENDING, "待核验"), (VERIFIED, "已认证"), (REJECTED, "未通过")]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_claims")
    claimed_name = models.CharField("申报的单位名称", max_length=200)
    details = models.JSONField("登记信息", default=dict, blank=True)  # the registration form, applied on verification
    licence = models.FileField("营业执照", upload_to=licence_path, max_length=300, blank=True)
    licence_name = models.CharField("营业执照文件名", max_length=200, blank=True)
    licence_type = models.CharField(max_length=10, blank=True)  # pdf, jpeg, png
    dispute = models.BooleanField("对已认证单位提出异议", default=False)
    state = models.CharField("状态", max_length=10, choices=STATES, default=PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "单位认证申请"

    def __str__(self) -> str:
        return f"{self.claimed_name} · {self.get_state_display()}"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField("单位管理员", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


def application_number(campaign, pk: int) -> str:
    """申报编号 of the application `pk` of `campaign` (for rows read as values, without an application object)."""
    initials = "".join(part[0] for part in campaign.slug.split("-")[:2]).upper()
    return f"{initials}{campaign.year}-{pk:04d}"


class Application(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="applications")
    track = models.ForeignKey("campaigns.Track", on_delete=models.PROTECT, related_name="applications")
    title = models.CharField("案例名称", max_length=200)
    organisations = models.ManyToManyField(Organisation, through="ApplicationUnit", related_name="applications")
    answers = models.JSONField("填报内容", default=dict, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    state_reason = models.TextField("状态说明", blank=True)
    current_stage = models.CharField("当前阶段", max_length=60, blank=True)
    district_recommended = models.BooleanField("区级政府推荐", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    paper_received_at = models.DateTimeField("纸质材料收到时间", null=True, blank=True)
    correction_due = models.DateTimeField("补正截止时间", null=True, blank=True)
    # consent to publish the contact details on public pages (jinxuan.applicants.personal_data.set_consent)
    contact_consent_at = models.DateTimeField("同意公开联系方式时间", null=True, blank=True)
    contact_consent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", verbose_name="同意公开联系方式的用户")

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = "申报"
        verbose_name_plural = "申报"

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """申报编号, e.g. GD2025-0007: campaign initials, year, id."""
        return application_number(self.campaign, self.pk)

    @property
    def lead(self) -> Organisation | None:
        unit = self.units.filter(is_lead=True).select_related("organisation").first()
        return unit.organisation if unit else None


class Consent(models.TextChoices):
    ACCEPTED = "accepted", "已确认"
    PENDING = "pending", "待对方确认"
    UNCLAIMED = "unclaimed", "该代码尚无认证单位"


class ApplicationUnit(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="units")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="application_units")
    is_lead = models.BooleanField("主申报单位", default=False)
    position = models.PositiveSmallIntegerField(default=0)
    answers = models.JSONField("单位信息", default=dict, blank=True)
    # a joint unit's members see the application only once its verified administrators accepted
    consent = models.CharField("确认状态", max_length=10, choices=Consent.choices, default=Consent.ACCEPTED)
    typed_name = models.CharField("申报时填写的单位名称", max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="unique_unit_per_application"),
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(is_lead=True), name="one_lead_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.organisation}"


class ApplicationVersion(models.Model):
    """Every submit is a version with the SHA-256 of its content."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"



class PrintOut(models.Model):
    """A print-out (PDF / Word) of a submitted version, rendered once and kept in the default storage.

    `inputs` is the SHA-256 of everything the file was rendered from (the printable content, the verify link,
    the organisation names, the layout's revision): when any of it changes the file is rendered again.
    `sha256` is the file's own hash, checked on every read."""

    version = models.ForeignKey(ApplicationVersion, on_delete=models.CASCADE, related_name="printouts")
    kind = models.CharField(max_length=40)
    inputs = models.CharField(max_length=64)
    name = models.CharField(max_length=300)  # the file's name in the default storage
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="unique_printout_kind")]

    def __str__(self) -> str:
        return f"{self.version} · {self.kind}"

def attachment_path(instance, filename):
    return f"attachments/{instance.application.campaign_id}/{instance.application_id}/{instance.sha256[:16]}-{filename}"


class StoredAttachment(models.Model):
    """An uploaded file, checked by content; its SHA-256 is part of each submitted version."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    key = models.CharField("材料", max_length=60)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    detected = models.CharField("文件类型", max_length=20)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    issuer = models.CharField("出具单位", max_length=120, blank=True)
    valid_until = models.CharField("有效期", max_length=40, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "key", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class PendingUpload(models.Model):
    """An unfinished resumable upload: its declared size is reserved against the quotas until it expires."""

    upload_id = models.CharField(max_length=40, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pending_uploads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("材料", max_length=60)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.upload_id


class Invitation(models.Model):
    """An invitation for a person to join an organisation (only its SHA-256 token is stored)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("电子邮箱")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
