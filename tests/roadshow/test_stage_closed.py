"""A closed roadshow takes no more judge's score, even on a presentation still being scored."""

import pytest
from django.urls import reverse

from jinxuan.pipeline import runtime
from jinxuan.roadshow import services
from jinxuan.roadshow.models import ScoreSheet

from .test_services import judges_of, present

pytestmark = pytest.mark.django_db


def test_no_score_once_the_roadshow_is_closed(gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    judge = judges_of(gz)[0]
    runtime.mark_closed(gz, runtime.stage_of(gz, "roadshow"), actor=organiser)  # the runtime's record of closing
    with pytest.raises(services.RoadshowError, match="阶段已结束"):
        services.sign_off(slot, judge, {"score": "88"})
    assert not ScoreSheet.objects.filter(slot=slot, signed_off_at__isnull=False).exists()


def test_the_judge_page_refuses_a_score_once_the_roadshow_is_closed(client, gz, scheduled, organiser):
    slot = present(scheduled[0], organiser)
    judge = judges_of(gz)[0]
    runtime.mark_closed(gz, runtime.stage_of(gz, "roadshow"), actor=organiser)
    client.force_login(judge.user)
    page = client.post(reverse("roadshow:judge", args=[gz.slug]),
                       {"slot": slot.pk, "action": "sign", "confirmed": "1", "score": "88"}, follow=True)
    assert page.status_code == 200 and "阶段已结束" in page.content.decode()
    assert not ScoreSheet.objects.filter(slot=slot, signed_off_at__isnull=False).exists()
