"""The public case library: published and imported cases, their facet values and search documents.

The search index itself lives outside the database (`search_index.py`, a Tantivy directory per host); a SearchDoc row
says that a case belongs in it, and the change log (`Change`, `ChangeHead`) tells every host's index what to apply.
"""

from django.db import models
from django.utils import timezone


class Case(models.Model):
    PUBLISHED, IMPORTED = "published", "imported"
    SOURCES = [(PUBLISHED, "评选发布"), (IMPORTED, "历史导入")]

    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="library_cases", verbose_name="征集活动")
    application = models.OneToOneField("applicants.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="library_case", verbose_name="申报")
    year = models.PositiveIntegerField("年度", null=True, blank=True, db_index=True)
    track = models.CharField("赛道", max_length=200, blank=True)
    track_order = models.PositiveIntegerField(default=0)
    tier = models.CharField("奖项等级", max_length=100, blank=True)
    tier_order = models.PositiveIntegerField(default=0)
    special = models.CharField("特别奖项", max_length=100, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)
    title = models.CharField("案例名称", max_length=300)
    organisations = models.JSONField("单位", default=list, blank=True)
    paragraphs = models.JSONField("正文段落", default=list, blank=True)
    captions = models.JSONField("图注", default=list, blank=True)
    figures = models.JSONField("量化成果", default=list, blank=True)
    tags = models.JSONField("标签", default=dict, blank=True)  # {"domains": [...], "technologies": [...]}
    policies = models.JSONField("对应政策条款", default=list, blank=True)
    regions = models.JSONField("地区", default=list, blank=True)
    institution_types = models.JSONField("机构类型", default=list, blank=True)
    featured = models.BooleanField("精选", default=False, db_index=True)
    featured_rank = models.PositiveIntegerField("精选顺序", default=0)
    source = models.CharField("来源", max_length=20, choices=SOURCES, default=PUBLISHED)
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "campaign_id", "track_order", "tier_order", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "title"], condition=models.Q(campaign__isnull=False),
                                    name="library_case_unique_title_per_campaign"),
        ]
        verbose_name = "案例"
        verbose_name_plural = "案例"

    def __str__(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return "\n".join([*self.paragraphs, *self.captions])

    @property
    def campaign_name(self) -> str:
        return self.campaign.name if self.campaign_id else ""

    @property
    def domains(self) -> list[str]:
        return list((self.tags or {}).get("domains", []))

    @property
    def technologies(self) -> list[str]:
        return list((self.tags or {}).get("technologies", []))


class SearchDoc(models.Model):
    """A case is in the search index; the id, new at every re-index, orders the library newest first."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="search_doc")

    def __str__(self) -> str:
        return f"doc {self.pk} → case {self.case_id}"


class Facet(models.Model):
    kind = models.CharField(max_length=20)
    value = models.CharField(max_length=200)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="facet_rows")

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "case"], name="library_facet_kv"),
                   models.Index(fields=["case", "kind"], name="library_facet_case")]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


def _new_epoch() -> str:
    import uuid

    return uuid.uuid4().hex


class Change(models.Model):
    """A change to the library (a case published, imported, edited or withdrawn), numbered in commit order and
    written in the transaction that makes it: every host's search index applies the changes it has not seen
    (`follow.py`)."""

    seq = models.BigIntegerField(primary_key=True)
    case_id = models.BigIntegerField()  # a plain number: the case may be gone (withdrawn)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"change {self.seq} → case {self.case_id}"


class ChangeHead(models.Model):
    """One row: the last change's number (appenders lock the row until they commit, so numbers follow commit
    order without gaps) and the log's epoch (new when the log starts over in a fresh database)."""

    seq = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default=_new_epoch)

    def __str__(self) -> str:
        return f"head {self.seq} ({self.epoch})"
