"""A verifiable random sample for site inspection (实地考察), with no Django import.

The organiser cannot choose whom to inspect, and anyone can check the draw afterwards
with nothing but a SHA-256 tool. The procedure:

1. **Commit.** Before the ranked list is frozen, the organiser picks a secret seed
   (`new_seed()`: 32 hex characters, 128 random bits) and publishes

       commitment = hex(SHA-256(UTF-8("jinxuan-draw-v1:" + seed)))

   e.g. ``printf '%s' 'jinxuan-draw-v1:<seed>' | sha256sum``.
   The seed is an exact string: no trimming, no case folding.

2. **Freeze.** The ranked list is the list of (application id, track key) pairs in final
   rank order. Its canonical form is the JSON array ``[[id,"track"],[id,"track"],...]``
   with no whitespace at all (separators ``,`` and ``:``), integer ids written as JSON
   numbers, string ids and track keys as JSON strings with non-ASCII characters written
   as themselves (not ``\\u`` escapes), encoded in UTF-8. Then

       ranking_digest = hex(SHA-256(canonical form))

   e.g. ``printf '%s' '[[101,"tech"],[87,"green"]]' | sha256sum``.

3. **Reveal and draw.** The organiser reveals the seed; anyone checks it against the
   commitment. Each candidate's draw key is

       key(id) = hex(SHA-256(UTF-8(seed + "|" + ranking_digest + "|" + str(id))))

   (lower-case hex; ``str(id)`` is the decimal form of an integer id, or the string id).
   Keys are compared as strings, which for equal-length lower-case hex is numeric order.

4. **Sample size.** Either a count ``size`` (1 ≤ size ≤ n) or a fraction ``0 < f ≤ 1``,
   never both: ``size = ceil(f × n)``, rounded **up**, so any positive fraction inspects at
   least one candidate. The product is computed exactly (a float fraction is read from its
   shortest decimal form, ``0.1`` means 1/10, so ``ceil(0.1 × 30) = 3``).

5. **Select.**
   - Without stratification: the ``size`` candidates with the smallest keys.
   - Stratified by track: track t with n_t candidates gets the quota size × n_t / n;
     each track first receives the integer part of its quota, and the seats left over go,
     one each, to the tracks with the largest fractional parts (largest-remainder /
     Hamilton method; equal remainders: smaller track key first). A track never receives
     more seats than it has candidates; a small sample may give a small track none.
     Within each track, the candidates with the smallest keys are taken.

   The selection is published in ranked order, together with every candidate's key.

Two candidates never share an id; the ranked position breaks the (astronomically unlikely)
tie of two equal keys.
"""

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Rational

PREFIX = "jinxuan-draw-v1:"

Id = int | str


@dataclass(frozen=True)
class DrawResult:
    commitment: str  # hex SHA-256 of PREFIX + seed
    seed: str  # the revealed seed
    ranking_digest: str  # hex SHA-256 of the canonical ranked list
    size: int
    stratified: bool
    selected: tuple[Id, ...]  # in ranked order
    keys: Mapping[Id, str]  # every candidate's draw key, in ranked order
    allocation: Mapping[str, int] | None = None  # seats per track (stratified draws only)

    def publication(self) -> dict:
        """A JSON-ready record of the draw for publication."""
        return {
            "procedure": PREFIX.removesuffix(":"),
            "commitment": self.commitment,
            "seed": self.seed,
            "ranking_digest": self.ranking_digest,
            "size": self.size,
            "stratified": self.stratified,
            "allocation": dict(self.allocation) if self.allocation is not None else None,
            "selected": list(self.selected),
            "keys": [[i, k] for i, k in self.keys.items()],
        }


def new_seed() -> str:
    """A fresh secret seed: 32 lower-case hex characters (128 random bits)."""
    return secrets.token_hex(16)


def _check_seed(seed: str) -> None:
    if not isinstance(seed, str) or not seed:
        raise ValueError("随机种子必须为非空字符串")
    if seed != seed.strip():
        raise ValueError("随机种子首尾不能有空白字符")


def commitment(seed: str) -> str:
    """The published commitment to `seed`: hex SHA-256 of "jinxuan-draw-v1:" + seed."""
    _check_seed(seed)
    return hashlib.sha256((PREFIX + seed).encode("utf-8")).hexdigest()


def verify(published: str, seed: str) -> bool:
    """Whether `seed` is the one committed to by `published` (hex, either case)."""
    try:
        expected = commitment(seed)
    except ValueError:
        return False
    if not isinstance(published, str):
        return False
    return hmac.compare_digest(expected.encode(), published.strip().lower().encode())


