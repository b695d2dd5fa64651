"""Django-free. The `public_vote` (网络投票) stage kind. Pure: no Django.

Entrants are the previous stage's advanced set. ``context.data[stage_key]`` = {application id: valid votes} (see
``services.stage_data``). The vote eliminates no one: every entrant advances, ranked by its votes (competition
ranks 1, 2, 2, 4; equal counts by application id); its score is the vote count, which a later composite reads.
"""

from __future__ import annotations

from decimal import Decimal

from jinxuan.pipeline.engine import RankedEntry, StageKind, register


@register
class PublicVoteStage(StageKind):
    kind = "public_vote"
    label = "网络投票"
    bypassable = True
    score_noun = "票数"

    def rank(self, entrants, context):
        data = {int(k): int(v) for k, v in (context.data.get(self.key) or {}).items()}
        ordered = sorted(entrants, key=lambda e: (-data.get(e.application_id, 0), e.application_id))
        entries, rank, previous = [], 0, None
        for i, e in enumerate(ordered):
            votes = data.get(e.application_id, 0)
            if votes != previous:
                rank, previous = i + 1, votes
            entries.append(RankedEntry(e.application_id, rank, Decimal(votes), True,
                                       f"有效票 {votes} 票，第 {rank} 名，计入综合得分", {"votes": votes}))
        return entries
