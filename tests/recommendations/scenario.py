"""A gz-dianshu-2025 copy whose expert review is closed and whose vote window has ended, the composite not yet
computed: the moment an organiser marks district recommendations and then runs the roadshow. Plain functions, so
the browser test can run them inside the live server's database through `jinxuan shell`."""

from __future__ import annotations

import datetime as dt
import json
import random

from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Organisation
from jinxuan.demo.population import credit_code
from tests.factories import make_application, verified_user
from tests.helpers.rubric import sheet
from tests.roadshow.scenario import PASSWORD, gz_copy


def before_composite(slug: str, count: int = 6, organiser: str = "e2e_people_org") -> str:
    """Returns JSON: the organiser's username and the applications (number, title) from the lowest expert score up."""
    from jinxuan.review import services as review
    from jinxuan.voting import services as voting

    campaign = gz_copy(slug)
    org_user = verified_user(organiser)
    org_user.set_password(PASSWORD)
    org_user.save(update_fields=["password"])
    RoleAssignment.objects.create(user=org_user, role=Role.ORGANISER, campaign=campaign)
    rng = random.Random(11)
    apps = []
    for i in range(count):
        org = Organisation.objects.create(name=f"广州人员演练单位{campaign.pk}-{i}有限公司",
                                          credit_code=credit_code(rng, "广州"))
        apps.append(make_application(campaign, org, i, title=f"人员演练案例{i:02d}"))
    member = review.seat_expert(campaign, verified_user(f"people-expert-{campaign.pk}"), name="演练专家",
                                load=count, actor=org_user)
    for i, app in enumerate(apps):
        a = review.assign_manually(campaign, member.expert, app, actor=org_user)
        review.save_review(a, sheet(campaign.spec.rubric, 50 + 5 * i), submit=True)
    review.close_review(campaign, actor=org_user, notify=False)
    now = timezone.now()
    voting.set_window(campaign, now - dt.timedelta(days=3), now - dt.timedelta(minutes=1), actor=org_user)
    return json.dumps({"organiser": organiser, "apps": [[a.number, a.title] for a in apps]}, ensure_ascii=False)
