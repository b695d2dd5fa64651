"""Demo expert review: the six demo experts in every pool, conflicts, an optimal assignment, and scores from
experts of different harshness (so calibration has something to correct): complete and closed in the reference
campaign (whose public vote is then open), under way in 金融新质生产力."""

from __future__ import annotations

import random

from jinxuan.review import services
from jinxuan.review.models import Review
from jinxuan.review.rubric import input_name

TITLES = ["教授", "研究员", "高级工程师", "首席风险官", "副院长", "合伙人"]
BIOS = [
    "长期从事小微企业信贷风控、大数据征信与普惠金融研究",
    "研究保险科技、理赔自动化与区块链存证",
    "负责支付清算与跨境结算系统建设，关注云计算与信创",
    "从事隐私计算、数据要素流通与数据安全合规",
    "研究人工智能大模型在投研、客服与反欺诈中的应用",
    "关注绿色金融、科技金融与产业链金融的数字化",
]
HARSHNESS = [-12, -4, 0, 3, 8, 14]
GZ, IN_PROGRESS = "gz-dianshu-2025", "xinhua-nqp-2025"  # vote under way / expert review under way


def build(campaigns, experts, rng: random.Random) -> None:
    for campaign in campaigns:
        choices = services.tag_choices(campaign)
        for i, user in enumerate(experts):
            services.seat_expert(campaign, user, name=user.display_name or user.username,
                                 title=TITLES[i % len(TITLES)], employer_name=f"金融科技研究院（第{i + 1}研究室）",
                                 tags=rng.sample(choices, min(4, len(choices))), bio=BIOS[i % len(BIOS)],
                                 load=20)
        services.refresh_automatic_conflicts(campaign)
        if not services.entrants(campaign).exists():
            continue
        services.solve_assignment(campaign, notify_experts=False)
        if campaign.spec.rubric is None or campaign.slug not in (GZ, IN_PROGRESS):
            continue
        complete = campaign.slug == GZ
        offsets = {user.pk: HARSHNESS[i % len(HARSHNESS)] for i, user in enumerate(experts)}
        quality = {}
        for n, a in enumerate(campaign.assignments.select_related("expert").order_by("pk")):
            if not complete and n % 5 == 4:
                continue  # some reviews still to do
            base = quality.setdefault(a.application_id, rng.uniform(62, 88))
            data = {}
            for c in campaign.spec.rubric.criteria:
                names = [input_name(c.key, s.key) for s in c.sub_items] or [input_name(c.key)]
                for name in names:
                    value = base + offsets[a.expert.user_id] + rng.uniform(-4, 4)
                    data[name] = f"{max(0.0, min(float(c.max_score), value)):.1f}"
            review, _ = services.save_review(a, data, submit=complete or n % 7 != 3)
            assert review.state in (Review.SUBMITTED, Review.DRAFT)
        if complete:  # the reference campaign has finished expert review and is in its public vote
            services.close_review(campaign, notify=False)
