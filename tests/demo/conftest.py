import pytest


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo for the package (it takes a while: every stage of a past edition), rolled back at its end."""
    from django.db import transaction
    from django.test import TestCase, override_settings

    from jinxuan.demo.population import build

    files = tmp_path_factory.mktemp("demo-files")
    with override_settings(MEDIA_ROOT=files / "media", AUDIT_ANCHOR_FILE=files / "anchors.log"), \
            django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):  # the notices sent when the demo commits
            build(seed=7, applications_per_campaign=7)
        yield
        transaction.set_rollback(True)
