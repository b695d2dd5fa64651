"""Background work done once per submitted version, so the formal-review pages read stored results."""

from django_tasks import task

from jinxuan.applicants.models import ApplicationVersion

from .insights import analysis_of
from .services import latest_screening, run_screening


@task()
def analyse_version(version_id: int) -> None:
    """The text analysis and the screening of a just-submitted version (skipped once a newer one exists)."""
    version = ApplicationVersion.objects.select_related("application__campaign").filter(pk=version_id).first()
    if version is None:
        return
    app = version.application
    if app.versions.order_by("-number").values_list("pk", flat=True).first() != version.pk:
        return
    analysis_of(app, version)
    result = latest_screening(app)
    if result is None or result.version_number != version.number or result.preset_hash != app.campaign.preset_hash:
        run_screening(app)


def enqueue_analysis(sender, version_id: int, **kwargs) -> None:
    analyse_version.enqueue(version_id)
