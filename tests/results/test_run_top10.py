"""top10-2025 end to end, at the service level: accepted applications on five lists → expert review → 入选 per
list, exactly ten on each of the two capped lists → publication."""

import pytest
from django.urls import reverse

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.results import services
from jinxuan.results.models import Award
from jinxuan.review import services as review
from tests.factories import award_entrant

from .flow import pool, review_all

pytestmark = pytest.mark.django_db

LISTS = {"sci_tech_finance_events": 12, "digital_finance_events": 11, "shanghai_data_finance": 2,
         "tech_breakthrough": 2, "industry_empowerment": 1}


def test_top10_from_accepted_applications_to_published_lists(top10, organiser_of, client):
    organiser = organiser_of(top10)
    apps = {key: [award_entrant(top10, key, state=State.ACCEPTED) for _ in range(n)] for key, n in LISTS.items()}
    everyone = [a for group in apps.values() for a in group]
    quality = {a.pk: 55 + (i * 11) % 40 for i, a in enumerate(everyone)}
    pool(top10, organiser, experts=7, load=14)
    review_all(top10, organiser, quality)
    run = review.close_review(top10, actor=organiser)
    scores = {e["application_id"]: e["score"] for e in run.result["entries"]}

    made = services.close_award(top10, actor=organiser)
    for key, n in LISTS.items():
        chosen = set(Award.objects.filter(campaign=top10, track_key=key).values_list("application_id", flat=True))
        track = top10.tracks.get(key=key)
        if track.winners:
            assert len(chosen) == track.winners == 10  # ten on each capped list
            assert min(float(scores[pk]) for pk in chosen) >= max(
                float(scores[a.pk]) for a in apps[key] if a.pk not in chosen)
        else:
            assert len(chosen) == n  # uncapped lists: every entrant is 入选
    assert made.shortfalls == {}
    assert {a.tier_name for a in Award.objects.filter(campaign=top10)} == {"入选"}
    eliminated = [a for a in everyone if Application.objects.get(pk=a.pk).state == State.ELIMINATED]
    assert len(eliminated) == (12 - 10) + (11 - 10)

    services.publish_results(top10, actor=organiser)
    page = client.get(reverse("results:index", args=[top10.slug])).content.decode()
    assert "十大科技金融事件" in page and "十大数字金融事件" in page
    assert page.count("<tr><td class=\"num\">") == sum(min(n, 10) for n in LISTS.values())
    assert all(a.title not in page for a in eliminated)
