"""Campaigns loaded from presets: the preset itself plus the rows other tables point to."""

from functools import cached_property

from django.db import models

from .schema import Preset
from .stage_params import STAGE_KIND_LABELS


class Campaign(models.Model):
    slug = models.SlugField("标识", max_length=60, unique=True)
    name = models.CharField("名称", max_length=200)
    short_name = models.CharField("简称", max_length=60)
    year = models.PositiveIntegerField("年度")
    organiser_name = models.CharField("主办单位", max_length=200)
    source = models.CharField("依据文件", max_length=60, blank=True)
    submission_opens = models.DateTimeField("申报开始")
    submission_closes = models.DateTimeField("申报截止")
    paper_copy_deadline = models.DateTimeField("纸质材料截止", null=True, blank=True)
    preset = models.JSONField("预设")
    preset_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "slug"]
        verbose_name = "征集活动"
        verbose_name_plural = "征集活动"

    def __str__(self) -> str:
        return self.name

    @cached_property
    def spec(self) -> Preset:
        return Preset.model_validate(self.preset)


class Track(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracks")
    key = models.CharField(max_length=60)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, default="track")
    winners = models.PositiveIntegerField("固定入选数", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_track_key")]

    def __str__(self) -> str:
        return self.name

    KIND_LABELS = {"track": "赛道", "main_list": "主榜单", "feature_list": "特色榜单", "special_list": "专项榜单"}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


class StageDefinition(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=60)
    kind = models.CharField(max_length=30)
    name = models.CharField("名称", max_length=120)
    position = models.PositiveIntegerField(default=0)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    params = models.JSONField(default=dict)

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_stage_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return STAGE_KIND_LABELS.get(self.kind, self.kind)
