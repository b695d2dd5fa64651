"""Background tasks of the applicants app."""

from django_tasks import task

from .models import ApplicationVersion


@task()
def prepare_printouts(version_id: int, base_url: str = "") -> None:
    """Render and store the print-outs of a submitted version, so downloads are served from storage."""
    from .printing import prepare

    version = ApplicationVersion.objects.select_related("application__campaign").filter(pk=version_id).first()
    if version is not None:
        prepare(version, base_url)


def enqueue_printouts(sender, version_id: int, base_url: str = "", **kwargs) -> None:
    prepare_printouts.enqueue(version_id, base_url)
