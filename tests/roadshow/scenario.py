"""A campaign ready for its roadshow, built through the real services: accepted applications, expert review
closed, the public vote closed and the composite applied. Plain functions (no pytest), so the e2e test can run
them inside the live server's database through `jinxuan shell`."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment, User
from jinxuan.applicants.models import Organisation
from jinxuan.demo.population import credit_code
from tests.factories import make_application, verified_user
from tests.helpers.rubric import sheet

PASSWORD = "s3cret-Passw0rd!"


def gz_copy(slug: str, **overrides):
    """The reference preset loaded as another campaign (the demo's gz-dianshu-2025 stays taking applications), with
    top-level keys overridden (e.g. district_recommendation_skips)."""
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.campaigns.schema import Preset

    preset = read_preset(settings.PRESET_DIR / "gz-dianshu-2025.yaml")
    data = preset.model_dump(mode="json") | {"slug": slug, "short_name": f"路演演练{slug[-4:]}"} | overrides
    return load_preset(Preset.model_validate(data))[0]


def judges(campaign, count: int = 3, prefix: str = "rsjudge") -> list[User]:
    users = []
    for i in range(1, count + 1):
        user = User.objects.create_user(username=f"{prefix}{i}", password=PASSWORD, email=f"{prefix}{i}@example.cn",
                                        display_name=f"路演评委{i}")
        RoleAssignment.objects.create(user=user, role=Role.ROADSHOW_JUDGE, campaign=campaign)
        users.append(user)
    return users


def reviewed(campaign, count: int = 10, district: tuple[int, ...] = (8,), organiser=None, seed: int = 7):
    """`count` accepted applications (indexes in `district` are district-recommended), each scored 50 + 3·i by
    one expert; review closed. Returns the applications in creation order."""
    from jinxuan.review import services as review

    rng = random.Random(seed * 100_003 + campaign.pk)  # distinct codes when several campaigns share a database
    apps = []
    for i in range(count):
        org = Organisation.objects.create(name=f"广州路演测试单位{campaign.pk}-{i}有限公司",
                                          credit_code=credit_code(rng, "广州"))
        app = make_application(campaign, org, i, title=f"路演测试案例{i:02d}")
        if i in district:
            app.district_recommended = True
            app.save(update_fields=["district_recommended"])
        apps.append(app)
    member = review.seat_expert(campaign, verified_user(f"rs-expert-{campaign.pk}"), name="路演前专家",
                                load=count, actor=organiser)
    for i, app in enumerate(apps):
        a = review.assign_manually(campaign, member.expert, app, actor=organiser)
        review.save_review(a, sheet(campaign.spec.rubric, 50 + 3 * i), submit=True)
    review.close_review(campaign, actor=organiser, notify=False)
    return apps


def roadshow_ready(campaign, count: int = 10, district: tuple[int, ...] = (8,), organiser=None, seed: int = 7):
    """`reviewed`, then the vote window in the past and the composite applied (floor 30 % + direct entries)."""
    from jinxuan.voting import services as voting

    apps = reviewed(campaign, count, district, organiser, seed)
    now = timezone.now()
    voting.set_window(campaign, now - dt.timedelta(days=3), now - dt.timedelta(minutes=1), actor=organiser)
    voting.close_vote(campaign, actor=organiser, notify=False)
    return apps


def vote_open(campaign, count: int = 6, organiser=None, seed: int = 11):
    """`reviewed`, then the public vote open since yesterday for ten days."""
    from jinxuan.voting import services as voting

    apps = reviewed(campaign, count, (), organiser, seed)
    now = timezone.now()
    voting.set_window(campaign, now - dt.timedelta(days=1), now + dt.timedelta(days=10), actor=organiser)
    return apps
