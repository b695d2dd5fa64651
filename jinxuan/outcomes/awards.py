"""Assign a preset's award scheme from a final ranking, with no Django import.

Input: one `Entry` per ranked application (application id, track key, rank, score,
eligible) and the preset's `AwardScheme`. Rules applied by `assign`:

- **Ranks.** `rank` is the entry's place in the award stage's ranking: within its track
  when the stage ranks per track, overall otherwise. Ranks must be distinct within a
  track (per-track tiers) or overall (schemes with only overall tiers); ties are broken
  upstream (the composite stage's tie-break), never here.
- **Order of filling.** Tiers are filled in the scheme's order, each from the top of
  what remains: a `per_track` tier takes its `count` seats in every track, from the top
  of that track's ranking; any other tier takes its seats from the overall ranking. The
  overall ranking orders entries by rank, then higher score, then track order (given by
  `track_names`, else by first appearance), so a scheme mixing per-track ranks with an
  overall tier interleaves the tracks rank by rank.
- **One regular award per application**: a seat filled by a higher tier is not offered
  again.
- **Unlimited tiers.** A tier with `count` None (优秀奖, 优秀案例, 入围案例, 入选 …) takes
  every eligible entry still remaining in its scope; it must therefore be the scheme's
  last regular tier.
- **Ineligible entries** (disqualified, withdrawn, failed site inspection …) are skipped;
  the next eligible entry in rank moves up. Each one is named in a note.
- **Shortfall.** When fewer eligible entries remain than a tier has seats, the seats stay
  vacant (no other tier borrows them) and a note states it, e.g.
  "第二赛道仅 2 个案例，二等奖空缺 1 个".
- **Position.** `Award.position` is the award's 1-based place among the eligible entries
  of its scope (the track for per-track tiers, the overall ranking otherwise), after the
  skipped entries closed up: 一等奖 ×1, 二等奖 ×3 gives positions 1, 2, 3, 4.

Special (named) awards (技术创新奖 …) are chosen by the jury, not by rank; `assign_special`
checks the choices: a special award goes only to an application that holds a regular
award; it has at most `count` recipients (one when `count` is None), per track when the
tier is `per_track`; an application receives at most one special award.

`top_n` takes the first n eligible entries of one capped list (002's 十大 lists). When equal scores straddle
the n-th place (more tied entries than seats left), it does not let the upstream tie-break (submission time)
decide: under the rule "jury" the jury chooses which tied entries take the seats (`decided`; until then the
tie is pending and none of them is selected), under "shared" every tied entry is selected at the shared place
(the list then holds more than n).
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jinxuan.campaigns.schema import AwardScheme, AwardTier

OVERALL = "总榜"


@dataclass(frozen=True)
class Entry:
    application: Hashable
    track: str
    rank: int
    score: Decimal | None = None
    eligible: bool = True


@dataclass(frozen=True)
class Award:
    application: Hashable
    tier_key: str
    tier_name: str
    track: str
    position: int


@dataclass(frozen=True)
class AwardResult:
    awards: list[Award] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_application(self) -> dict[Hashable, list[Award]]:
        found: dict[Hashable, list[Award]] = {}
        for award in self.awards:
            found.setdefault(award.application, []).append(award)
        return found


@dataclass(frozen=True)
class CapTie:
    """Equal scores at a capped list's last place: `tied` (in rank order) share `score` for `seats` seats."""

    score: Decimal
    place: int  # the shared place (1-based, among eligible entries)
    seats: int
    tied: tuple
    rule: str  # "jury" or "shared"
    chosen: tuple | None = None  # the jury's choice; every tied entry when shared; None while pending

    @property
    def pending(self) -> bool:
        return self.chosen is None


@dataclass(frozen=True)
class TopN:
    selected: list[Entry]
    notes: list[str] = field(default_factory=list)
    tie: CapTie | None = None


def _check_entries(entries: Iterable[Entry]) -> list[Entry]:
    entries = list(entries)
    seen = set()
    for e in entries:
        if not isinstance(e, Entry):
            raise ValueError(f"排名条目类型错误：{e!r}")
        if isinstance(e.rank, bool) or not isinstance(e.rank, int) or e.rank < 1:
            raise ValueError(f"案例 {e.application} 的名次必须是正整数")
        if e.application in seen:
            raise ValueError(f"案例 {e.application} 在排名中出现多次")
        seen.add(e.application)
    return entries


