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

`top_n` takes the first n eligible entries of one capped list (002's 十大 lists).
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
class TopN:
    selected: list[Entry]
    notes: list[str] = field(default_factory=list)


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


def top_n(ranked: Iterable[Entry], n: int, name: str = "本榜单") -> TopN:
    """The first n eligible entries of one capped list, in rank order.

    Exactly n unless fewer are eligible (then all of them, with a note). Ties are broken
    upstream, so ranks must be distinct and the first n by rank are taken even when the
    n-th and the next share a score (noted, for the record).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("入选数量必须是正整数")
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
    elif len(eligible) > n:
        last, following = eligible[n - 1], eligible[n]
        if last.score is not None and last.score == following.score:
            notes.append(
                f"{name}第 {n} 位案例 {last.application} 与其后案例 {following.application} 得分同为 "
                f"{last.score}，按上游平局规则已定名次，取前 {n} 个"
            )
    return TopN(selected=selected, notes=notes)
