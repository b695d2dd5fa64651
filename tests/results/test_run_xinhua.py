"""xinhua-nqp-2025 end to end, at the service level: accepted applications → expert review (pool, assignment,
scores, close) → awards (优秀案例 by the ranking) → publication."""

import pytest
from django.urls import reverse

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.verify import verify_database
from jinxuan.results import services
from jinxuan.results.models import Award
from jinxuan.review import services as review
from tests.factories import AWARD_CANARY, award_entrant

from .flow import pool, review_all

pytestmark = pytest.mark.django_db


def test_xinhua_from_accepted_applications_to_published_results(xinhua, organiser_of, client):
    organiser = organiser_of(xinhua)
    tracks = [t.key for t in xinhua.tracks.order_by("position")]
    apps = [award_entrant(xinhua, tracks[i % len(tracks)], state=State.ACCEPTED) for i in range(9)]
    quality = {a.pk: 60 + 4 * i for i, a in enumerate(apps)}  # the last is the best
    pool(xinhua, organiser, experts=5, load=9)
    summary = review_all(xinhua, organiser, quality)
    assert summary["pairs"] == 3 * len(apps)
    run = review.close_review(xinhua, actor=organiser)
    assert {Application.objects.get(pk=a.pk).state for a in apps} == {State.IN_STAGE}

    made = services.close_award(xinhua, actor=organiser)
    awards = list(Award.objects.filter(campaign=xinhua).order_by("position"))
    assert len(awards) == len(apps) and {a.tier_name for a in awards} == {"优秀案例"}
    # the award order is the expert ranking (the preset's aggregate), best first
    expert_order = [e["application_id"] for e in sorted(run.result["entries"], key=lambda e: e["rank"])]
    assert [a.application_id for a in awards] == expert_order
    assert awards[0].application_id == apps[-1].pk
    assert made.stage_run.result["params"]["rank_by"] == "expert_review"
    assert {Application.objects.get(pk=a.pk).state for a in apps} == {State.AWARDED}

    url = reverse("results:index", args=[xinhua.slug])
    assert client.get(url).status_code == 404
    services.publish_results(xinhua, actor=organiser)
    page = client.get(url).content.decode()
    assert all(a.title in page for a in apps) and "优秀案例" in page and AWARD_CANARY not in page
    assert verify_database() == []  # the hash-chained audit log is intact
