"""Django-free. The `award` (评定奖项) and `publish` (发布) stage kinds. Pure: no Django.

Award
    Entrants
        The set the previous stage advanced (the caller passes them).
    Ranking
        By the ``score`` of each entrant in ``context.earlier[params.rank_by]`` (the stored result of that stage),
        higher first; equal scores: the rank_by stage's own rank, then the earlier submission, then the
        application id — so every entrant gets a distinct place.
    Entrants without a score in that ranking
        (e.g. 顺位递补 entries who joined after the rank_by stage) come **after every scored entrant**, in the
        order they came in (``data["late"]``, the chain order), then by submission time and id. They are not
        given a score; the reason says so.
    Scope
        Places are counted within the track when ``params.per_track``, over all entrants otherwise.
    Capped tracks
        A track with ``winners: N`` (002's 十大 lists) takes the first N of its ranking with
        ``outcomes.awards.top_n`` and the first tier of the scheme (入选): exactly N unless fewer entrants are
        eligible, which is recorded in ``shortfalls`` and a note.  Equal scores straddling the N-th place are
        never split by submission time: the scheme's ``tie_at_cap`` says whether the jury decides
        (``data["tie_decisions"]``; until it has, the tied entries are not awarded and ``pending_ties`` names
        the list) or every tied entry enters at the shared place.  ``self.ties`` keeps each tie.
    Other tracks
        ``outcomes.awards.assign`` fills the preset's scheme (tiers in order, unlimited last tier …).
    Result
        ``advanced`` = awarded; ``detail`` names the tier and the position; ``self.notes`` and
        ``self.shortfalls`` keep what the assignment noted.

``context.data[stage_key]`` = {"scheme": the preset's award scheme (JSON), "tracks": [{"key", "name", "winners"}]
in preset order, "late": [application ids], "tie_decisions": {track key: {"tied": [ids], "chosen": [ids]}}}.
A decision applies only while the tied set is the one it was made for.

Publish
    Every entrant (the awarded set) advances; ``data["order"]`` gives the order. Publication itself (stamping
    and the public page) is done by ``jinxuan.results.services.publish_results``.
"""

from __future__ import annotations

from decimal import Decimal

from jinxuan.campaigns.schema import AwardScheme
from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS
from jinxuan.outcomes.awards import Award, Entry, assign, top_n
from jinxuan.pipeline.engine import RankedEntry, StageKind, register

UNSCORED_RULE = "无该排名得分的案例（如顺位递补进入的案例）排在所有有得分的案例之后，按递补先后排列"


