"""A database made before formal review and the public vote stored runs: the data migrations give it the runs it
would have had, and replay confirms every stored result, the old ones included."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as registry

from jinxuan.applicants.models import Application, Organisation
from jinxuan.applicants.states import State
from jinxuan.formalreview import services as formal
from jinxuan.outcomes.composite import CompositeStage
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.replay import replay_all
from jinxuan.reports import services as reports
from tests.factories import make_application

pytestmark = pytest.mark.django_db
VOTES = [12, 0, 7, 7, 3, 1]


def _old_database(gz):
    """What the earlier code stored: formal decisions and states, an expert-review run, and a composite run that
    read the vote counts as stage data; no formal-review run, no public-vote run."""
    org = Organisation.objects.create(name="迁移测试单位有限公司", credit_code="91440101MA59MIG001")
    apps = [make_application(gz, org, n, state=State.SUBMITTED) for n in range(7)]
    for n, app in enumerate(apps):
        if n == 6:
            formal.decide(app, "reject", reason="申报主体不符合要求")
        else:
            formal.decide(app, "pass", override_reason="人工核对材料齐全")
    accepted = [a for a in Application.objects.filter(pk__in=[a.pk for a in apps], state=State.ACCEPTED)
                .select_related("track").order_by("pk")]
    expert = runtime.stage_of(gz, "expert_review")
    scores = {a.pk: {"n": 3, "mean": 80 + i, "trimmed_mean": 80 + i, "median": 80 + i, "calibrated": 80 + i}
              for i, a in enumerate(accepted)}
    result = implementation("expert_review")(expert.key, expert.params).run(
        runtime.entrants(accepted), StageContext(gz.slug, data={expert.key: scores}))
    StageRun.objects.create(campaign=gz, stage_key=expert.key, kind="expert_review", result=result.to_json(),
                            inputs_digest=result.inputs_digest, is_final=True)
    Application.objects.filter(pk__in=[a.pk for a in accepted]).update(state=State.IN_STAGE)
    composite = runtime.stage_of(gz, "composite")
    data = {expert.key: {e.application_id: e.score for e in result.entries},
            "public_vote": {a.pk: v for a, v in zip(accepted, VOTES, strict=True)}}
    old = CompositeStage(composite.key, composite.params).run(runtime.entrants(accepted), StageContext(gz.slug, data=data))
    StageRun.objects.create(campaign=gz, stage_key=composite.key, kind="composite", result=old.to_json(),
                            inputs_digest=old.inputs_digest, is_final=True)
    return accepted


def test_migrated_runs_replay_and_the_vote_agrees_with_the_composite(campaigns):
    gz = campaigns["gz-dianshu-2025"]
    accepted = _old_database(gz)
    assert not StageRun.objects.filter(campaign=gz, kind__in=["formal_review", "public_vote"]).exists()

    import_module("jinxuan.formalreview.migrations.0003_formal_review_runs").forwards(registry, None)
    import_module("jinxuan.voting.migrations.0003_public_vote_runs").forwards(registry, None)

    formal_run = runtime.kind_run(gz, "formal_review")
    assert len(formal_run.result["entries"]) == 7 and len(runtime.advanced_ids(formal_run)) == 6
    vote_run = runtime.kind_run(gz, "public_vote")
    votes = {e["application_id"]: Decimal(str(e["score"])) for e in vote_run.result["entries"]}
    assert votes == {a.pk: Decimal(v) for a, v in zip(accepted, VOTES, strict=True)}
    composite = runtime.kind_run(gz, "composite")
    raw = {e["application_id"]: Decimal(str(c["raw"])) for e in composite.result["entries"]
           for c in e["detail"]["components"] if c["source"] == "public_vote"}
    assert raw == votes  # the vote's own result says what the composite read

    replays = replay_all(gz)
    assert {r["stage"] for r in replays} == {"formal_review", "expert_review", "public_vote", "composite"}
    assert [r for r in replays if not r["same"]] == []

    # the stage report reads every stage from its own run; running the migration again adds nothing
    tables = {t.stage.key: t for t in reports.stage_tables(gz)}
    assert (tables["formal_review"].entered, tables["formal_review"].advanced) == (7, 6)
    assert tables["public_vote"].status == "已完成" and tables["public_vote"].entered == 6
    import_module("jinxuan.voting.migrations.0003_public_vote_runs").forwards(registry, None)
    assert StageRun.objects.filter(campaign=gz, kind="public_vote").count() == 1