def _check_ranked(ranked: Sequence[tuple[Id, str]]) -> list[tuple[Id, str]]:
    pairs = []
    seen = set()
    for item in ranked:
        try:
            app, track = item
        except (TypeError, ValueError):
            raise ValueError(f"排名中的每一项必须是（案例编号, 赛道）二元组：{item!r}") from None
        if isinstance(app, bool) or not isinstance(app, int | str) or app == "":
            raise ValueError(f"案例编号必须是整数或非空字符串：{app!r}")
        if not isinstance(track, str) or not track:
            raise ValueError(f"案例 {app} 的赛道必须是非空字符串")
        if str(app) in seen:
            raise ValueError(f"案例 {app} 在排名中出现多次")
        seen.add(str(app))
        pairs.append((app, track))
    if not pairs:
        raise ValueError("排名为空，无法抽取")
    return pairs


def canonical_ranking(ranked: Sequence[tuple[Id, str]]) -> bytes:
    """The canonical UTF-8 JSON form of the ranked list, `[[id,"track"],...]`."""
    pairs = _check_ranked(ranked)
    text = json.dumps([[app, track] for app, track in pairs], ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def ranking_digest(ranked: Sequence[tuple[Id, str]]) -> str:
    """Hex SHA-256 of the canonical ranked list."""
    return hashlib.sha256(canonical_ranking(ranked)).hexdigest()


def draw_key(seed: str, digest: str, app: Id) -> str:
    """A candidate's draw key: hex SHA-256 of f"{seed}|{digest}|{id}"."""
    return hashlib.sha256(f"{seed}|{digest}|{app}".encode()).hexdigest()


def _exact(fraction) -> Fraction:
    if isinstance(fraction, bool):
        raise ValueError("抽取比例必须是数值")
    if isinstance(fraction, float):
        if not math.isfinite(fraction):
            raise ValueError("抽取比例必须是有限数值")
        return Fraction(repr(fraction))
    if isinstance(fraction, Decimal):
        if not fraction.is_finite():
            raise ValueError("抽取比例必须是有限数值")
        return Fraction(fraction)
    if isinstance(fraction, Rational):
        return Fraction(fraction)
    if isinstance(fraction, str):
        try:
            return Fraction(fraction.strip())
        except ValueError:
            raise ValueError(f"无法识别的抽取比例：{fraction!r}") from None
    raise ValueError(f"无法识别的抽取比例：{fraction!r}")


def sample_size(n: int, size: int | None = None, fraction=None) -> int:
    """The sample size for n candidates: `size`, or ceil(fraction × n) rounded up; exactly one given."""
    if (size is None) == (fraction is None):
        raise ValueError("抽取数量（size）与抽取比例（fraction）必须且只能指定一个")
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int):
            raise ValueError("抽取数量必须是整数")
        if size < 1:
            raise ValueError("抽取数量必须至少为 1")
        if size > n:
            raise ValueError(f"抽取数量 {size} 超过候选案例数 {n}")
        return size
    f = _exact(fraction)
    if not 0 < f <= 1:
        raise ValueError("抽取比例必须大于 0 且不超过 1")
    return math.ceil(f * n)


def allocate(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """Seats per track by the largest-remainder method (equal remainders: smaller track key first)."""
    total = sum(counts.values())
    if not 0 <= size <= total:
        raise ValueError(f"抽取数量 {size} 超出候选案例数 {total}")
    quotas = {t: Fraction(size * c, total) for t, c in counts.items()}
    seats = {t: math.floor(q) for t, q in quotas.items()}
    left = size - sum(seats.values())
    for t in sorted(counts, key=lambda t: (-(quotas[t] - seats[t]), t))[:left]:
        seats[t] += 1
    return seats


def draw(
    seed: str,
    ranked: Sequence[tuple[Id, str]],
    size: int | None = None,
    fraction=None,
    stratify: bool | None = None,
) -> DrawResult:
    """Draw the inspection sample from the frozen `ranked` list with the revealed `seed`."""
    _check_seed(seed)
    pairs = _check_ranked(ranked)
    n = len(pairs)
    k = sample_size(n, size, fraction)
    digest = ranking_digest(pairs)
    keys = {app: draw_key(seed, digest, app) for app, _ in pairs}
    position = {app: i for i, (app, _) in enumerate(pairs)}

    def smallest(apps: list[Id], count: int) -> list[Id]:
        return sorted(apps, key=lambda a: (keys[a], position[a]))[:count]

    allocation = None
    if stratify:
        by_track: dict[str, list[Id]] = {}
        for app, track in pairs:
            by_track.setdefault(track, []).append(app)
        allocation = allocate({t: len(apps) for t, apps in sorted(by_track.items())}, k)
        chosen = {a for t, apps in by_track.items() for a in smallest(apps, allocation[t])}
    else:
        chosen = set(smallest([app for app, _ in pairs], k))
    return DrawResult(
        commitment=commitment(seed),
        seed=seed,
        ranking_digest=digest,
        size=k,
        stratified=bool(stratify),
        selected=tuple(app for app, _ in pairs if app in chosen),
        keys=keys,
        allocation=allocation,
    )
