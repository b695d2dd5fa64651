"""The background task that builds an asked-for file (jinxuan.prepared.services)."""

from django_tasks import task

from .services import build


@task()
def prepare_file(prepared_id: int) -> None:
    build(prepared_id)
