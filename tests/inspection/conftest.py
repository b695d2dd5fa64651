"""Fixtures: gz after its roadshow — applications in the pipeline and a fabricated final roadshow StageRun."""

import pytest

from jinxuan.accounts.models import Role
from tests.factories import make_pipeline_apps, roadshow_run


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def xh(campaigns):
    return campaigns["xinhua-nqp-2025"]


@pytest.fixture
def passers(gz):
    """Twelve roadshow entrants of gz, ten advanced (the 4th and 9th by rank did not)."""
    apps = make_pipeline_apps(gz, 12)
    out = {apps[3].pk, apps[8].pk}
    roadshow_run(gz, apps, advanced=[a.pk for a in apps if a.pk not in out])
    return [a for a in apps if a.pk not in out]


@pytest.fixture
def organiser(make_user, gz):
    return make_user("org1", Role.ORGANISER, campaign=gz)


@pytest.fixture
def inspector(make_user, gz):
    return make_user("insp1", Role.INSPECTOR, campaign=gz)


@pytest.fixture
def other_inspector(make_user, gz):
    return make_user("insp2", Role.INSPECTOR, campaign=gz)


@pytest.fixture
def foreign_inspector(make_user, xh):
    return make_user("insp_xh", Role.INSPECTOR, campaign=xh)


@pytest.fixture
def drawn(gz, passers, organiser):
    """gz with a committed and revealed draw; returns (draw, seed)."""
    from jinxuan.inspection import services

    _, seed = services.commit(gz, actor=organiser)
    return services.reveal_and_draw(gz, seed, actor=organiser), seed
