"""Awards and publication: the award stage from the preset's scheme, special awards, publishing the results.

Plain functions; views only call these. Deciding the awards goes through the pipeline
(`pipeline.services.apply_result`: awarded → 评审中 → 入选, others → 未晋级), every step audit-logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.log import record
from jinxuan.campaigns.stage_params import AwardParams
from jinxuan.outcomes import awards as A
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.runtime import stored_result
from jinxuan.pipeline.services import apply_result, store_run
from jinxuan.publicity.models import Substitution

from .models import Award, AwardDecision, CapTieDecision
from .stage import UNSCORED_RULE


class ResultsError(ValueError):
    """A refused results operation; the message is shown to the user."""


def award_stage(campaign):
    return campaign.stages.filter(kind="award").first()


def publish_stage(campaign):
    return campaign.stages.filter(kind="publish").first()


def params(campaign) -> AwardParams:
    s = award_stage(campaign)
    if s is None:
        raise ResultsError("本活动没有评定奖项阶段")
    return AwardParams.model_validate(s.params)


def decision(campaign) -> AwardDecision | None:
    return AwardDecision.objects.filter(campaign=campaign).first()


final_run = runtime.final_run


def previous_stage(campaign):
    return runtime.previous_stage(campaign, award_stage(campaign))


def entrants(campaign) -> list[Application]:
    """The previous stage's advanced set, still 评审中 (later disqualifications drop out)."""
    previous = previous_stage(campaign)
    if previous is None:
        raise ResultsError("评定奖项之前没有评审阶段")
    run = final_run(campaign, previous.key)
    if run is None:
        raise ResultsError(f"上一阶段「{previous.name}」尚未结束")
    ids = runtime.advanced_ids(run)
    s = award_stage(campaign)
    if runtime.superseded_run(campaign, s) is not None:  # closed again after a reopen: winners are 入选 already
        states = [State.IN_STAGE, State.AWARDED]
    else:
        states = [State.IN_STAGE]
    return list(Application.objects.filter(campaign=campaign, pk__in=ids, state__in=states)
                .select_related("track").order_by("pk"))


def _late(campaign) -> list[int]:
    """Replacements (顺位递补) in the order they came in; they may have no score in the rank_by stage."""
    return list(Substitution.objects.filter(campaign=campaign, came_in__isnull=False).order_by("pk")
                .values_list("came_in_id", flat=True))


def tracks_data(campaign) -> list[dict]:
    return [{"key": t.key, "name": t.name, "winners": t.winners} for t in campaign.tracks.order_by("position")]


def compute(campaign):
    """Run the award stage without applying it: (StageResult, notes, shortfalls, entrants)."""
    result, notes, shortfalls, apps, _ties = compute_with_ties(campaign)
    return result, notes, shortfalls, apps


def tie_decisions(campaign) -> dict:
    return {d.track_key: {"tied": d.tied, "chosen": d.chosen}
            for d in CapTieDecision.objects.filter(campaign=campaign)}


def compute_with_ties(campaign):
    """compute() plus the ties at capped lists' last places: {track key: {"name", "score", "place", "seats",
    "tied", "rule", "chosen" (None while the jury has not decided)}}."""
    s = award_stage(campaign)
    p = params(campaign)
    apps = entrants(campaign)
    if not apps:
        raise ResultsError("没有可评定奖项的案例")
    source = final_run(campaign, p.rank_by)
    if source is None:
        raise ResultsError(f"排名依据的阶段 {p.rank_by!r} 尚无结果")
    people = runtime.entrants(apps)
    data = {s.key: {"scheme": campaign.spec.awards.model_dump(mode="json"), "tracks": tracks_data(campaign),
                    "late": _late(campaign), "tie_decisions": tie_decisions(campaign),
                    "labels": {a.pk: f"{a.number}「{a.title}」" for a in apps}}}
    kind = implementation("award")(s.key, s.params)
    try:
        result = kind.run(people, StageContext(campaign.slug, earlier={p.rank_by: stored_result(source)}, data=data))
    except ValueError as exc:
        raise ResultsError(str(exc)) from exc
    return result, kind.notes, kind.shortfalls, apps, kind.ties


