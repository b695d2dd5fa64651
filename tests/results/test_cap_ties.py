"""A tie at a capped list's last place (002: 十大 lists of exactly ten) is decided by the jury with a reason, or
shown as a tie when the preset says so — never by submission time."""

import pytest
from django.urls import reverse

from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.results import services
from jinxuan.results.models import Award
from jinxuan.review import services as review
from tests.factories import award_entrant

from .flow import pool, review_all

pytestmark = pytest.mark.django_db

SCI = "sci_tech_finance_events"


def _tied_at_tenth(top10, organiser):
    """Twelve cases on 十大科技金融事件: nine clear ones, then three sharing the tenth place's score. Three experts
    review every case (so equal quality gives an equal score); the tied cases were submitted in pk order."""
    apps = [award_entrant(top10, SCI, state=State.ACCEPTED) for _ in range(12)]
    quality = {a.pk: 95 - i for i, a in enumerate(apps[:9])} | {a.pk: 80 for a in apps[9:]}
    pool(top10, organiser, experts=3, load=12)
    review_all(top10, organiser, quality)
    review.close_review(top10, actor=organiser)
    return apps


def test_jury_decides_the_tenth_place_with_a_reason_and_an_audit_entry(top10, organiser_of, client):
    organiser = organiser_of(top10)
    apps = _tied_at_tenth(top10, organiser)
    tied = [a.pk for a in apps[9:]]
    *_, ties = services.compute_with_ties(top10)
    assert ties[SCI]["tied"] == tied and ties[SCI]["seats"] == 1 and ties[SCI]["chosen"] is None
    with pytest.raises(services.ResultsError, match="请先记录评审委员会的决定"):
        services.close_award(top10, actor=organiser)  # the earliest submission does not simply win

    client.force_login(organiser)
    page = client.get(reverse("results:manage", args=[top10.slug])).content.decode()
    assert "名额边界的并列" in page and "争 1 个名额" in page and apps[11].title in page
    url = reverse("results:tie", args=[top10.slug])
    client.post(url, {"track": SCI, "chosen": [tied[0], tied[1]], "reason": "两个都好"})
    assert not services.CapTieDecision.objects.exists()  # two for one seat refused
    client.post(url, {"track": SCI, "chosen": [tied[2]], "reason": ""})
    assert not services.CapTieDecision.objects.exists()  # a reason is required
    client.post(url, {"track": SCI, "chosen": [tied[2]], "reason": "评审委员会复议：落地成效数据更完整"})
    decision = services.CapTieDecision.objects.get(campaign=top10, track_key=SCI)
    assert decision.chosen == [tied[2]] and decision.decided_by == organiser
    event = AuditEvent.objects.filter(action="results.cap_tie_decided").latest("pk")
    assert event.reason == "评审委员会复议：落地成效数据更完整" and event.after["chosen"] == [tied[2]]
    page = client.get(reverse("results:manage", args=[top10.slug])).content.decode()
    assert "评审委员会已决定" in page and "理由：评审委员会复议：落地成效数据更完整" in page
    assert "评定奖项（10 个获奖）" in page

    services.close_award(top10, actor=organiser)
    chosen = set(Award.objects.filter(campaign=top10, track_key=SCI).values_list("application_id", flat=True))
    assert len(chosen) == 10
    assert tied[2] in chosen and tied[0] not in chosen and tied[1] not in chosen


def test_shared_rule_lists_every_tied_case_at_the_shared_place(top10, organiser_of):
    organiser = organiser_of(top10)
    top10.preset["awards"]["tie_at_cap"] = "shared"
    top10.save()
    assert top10.spec.awards.tie_at_cap == "shared"
    apps = _tied_at_tenth(top10, organiser)
    made = services.close_award(top10, actor=organiser)
    awards = {a.application_id: a.position for a in Award.objects.filter(campaign=top10, track_key=SCI)}
    assert len(awards) == 12 and {awards[a.pk] for a in apps[9:]} == {10}
    assert any("按预设并列入选，本榜单共 12 个" in n for n in made.notes)
    with pytest.raises(services.ResultsError, match="无需评审委员会决定"):
        services.decide_cap_tie(top10, SCI, [apps[9].pk], "理由", actor=organiser)


def test_the_preset_option_is_validated():
    from jinxuan.campaigns.schema import AwardScheme

    assert AwardScheme.model_validate({"tiers": [{"key": "a", "name": "入选"}]}).tie_at_cap == "jury"
    with pytest.raises(ValueError):
        AwardScheme.model_validate({"tiers": [{"key": "a", "name": "入选"}], "tie_at_cap": "submission_time"})
