"""Django-free. Aggregating expert review totals per application and calibrating expert harshness (pure Python, no Django).

Input: reviews ``(app, expert, total)``, one per application and expert, totals on a 0..``max_score`` scale.

Raw statistics per application: mean, median, sample standard deviation, spread (max − min), and a trimmed
mean that drops the ``trim`` highest and lowest totals (default one each) only while at least 3 totals
remain (so from 5 reviews on; fewer reviews → trimmed mean = mean).  ``disagreement`` flags applications with
at least 2 reviews whose spread is ≥ ``disagreement × max_score`` (default 20 %).

Calibrated score (corrects lenient / harsh experts):

1. Each expert's totals are centred on the expert's own mean m_e (the expert's offset).
2. σ is the pooled within-expert standard deviation: the deviations from each expert's own mean over all
   reviews, with N − E degrees of freedom (N reviews, E experts).  Shifting one expert's totals does not
   change it.
3. Each expert's spread is shrunk towards σ:  sd_e² = (d_e·s_e² + n0·σ²) / (d_e + n0), with s_e² the
   expert's sample variance and d_e = n_e − 1 its degrees of freedom (n0 = 3 by default).  An expert with
   few reviews is thus scaled mostly by σ, not by a noisy estimate of their own spread.
4. z = (total − m_e) / sd_e;  the application's z is the mean z of its reviews, and
   calibrated = G + z·σ with G the grand mean of all totals.

An expert with a single review carries no information about their own scale: their z is 0, so such an
application leans on its other experts (``n_calibrated`` counts the reviews that carry information; an
application with ``n_calibrated == 0`` gets G).  If σ = 0 (all experts constant, or every expert has a single
review) there is nothing to calibrate: z = 0 and calibrated = the raw mean.

``calibrated`` is clipped to [0, max_score] for display; ``calibrated_raw`` is unclipped and is what
``rank(..., by="calibrated")`` sorts on.  Adding a constant to all totals of one expert moves every
``calibrated_raw`` by the same amount (through G), so the calibrated ranking is unchanged (when σ > 0).

Limitation: centring assumes each expert's applications are of comparable average quality; an expert who
happens to review only strong applications is over-corrected.  Assign experts at random within a track and
give each expert enough applications (ideally ≥ 10).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

PRIOR_WEIGHT = 3.0  # n0: how many reviews' worth of weight the pooled σ has in an expert's sd
TRIM = 1  # totals dropped at each end for the trimmed mean
MIN_KEPT = 3  # trim only while at least this many totals remain
DISAGREEMENT = 0.2  # spread threshold as a share of max_score
TIE_DECIMALS = 9  # values equal to this many decimals share a rank position
RANK_FIELDS = ("calibrated", "mean", "trimmed_mean", "median")


class Review(NamedTuple):
    app: Hashable
    expert: Hashable
    total: float


@dataclass(frozen=True)
class ExpertStats:
    n: int
    mean: float  # the expert's offset is mean − grand mean
    sd: float  # shrunk standard deviation sd_e used for z-scores


@dataclass(frozen=True)
class Calibration:
    grand_mean: float  # G
    sigma: float  # pooled within-expert standard deviation σ
    experts: dict[Hashable, ExpertStats]


@dataclass(frozen=True)
class AppScore:
    n: int  # number of reviews
    mean: float
    trimmed_mean: float
    median: float
    calibrated: float  # calibrated_raw clipped to [0, max_score], for display
    calibrated_raw: float  # unclipped; ranking uses this
    spread: float  # max − min
    stdev: float  # sample standard deviation (0 for a single review)
    disagreement: bool
    z: float  # mean of the per-expert z-scores
    n_calibrated: int  # reviews by experts with ≥ 2 reviews (the ones that carry calibration information)


def _check_max_score(max_score: float) -> float:
    max_score = float(max_score)
    if not math.isfinite(max_score) or max_score <= 0:
        raise ValueError(f"满分必须为正数：{max_score}")
    return max_score


def _normalise(reviews: Iterable) -> list[Review]:
    out, seen = [], set()
    for item in reviews:
        app, expert, total = item
        total = float(total)
        if not math.isfinite(total):
            raise ValueError(f"评审分数不是有限值：申报 {app}，专家 {expert}")
        if (app, expert) in seen:
            raise ValueError(f"同一专家对同一申报有多条评审：申报 {app}，专家 {expert}")
        seen.add((app, expert))
        out.append(Review(app, expert, total))
    return out


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def calibrate_experts(reviews: Iterable, prior_weight: float = PRIOR_WEIGHT) -> Calibration:
    """Per-expert mean and shrunk sd, the pooled within-expert σ and the grand mean G."""
    if not prior_weight >= 0:
        raise ValueError(f"先验权重不能为负：{prior_weight}")
    reviews = _normalise(reviews)
    by_expert: dict[Hashable, list[float]] = {}
    for r in reviews:
        by_expert.setdefault(r.expert, []).append(r.total)
    if not reviews:
        return Calibration(0.0, 0.0, {})
    means = {e: _mean(v) for e, v in by_expert.items()}
    ss = {e: math.fsum((x - means[e]) ** 2 for x in v) for e, v in by_expert.items()}
    dof = len(reviews) - len(by_expert)
    sigma2 = math.fsum(ss.values()) / dof if dof > 0 else 0.0
    experts = {}
    for e, v in by_expert.items():
        d = len(v) - 1
        weight = d + prior_weight
        sd2 = (ss[e] + prior_weight * sigma2) / weight if weight > 0 else 0.0
        experts[e] = ExpertStats(len(v), means[e], math.sqrt(sd2))
    return Calibration(_mean([r.total for r in reviews]), math.sqrt(sigma2), experts)


def trimmed_mean(values: list[float], trim: int = TRIM) -> float:
    """Mean after dropping the ``trim`` lowest and highest values, only if ≥ 3 values remain."""
    values = sorted(values)
    if trim > 0 and len(values) - 2 * trim >= MIN_KEPT:
        values = values[trim:-trim]
    return _mean(values)


def aggregate(reviews: Iterable, max_score: float = 100, trim: int = TRIM, disagreement: float = DISAGREEMENT,
              prior_weight: float = PRIOR_WEIGHT) -> dict[Hashable, AppScore]:
    """Scores per application (in order of first appearance).  See the module docstring for the method."""
    max_score = _check_max_score(max_score)
    if trim < 0:
        raise ValueError(f"截尾数不能为负：{trim}")
    reviews = _normalise(reviews)
    cal = calibrate_experts(reviews, prior_weight)
    threshold = disagreement * max_score
    by_app: dict[Hashable, list[Review]] = {}
    for r in reviews:
        by_app.setdefault(r.app, []).append(r)
    out = {}
    for app, rs in by_app.items():
        totals = [r.total for r in rs]
        mean = _mean(totals)
        spread = max(totals) - min(totals)
        if cal.sigma > 0:
            zs = []
            for r in rs:
                e = cal.experts[r.expert]
                zs.append((r.total - e.mean) / e.sd if e.n > 1 and e.sd > 0 else 0.0)
            z = _mean(zs)
            raw = cal.grand_mean + z * cal.sigma
        else:
            z, raw = 0.0, mean
        out[app] = AppScore(
            n=len(rs),
            mean=mean,
            trimmed_mean=trimmed_mean(totals, trim),
            median=float(statistics.median(totals)),
            calibrated=min(max(raw, 0.0), max_score),
            calibrated_raw=raw,
            spread=spread,
            stdev=statistics.stdev(totals) if len(totals) > 1 else 0.0,
            disagreement=len(totals) > 1 and spread >= threshold - 1e-9 * max_score,
            z=z,
            n_calibrated=sum(cal.experts[r.expert].n > 1 for r in rs),
        )
    return out


def rank(scores: dict[Hashable, AppScore], by: str = "calibrated") -> list[tuple[Hashable, float, int]]:
    """``(app, value, position)`` best first, competition ranking (1, 2, 2, 4).

    Values equal to ``TIE_DECIMALS`` decimals tie; ties are listed by ``str(app)``.  For ``by="calibrated"``
    the order uses ``calibrated_raw`` and the value returned is the clipped display value ``calibrated``.
    """
    if by not in RANK_FIELDS:
        raise ValueError(f"未知的排名依据：{by}（可选 {', '.join(RANK_FIELDS)}）")
    key_field = "calibrated_raw" if by == "calibrated" else by

    def key(app):
        return round(getattr(scores[app], key_field), TIE_DECIMALS)

    order = sorted(scores, key=lambda a: (-key(a), str(a), repr(a)))
    out, position, previous = [], 0, None
    for i, app in enumerate(order):
        k = key(app)
        if k != previous:
            position, previous = i + 1, k
        out.append((app, getattr(scores[app], by), position))
    return out
