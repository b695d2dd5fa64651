"""The public vote stores a stage run like every other stage. A campaign whose composite was computed from the
vote counts passed as stage data gets the vote run it would have had, built from exactly those counts (the
composite's stored inputs), so the vote's result and the composite's agree and replay confirms both."""

from django.db import migrations


def forwards(apps, schema_editor):
    from jinxuan.pipeline.engine import Entrant, StageContext
    from jinxuan.voting.stage import PublicVoteStage

    Campaign = apps.get_model("campaigns", "Campaign")
    StageRun = apps.get_model("pipeline", "StageRun")
    for campaign in Campaign.objects.all():
        vote = campaign.stages.filter(kind="public_vote").order_by("position").first()
        composite = campaign.stages.filter(kind="composite").order_by("position").first()
        if vote is None or composite is None:
            continue
        if StageRun.objects.filter(campaign=campaign, stage_key=vote.key).exists():
            continue
        run = (StageRun.objects.filter(campaign=campaign, stage_key=composite.key, is_final=True)
               .order_by("-pk").first())
        if run is None:
            continue  # the vote is still going: it stores its run when it closes
        inputs = run.result.get("inputs") or {}
        counts = (inputs.get("data") or {}).get(vote.key) or {}
        entrants = [Entrant(e["application_id"], e["track"], e.get("submitted_at", ""), frozenset(e.get("flags", ())))
                    for e in inputs.get("entrants", [])]
        result = PublicVoteStage(vote.key, vote.params).run(
            entrants, StageContext(campaign.slug, data={vote.key: {int(k): int(v) for k, v in counts.items()}}))
        StageRun.objects.create(campaign=campaign, stage_key=result.stage_key, kind=result.kind,
                                result=result.to_json(), inputs_digest=result.inputs_digest, is_final=True)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0002_vote_fewer_indexes"),
        ("pipeline", "0002_stage_lifecycle"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
