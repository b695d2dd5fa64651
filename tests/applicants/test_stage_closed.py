"""A closed formal review (the stage that reads the applications) freezes them: no edit, upload or submission,
on the pages and in the API (409), even while the preset's submission window is still open."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jinxuan.accounts.models import ApiToken, Role
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.applicants.submission import SubmissionClosed, can_edit, save_draft, submit, window_open
from jinxuan.demo.files import tiny_pdf
from jinxuan.formalreview import services as formal
from jinxuan.pipeline import runtime
from tests.factories import complete

pytestmark = pytest.mark.django_db
CLOSED = "「形式审核」阶段已结束"


@pytest.fixture
def closed(open_gz, draft, make_user):
    organiser = make_user("closer", Role.ORGANISER, campaign=open_gz)
    complete(draft)
    runtime.close_stage(open_gz, runtime.stage_of(open_gz, "formal_review"), actor=organiser)
    return organiser


def test_no_edit_upload_or_submission_once_formal_review_closed(open_gz, draft, applicant, closed, client):
    user, _ = applicant
    assert window_open(open_gz) and not can_edit(draft)  # the preset's dates say open; the stage says closed
    with pytest.raises(SubmissionClosed, match=CLOSED):
        submit(draft, actor=user)
    with pytest.raises(SubmissionClosed, match=CLOSED):
        save_draft(draft, {"x": "y"}, {}, actor=user)

    client.force_login(user)
    page = client.get(f"/apply/{draft.pk}/edit/", follow=True).content.decode()
    assert CLOSED in page
    response = client.post(f"/apply/{draft.pk}/attachments/", {"key": open_gz.spec.attachments[0].key,
                                                               "file": SimpleUploadedFile("a.pdf", tiny_pdf())},
                           follow=True)
    assert CLOSED in response.content.decode()

    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'ci')[1]}"}
    answer = client.post(f"/api/v1/applications/{draft.pk}/submit", {"idempotency_key": "k1"},
                         content_type="application/json", **auth)
    assert answer.status_code == 409 and CLOSED in answer.json()["detail"]
    answer = client.patch(f"/api/v1/applications/{draft.pk}", {"answers": {}, "units": {}},
                          content_type="application/json", **auth)
    assert answer.status_code == 409
    answer = client.post(f"/api/v1/applications/{draft.pk}/attachments",
                         {"key": open_gz.spec.attachments[0].key, "file": SimpleUploadedFile("a.pdf", tiny_pdf())}, **auth)
    assert answer.status_code == 409 and CLOSED in answer.json()["detail"]
    answer = client.post("/api/v1/applications", {"campaign": open_gz.slug, "track": open_gz.tracks.first().key,
                                                  "credit_code": applicant[1].credit_code},
                         content_type="application/json", **auth)
    assert answer.status_code == 409
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT and not draft.versions.exists()


def test_no_formal_decision_once_formal_review_closed(open_gz, draft, applicant, closed, client):
    Application.objects.filter(pk=draft.pk).update(state=State.SUBMITTED)
    with pytest.raises(formal.DecisionError, match=CLOSED):
        formal.decide(draft, "pass", override_reason="人工核对", actor=closed)
    client.force_login(closed)
    page = client.post(f"/manage/formal/{open_gz.slug}/{draft.pk}/", {"decision": "pass", "override_reason": "人工核对"},
                       follow=True).content.decode()
    assert CLOSED in page
    assert Application.objects.get(pk=draft.pk).state == State.SUBMITTED
