"""A file too large to build while its reader waits (300,000 votes, a compendium of hundreds of cases): built in
the background, kept for a day, fetched by the person who asked for it."""

import uuid

from django.conf import settings
from django.db import models


def file_path(instance, filename: str) -> str:
    return f"prepared/{instance.token}/{filename}"


class PreparedFile(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "排队中"), (RUNNING, "生成中"), (DONE, "已生成"), (FAILED, "未能生成")]

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # in the URL: ids are not guessable
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # a kind registered in jinxuan.prepared.services
    params = models.JSONField(default=dict, blank=True)  # e.g. the list filters the export keeps
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    done = models.PositiveIntegerField(default=0)   # rows or cases written so far
    total = models.PositiveIntegerField(default=0)  # rows or cases in all (0: not known yet)
    file = models.FileField(upload_to=file_path, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "kind", "campaign"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.token}"
