import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jinxuan.accounts.models import Role
from jinxuan.applicants.attachments import store_upload
from jinxuan.applicants.models import Application, ApplicationUnit, Organisation
from jinxuan.applicants.services import snapshot_version, transition
from jinxuan.applicants.states import State
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.files import sample_file
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker
from tests.applicants.conftest import open_gz  # noqa: F401 - shared fixture


def submitted_application(campaign, org, n: int, title: str | None = None, attachments: bool = True) -> Application:
    """A submitted application (version 1) with answers for every field and its required attachments."""
    tracks = list(campaign.tracks.order_by("position"))
    track = tracks[n % len(tracks)]
    faker = TextFaker(300 + n)
    filler = AnswerFaker(faker, campaign.spec, track.key, [org.credit_code], faker.topic())
    title = title or faker.case_title(max_chars=20, topic=filler.topic)
    app = Application.objects.create(campaign=campaign, track=track, title=title, answers=filler.application(title))
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0,
                                   answers=filler.unit(org.name, org.credit_code))
    if attachments:
        for rule in campaign.spec.attachments:
            if rule.required:
                name, data = sample_file(rule)
                store_upload(app, rule.key, SimpleUploadedFile(name, data), check_state=False)
    transition(app, State.SUBMITTED, notify_members=False)
    snapshot_version(app)
    app.refresh_from_db()
    return app


@pytest.fixture
def org(db):
    return Organisation.objects.create(name="广州瀚澜数字科技有限公司", credit_code=credit_code(random.Random(7), "广州"))


@pytest.fixture
def make_submitted(open_gz, org):  # noqa: F811
    def make(n: int, **kwargs):
        return submitted_application(open_gz, org, n, **kwargs)

    return make


@pytest.fixture
def formal_reviewer(make_user, open_gz):  # noqa: F811
    return make_user("formal_reviewer", Role.FORMAL_REVIEWER, campaign=open_gz)


@pytest.fixture
def organiser(make_user, open_gz):  # noqa: F811
    return make_user("reader_organiser", Role.ORGANISER, campaign=open_gz)
