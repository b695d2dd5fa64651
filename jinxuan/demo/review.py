"""Demo expert review: the six demo experts in every pool, conflicts, an optimal assignment, and scores from
experts of different harshness (so calibration has something to correct)."""

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
LATE = 2  # experts (the last ones) who have not finished by the deadline


def seat(campaign, experts, rng: random.Random) -> None:
    """The pool: every demo expert seated, automatic conflicts found (no assignment yet)."""
    choices = services.tag_choices(campaign)
    for i, user in enumerate(experts):
        services.seat_expert(campaign, user, name=user.display_name or user.username,
                             title=TITLES[i % len(TITLES)], employer_name=f"金融科技研究院（第{i + 1}研究室）",
                             tags=rng.sample(choices, min(4, len(choices))), bio=BIOS[i % len(BIOS)], load=20)
    services.refresh_automatic_conflicts(campaign)


def score(campaign, experts, rng: random.Random, complete: bool) -> None:
    """Assign and score. `complete`: every sheet submitted and the stage closed; else most experts have finished,
    the last LATE ones have sheets left (some drafts, some not started)."""
    if not services.entrants(campaign).exists():
        return
    services.solve_assignment(campaign, notify_experts=False)
    if campaign.spec.rubric is None:
        return
    offsets = {user.pk: HARSHNESS[i % len(HARSHNESS)] for i, user in enumerate(experts)}
    late = {user.pk for user in experts[-LATE:]}
    quality = {}
    for n, a in enumerate(campaign.assignments.select_related("expert").order_by("pk")):
        behind = not complete and a.expert.user_id in late
        if behind and n % 3 == 0:
            continue  # not started
        base = quality.setdefault(a.application_id, rng.uniform(62, 88))
        data = {}
        for c in campaign.spec.rubric.criteria:
            for name in [input_name(c.key, s.key) for s in c.sub_items] or [input_name(c.key)]:
                value = base + offsets[a.expert.user_id] + rng.uniform(-4, 4)
                data[name] = f"{max(0.0, min(float(c.max_score), value)):.1f}"
        review, _ = services.save_review(a, data, submit=not behind)
        assert review.state in (Review.SUBMITTED, Review.DRAFT)
    if complete:
        services.close_review(campaign, notify=False)