def _distinct_ranks(entries: Sequence[Entry], scope: str) -> None:
    ranks: dict[int, Hashable] = {}
    for e in entries:
        if e.rank in ranks:
            raise ValueError(
                f"{scope}案例 {ranks[e.rank]} 与案例 {e.application} 名次同为第 {e.rank} 名，"
                "请先按平局规则决出名次"
            )
        ranks[e.rank] = e.application


def _score_key(e: Entry):
    return (0, -e.score) if e.score is not None else (1, 0)


def _vacancy_note(scope: str, tier: AwardTier, pool: Sequence[Entry], taken: int) -> str:
    eligible = sum(1 for e in pool if e.eligible)
    ineligible = len(pool) - eligible
    if ineligible:
        head = f"{scope}仅 {eligible} 个符合获奖条件的案例（另有 {ineligible} 个不具备获奖资格）"
    else:
        head = f"{scope}仅 {len(pool)} 个案例"
    return f"{head}，{tier.name}空缺 {tier.count - taken} 个"


def assign(
    entries: Iterable[Entry], scheme: AwardScheme, track_names: Mapping[str, str] | None = None
) -> AwardResult:
    """Fill the scheme's regular tiers from the ranking (see the module docstring for the rules).

    `track_names` maps track keys to display names, in the preset's track order; without it,
    notes use the track keys and tracks are ordered by first appearance.
    """
    entries = _check_entries(entries)
    tiers = list(scheme.tiers)
    for i, tier in enumerate(tiers[:-1]):
        if tier.count is None:
            raise ValueError(
                f"奖项「{tier.name}」不限名额，须为最后一个奖项（其后还有「{tiers[i + 1].name}」）"
            )
    order = list(track_names or {})
    for e in entries:
        if e.track not in order:
            if track_names is not None:
                raise ValueError(f"案例 {e.application} 的赛道 {e.track!r} 不在赛道列表中")
            order.append(e.track)
    names = dict(track_names or {})

    by_track = {t: sorted((e for e in entries if e.track == t), key=lambda e: e.rank) for t in order}
    if any(t.per_track for t in tiers):
        for t, group in by_track.items():
            _distinct_ranks(group, names.get(t, t))
    else:
        _distinct_ranks(entries, OVERALL)
    track_index = {t: i for i, t in enumerate(order)}
    overall = sorted(entries, key=lambda e: (e.rank, _score_key(e), track_index[e.track]))

    if any(t.per_track for t in tiers):
        skipped = [(names.get(e.track, e.track), e) for g in by_track.values() for e in g if not e.eligible]
    else:
        skipped = [(OVERALL, e) for e in overall if not e.eligible]
    notes = [
        f"案例 {e.application}（{where}第 {e.rank} 名）不具备获奖资格，未授奖，其后案例依次递补"
        for where, e in skipped
    ]
    awarded: set[Hashable] = set()
    placed: dict[str, int] = {}  # eligible entries already placed, per scope
    awards: list[Award] = []

    def fill(tier: AwardTier, scope: str, label: str, ranking: Sequence[Entry]) -> None:
        remaining = [e for e in ranking if e.eligible and e.application not in awarded]
        chosen = remaining if tier.count is None else remaining[: tier.count]
        for e in chosen:
            placed[scope] = placed.get(scope, 0) + 1
            awarded.add(e.application)
            awards.append(Award(e.application, tier.key, tier.name, e.track, placed[scope]))
        if tier.count is not None and len(chosen) < tier.count:
            notes.append(_vacancy_note(label, tier, ranking, len(chosen)))

    for tier in tiers:
        if tier.per_track:
            for t in order:
                fill(tier, t, names.get(t, t), by_track[t])
        else:
            fill(tier, "", OVERALL, overall)
    return AwardResult(awards=awards, notes=notes)


