import random

import pytest

from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.demo.population import credit_code


@pytest.fixture
def applicant(make_user):
    user = make_user("applicant")
    from django.utils import timezone

    org = Organisation.objects.create(name="广州示例数字科技有限公司", credit_code=credit_code(random.Random(1), "广州"),
                                      verified_at=timezone.now())
    Membership.objects.create(user=user, organisation=org, is_admin=True)
    return user, org


@pytest.fixture
def open_gz(campaigns):
    import datetime as dt

    from django.utils import timezone

    from jinxuan.campaigns.schedule import reschedule

    now = timezone.now()
    return reschedule(campaigns["gz-dianshu-2025"], now - dt.timedelta(days=1), now + dt.timedelta(days=10))


@pytest.fixture
def draft(open_gz, applicant):
    user, org = applicant
    app = Application.objects.create(campaign=open_gz, track=open_gz.tracks.first(), title="（未命名案例）", created_by=user)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
    return app
