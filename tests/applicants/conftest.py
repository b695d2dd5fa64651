import random

import pytest

from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.files import sample_file, tiny_docx, tiny_jpg, tiny_pdf  # noqa: F401 - used by other tests
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker


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


def complete(app: Application, seed: int = 5) -> Application:
    """Fill every field and attach every required file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinxuan.applicants.attachments import store_upload

    spec = app.campaign.spec
    units = list(app.units.select_related("organisation").order_by("position"))
    faker = TextFaker(seed)
    filler = AnswerFaker(faker, spec, app.track.key, [u.organisation.credit_code for u in units], faker.topic())
    title = faker.case_title(topic=filler.topic)
    app.answers = filler.application(title)
    app.title = title
    app.save()
    for unit in units:
        unit.answers = filler.unit(unit.organisation.name, unit.organisation.credit_code)
        unit.save()
    for rule in spec.attachments:
        if rule.required:
            name, data = sample_file(rule)
            store_upload(app, rule.key, SimpleUploadedFile(name, data))
    return app


@pytest.fixture
def draft(open_gz, applicant):
    user, org = applicant
    app = Application.objects.create(campaign=open_gz, track=open_gz.tracks.first(), title="（未命名案例）", created_by=user)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
    return app
