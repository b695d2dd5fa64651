"""The demo roadshow: schedule built, the first presentations scored and closed, the rest pending."""

import random

import pytest

from jinxuan.demo import roadshow as demo
from jinxuan.roadshow import presentation, services
from jinxuan.roadshow.models import SlotState

pytestmark = pytest.mark.django_db


def test_demo_closes_the_first_presentations_and_leaves_the_rest(gz, ready, make_user):
    users = [make_user(f"demojudge{i}") for i in range(5)]
    slots = demo.build(gz, users, random.Random(1), closed=2)
    assert [s.state for s in slots] == [SlotState.CLOSED] * 2 + [SlotState.PENDING] * 2
    assert [j.pseudonym for j in services.panel(gz)] == [f"评委{i:02d}" for i in range(1, 6)]
    board = presentation.board(gz)
    assert len(board["results"]) == 2 and all(len(r["judges"]) == 5 for r in board["results"])
    assert [r["rank"] for r in board["ranking"]] in ([1, 2], [1, 1])
    assert all(s.started_at < s.qa_started_at < s.ended_at <= s.closed_at for s in slots[:2])
    again = demo.build(gz, users, random.Random(1), closed=2)  # idempotent on a built schedule
    assert [s.pk for s in again] == [s.pk for s in slots]
