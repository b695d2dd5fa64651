"""A closed public vote takes no vote, whatever its window says, on the page and through the service; the
dashboard shows the vote's real status while it runs."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from jinxuan.accounts.models import Role
from jinxuan.pipeline import runtime
from jinxuan.reports import services as reports
from jinxuan.voting import services
from jinxuan.voting.models import Vote

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_a_running_vote_as_running(gz, vote_open, voter, client, make_user):
    services.cast(gz, vote_open[0].pk, voter)
    table = next(t for t in reports.stage_tables(gz) if t.stage.kind == "public_vote")
    assert table.status == "进行中" and "已收到 1 票" in table.live.activity
    client.force_login(make_user("vote_guide", Role.GUIDANCE, campaign=gz))
    page = client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    assert "已收到 1 票（有效 1 票）" in page


def test_the_dashboard_counts_invalidated_votes_as_received_not_valid(gz, vote_open, voter, organiser):
    from jinxuan.voting.models import Voter

    services.cast(gz, vote_open[0].pk, voter)
    other = Voter.objects.create(phone="13922220000", verified_at=voter.verified_at)
    vote = services.cast(gz, vote_open[1].pk, other)
    services.invalidate(vote, "同一设备批量投票", actor=organiser)
    table = next(t for t in reports.stage_tables(gz) if t.stage.kind == "public_vote")
    assert "已收到 2 票（有效 1 票）" in table.live.activity


def test_no_vote_once_the_vote_is_closed(gz, vote_open, voter, organiser, client):
    services.cast(gz, vote_open[0].pk, voter)
    stage = runtime.stage_of(gz, "public_vote")
    run = runtime.close_stage(gz, stage, actor=organiser)
    assert runtime.is_closed(gz, stage) and run.kind == "public_vote"
    assert {e["application_id"]: e["score"] for e in run.result["entries"]}[vote_open[0].pk] == "1"
    with pytest.raises(services.VoteError, match="阶段已结束"):
        services.cast(gz, vote_open[1].pk, voter)
    # the window reopened by hand (the preset's dates say open): still refused
    w = services.window(gz)
    services.set_window(gz, w.opens_at, w.opens_at + dt.timedelta(days=30))
    with pytest.raises(services.VoteError, match="阶段已结束"):
        services.cast(gz, vote_open[1].pk, voter)
    client.cookies["jx_voter"] = signing.get_cookie_signer(salt="jx_voter" + "voter").sign(str(voter.pk))
    page = client.post(reverse("vote:confirm", args=[gz.slug, vote_open[1].pk]), {"confirmed": "1"}, follow=True)
    assert "阶段已结束" in page.content.decode()
    assert Vote.objects.filter(campaign=gz).count() == 1


def test_the_composite_reads_the_stored_vote_and_replays(gz, vote_open, voter, organiser):
    from jinxuan.pipeline.replay import replay_all

    services.cast(gz, vote_open[0].pk, voter)
    w = services.window(gz)
    services.set_window(gz, w.opens_at, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), actor=organiser)
    composite = services.close_vote(gz, actor=organiser, notify=False)
    assert composite.result["inputs"]["data"] == {}  # only earlier stages' stored results
    assert set(composite.result["inputs"]["earlier"]) == {"expert_review", "public_vote"}
    replays = replay_all(gz)
    assert {r["stage"] for r in replays} == {"formal_review", "expert_review", "public_vote", "composite"}
    assert [r for r in replays if not r["same"]] == []


def test_a_close_reaches_every_process_at_once(gz, vote_open, voter, organiser):
    """Another process still holding its snapshot of the open vote refuses too: the closed flag is shared."""
    import time

    from jinxuan.voting.counters import counters

    services.cast(gz, vote_open[0].pk, voter)
    stale = services.snapshot(gz)
    stage = runtime.stage_of(gz, "public_vote")
    runtime.close_stage(gz, stage, actor=organiser)
    services._snapshots[gz.pk] = (time.monotonic(), stale)  # as another process still sees it
    with pytest.raises(services.VoteError, match="网络投票已结束"):
        services.cast(gz, vote_open[1].pk, voter)
    assert Vote.objects.filter(campaign=gz).count() == 1
    runtime.reopen_stage(gz, stage, "核实后补录", actor=organiser)
    assert not counters().flag(services.closed_key(gz.pk))
    w = services.window(gz)  # the close ended the window now; the organiser widens it again
    services.set_window(gz, w.opens_at, w.opens_at + dt.timedelta(days=30))
    services.cast(gz, vote_open[1].pk, voter)
    assert Vote.objects.filter(campaign=gz).count() == 2
