"""Background tasks of the applicants app, run by the task worker."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .purge import purge_uploads


@task()
def purge_uploads_task(every_seconds: int = 0) -> dict:
    """Purge expired and orphaned uploads; with `every_seconds`, queue the next run that much later."""
    done = purge_uploads()
    if every_seconds > 0 and purge_uploads_task.get_backend().supports_defer:  # the worker's database backend
        purge_uploads_task.using(run_after=timezone.now() + dt.timedelta(seconds=every_seconds)).enqueue(every_seconds)
    return done
