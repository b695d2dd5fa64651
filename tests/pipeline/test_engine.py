"""The stage engine: entrants in → ranked, auditable result out → advanced set to the next stage."""

from decimal import Decimal

import pytest

from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.pipeline import engine
from jinxuan.pipeline.engine import Entrant, RankedEntry, StageContext, StageKind


class TopHalfByScore(StageKind):
    """A test kind: ranks by the score in context.data, advances the top half."""

    kind = "expert_review"

    def rank(self, entrants, context):
        scores = context.data[self.key]
        ordered = sorted(entrants, key=lambda e: (-scores[e.application_id], e.application_id))
        keep = len(ordered) // 2
        return [
            RankedEntry(e.application_id, rank=i + 1, score=Decimal(scores[e.application_id]), advanced=i < keep,
                        reason="" if i < keep else "排名在后一半")
            for i, e in enumerate(ordered)
        ]


class Broken(StageKind):
    kind = "roadshow"

    def rank(self, entrants, context):
        return [RankedEntry(entrants[0].application_id, 1, None, True)]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(engine, "REGISTRY", {})
    engine.register(TopHalfByScore)
    engine.register(Broken)


def test_pipeline_feeds_each_stage_what_the_previous_advanced(registry):
    entrants = [Entrant(i, "t") for i in range(1, 9)]
    scores = {i: 10 * i for i in range(1, 9)}
    context = StageContext("c", data={"first": scores, "second": scores})
    results = engine.run_pipeline([("first", "expert_review", {}), ("second", "expert_review", {})], entrants, context)
    assert results[0].advanced == {5, 6, 7, 8}
    assert results[1].advanced == {7, 8}
    assert [e.application_id for e in results[1].entries] == [8, 7, 6, 5]
    assert context.earlier["second"] is results[1]


def test_result_is_reproducible_from_its_inputs(registry):
    entrants = [Entrant(i, "t") for i in (3, 1, 2)]
    context = StageContext("c", data={"s": {1: 5, 2: 7, 3: 6}})
    first = TopHalfByScore("s").run(entrants, context)
    again = TopHalfByScore("s").run(list(reversed(entrants)), context)
    assert first.to_json() == again.to_json()
    changed = TopHalfByScore("s").run(entrants, StageContext("c", data={"s": {1: 5, 2: 7, 3: 8}}))
    assert changed.inputs_digest != first.inputs_digest


def test_a_stage_must_rank_every_entrant_exactly_once(registry):
    with pytest.raises(ValueError, match="恰好包含每个参与者一次"):
        Broken("r").run([Entrant(1, "t"), Entrant(2, "t")], StageContext("c"))


def test_unknown_or_unimplemented_kinds_are_refused(registry):
    with pytest.raises(NotImplementedError):
        engine.implementation("publicity")

    class Lottery(StageKind):
        kind = "lottery"

        def rank(self, entrants, context):
            return []

    with pytest.raises(ValueError, match="未知的阶段类型"):
        engine.register(Lottery)


def test_stage_params_are_validated_by_kind(registry):
    with pytest.raises(ValueError):
        TopHalfByScore("s", {"experts_per_application": 0})


@pytest.mark.django_db
def test_applying_a_result_moves_applications_and_audits_it(registry, campaigns, make_user):
    from jinxuan.applicants.models import Application
    from jinxuan.applicants.services import transition
    from jinxuan.pipeline.services import apply_result

    campaign = campaigns["gz-dianshu-2025"]
    track = campaign.tracks.first()
    apps = [Application.objects.create(campaign=campaign, track=track, title=f"案例{i}") for i in range(4)]
    for app in apps:
        for target in (State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED):
            transition(app, target)
    entrants = [Entrant(a.pk, track.key) for a in apps]
    scores = {a.pk: s for a, s in zip(apps, [90, 70, 80, 60], strict=True)}
    result = TopHalfByScore("expert_review").run(entrants, StageContext(campaign.slug, data={"expert_review": scores}))
    before = AuditEvent.objects.count()
    run = apply_result(campaign, result)
    states = {a.pk: Application.objects.get(pk=a.pk).state for a in apps}
    assert states == {apps[0].pk: State.IN_STAGE, apps[2].pk: State.IN_STAGE,
                      apps[1].pk: State.ELIMINATED, apps[3].pk: State.ELIMINATED}
    assert Application.objects.get(pk=apps[1].pk).state_reason == "排名在后一半"
    assert run.result["entries"][0]["application_id"] == apps[0].pk
    closed = AuditEvent.objects.filter(action="stage.closed")
    assert sorted(e.after["stage"] for e in closed) == ["expert_review", "formal_review"]  # the earlier stage too
    assert AuditEvent.objects.count() == before + 1 + len(apps) + 2
    assert AuditEvent.objects.filter(action="stage.result_applied").exists()