def decide_cap_tie(campaign, track_key: str, chosen, reason: str, actor=None) -> CapTieDecision:
    """Record the jury's choice among the cases tied at a capped list's last place (with its reason; audited).
    The choice must name exactly as many of the tied cases as there are seats left."""
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError("请填写评审委员会的决定理由")
    if campaign.spec.awards.tie_at_cap != "jury":
        raise ResultsError("本活动的预设规定并列案例一并入选，无需评审委员会决定")
    with transaction.atomic():
        if decision(campaign) is not None:
            raise ResultsError("奖项已评定，不能再修改并列名额的决定")
        *_, ties = compute_with_ties(campaign)
        tie = ties.get(track_key)
        if tie is None:
            raise ResultsError("该榜单的名额边界上没有得分并列的案例")
        try:
            ids = list(dict.fromkeys(int(c) for c in chosen))
        except (TypeError, ValueError):
            raise ResultsError("所选案例无效") from None
        if any(i not in tie["tied"] for i in ids):
            raise ResultsError("只能从并列的案例中选择")
        if len(ids) != tie["seats"]:
            raise ResultsError(f"{tie['name']}：并列案例争 {tie['seats']} 个名额，请选定 {tie['seats']} 个案例"
                               f"（当前选了 {len(ids)} 个）")
        before = CapTieDecision.objects.filter(campaign=campaign, track_key=track_key).first()
        made, _ = CapTieDecision.objects.update_or_create(
            campaign=campaign, track_key=track_key,
            defaults={"tied": tie["tied"], "chosen": [i for i in tie["tied"] if i in ids], "reason": reason,
                      "decided_by": actor})
        record("results.cap_tie_decided", made, campaign=campaign, actor=actor,
               before={"chosen": before.chosen} if before else None,
               after={"list": track_key, "tied": made.tied, "chosen": made.chosen, "seats": tie["seats"],
                      "score": tie["score"]}, reason=reason)
    return made


def close_award(campaign, actor=None, notify: bool = True) -> AwardDecision:
    """Decide the awards: the award stage through the pipeline; winners → 入选, others → 未晋级 (audited)."""
    with transaction.atomic():
        if decision(campaign) is not None:
            raise ResultsError("奖项已评定")
        result, notes, shortfalls, apps, ties = compute_with_ties(campaign)
        pending = [t for t in ties.values() if t["chosen"] is None]
        if pending:
            t = pending[0]
            raise ResultsError(f"{t['name']}第 {t['place']} 位起有 {len(t['tied'])} 个案例得分同为 {t['score']}，"
                               f"争 {t['seats']} 个名额，请先记录评审委员会的决定")
        run = apply_result(campaign, result, actor=actor, notify=notify, advanced_to=State.AWARDED)
        for e in result.entries:
            if not e.advanced:
                continue
            d = e.detail
            Award.objects.create(campaign=campaign, application_id=e.application_id, track_key=d["track"],
                                 tier_key=d["tier_key"], tier_name=d["tier_name"], position=d["position"])
        made = AwardDecision.objects.create(campaign=campaign, stage_run=run, notes=notes, shortfalls=shortfalls,
                                            decided_by=actor)
        record("results.awarded", made, campaign=campaign, actor=actor,
               after={"awarded": sorted(result.advanced), "stage_run": run.pk, "notes": notes,
                      "shortfalls": shortfalls})
    return made


def regular_awards(campaign) -> list[A.Award]:
    return [A.Award(a.application_id, a.tier_key, a.tier_name, a.track_key, a.position)
            for a in Award.objects.filter(campaign=campaign).order_by("pk")]


def set_specials(campaign, choices: Mapping[str, Sequence[int] | int | None], actor=None) -> list[str]:
    """The jury's special awards (技术创新奖 …), checked with `outcomes.awards.assign_special`; replaces any
    earlier choice. Returns the notes (special awards left unawarded)."""
    with transaction.atomic():
        made = decision(campaign)
        if made is None:
            raise ResultsError("请先评定奖项，特别奖项只能授予已获奖的案例")
        if made.published_at is not None:
            raise ResultsError("结果已发布，不能再修改特别奖项")
        runtime.require_open(campaign, "publish", ResultsError)  # special awards are decided until publication
        scheme = campaign.spec.awards
        if not scheme.special:
            raise ResultsError("本活动未设特别奖项")
        cleaned: dict[str, list[int]] = {}
        for key, value in choices.items():
            values = value if isinstance(value, list | tuple) else [value]
            ids = []
            for v in values:
                if v in (None, ""):
                    continue
                try:
                    ids.append(int(v))
                except (TypeError, ValueError):
                    raise ResultsError(f"特别奖项的案例编号 {v!r} 无效") from None
            cleaned[key] = ids
        try:
            result = A.assign_special(regular_awards(campaign), cleaned, scheme)
        except ValueError as exc:
            raise ResultsError(str(exc)) from exc
        before = dict(Award.objects.filter(campaign=campaign).exclude(special_key="")
                      .values_list("application_id", "special_key"))
        Award.objects.filter(campaign=campaign).update(special_key="", special_name="")
        for a in result.awards:
            Award.objects.filter(campaign=campaign, application_id=a.application).update(
                special_key=a.tier_key, special_name=a.tier_name)
        made.special_notes = result.notes
        made.save(update_fields=["special_notes"])
        record("results.special_awards", made, campaign=campaign, actor=actor, before=before,
               after={a.application: a.tier_key for a in result.awards})
    return result.notes


