import pytest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (jinxuan demo's population, seven applications per campaign) for the module, rolled back at its end."""
    from django.db import transaction
    from django.test import TestCase, override_settings

    from jinxuan.demo.population import build

    files = tmp_path_factory.mktemp("demo-files")
    with override_settings(MEDIA_ROOT=files / "media", AUDIT_ANCHOR_FILE=files / "anchors.log",
                           UPLOAD_CHUNK_DIR=files / "chunks", LIBRARY_INDEX_DIR=files / "library-index"), \
            django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            build(seed=7, applications_per_campaign=7)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _isolated_files():
    """Overrides the per-test media directories of tests/conftest.py: the module's demo keeps its own."""
