"""Policy documents imported from text, split into numbered clauses for case-to-policy alignment."""

from django.db import models
from django.utils import timezone

from jinxuan.textmining.policy import Chapter as PChapter
from jinxuan.textmining.policy import Clause as PClause
from jinxuan.textmining.policy import Policy as PPolicy


class Policy(models.Model):
    slug = models.SlugField("标识", max_length=80, unique=True)
    title = models.CharField("标题", max_length=300)
    source_text = models.TextField("原文")
    imported_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        ordering = ["slug"]
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"

    def __str__(self) -> str:
        return self.title or self.slug

    def parsed(self):
        """The pure `textmining.policy.Policy` built from the stored clauses (no re-parsing)."""
        policy = PPolicy(title=self.title)
        chapters: dict[tuple[str, str], PChapter] = {}
        for c in self.clauses.order_by("position", "id"):
            key = (c.chapter_number, c.chapter_title)
            if key not in chapters:
                chapters[key] = PChapter(number=c.chapter_number, title=c.chapter_title)
                policy.chapters.append(chapters[key])
            chapters[key].clauses.append(PClause(number=c.number, ordinal=c.ordinal, title=c.title, body=c.body))
        return policy


class Clause(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses", verbose_name="政策文件")
    chapter_number = models.CharField("章序号", max_length=10, blank=True)
    chapter_title = models.CharField("章标题", max_length=200, blank=True)
    number = models.CharField("条序号", max_length=12)  # （六）
    ordinal = models.PositiveIntegerField("序数")  # may restart per chapter in some documents
    position = models.PositiveIntegerField("文中顺序", default=0)
    title = models.CharField("条标题", max_length=200)
    body = models.TextField("正文", blank=True)

    class Meta:
        ordering = ["policy", "position"]
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="policies_clause_unique_position")]
        verbose_name = "政策条款"
        verbose_name_plural = "政策条款"

    def __str__(self) -> str:
        return f"{self.number}{self.title}"
