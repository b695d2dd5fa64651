"""The audit chain's hourly anchor, run by the task worker (`jinxuan db_worker`), as the upload purge is."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .verify import publish_anchor


def anchor_scheduled() -> bool:
    """True when the worker's queue already holds a repeating anchor (so each start of the service adds none)."""
    backend = anchor_task.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=anchor_task.module_path, status="READY").exists()


@task()
def anchor_task(every_seconds: int = 0) -> list:
    """Append the chain's head to the anchor file; with `every_seconds`, queue the next run that much later."""
    seq, hash_ = publish_anchor()
    if every_seconds > 0 and anchor_task.get_backend().supports_defer:  # the worker's database backend
        anchor_task.using(run_after=timezone.now() + dt.timedelta(seconds=every_seconds)).enqueue(every_seconds)
    return [seq, hash_]
