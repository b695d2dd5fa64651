"""Load a validated preset into the database (idempotent: reloading updates in place)."""

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

from django.db import transaction

from jinxuan.audit.log import record

from .models import Campaign, StageDefinition, Track
from .preset_io import PresetError, PresetProblem
from .schema import Preset

BEIJING = ZoneInfo("Asia/Shanghai")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def preset_json(preset: Preset) -> dict:
    return preset.model_dump(mode="json")


def preset_digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def load_preset(preset: Preset, file: str = "<preset>") -> tuple[Campaign, bool]:
    data = preset_json(preset)
    digest = preset_digest(data)
    existing = Campaign.objects.select_for_update().filter(slug=preset.slug).first()
    before = {"preset_hash": existing.preset_hash} if existing else None
    values = {
        "name": preset.name,
        "short_name": preset.short_name,
        "year": preset.year,
        "organiser_name": preset.organiser.name,
        "source": preset.source,
        "submission_opens": _aware(preset.schedule.submission_opens),
        "submission_closes": _aware(preset.schedule.submission_closes),
        "paper_copy_deadline": _aware(preset.schedule.paper_copy_deadline),
        "preset": data,
        "preset_hash": digest,
    }
    campaign, created = Campaign.objects.update_or_create(slug=preset.slug, defaults=values)
    _sync_tracks(campaign, preset, file)
    _sync_stages(campaign, preset)
    if created or before != {"preset_hash": digest}:
        record(
            "campaign.preset_loaded",
            campaign,
            campaign=campaign,
            before=before,
            after={"preset_hash": digest, "tracks": [t.key for t in preset.tracks], "stages": [s.key for s in preset.stages]},
        )
    return campaign, created


def _sync_tracks(campaign: Campaign, preset: Preset, file: str) -> None:
    keep = []
    for position, track in enumerate(preset.tracks):
        Track.objects.update_or_create(
            campaign=campaign,
            key=track.key,
            defaults={"name": track.name, "kind": track.kind, "winners": track.winners, "position": position},
        )
        keep.append(track.key)
    stale = campaign.tracks.exclude(key__in=keep)
    in_use = [t.key for t in stale if t.applications.exists()]
    if in_use:
        raise PresetError(
            [PresetProblem(file, "tracks", f"不能删除已有申报的赛道：{', '.join(in_use)}")]
        )
    stale.delete()


def _sync_stages(campaign: Campaign, preset: Preset) -> None:
    keep = []
    for position, stage in enumerate(preset.stages):
        StageDefinition.objects.update_or_create(
            campaign=campaign,
            key=stage.key,
            defaults={
                "kind": stage.kind,
                "name": stage.name,
                "position": position,
                "starts": stage.starts,
                "ends": stage.ends,
                "params": stage.params.model_dump(mode="json"),
            },
        )
        keep.append(stage.key)
    campaign.stages.exclude(key__in=keep).delete()


# Hooks run after a preset is (re)loaded: (campaign, previous preset hash or None, actor) → a Chinese line to
# report, or None. Installed by the apps above (formal review re-checks what is under review).
AFTER_LOAD: list = []


def install_after_load(hook) -> None:
    if hook not in AFTER_LOAD:
        AFTER_LOAD.append(hook)


def after_load(campaign, previous_hash: str | None, actor=None) -> list[str]:
    return [line for line in (hook(campaign, previous_hash, actor) for hook in AFTER_LOAD) if line]
