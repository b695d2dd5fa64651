"""Special awards are decided until publication: a closed publish stage takes no change."""

import pytest
from django.urls import reverse

from jinxuan.pipeline import runtime
from jinxuan.results import services
from jinxuan.results.models import Award
from tests.helpers.results import set_awards

from .test_awards import SPECIAL, reviewed

pytestmark = pytest.mark.django_db


def test_no_special_award_once_publication_closed(xinhua, organiser_of):
    xinhua = set_awards(xinhua, SPECIAL)
    organiser = organiser_of(xinhua)
    apps, _ = reviewed(xinhua, [90, 85, 80, 75, 70, 65])
    services.close_award(xinhua, actor=organiser)
    runtime.mark_closed(xinhua, runtime.stage_of(xinhua, "publish"), actor=organiser)
    with pytest.raises(services.ResultsError, match="阶段已结束"):
        services.set_specials(xinhua, {"tech": [apps[0].pk]}, actor=organiser)
    assert not Award.objects.exclude(special_key="").exists()


def test_the_special_award_page_refuses_once_publication_closed(client, xinhua, organiser_of):
    xinhua = set_awards(xinhua, SPECIAL)
    organiser = organiser_of(xinhua)
    apps, _ = reviewed(xinhua, [90, 85, 80, 75, 70, 65])
    services.close_award(xinhua, actor=organiser)
    runtime.mark_closed(xinhua, runtime.stage_of(xinhua, "publish"), actor=organiser)
    client.force_login(organiser)
    page = client.post(reverse("results:special", args=[xinhua.slug]), {"special_tech": [apps[0].pk]}, follow=True)
    assert "阶段已结束" in page.content.decode()
    assert not Award.objects.exclude(special_key="").exists()
