"""Background tasks of the applicants app, run by the task worker."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from jinxuan.storage.files import storage_errors

from .models import ApplicationVersion
from .printing import prepare
from .printouts import must_store
from .purge import purge_uploads

PRINTOUT_RETRIES = 5  # a storage that cannot be written: tried again after 1, 2, 3, 4 and 5 minutes
PRINTOUT_RETRY_SECONDS = 60


@task()
def prepare_printouts(version_id: int, base_url: str = "", attempt: int = 0) -> None:
    """Render and store the print-outs of a submitted version, so downloads are served from storage.

    When the storage cannot be written (the object store down, the disk full) the task fails and, with the worker's
    backend, queues itself again a little later; a download before then renders the document itself."""
    version = ApplicationVersion.objects.select_related("application__campaign").filter(pk=version_id).first()
    if version is None:
        return
    try:
        with must_store():
            prepare(version, base_url)
    except storage_errors():
        if attempt < PRINTOUT_RETRIES and prepare_printouts.get_backend().supports_defer:
            later = timezone.now() + dt.timedelta(seconds=PRINTOUT_RETRY_SECONDS * (attempt + 1))
            prepare_printouts.using(run_after=later).enqueue(version_id, base_url, attempt + 1)
        raise


def enqueue_printouts(sender, version_id: int, base_url: str = "", **kwargs) -> None:
    prepare_printouts.enqueue(version_id, base_url)


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
