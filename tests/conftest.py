from pathlib import Path

import pytest
from django.conf import settings

PRESETS = sorted(Path(settings.PRESET_DIR).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _isolated_anchor_file(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"


@pytest.fixture
def campaigns(db):
    from jinxuan.demo.population import load_presets

    return {c.slug: c for c in load_presets()}


@pytest.fixture
def make_user(db):
    from jinxuan.accounts.models import RoleAssignment, User

    def make(username, *roles, campaign=None, password="s3cret-Passw0rd!"):
        user = User.objects.create_user(username=username, password=password, email=f"{username}@example.cn")
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role, campaign=campaign)
        return user

    return make