def assign_special(
    awards: Iterable[Award] | AwardResult,
    choices: Mapping[str, Hashable | Sequence[Hashable]],
    scheme: AwardScheme,
) -> AwardResult:
    """Validate the jury's special-award choices and return them as awards, with notes.

    `choices` maps a special tier key to one application, or to a list of them when the tier
    has `count` > 1. Raises ValueError (Chinese message) when a rule of the module docstring
    is broken; special awards left unchosen are noted.
    """
    if isinstance(awards, AwardResult):
        awards = awards.awards
    regular_keys = {t.key for t in scheme.tiers}
    holders: dict[Hashable, Award] = {}
    for a in awards:
        if a.tier_key in regular_keys:
            holders.setdefault(a.application, a)
    specials = {t.key: t for t in scheme.special}
    for key in choices:
        if key not in specials:
            known = "、".join(f"{t.name}（{t.key}）" for t in scheme.special) or "无"
            raise ValueError(f"未知的特别奖项 {key!r}，本方案的特别奖项：{known}")

    result: list[Award] = []
    notes: list[str] = []
    given_to: dict[Hashable, str] = {}
    for tier in scheme.special:
        chosen = choices.get(tier.key)
        if chosen is None:
            chosen = []
        elif isinstance(chosen, str) or not isinstance(chosen, Sequence):
            chosen = [chosen]
        if not chosen:
            notes.append(f"特别奖项「{tier.name}」未授予")
            continue
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"特别奖项「{tier.name}」重复授予同一案例")
        limit = tier.count or 1
        per_scope: dict[str, int] = {}
        for app in chosen:
            if app not in holders:
                raise ValueError(f"案例 {app} 未获得常规奖项，不能授予「{tier.name}」")
            if app in given_to:
                raise ValueError(f"案例 {app} 已获「{given_to[app]}」，每个案例至多获得一个特别奖项")
            given_to[app] = tier.name
            track = holders[app].track
            scope = track if tier.per_track else ""
            per_scope[scope] = per_scope.get(scope, 0) + 1
            if per_scope[scope] > limit:
                where = "每个赛道" if tier.per_track else ""
                raise ValueError(f"特别奖项「{tier.name}」{where}只能授予 {limit} 个案例")
            result.append(Award(app, tier.key, tier.name, track, per_scope[scope]))
    return AwardResult(awards=result, notes=notes)


def top_n(ranked: Iterable[Entry], n: int, name: str = "本榜单", tie_rule: str = "jury",
          decided: Iterable[Hashable] | None = None, labels: Mapping[Hashable, str] | None = None) -> TopN:
    """The first n eligible entries of one capped list, in rank order.

    Exactly n unless fewer are eligible (then all of them, with a note), or unless equal scores straddle the
    n-th place: see the module docstring (`tie_rule` "jury" with the jury's `decided` choice, or "shared").
    Ranks must be distinct.  `labels` names applications in the notes (else 案例 <id>).
    """
    labels = labels or {}

    def label(a) -> str:
        return labels.get(a) or f"案例 {a}"

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("入选数量必须是正整数")
    if tie_rule not in ("jury", "shared"):
        raise ValueError(f"未知的并列处理方式：{tie_rule!r}")
    entries = sorted(_check_entries(ranked), key=lambda e: e.rank)
    _distinct_ranks(entries, name)
    eligible = [e for e in entries if e.eligible]
    selected = eligible[:n]
    notes = []
    ineligible = len(entries) - len(eligible)
    if len(eligible) < n:
        extra = f"（另有 {ineligible} 个不具备入选资格）" if ineligible else ""
        notes.append(
            f"{name}仅 {len(eligible)} 个符合条件的案例{extra}，应入选 {n} 个，空缺 {n - len(selected)} 个"
        )
        return TopN(selected=selected, notes=notes)
    last = eligible[n - 1]
    if len(eligible) == n or last.score is None or eligible[n].score != last.score:
        return TopN(selected=selected, notes=notes)
    above = [e for e in eligible if e.score is not None and e.score > last.score]
    tied = [e for e in eligible if e.score == last.score]
    seats, place = n - len(above), len(above) + 1
    ids = tuple(e.application for e in tied)
    who = "、".join(label(a) for a in ids)
    head = f"{name}第 {place} 位起 {len(tied)} 个案例得分同为 {last.score}（{who}），争 {seats} 个名额"
    if tie_rule == "shared":
        notes.append(f"{head}，按预设并列入选，本榜单共 {len(above) + len(tied)} 个")
        return TopN(selected=above + tied, notes=notes, tie=CapTie(last.score, place, seats, ids, tie_rule, ids))
    if decided is None:
        notes.append(f"{head}，待评审委员会决定")
        return TopN(selected=above, notes=notes, tie=CapTie(last.score, place, seats, ids, tie_rule))
    chosen = list(dict.fromkeys(decided))
    strangers = [a for a in chosen if a not in ids]
    if strangers:
        raise ValueError(f"{name}：{label(strangers[0])} 不在并列的案例之中")
    if len(chosen) != seats:
        raise ValueError(f"{name}：并列案例争 {seats} 个名额，评审委员会应选定 {seats} 个，实际选了 {len(chosen)} 个")
    picked = [e for e in tied if e.application in chosen]
    notes.append(f"{head}，由评审委员会决定：{'、'.join(label(e.application) for e in picked)} 入选")
    return TopN(selected=above + picked, notes=notes,
                tie=CapTie(last.score, place, seats, ids, tie_rule, tuple(e.application for e in picked)))
