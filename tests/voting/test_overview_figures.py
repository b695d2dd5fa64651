"""The vote overview's figures over every stored vote are counted at most every FIGURES_SECONDS; the live totals
(the counters), an invalidation and a run of the fraud signals show at once."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jinxuan.voting import figures, services
from jinxuan.voting.models import Vote, Voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = figures.count
    monkeypatch.setattr(figures, "count", lambda *a: calls.append(1) or real(*a))
    return calls


def _stored(page: str) -> int:
    return int(re.search(r"已存票 (\d+) 张", page).group(1))


def _row(page: str, title: str) -> tuple[str, str]:
    """(live valid votes, invalidated) of a case's row (the column between is the public's delayed view)."""
    row = page[page.index(title):]
    cells = re.findall(r'<td class="num">(?:<strong>)?(\d+)', row[:row.index("</tr>")])
    return cells[0], cells[2]


def test_figures_are_kept_briefly_and_what_the_organiser_does_shows_at_once(gz, vote_open, organiser, client,
                                                                           counted):
    voters = [Voter.objects.create(phone=f"1391111{i:04d}", verified_at=timezone.now()) for i in range(3)]
    services.cast(gz, vote_open[0].pk, voters[0])
    services.cast(gz, vote_open[0].pk, voters[1])
    client.force_login(organiser)
    url = reverse("vote_manage:overview", args=[gz.slug])
    page = client.get(url).content.decode()
    assert _stored(page) == 2 and _row(page, vote_open[0].title) == ("2", "0") and len(counted) == 1

    services.cast(gz, vote_open[0].pk, voters[2])  # within the window: the stored count waits, the live one not
    page = client.get(url).content.decode()
    assert len(counted) == 1 and _stored(page) == 2 and _row(page, vote_open[0].title)[0] == "3"

    services.invalidate(Vote.objects.filter(voter=voters[0]).get(), "同一设备重复投票", actor=organiser)
    page = client.get(url).content.decode()
    assert len(counted) == 2 and _stored(page) == 3 and _row(page, vote_open[0].title) == ("2", "1")

    services.detect_signals(gz)
    client.get(url)
    assert len(counted) == 3


def test_the_overview_lists_the_newest_flagged_votes_only(gz, vote_open, organiser, client, monkeypatch):
    from jinxuan.voting import manage_views

    monkeypatch.setattr(manage_views, "FLAGGED_SHOWN", 2)
    for i in range(3):
        v = Voter.objects.create(phone=f"1392222{i:04d}", verified_at=timezone.now())
        services.cast(gz, vote_open[0].pk, v)
    Vote.objects.update(signals=[{"code": "night_burst", "message": "深夜集中投票", "related": []}])
    figures.signals_ran(gz)
    client.force_login(organiser)
    page = client.get(reverse("vote_manage:overview", args=[gz.slug])).content.decode()
    assert "异常投票（3）" in page and "下表为最新的 2 张" in page and page.count('name="votes"') == 2


def test_the_cases_with_most_votes_are_listed_and_the_rest_folded(gz, vote_open, organiser, client, monkeypatch):
    from jinxuan.voting import manage_views

    monkeypatch.setattr(manage_views, "COUNTS_SHOWN", 2)
    for i in range(2):
        services.cast(gz, vote_open[3].pk, Voter.objects.create(phone=f"1392222{i:04d}", verified_at=timezone.now()))
    services.cast(gz, vote_open[1].pk, Voter.objects.create(phone="13933330000", verified_at=timezone.now()))
    client.force_login(organiser)
    page = client.get(reverse("vote_manage:overview", args=[gz.slug])).content.decode()
    table, folded = page.split("<details>", 1)
    assert f"{len(vote_open)} 个案例" in table and f"其余 {len(vote_open) - 2} 个案例" in folded
    assert table.index(vote_open[3].title) < table.index(vote_open[1].title)  # most votes first
    assert all(a.title in folded for a in vote_open if a not in (vote_open[1], vote_open[3]))


def test_the_signal_run_reports_in_chinese(gz, vote_open, organiser, client, monkeypatch):
    monkeypatch.setattr(services, "detect_signals", lambda campaign: {"subnet_burst": 3})
    client.force_login(organiser)
    page = client.post(reverse("vote_manage:detect", args=[gz.slug]), follow=True).content.decode()
    assert "异常检测完成" in page and "subnet_burst" not in page
