"""A closed expert review takes no score and no returned score, on the page or through the services, and its
result is final until an organiser reopens it with a reason."""

import pytest
from django.urls import reverse

from jinxuan.pipeline import runtime
from jinxuan.review import services
from jinxuan.review.models import Review
from tests.helpers.rubric import sheet

pytestmark = pytest.mark.django_db
CLOSED = "阶段已结束"


def test_no_score_once_expert_review_closed(gz, pool, accepted, organiser, client):
    done = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    services.save_review(done, sheet(gz.spec.rubric, 70), submit=True)
    late = services.assign_manually(gz, pool[1].expert, accepted[1], actor=organiser)
    services.unassign(late, actor=organiser, reason="改由其他专家评审")  # nothing pending: the stage may close
    runtime.close_stage(gz, runtime.stage_of(gz, "expert_review"), actor=organiser)
    assert runtime.is_closed(gz, runtime.stage_of(gz, "expert_review"))

    with pytest.raises(services.ReviewError, match=CLOSED):
        services.save_review(done, sheet(gz.spec.rubric, 95), submit=True)
    with pytest.raises(services.ReviewError, match=CLOSED):
        services.reopen(Review.objects.get(assignment=done), "改分", actor=organiser)
    client.force_login(pool[0].expert.user)
    data = sheet(gz.spec.rubric, 99) | {"action": "submit"}
    page = client.post(reverse("review:score", args=[gz.slug, accepted[0].pk]), data, follow=True).content.decode()
    assert CLOSED in page
    assert Review.objects.get(assignment=done).total == 70
