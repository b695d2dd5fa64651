"""A district government's recommendation of an application (区级政府推荐), with the recommending unit's letter."""

from django.conf import settings
from django.db import models

from .districts import CHOICES


def letter_path(instance, filename):
    return f"recommendations/{instance.application.campaign_id}/{instance.application_id}/{filename}"


class DistrictRecommendation(models.Model):
    """One per application. `Application.district_recommended` mirrors its existence (the flag the stages read);
    only `services` writes either."""

    application = models.OneToOneField("applicants.Application", on_delete=models.CASCADE,
                                       related_name="district_recommendation")
    district = models.CharField("推荐区", max_length=8, choices=CHOICES)
    note = models.CharField("备注", max_length=200, blank=True)
    letter = models.FileField("推荐函", upload_to=letter_path, max_length=300, blank=True)
    letter_name = models.CharField("推荐函文件名", max_length=200, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                       related_name="+")
    recommended_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application_id"]
        verbose_name = verbose_name_plural = "区级推荐"

    def __str__(self) -> str:
        return f"{self.application_id}: {self.district}"
