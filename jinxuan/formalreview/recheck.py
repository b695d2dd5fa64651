"""Batch re-check of a campaign's applications when a rule or the preset changes (a background task)."""

from django.utils import timezone
from django_tasks import task

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State

from .models import RecheckBatch
from .services import screen_batch

CHUNK = 500

UNDER_REVIEW = (State.SUBMITTED, State.FORMAL_REVIEW, State.NEEDS_CORRECTION)


def start_recheck(campaign, actor=None) -> RecheckBatch:
    batch = RecheckBatch.objects.create(campaign=campaign, started_by=actor,
                                        total=Application.objects.filter(campaign=campaign, state__in=UNDER_REVIEW).count())
    recheck_task.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


@task()
def recheck_task(batch_id: int) -> None:
    batch = RecheckBatch.objects.select_related("campaign").get(pk=batch_id)
    batch.status = "running"
    batch.save(update_fields=["status"])
    spec = batch.campaign.spec
    try:
        apps = (Application.objects.filter(campaign=batch.campaign, state__in=UNDER_REVIEW)
                .select_related("campaign", "track").defer("answers", "campaign__preset"))  # versions carry the content
        chunk, done = [], 0
        for app in apps.iterator(chunk_size=CHUNK):
            chunk.append(app)
            if len(chunk) == CHUNK:
                screen_batch(chunk, spec)
                done += len(chunk)
                chunk = []
                RecheckBatch.objects.filter(pk=batch.pk).update(done=done)
        if chunk:
            screen_batch(chunk, spec)
        RecheckBatch.objects.filter(pk=batch.pk).update(status="finished", done=batch.total, finished_at=timezone.now())
    except Exception as exc:  # recorded on the batch so the organiser sees it; the task runner logs the trace
        RecheckBatch.objects.filter(pk=batch.pk).update(status="failed", error=str(exc)[:500], finished_at=timezone.now())
        raise


def recheck_if_changed(campaign, previous_hash: str | None, actor=None) -> RecheckBatch | None:
    """After a preset (re)load: if its rules or form changed, re-check what is under review."""
    if previous_hash is None or previous_hash == campaign.preset_hash:
        return None
    if not Application.objects.filter(campaign=campaign, state__in=UNDER_REVIEW).exists():
        return None
    return start_recheck(campaign, actor=actor)
