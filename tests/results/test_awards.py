"""The award stage on the presets, special awards, publication and the public results page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.results import services
from jinxuan.results.models import Award, AwardDecision
from tests.factories import AWARD_CANARY, award_entrant, award_run
from tests.helpers.results import ranked, set_awards

pytestmark = pytest.mark.django_db


def state(app):
    return Application.objects.get(pk=app.pk).state


def reviewed(campaign, scores, track=None, eliminated=0):
    """Applications with expert_review scores (all advance) plus `eliminated` ones that did not advance."""
    tracks = [t.key for t in campaign.tracks.order_by("position")]
    apps = [award_entrant(campaign, track or tracks[i % len(tracks)]) for i in range(len(scores))]
    out = [award_entrant(campaign, tracks[0], state=State.ELIMINATED) for _ in range(eliminated)]
    rows = sorted(zip(apps, scores, strict=True), key=lambda t: -t[1])
    award_run(campaign, "expert_review", "expert_review",
              [(a, i, Decimal(str(s)), True) for i, (a, s) in enumerate(rows, 1)]
              + [(a, None, None, False) for a in out])
    return apps, out


def test_xinhua_ranking_gives_excellent_case_to_every_entrant(xinhua, organiser_of):
    organiser = organiser_of(xinhua)
    apps, out = reviewed(xinhua, [71, 88.5, 80, 93, 64], eliminated=2)
    made = services.close_award(xinhua, actor=organiser)
    awards = list(Award.objects.filter(campaign=xinhua).order_by("position"))
    assert [a.application_id for a in awards] == [apps[i].pk for i in (3, 1, 2, 0, 4)]
    assert {a.tier_name for a in awards} == {"优秀案例"} and [a.position for a in awards] == [1, 2, 3, 4, 5]
    assert {state(a) for a in apps} == {State.AWARDED}
    assert {state(a) for a in out} == {State.ELIMINATED}  # not entrants: untouched
    run = made.stage_run
    assert run.kind == "award" and sorted(e["application_id"] for e in run.result["entries"]) == sorted(
        a.pk for a in apps)
    assert AuditEvent.objects.filter(action="results.awarded").exists()
    assert AuditEvent.objects.filter(action="application.评定入选").count() == 5
    with pytest.raises(services.ResultsError, match="已评定"):
        services.close_award(xinhua, actor=organiser)


def test_xinhua_with_a_count_set_by_the_organiser(xinhua, organiser_of):
    xinhua = set_awards(xinhua, {"tiers": [{"key": "excellent_case", "name": "优秀案例", "count": 3}]})
    apps, _ = reviewed(xinhua, [71, 88.5, 80, 93, 64])
    services.close_award(xinhua, actor=organiser_of(xinhua))
    assert {a.pk for a in apps if state(a) == State.AWARDED} == {apps[3].pk, apps[1].pk, apps[2].pk}
    assert {state(apps[0]), state(apps[4])} == {State.ELIMINATED}


def test_top10_exactly_ten_on_each_capped_list_and_shortfall_stated(top10, organiser_of, client):
    organiser = organiser_of(top10)
    sci = [award_entrant(top10, "sci_tech_finance_events") for _ in range(13)]
    dig = [award_entrant(top10, "digital_finance_events") for _ in range(7)]
    sh = [award_entrant(top10, "shanghai_data_finance") for _ in range(3)]
    everyone = sci + dig + sh
    ranked(top10, "expert_review", "expert_review", [(a, 60 + (i * 7) % 37) for i, a in enumerate(everyone)])
    made = services.close_award(top10, actor=organiser)
    per_track = {}
    for a in Award.objects.filter(campaign=top10):
        per_track.setdefault(a.track_key, []).append(a)
    assert len(per_track["sci_tech_finance_events"]) == 10
    assert len(per_track["digital_finance_events"]) == 7 and len(per_track["shanghai_data_finance"]) == 3
    # the ten are the top ten of that list by score
    scores = {e["application_id"]: Decimal(e["score"]) for e in made.stage_run.result["entries"]}
    best = sorted((a.pk for a in sci), key=lambda pk: -scores[pk])[:10]
    assert {a.application_id for a in per_track["sci_tech_finance_events"]} == set(best)
    assert sum(state(a) == State.ELIMINATED for a in sci) == 3
    assert made.shortfalls == {"digital_finance_events": {"winners": 10, "selected": 7}}
    assert any("仅 7 个" in n and "空缺 3 个" in n for n in made.notes)
    client.force_login(organiser)
    page = client.get(reverse("results:manage", args=[top10.slug])).content.decode()
    assert "应入选 10 个，符合条件的案例仅 7 个，空缺 3 个" in page
    services.publish_results(top10, actor=organiser)
    public = client.get(reverse("results:index", args=[top10.slug])).content.decode()
    assert "本榜单应入选 10 个，符合条件的案例仅 7 个，实际入选 7 个，空缺 3 个" in public


def test_top10_ten_when_more_than_ten_on_both_lists(top10, organiser_of):
    sci = [award_entrant(top10, "sci_tech_finance_events") for _ in range(11)]
    dig = [award_entrant(top10, "digital_finance_events") for _ in range(12)]
    ranked(top10, "expert_review", "expert_review", [(a, 50 + i) for i, a in enumerate(sci + dig)])
    made = services.close_award(top10, actor=organiser_of(top10))
    assert Award.objects.filter(campaign=top10, track_key="sci_tech_finance_events").count() == 10
    assert Award.objects.filter(campaign=top10, track_key="digital_finance_events").count() == 10
    assert made.shortfalls == {}


def test_entrant_without_a_score_is_placed_after_the_scored(gz, organiser_of):
    """000 ranks by the roadshow; an entry that came in by 顺位递补 after it has no roadshow score."""
    from jinxuan.publicity.models import Substitution

    organiser = organiser_of(gz)
    a, b, c, late, gone = (award_entrant(gz, "comprehensive") for _ in range(5))
    award_run(gz, "roadshow", "roadshow", [(a, 2, Decimal(80), True), (b, 1, Decimal(90), True),
                                           (c, 3, Decimal(70), True), (gone, 4, Decimal(60), True)])
    Application.objects.filter(pk=gone.pk).update(state=State.DISQUALIFIED)
    Substitution.objects.create(campaign=gz, left=gone, reason="异议成立", cause="objection", came_in=late,
                                from_rank=5, frozen_stage="composite", note="按综合得分排名第 5 名顺位递补")
    award_run(gz, "publicity", "publicity", [(x, i, None, True) for i, x in enumerate((a, b, c, late), 1)])
    made = services.close_award(gz, actor=organiser)
    entries = {e["application_id"]: e for e in made.stage_run.result["entries"]}
    assert [entries[x.pk]["rank"] for x in (b, a, c, late)] == [1, 2, 3, 4]
    assert "无路演答辩得分" in entries[late.pk]["reason"] and entries[late.pk]["score"] is None
    assert {x.pk for x in (a, b, c, late)} == set(Award.objects.values_list("application_id", flat=True))
    assert state(gone) == State.DISQUALIFIED


SPECIAL = {"tiers": [{"key": "excellent_case", "name": "优秀案例", "count": 4}],
           "special": [{"key": "tech", "name": "技术创新奖"}, {"key": "practice", "name": "最佳实践奖", "count": 2}]}


def test_special_awards_are_checked(xinhua, organiser_of, client):
    xinhua = set_awards(xinhua, SPECIAL)
    organiser = organiser_of(xinhua)
    apps, _ = reviewed(xinhua, [90, 85, 80, 75, 70, 65])
    with pytest.raises(services.ResultsError, match="请先评定奖项"):
        services.set_specials(xinhua, {"tech": [apps[0].pk]}, actor=organiser)
    services.close_award(xinhua, actor=organiser)
    with pytest.raises(services.ResultsError, match="未获得常规奖项"):
        services.set_specials(xinhua, {"tech": [apps[5].pk]}, actor=organiser)
    with pytest.raises(services.ResultsError, match="至多获得一个特别奖项"):
        services.set_specials(xinhua, {"tech": [apps[0].pk], "practice": [apps[0].pk]}, actor=organiser)
    with pytest.raises(services.ResultsError, match="只能授予 2 个"):
        services.set_specials(xinhua, {"practice": [apps[0].pk, apps[1].pk, apps[2].pk]}, actor=organiser)
    with pytest.raises(services.ResultsError, match="未知的特别奖项"):
        services.set_specials(xinhua, {"nobel": [apps[0].pk]}, actor=organiser)
    assert not Award.objects.exclude(special_key="").exists()
    client.force_login(organiser)
    url = reverse("results:special", args=[xinhua.slug])
    page = client.post(url, {"special_tech": [str(apps[5].pk)]}, follow=True).content.decode()
    assert "未获得常规奖项" in page
    client.post(url, {"special_tech": [str(apps[1].pk)], "special_practice": [str(apps[0].pk), str(apps[2].pk)]})
    specials = dict(Award.objects.exclude(special_key="").values_list("application_id", "special_name"))
    assert specials == {apps[1].pk: "技术创新奖", apps[0].pk: "最佳实践奖", apps[2].pk: "最佳实践奖"}
    assert AuditEvent.objects.filter(action="results.special_awards").exists()
    services.publish_results(xinhua, actor=organiser)
    with pytest.raises(services.ResultsError, match="已发布"):
        services.set_specials(xinhua, {"tech": [apps[3].pk]}, actor=organiser)
    public = client.get(reverse("results:index", args=[xinhua.slug])).content.decode()
    assert "技术创新奖" in public and "最佳实践奖" in public


def test_results_page_404_before_publication_and_public_fields_only_after(xinhua, organiser_of, client, monkeypatch):
    organiser = organiser_of(xinhua)
    apps, out = reviewed(xinhua, [90, 80, 70], eliminated=1)
    url = reverse("results:index", args=[xinhua.slug])
    assert client.get(url).status_code == 404
    with pytest.raises(services.ResultsError, match="尚未评定"):
        services.publish_results(xinhua, actor=organiser)
    services.close_award(xinhua, actor=organiser)
    assert client.get(url).status_code == 404  # decided but not published
    calls = []
    monkeypatch.setattr(services, "on_published", lambda campaign, actor=None: calls.append(campaign.pk))
    client.force_login(organiser)
    client.post(reverse("results:publish", args=[xinhua.slug]))
    assert calls == [xinhua.pk]
    made = AwardDecision.objects.get(campaign=xinhua)
    assert made.published_at is not None and made.publish_run.kind == "publish"
    assert not Award.objects.filter(campaign=xinhua, published_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="results.published").exists()
    client.logout()
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    for a in apps:
        assert a.title in page and a.lead.name in page
    assert out[0].title not in page
    assert "优秀案例" in page
    assert AWARD_CANARY not in page
    assert apps[0].lead.credit_code not in page and "得分" not in page and apps[0].number not in page
    with pytest.raises(services.ResultsError, match="已发布"):
        services.publish_results(xinhua, actor=organiser)


def test_manage_page_needs_the_organiser(xinhua, organiser_of, client, make_user):
    from jinxuan.accounts.models import Role

    reviewed(xinhua, [90, 80])
    client.force_login(make_user("expert_r", Role.EXPERT, campaign=xinhua))
    assert client.get(reverse("results:manage", args=[xinhua.slug])).status_code == 404
    assert client.post(reverse("results:close", args=[xinhua.slug])).status_code == 404
    assert not AwardDecision.objects.exists()
    client.force_login(organiser_of(xinhua))
    page = client.get(reverse("results:manage", args=[xinhua.slug])).content.decode()
    assert "评定奖项（2 个获奖）" in page and "排在所有有得分的案例之后" in page



def test_each_winner_moves_once_to_awarded(xinhua, organiser_of):
    """Winners move 评审中 → 入选 in one step: no extra 评审中 → 评审中 move (and no duplicate notice)."""
    organiser = organiser_of(xinhua)
    apps, _ = reviewed(xinhua, [71, 88.5, 80])
    services.close_award(xinhua, actor=organiser)
    for app in apps:
        moves = list(AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="application.")
                     .values_list("action", flat=True))
        assert moves == ["application.评定入选"], moves
