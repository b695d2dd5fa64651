"""顺位递补: replacing disqualified entries from a frozen ranking, with no Django import.

The rule
--------
Frozen ranking
    Replacements come from the ranking of one earlier stage, frozen when that stage closed. By default it is
    the **last earlier stage that cut** — the last stage whose stored result left at least one entrant out on
    merit (not counting entrants it disqualified). For 000 that is the composite (综合得分, top 30 %): the
    roadshow advances everyone and the site inspection only disqualifies. A preset may name the stage instead
    with the publicity parameter ``backfill_from``. Choosing the stage is the caller's job
    (``jinxuan.publicity.services.frozen_stage``); this module only reads the ranking it is given.

Who may move in
    An entry of the frozen ranking that (1) has a rank (entries the stage could not rank never move in),
    (2) is not already in the current list, (3) is not ineligible — disqualified, withdrawn or rejected, or
    an entry that left the list earlier in the same chain — and (4) when ``same_track`` is set, belongs to the
    departing entry's track.

Order and count
    Departures are handled one at a time in the order given (the caller passes them in rank order of the
    departing entries, or in the order the objections were upheld). Each departure brings in **exactly one**
    replacement: the eligible entry with the best rank (ties: higher score, then the ranking's own order).
    A replacement who later leaves is replaced in turn, so chains form: A left → B came in (rank 10);
    B left → C came in (rank 11).

No eligible entrant left
    When nobody is eligible the departure is still recorded, with ``came_in`` None and a note
    "无可递补的案例"; the list is one shorter. Nothing is guessed.

Every step is returned as a :class:`Substitution` (who left, why, who came in, from which rank of which
stage), so the chain can be shown and audited.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["BackfillResult", "Departure", "Ranked", "Substitution", "backfill"]


@dataclass(frozen=True)
class Ranked:
    """One entry of the frozen ranking."""

    application: Hashable
    rank: int | None
    score: Decimal | None = None
    track: str = ""


@dataclass(frozen=True)
class Departure:
    """An entry leaving the current list (disqualified by the site inspection or by an upheld objection)."""

    application: Hashable
    reason: str


@dataclass(frozen=True)
class Substitution:
    left: Hashable
    reason: str
    came_in: Hashable | None
    from_rank: int | None  # the replacement's rank in the frozen ranking
    left_rank: int | None  # the departing entry's rank in the frozen ranking (None if it had none)
    note: str


@dataclass(frozen=True)
class BackfillResult:
    substitutions: list[Substitution] = field(default_factory=list)
    current: frozenset = frozenset()  # the list after all departures and replacements

    @property
    def exhausted(self) -> bool:
        return any(s.came_in is None for s in self.substitutions)


def _order(ranking: Sequence[Ranked]) -> list[Ranked]:
    indexed = list(enumerate(ranking))
    indexed.sort(key=lambda t: (t[1].rank is None, t[1].rank or 0,
                                t[1].score is None, -(t[1].score or Decimal(0)), t[0]))
    return [r for _, r in indexed]


def backfill(
    ranking: Iterable[Ranked],
    current: Iterable[Hashable],
    departures: Iterable[Departure],
    ineligible: Iterable[Hashable] = (),
    *,
    same_track: bool = False,
    stage_label: str = "",
) -> BackfillResult:
    """Apply the departures to ``current`` and bring in one replacement each (see the module docstring).

    ``ineligible``: applications that may never move in (disqualified, withdrawn, rejected).
    ``stage_label``: the frozen stage's name, used in the notes (e.g. "综合得分").
    Raises ValueError (Chinese message) when a departing entry is not in the current list or leaves twice.
    """
    ordered = _order(list(ranking))
    seen: set[Hashable] = set()
    for r in ordered:
        if r.application in seen:
            raise ValueError(f"案例 {r.application} 在递补依据的排名中出现多次")
        seen.add(r.application)
    by_app = {r.application: r for r in ordered}
    inside = set(current)
    blocked = set(ineligible)
    where = f"{stage_label}排名" if stage_label else "排名"
    steps: list[Substitution] = []
    for d in departures:
        if d.application not in inside:
            raise ValueError(f"案例 {d.application} 不在当前名单中，无需递补")
        inside.discard(d.application)
        blocked.add(d.application)
        left = by_app.get(d.application)
        left_rank = left.rank if left else None
        track = left.track if left else ""
        candidate = next(
            (r for r in ordered
             if r.rank is not None and r.application not in inside and r.application not in blocked
             and (not same_track or r.track == track)),
            None,
        )
        if candidate is None:
            scope = "同一赛道中" if same_track else ""
            steps.append(Substitution(d.application, d.reason, None, None, left_rank,
                                      f"{where}{scope}已无可递补的案例，名单减少 1 个"))
            continue
        inside.add(candidate.application)
        steps.append(Substitution(d.application, d.reason, candidate.application, candidate.rank, left_rank,
                                  f"按{where}第 {candidate.rank} 名顺位递补"))
    return BackfillResult(substitutions=steps, current=frozenset(inside))