def publish_results(campaign, actor=None) -> AwardDecision:
    """Publish: the publish stage is stored, awards are stamped and the public results page opens; then
    `on_published` runs."""
    with transaction.atomic():
        made = AwardDecision.objects.select_for_update().filter(campaign=campaign).first()
        if made is None:
            raise ResultsError("奖项尚未评定，不能发布")
        if made.published_at is not None:
            raise ResultsError("结果已发布")
        s = publish_stage(campaign)
        if s is None:
            raise ResultsError("本活动没有发布阶段")
        rows = list(Award.objects.filter(campaign=campaign).select_related("application__track")
                    .order_by("track_key", "position", "pk"))
        apps = [r.application for r in rows if r.application.state == State.AWARDED]
        if not apps:
            raise ResultsError("没有可发布的获奖案例")
        now = timezone.now()
        people = runtime.entrants(apps)
        data = {s.key: {"order": [a.pk for a in apps], "published_at": now.isoformat(),
                        "award_run": made.stage_run.inputs_digest}}
        result = implementation("publish")(s.key, s.params).run(people, StageContext(campaign.slug, data=data))
        # Published winners stay 入选: there is no state to move, so the run is stored without apply_result.
        run = store_run(campaign, result, actor=actor)
        Award.objects.filter(campaign=campaign, application__in=apps).update(published_at=now)
        made.published_at, made.published_by, made.publish_run = now, actor, run
        made.save(update_fields=["published_at", "published_by", "publish_run"])
        record("results.published", made, campaign=campaign, actor=actor,
               after={"stage": result.stage_key, "published": sorted(result.advanced),
                      "inputs_digest": result.inputs_digest, "stage_run": run.pk})
        if s.params.get("library", True):  # PublishParams.library: the cases enter the library with the results
            on_published(campaign, actor=actor)
    return made


# Installed by the apps above (the case library): award → None, run for every award once results are published.
# The results app never imports the library; the library installs itself here when it loads.
AWARD_PUBLISHED: list = []


def install_award_published(hook) -> None:
    if hook not in AWARD_PUBLISHED:
        AWARD_PUBLISHED.append(hook)


def on_published(campaign, actor=None) -> None:
    """After publication: each installed hook sees every award (the library takes the awarded applications in
    with their tier and special award, public fields only)."""
    for award in Award.objects.filter(campaign=campaign).select_related("application").order_by("position", "pk"):
        for hook in AWARD_PUBLISHED:
            hook(award, actor)


def is_published(campaign) -> bool:
    return AwardDecision.objects.filter(campaign=campaign, published_at__isnull=False).exists()


def grouped(campaign, published_only: bool = True) -> list[dict]:
    """Awards per track (preset order) and tier (scheme order), for the pages."""
    scheme = campaign.spec.awards
    tier_order = {t.key: i for i, t in enumerate(scheme.tiers)}
    rows = Award.objects.filter(campaign=campaign).select_related("application")
    if published_only:
        rows = rows.filter(published_at__isnull=False)
    by_track: dict[str, list[Award]] = {}
    for a in rows:
        by_track.setdefault(a.track_key, []).append(a)
    made = decision(campaign)
    shortfalls = made.shortfalls if made else {}
    out = []
    for t in campaign.tracks.order_by("position"):
        items = sorted(by_track.get(t.key, []), key=lambda a: (tier_order.get(a.tier_key, 99), a.position, a.pk))
        if not items and t.key not in shortfalls:
            continue
        tiers: dict[str, dict] = {}
        for a in items:
            tiers.setdefault(a.tier_key, {"name": a.tier_name, "awards": []})["awards"].append(a)
        short = shortfalls.get(t.key)
        if short:
            short = {**short, "vacant": short["winners"] - short["selected"]}
        out.append({"track": t, "tiers": list(tiers.values()), "count": len(items), "shortfall": short})
    return out


__all__ = ["UNSCORED_RULE", "ResultsError", "close_award", "compute", "on_published", "publish_results",
           "set_specials"]
