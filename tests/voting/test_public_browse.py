"""The public vote list: a search by case name, a choice of order and pages of listing.PAGE cases; a track, a
search and an order are kept across pages."""

import pytest
from django.urls import reverse

from jinxuan.voting import listing, services
from jinxuan.voting.models import Voter

pytestmark = pytest.mark.django_db


def _cases(n):
    return [{"pk": i, "title": f"案例{i} {'Cloud' if i % 2 else '普惠'}", "track": "甲" if i < 3 else "乙",
             "summary": []} for i in range(1, n + 1)]


def test_browse_filters_by_track_and_name_and_orders_by_votes():
    cases = _cases(6)
    assert [r["pk"] for r in listing.browse(cases, {}, track="甲")] == [1, 2]
    assert [r["pk"] for r in listing.browse(cases, {}, q="cloud")] == [1, 3, 5]  # letters in either case
    by_votes = listing.browse(cases, {4: 9, 2: 9, 6: 1}, sort="votes")
    assert [r["pk"] for r in by_votes][:3] == [2, 4, 6] and by_votes[0]["votes"] == 9
    assert "votes" not in cases[0]  # the kept rows are not changed


def test_the_page_searches_orders_and_pages(client, gz, vote_open, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(listing, "PAGE", 2)
    w = services.window(gz)
    services.set_window(gz, w.opens_at, w.closes_at, delay=0)  # votes shown at once
    voter = Voter.objects.create(phone="13955550000", verified_at=timezone.now())
    services.cast(gz, vote_open[4].pk, voter)
    url = reverse("vote:index", args=[gz.slug])
    first = client.get(url).content.decode()
    assert f"共 {len(vote_open)} 个案例" in first and "第 1 / 3 页" in first and "page=2" in first
    assert vote_open[0].title in first and vote_open[2].title not in first
    top = client.get(url, {"sort": "votes"}).content.decode()
    assert top.index(vote_open[4].title) < top.index("第 1 / 3 页") and "sort=votes&amp;page=2" in top
    word = vote_open[5].title[-4:]
    found = client.get(url, {"q": word}).content.decode()
    assert vote_open[5].title in found and "找到" in found
    none = client.get(url, {"q": "不存在的词语"}).content.decode()
    assert "没有名称含“不存在的词语”的案例" in none
