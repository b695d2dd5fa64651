"""Demo cases for the public library (the demo seeds it through the library's services): a few past winners per campaign from generated text, awarded applications
published when the demo has any, and a short featured list.  A past winner belongs to the year before its
campaign: it is filed under that year's edition of the same call when the demo has one (点数成金2024 for
点数成金2025), else under no campaign, never under the current one.

    from jinxuan.demo.library import build
    build(random.Random(2025))  # -> list[Case]
"""

from __future__ import annotations

import random

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.models import Campaign
from jinxuan.library import services
from jinxuan.library.models import Case

from .text import TextFaker

TIERS = ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "优秀案例"]
KINDS = ["bank", "fintech", "insurance", "securities", "data", "research", "leasing"]
# openings that make the demo searchable by the usual two-character queries
LEADS = [
    "聚焦普惠金融与小微企业融资难题，",
    "围绕智能风控与反欺诈能力建设，",
    "以公共数据与征信信息融合为基础，",
    "面向跨境贸易与外汇结算场景，",
    "服务养老金融与适老化改造，",
    "推动绿色金融与碳账户应用，",
]


def build(rng: random.Random, per_campaign: int = 6, featured: int = 3) -> list:
    """Create the demo library (idempotent per campaign and title); returns the cases created or refreshed."""
    cases = []
    editions = {((c.preset or {}).get("source"), c.year): c for c in Campaign.objects.all()}
    for campaign in Campaign.objects.order_by("slug"):
        year = campaign.year - 1
        home = editions.get(((campaign.preset or {}).get("source"), year))
        faker = TextFaker(rng.randint(1, 10**6))
        tracks = list(campaign.tracks.order_by("position").values_list("name", flat=True)) or [""]
        for i in range(per_campaign):
            topic = faker.topic()
            title = faker.case_title(topic=topic)
            body = faker.text_of_length(700, 1200, topic=topic).split("\n")
            body[0] = rng.choice(LEADS) + body[0]
            orgs = [faker.org_name(rng.choice(KINDS)) for _ in range(rng.randint(1, 2))]
            if home is None and Case.objects.filter(campaign=None, title=title, year=year).exists():
                continue  # already there (idempotence is per campaign and title otherwise)
            cases.append(services.add_historical_case(
                campaign=home, title=title, track=tracks[i % len(tracks)], tier=TIERS[i % len(TIERS)],
                paragraphs=body, captions=[f"图1 {title}总体架构"], organisations=orgs, year=year))
        awards = (campaign.preset.get("awards") or {}).get("tiers") or [{"name": "入选"}]
        for app in Application.objects.filter(campaign=campaign, state=State.AWARDED).order_by("pk")[:3]:
            try:
                cases.append(services.publish_application(app, tier=awards[0]["name"]))
            except services.LibraryError:
                continue
    for case in rng.sample(cases, min(featured, len(cases))):
        services.set_featured(case, True)
    return cases
