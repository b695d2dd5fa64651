"""Submission: deadline in Beijing time with grace, idempotency, versions, correction, withdrawal."""

import datetime as dt

import pytest
from django.core import mail

from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.applicants.submission import SubmissionError, can_edit, submit, withdraw
from tests.factories import complete

pytestmark = pytest.mark.django_db


def test_incomplete_application_cannot_be_submitted(draft):
    with pytest.raises(SubmissionError) as info:
        submit(draft)
    labels = {p.label for p in info.value.problems}
    assert "案例名称" in labels and "营业执照" in labels
    assert draft.versions.count() == 0


def test_complete_application_submits_one_version(draft):
    complete(draft)
    version = submit(draft, idempotency_key="k1")
    assert version.number == 1 and len(version.content_hash) == 64
    assert len(version.content["attachments"]) == sum(1 for a in draft.campaign.spec.attachments if a.required)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED and draft.submitted_at is not None
    assert submit(draft, idempotency_key="k1").pk == version.pk  # same key: same version
    assert submit(draft, idempotency_key="k2").pk == version.pk  # nothing changed: same version
    assert draft.versions.count() == 1


def test_changed_content_makes_a_new_version(draft):
    complete(draft)
    first = submit(draft)
    intro = next(f.key for f in draft.campaign.spec.form.fields("application") if f.label == "案例简介")
    draft.answers[intro] = draft.answers[intro][:-2] + "。"
    draft.save()
    second = submit(draft)
    assert second.number == 2 and second.content_hash != first.content_hash
    assert first.content != second.content


@pytest.mark.parametrize("grace", [0, 600])
def test_deadline_with_grace(draft, settings, grace):
    settings.SUBMISSION_GRACE_SECONDS = grace
    complete(draft)
    closes = draft.campaign.submission_closes + dt.timedelta(seconds=grace)
    with pytest.raises(SubmissionError, match="截止"):
        submit(draft, at=closes + dt.timedelta(seconds=1))
    assert submit(draft, at=closes - dt.timedelta(seconds=1)).number == 1


def test_deadline_message_is_in_beijing_time(draft):
    complete(draft)
    draft.campaign.submission_closes = dt.datetime(2026, 4, 10, 15, 59, tzinfo=dt.UTC)  # 23:59 in Beijing
    draft.campaign.save()
    with pytest.raises(SubmissionError, match="2026年04月10日 23:59:00（北京时间）"):
        submit(draft, at=dt.datetime(2026, 4, 10, 16, 0, 1, tzinfo=dt.UTC))


def test_editing_after_deadline_only_when_correction_requested(draft):
    complete(draft)
    submit(draft)
    draft.refresh_from_db()
    campaign = draft.campaign
    campaign.submission_closes = campaign.submission_opens + dt.timedelta(seconds=1)
    campaign.save()
    draft.refresh_from_db()
    assert not can_edit(draft)
    transition(draft, State.FORMAL_REVIEW)
    transition(draft, State.NEEDS_CORRECTION, reason="承诺函未盖章")
    assert can_edit(draft)
    assert submit(draft).number == 2  # the corrected resubmission is a version of its own
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_state_change_notifies_members_and_lands_in_outbox(draft, applicant, django_capture_on_commit_callbacks):
    from jinxuan.notifications.models import OutboxMessage

    complete(draft)
    submit(draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(draft, "案例需调整，本年度不再申报")
    draft.refresh_from_db()
    assert draft.state == State.WITHDRAWN and draft.state_reason.startswith("案例需调整")
    assert [m.to for m in mail.outbox] == [[applicant[0].email]]
    assert "已撤回" in mail.outbox[0].body and "案例需调整" in mail.outbox[0].body
    assert OutboxMessage.objects.filter(campaign=draft.campaign, to=applicant[0].email, sent_at__isnull=False).exists()


def test_withdrawal_needs_a_reason_after_submission(draft):
    complete(draft)
    submit(draft)
    with pytest.raises(SubmissionError, match="必须填写原因"):
        withdraw(draft, "")
