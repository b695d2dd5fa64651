"""Background tasks of the applicants app, run by the task worker."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .purge import purge_uploads


def purge_scheduled() -> bool:
    """True when the worker's queue already holds a repeating purge (so each start of the service adds none)."""
    backend = purge_uploads_task.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=purge_uploads_task.module_path, status="READY").exists()


@task()
def purge_uploads_task(every_seconds: int = 0) -> dict:
    """Purge expired and orphaned uploads; with `every_seconds`, queue the next run that much later."""
    done = purge_uploads()
    if every_seconds > 0 and purge_uploads_task.get_backend().supports_defer:  # the worker's database backend
        purge_uploads_task.using(run_after=timezone.now() + dt.timedelta(seconds=every_seconds)).enqueue(every_seconds)
    return done
