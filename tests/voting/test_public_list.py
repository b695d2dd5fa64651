"""The public vote list: its cases' summaries are built once and kept until an entrant changes; the delayed
totals beside them are counted once per step, never newer than the delay, and follow an invalidation at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jinxuan.applicants import personal_data as pd
from jinxuan.applicants.models import Application
from jinxuan.voting import listing, services
from jinxuan.voting.models import Vote, Voter

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def built(monkeypatch):
    calls = []
    real = listing._rows

    def spy(campaign, qs):
        calls.append(campaign.pk)
        return real(campaign, qs)

    monkeypatch.setattr(listing, "_rows", spy)
    return calls


def test_the_list_is_built_once_and_again_after_a_change(client, gz, vote_open, built):
    url = reverse("vote:index", args=[gz.slug])
    first = client.get(url).content.decode()
    client.get(url, {"track": vote_open[0].track.name})
    assert len(built) == 1 and all(a.title in first for a in vote_open)
    app = Application.objects.get(pk=vote_open[0].pk)
    app.title = "更名后的案例"
    app.save()
    assert "更名后的案例" in client.get(url).content.decode() and len(built) == 2


def test_a_consent_given_or_withdrawn_without_a_save_shows_at_once(client, gz, vote_open):
    app = Application.objects.get(pk=vote_open[0].pk)
    app.answers["case_brief"] = f"联系电话 {PHONE}，欢迎咨询。"
    app.save()
    url = reverse("vote:index", args=[gz.slug])
    assert PHONE not in client.get(url).content.decode()  # masked
    pd.set_consent(app, None, True)
    assert PHONE in client.get(url).content.decode()
    pd.set_consent(Application.objects.get(pk=app.pk), None, False)
    assert PHONE not in client.get(url).content.decode()


def _delay(gz, minutes):
    w = services.window(gz)
    services.set_window(gz, w.opens_at, w.closes_at, delay=minutes)


def test_delayed_totals_are_at_least_the_delay_old_and_counted_once_per_step(gz, vote_open, voter):
    _delay(gz, 10)
    vote = services.cast(gz, vote_open[0].pk, voter)
    old = timezone.now() - dt.timedelta(minutes=11)
    Vote.objects.filter(pk=vote.pk).update(created_at=old)
    recent = services.cast(gz, vote_open[1].pk, Voter.objects.create(phone="13922223333", verified_at=old))
    shown = services.shown_totals(gz)
    assert shown.get(vote_open[0].pk) == 1 and vote_open[1].pk not in shown  # 11 min old shown; just now not
    with CaptureQueriesContext(connection) as queries:
        assert services.shown_totals(gz) == shown
    assert queries.captured_queries and not any("GROUP BY" in q["sql"] for q in queries.captured_queries)
    services.invalidate(Vote.objects.get(pk=vote.pk), "同一设备批量投票")
    assert vote_open[0].pk not in services.shown_totals(gz)  # at once
    assert recent.valid
