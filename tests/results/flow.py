"""Shared steps of the end-to-end runs: expert review through the review services, then awards."""

from jinxuan.review import services as review
from jinxuan.review.models import Assignment
from tests.factories import verified_user
from tests.helpers.rubric import sheet


def pool(campaign, organiser, experts: int, load: int):
    tags = ["人工智能", "大数据", "区块链", "隐私计算", "云计算", "数字信贷"]
    return [review.seat_expert(campaign, verified_user(f"e{campaign.pk}_{i}"), name=f"评审{i}", tags=tags[i % 6:][:2],
                               bio="长期从事金融科技研究", load=load, employer_name=f"某研究院{i}", actor=organiser)
            for i in range(experts)]


def review_all(campaign, organiser, quality: dict[int, int]):
    """Solve the assignment and let every expert score every assigned case: quality[app] ± a per-expert bias."""
    summary = review.solve_assignment(campaign, actor=organiser, notify_experts=False)
    biases = {}
    for a in Assignment.objects.filter(campaign=campaign).select_related("expert").order_by("pk"):
        bias = biases.setdefault(a.expert_id, (len(biases) % 3) - 1)  # -1, 0, +1
        _, errors = review.save_review(a, sheet(campaign.spec.rubric, quality[a.application_id] + bias), submit=True,
                                       actor=a.expert.user)
        assert errors == {}
    return summary
