"""Append-only, hash-chained audit events (database triggers forbid UPDATE and DELETE)."""

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    true_actor_id = models.BigIntegerField(null=True, blank=True)  # who really acted, when acting for another
    ip = models.CharField(max_length=45, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )  # fmt: skip
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=80)
    reason = models.TextField(blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["campaign", "seq"]), models.Index(fields=["object_type", "object_id"])]

    def as_chain_dict(self) -> dict:
        from datetime import UTC

        return {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "true_actor_id": self.true_actor_id,
            "ip": self.ip,
            "campaign_id": self.campaign_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "action": self.action,
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Appends lock it, so the chain stays linear."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
