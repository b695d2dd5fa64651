"""The application state machine: allowed moves, reasons, versions and the audit trail."""

import pytest

from jinxuan.applicants.models import Application
from jinxuan.applicants.services import content_hash, content_of, snapshot_version, transition
from jinxuan.applicants.states import MOVES, State, TransitionError, allowed_targets
from jinxuan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(campaigns):
    campaign = campaigns["gz-dianshu-2025"]
    return Application.objects.create(campaign=campaign, track=campaign.tracks.first(), title="基于隐私计算的普惠信贷应用")


def test_happy_path_to_award(app):
    for target in (State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED, State.IN_STAGE, State.AWARDED):
        transition(app, target)
    assert app.state == State.AWARDED and app.submitted_at is not None


def test_correction_loop(app):
    transition(app, State.SUBMITTED)
    transition(app, State.FORMAL_REVIEW)
    with pytest.raises(TransitionError, match="必须填写原因"):
        transition(app, State.NEEDS_CORRECTION)
    transition(app, State.NEEDS_CORRECTION, reason="缺少营业执照")
    assert app.state_reason == "缺少营业执照"
    transition(app, State.SUBMITTED)
    assert app.state == State.SUBMITTED


def test_forbidden_moves_are_refused_with_chinese_message(app):
    with pytest.raises(TransitionError, match="不能从“草稿”变为“入选”"):
        transition(app, State.AWARDED)
    assert Application.objects.get(pk=app.pk).state == State.DRAFT


def test_terminal_states_have_no_way_out():
    for state in (State.REJECTED, State.WITHDRAWN, State.DISQUALIFIED):
        assert allowed_targets(state) == []
    assert all(m.source in State.values and m.target in State.values for m in MOVES)


def test_every_move_is_audited(app):
    transition(app, State.SUBMITTED)
    event = AuditEvent.objects.filter(object_type="applicants.application", object_id=str(app.pk)).last()
    assert event.before == {"state": "draft", "stage": ""} and event.after["state"] == "submitted"


def test_versions_hash_their_content(app):
    v1 = snapshot_version(app)
    assert v1.number == 1 and v1.content_hash == content_hash(content_of(app))
    app.answers = {"intro": "改过"}
    app.save()
    v2 = snapshot_version(app)
    assert v2.number == 2 and v2.content_hash != v1.content_hash