@register
class AwardStage(StageKind):
    kind = "award"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        scheme = AwardScheme.model_validate(data.get("scheme") or {"tiers": [{"key": "award", "name": "获奖"}]})
        tracks = list(data.get("tracks") or [])
        known = {t["key"] for t in tracks}
        tracks += [{"key": k, "name": k} for k in dict.fromkeys(e.track for e in entrants) if k not in known]
        names = {t["key"]: t["name"] for t in tracks}
        caps = {t["key"]: int(t["winners"]) for t in tracks if t.get("winners")}
        source = context.earlier.get(self.params.rank_by)
        label = STAGE_KIND_LABELS.get(source.kind, self.params.rank_by) if source else self.params.rank_by
        scores: dict[int, Decimal] = {}
        source_rank: dict[int, int] = {}
        for e in source.entries if source else ():
            if e.score is not None:
                scores[e.application_id] = Decimal(str(e.score))
                source_rank[e.application_id] = e.rank if e.rank is not None else 10**9
        late = {int(a): i for i, a in enumerate(data.get("late") or [])}

        def order(e):
            s = scores.get(e.application_id)
            if s is not None:
                return (0, -s, source_rank[e.application_id], e.submitted_at or "~", e.application_id)
            return (1, late.get(e.application_id, len(late)), Decimal(0), e.submitted_at or "~", e.application_id)

        ordered = sorted(entrants, key=order)
        overall = {e.application_id: i for i, e in enumerate(ordered, start=1)}
        in_track: dict[int, int] = {}
        counts: dict[str, int] = {}
        for e in ordered:
            counts[e.track] = counts.get(e.track, 0) + 1
            in_track[e.application_id] = counts[e.track]
        place = in_track if self.params.per_track else overall

        awarded: dict[int, Award] = {}
        self.notes: list[str] = []
        self.shortfalls: dict[str, dict] = {}
        self.ties: dict[str, dict] = {}
        self.pending_ties: list[str] = []
        decisions = data.get("tie_decisions") or {}
        labels = {int(a): str(text) for a, text in (data.get("labels") or {}).items()}
        pending: set[int] = set()
        first_tier = scheme.tiers[0]
        for t in tracks:
            key = t["key"]
            if key not in caps:
                continue
            group = [Entry(e.application_id, key, in_track[e.application_id], scores.get(e.application_id))
                     for e in ordered if e.track == key]
            chosen = top_n(group, caps[key], names[key], scheme.tie_at_cap, labels=labels)
            decision = decisions.get(key)
            if chosen.tie is not None and chosen.tie.pending and decision:
                if set(decision.get("tied") or ()) == set(chosen.tie.tied):
                    chosen = top_n(group, caps[key], names[key], scheme.tie_at_cap, decided=decision["chosen"],
                                   labels=labels)
                else:
                    self.notes.append(f"{names[key]}：并列的案例与评审委员会此前决定时不同，需重新决定")
            self.notes += chosen.notes
            tie = chosen.tie
            if tie is not None:
                self.ties[key] = {"name": names[key], "score": str(tie.score), "place": tie.place, "seats": tie.seats,
                                  "tied": list(tie.tied), "rule": tie.rule,
                                  "chosen": list(tie.chosen) if tie.chosen is not None else None}
                if tie.pending:
                    self.pending_ties.append(key)
                    pending.update(tie.tied)
            shared = set(tie.tied) if tie is not None and tie.rule == "shared" else set()
            for i, x in enumerate(chosen.selected, start=1):
                position = tie.place if x.application in shared else i
                awarded[x.application] = Award(x.application, first_tier.key, first_tier.name, key, position)
            if len(chosen.selected) < caps[key]:
                self.shortfalls[key] = {"winners": caps[key], "selected": len(chosen.selected)}
        rest = [e for e in ordered if e.track not in caps]
        if rest:
            by_track = any(t.per_track for t in scheme.tiers)
            group = [Entry(e.application_id, e.track, (in_track if by_track else overall)[e.application_id],
                           scores.get(e.application_id)) for e in rest]
            result = assign(group, scheme, {t["key"]: t["name"] for t in tracks if t["key"] not in caps
                                            and t["key"] in {e.track for e in rest}})
            self.notes += result.notes
            for a in result.awards:
                awarded[a.application] = a

        entries = []
        for e in ordered:
            app = e.application_id
            where = f"{names.get(e.track, e.track)}第 {place[app]} 位" if self.params.per_track else f"第 {place[app]} 位"
            score = scores.get(app)
            basis = f"{label}得分 {score.normalize():f}" if score is not None else f"无{label}得分，排在有得分的案例之后"
            a = awarded.get(app)
            detail = {"track": e.track, "overall": overall[app], "in_track": in_track[app], "scored": score is not None}
            if a is not None:
                detail |= {"tier_key": a.tier_key, "tier_name": a.tier_name, "position": a.position}
                reason = f"{a.tier_name}（{basis}，{where}）"
            elif app in pending:
                reason = f"与其他案例得分并列于名额边界，待评审委员会决定（{basis}，{where}）"
            else:
                reason = f"未获奖项（{basis}，{where}）"
            entries.append(RankedEntry(app, place[app], score, a is not None, reason, detail))
        return entries


@register
class PublishStage(StageKind):
    kind = "publish"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        order = {int(a): i for i, a in enumerate(data.get("order") or [])}
        people = sorted(entrants, key=lambda e: (order.get(e.application_id, len(order)), e.application_id))
        return [RankedEntry(e.application_id, i, None, True, "获奖结果已发布") for i, e in enumerate(people, start=1)]
