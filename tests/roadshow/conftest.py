import pytest

from .scenario import judges, roadshow_ready


@pytest.fixture
def ready(gz, organiser):
    """gz with its composite applied: 10 applications scored 50, 53, … 77 by the expert (no votes); the top 3
    (floor 30 %: #9, #8, #7) and the district-recommended #2 (ranked 8th, a direct entry) advance."""
    return roadshow_ready(gz, organiser=organiser, district=(2,))


@pytest.fixture
def panel(gz):
    return judges(gz, 3)


@pytest.fixture
def scheduled(gz, ready, panel, organiser):
    from jinxuan.roadshow import services

    return services.build_schedule(gz, actor=organiser)
