"""Expert score aggregation and calibration (jinxuan.review.calibration, pure module)."""

import math
import statistics

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr, trim_mean

from jinxuan.review.calibration import Review, aggregate, calibrate_experts, rank


def scores_of(reviews, **kw):
    return aggregate([Review(*r) for r in reviews], **kw)


# --- random review designs ------------------------------------------------------------------------

@st.composite
def designs(draw):
    """Several experts; each application reviewed by 2–5 distinct experts; totals in 0..100."""
    n_exp = draw(st.integers(3, 8))
    n_apps = draw(st.integers(2, 12))
    total = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, allow_nan=False))
    reviews = []
    for a in range(n_apps):
        k = draw(st.integers(2, min(5, n_exp)))
        panel = draw(st.lists(st.integers(0, n_exp - 1), min_size=k, max_size=k, unique=True))
        reviews += [Review(f"A{a}", f"E{e}", draw(total)) for e in panel]
    return reviews


@settings(max_examples=200, deadline=None)
@given(designs(), st.data())
def test_property_shifting_one_expert_keeps_calibrated_ranking(reviews, data):
    experts = sorted({r.expert for r in reviews})
    shifted_expert = data.draw(st.sampled_from(experts))
    c = data.draw(st.floats(-60, 60, allow_nan=False))
    before_cal = calibrate_experts(reviews)
    assume(before_cal.sigma > 1e-6)  # σ = 0: nothing to calibrate, raw-mean fallback (tested separately)
    shifted = [r._replace(total=r.total + c) if r.expert == shifted_expert else r for r in reviews]
    before, after = aggregate(reviews), aggregate(shifted)
    assert calibrate_experts(shifted).sigma == pytest.approx(before_cal.sigma, rel=1e-9, abs=1e-9)

    # Every z is unchanged and every unclipped calibrated score moves by the same amount.
    for app in before:
        assert after[app].z == pytest.approx(before[app].z, abs=1e-9)
    moves = [after[a].calibrated_raw - before[a].calibrated_raw for a in before]
    assert max(moves) - min(moves) < 1e-7
    # Hence the same ranking (order and positions), whatever the clipping of the display value does.
    strip = [(app, pos) for app, _, pos in rank(before)]
    assert strip == [(app, pos) for app, _, pos in rank(after)]


@settings(max_examples=100, deadline=None)
@given(designs())
def test_property_raw_statistics(reviews):
    scores = aggregate(reviews)
    for app, s in scores.items():
        totals = [r.total for r in reviews if r.app == app]
        assert s.n == len(totals)
        assert s.mean == pytest.approx(statistics.fmean(totals))
        assert s.median == pytest.approx(statistics.median(totals))
        assert s.spread == max(totals) - min(totals)
        assert s.stdev == pytest.approx(statistics.stdev(totals))
        assert min(totals) <= s.trimmed_mean <= max(totals)
        assert 0 <= s.calibrated <= 100
        assert s.calibrated == min(max(s.calibrated_raw, 0), 100)


# --- the lenient expert ---------------------------------------------------------------------------

def test_expert_giving_everything_100_does_not_lift_their_application():
    normal = {"N1": [60, 72, 55, 81, 66, 70], "N2": [58, 75, 50, 85, 62, 68]}
    other = [40, 90, 65, 55, 75]  # expert O's scores for X1..X5, mean 65
    reviews = []
    for i in range(6):
        for e, totals in normal.items():
            reviews.append(Review(f"P{i}", e, totals[i]))
    # A and B get identical scores from the normal experts N1 and N2.
    for app in ("A", "B"):
        reviews += [Review(app, "N1", 70), Review(app, "N2", 70)]
    # A's third reviewer gives 100 to everything; B's third reviewer scores B at their own mean.
    reviews.append(Review("A", "LENIENT", 100))
    reviews += [Review(f"P{i}", "LENIENT", 100) for i in range(4)]
    for i, t in enumerate(other):
        reviews.append(Review(f"X{i}", "O", t))
        reviews.append(Review(f"X{i}", "N1", t - 5))
    reviews.append(Review("B", "O", statistics.fmean(other)))

    s = aggregate(reviews)
    assert s["A"].mean > s["B"].mean + 9
    assert s["A"].calibrated_raw <= s["B"].calibrated_raw + 1e-9
    assert s["A"].calibrated <= s["B"].calibrated + 1e-9
    assert calibrate_experts(reviews).experts["LENIENT"].mean == 100


# --- harsh vs lenient experts on known qualities --------------------------------------------------

def simulate(seed, n_apps=40, n_exp=10, k=3, noise=3.0):
    rng = np.random.default_rng(seed)
    quality = rng.uniform(30, 70, n_apps)
    offset = rng.choice([-15.0, 15.0], n_exp)
    reviews = []
    for a in range(n_apps):
        for e in rng.choice(n_exp, size=k, replace=False):
            total = float(np.clip(quality[a] + offset[e] + rng.normal(0, noise), 0, 100))
            reviews.append(Review(a, int(e), total))
    return quality, reviews


def test_calibration_recovers_true_quality_better_than_raw_mean():
    raw_rho, cal_rho = [], []
    for seed in range(20):
        quality, reviews = simulate(seed)
        s = aggregate(reviews)
        apps = sorted(s)
        raw_rho.append(spearmanr([quality[a] for a in apps], [s[a].mean for a in apps]).statistic)
        cal_rho.append(spearmanr([quality[a] for a in apps], [s[a].calibrated_raw for a in apps]).statistic)
    assert np.mean(cal_rho) > np.mean(raw_rho) + 0.05
    assert np.mean(cal_rho) > 0.9
    assert sum(c > r for c, r in zip(cal_rho, raw_rho, strict=True)) >= 15


def test_expert_scale_is_own_sd_shrunk_towards_pooled_sigma():
    # Expert W uses a wide band, expert N a narrow one; both rank the same 12 applications identically.
    rng = np.random.default_rng(7)
    q = rng.uniform(-1, 1, 12)
    reviews = [Review(a, "W", 50 + 40 * q[a]) for a in range(12)]
    reviews += [Review(a, "N", 50 + 4 * q[a]) for a in range(12)]
    own = {e: statistics.stdev([r.total for r in reviews if r.expert == e]) for e in "WN"}
    cal = calibrate_experts(reviews)
    assert cal.sigma == pytest.approx(math.sqrt((own["W"] ** 2 + own["N"] ** 2) / 2))
    assert own["N"] < cal.experts["N"].sd < cal.sigma < cal.experts["W"].sd < own["W"]
    assert cal.experts["W"].sd > 2 * cal.experts["N"].sd
    expected = math.sqrt((11 * own["N"] ** 2 + 3 * cal.sigma**2) / 14)
    assert cal.experts["N"].sd == pytest.approx(expected)
    # Without the prior each expert is scaled by its own sd: both experts give each application the same z.
    cal0 = calibrate_experts(reviews, prior_weight=0)
    assert cal0.experts["N"].sd == pytest.approx(own["N"]) and cal0.experts["W"].sd == pytest.approx(own["W"])
    s = aggregate(reviews, prior_weight=0)
    for a in range(12):
        assert s[a].z == pytest.approx((50 + 4 * q[a] - cal0.experts["N"].mean) / own["N"])
    assert [a for a, _, _ in rank(s)] == list(np.argsort(-q))


def test_few_reviews_scale_leans_on_sigma():
    # An expert with 2 reviews far apart: their own sd (≈ 56.6) is mostly replaced by σ.
    reviews = [(a, e, 50 + d) for e, d0 in (("E1", 5), ("E2", -5))
               for a, d in zip("ABCDEF", (d0, -d0) * 3, strict=True)]
    reviews += [("A", "FEW", 90), ("B", "FEW", 10)]
    cal = calibrate_experts([Review(*r) for r in reviews])
    assert cal.experts["FEW"].sd < 0.6 * statistics.stdev([90, 10])
    many = calibrate_experts([Review(*r) for r in reviews], prior_weight=0)
    assert many.experts["FEW"].sd == pytest.approx(statistics.stdev([90, 10]))


# --- trimmed mean, median, disagreement -----------------------------------------------------------

@pytest.mark.parametrize(("totals", "expected"), [
    ([80], 80),
    ([10, 90], 50),
    ([10, 50, 90], 50),
    ([10, 50, 60, 100], 55),
    ([0, 60, 70, 80, 100], 70),  # n = 5: one dropped at each end
    ([0, 60, 70, 80, 90, 100], 75),
])
def test_trimmed_mean_drops_one_at_each_end_from_five_reviews(totals, expected):
    s = scores_of([("A", f"E{i}", t) for i, t in enumerate(totals)])["A"]
    assert s.trimmed_mean == pytest.approx(expected)
    assert s.mean == pytest.approx(statistics.fmean(totals))
    if 5 <= len(totals) < 10:
        assert s.trimmed_mean == pytest.approx(trim_mean(totals, 0.2))


def test_trim_parameter():
    totals = [0, 10, 60, 70, 80, 90, 100]
    reviews = [("A", f"E{i}", t) for i, t in enumerate(totals)]
    assert scores_of(reviews, trim=0)["A"].trimmed_mean == pytest.approx(statistics.fmean(totals))
    assert scores_of(reviews, trim=2)["A"].trimmed_mean == pytest.approx(70)
    assert scores_of(reviews, trim=3)["A"].trimmed_mean == pytest.approx(statistics.fmean(totals))  # 1 left
    with pytest.raises(ValueError):
        scores_of(reviews, trim=-1)


def test_median_even_and_odd():
    s = scores_of([("A", "E1", 10), ("A", "E2", 40), ("A", "E3", 90), ("B", "E1", 10), ("B", "E2", 40)])
    assert s["A"].median == 40
    assert s["B"].median == 25


def test_disagreement_flag_threshold():
    s = scores_of([("A", "E1", 60), ("A", "E2", 80),  # spread 20 = 20 % of 100: flagged
                   ("B", "E1", 60), ("B", "E2", 79.5),
                   ("C", "E1", 60)])
    assert s["A"].spread == 20 and s["A"].disagreement
    assert not s["B"].disagreement
    assert not s["C"].disagreement and s["C"].spread == 0 and s["C"].stdev == 0
    # Relative to max_score, and adjustable.
    s = scores_of([("A", "E1", 6), ("A", "E2", 8), ("B", "E1", 6), ("B", "E2", 7.5)], max_score=10)
    assert s["A"].disagreement and not s["B"].disagreement
    s = scores_of([("A", "E1", 60), ("A", "E2", 80)], disagreement=0.3)
    assert not s["A"].disagreement


# --- degenerate input -----------------------------------------------------------------------------

def test_no_reviews():
    assert aggregate([]) == {}
    assert rank({}) == []
    cal = calibrate_experts([])
    assert cal.sigma == 0 and cal.experts == {}


def test_all_scores_equal_fall_back_to_mean():
    s = scores_of([(a, e, 70) for a in "ABC" for e in ("E1", "E2")])
    for score in s.values():
        assert score.calibrated == score.mean == 70 and score.z == 0
    assert [p for _, _, p in rank(s)] == [1, 1, 1]


def test_every_expert_constant_falls_back_to_raw_mean():
    s = scores_of([("A", "E1", 90), ("B", "E1", 90), ("A", "E2", 40), ("B", "E2", 40), ("C", "E2", 40)])
    assert calibrate_experts([Review("A", "E1", 90), Review("B", "E1", 90)]).sigma == 0
    assert s["A"].calibrated == s["A"].mean == 65 and s["C"].calibrated == 40


def test_one_expert_calibrated_equals_raw():
    totals = [35, 80, 62.5, 91, 12]
    s = scores_of([(f"A{i}", "E", t) for i, t in enumerate(totals)])
    for i, t in enumerate(totals):
        assert s[f"A{i}"].calibrated == pytest.approx(t)
        assert s[f"A{i}"].n_calibrated == 1
    assert [a for a, _, _ in rank(s)] == [a for a, _, _ in rank(s, by="mean")]


def test_single_review_experts_give_z_zero():
    base = [("A", "E1", 80), ("B", "E1", 60), ("C", "E1", 40),
            ("A", "E2", 75), ("B", "E2", 50), ("C", "E2", 45)]
    for one_off_total in (0, 50, 100):
        s = scores_of(base + [("A", "ONCE", one_off_total)])
        alone = scores_of(base)
        assert s["A"].n == 3 and s["A"].n_calibrated == 2
        # The one-off expert adds a z of 0: A's z is the mean over three reviews of its two informative z's.
        assert s["A"].z == pytest.approx(alone["A"].z * 2 / 3)
    # Only one-off experts: no information, the grand mean.
    s = scores_of(base + [("D", "X", 100), ("D", "Y", 90)])
    assert s["D"].z == 0 and s["D"].n_calibrated == 0
    assert s["D"].calibrated == pytest.approx(statistics.fmean([t for *_, t in base] + [100, 90]))


def test_every_expert_single_review_falls_back_to_mean():
    s = scores_of([("A", "E1", 90), ("A", "E2", 70), ("B", "E3", 50)])
    assert s["A"].calibrated == 80 and s["B"].calibrated == 50


def test_calibrated_clipped_for_display_only():
    # Expert E1 gives A its only high score; its z·σ lands above max_score.
    reviews = [("A", "E1", 100), ("B", "E1", 0), ("C", "E1", 0), ("D", "E1", 0),
               ("A", "E2", 100), ("B", "E2", 0), ("C", "E2", 0), ("D", "E2", 0),
               ("B", "E3", 99), ("C", "E3", 100)]
    s = scores_of(reviews)
    assert s["A"].calibrated_raw > 100 and s["A"].calibrated == 100
    assert rank(s)[0][:2] == ("A", 100)


def test_invalid_input():
    with pytest.raises(ValueError, match="有限值"):
        scores_of([("A", "E1", math.nan)])
    with pytest.raises(ValueError, match="多条评审"):
        scores_of([("A", "E1", 50), ("A", "E1", 60)])
    with pytest.raises(ValueError, match="满分"):
        scores_of([("A", "E1", 50)], max_score=0)
    with pytest.raises(ValueError, match="排名依据"):
        rank({}, by="stdev")


def test_accepts_plain_tuples_and_decimals():
    from decimal import Decimal

    s = aggregate([("A", 1, Decimal("80.5")), ("A", 2, 70)])
    assert s["A"].mean == pytest.approx(75.25)


# --- rank -----------------------------------------------------------------------------------------

def test_rank_competition_positions_and_deterministic_ties():
    s = scores_of([("b", "E1", 80), ("a", "E1", 80), ("c", "E1", 90), ("d", "E1", 70), ("e", "E1", 80)])
    assert rank(s, by="mean") == [("c", 90, 1), ("a", 80, 2), ("b", 80, 2), ("e", 80, 2), ("d", 70, 5)]
    # Ties share the position whatever the input order.
    reversed_scores = dict(reversed(list(s.items())))
    assert rank(reversed_scores, by="mean") == rank(s, by="mean")


def test_rank_ties_survive_rounding_noise():
    # 0.1 + 0.2 vs 0.3: equal up to float noise, must tie.
    s = scores_of([("x", "E1", 0.1), ("x", "E2", 0.2), ("y", "E1", 0.3), ("y", "E2", 0.0), ("z", "E1", 1)])
    assert s["x"].mean != s["y"].mean
    assert [(a, p) for a, _, p in rank(s, by="mean")] == [("z", 1), ("x", 2), ("y", 2)]


@pytest.mark.parametrize("by", ["calibrated", "mean", "trimmed_mean", "median"])
def test_rank_by_each_field_sorted_best_first(by):
    _, reviews = simulate(3, n_apps=15, n_exp=6)
    s = aggregate(reviews)
    ranked = rank(s, by=by)
    key = "calibrated_raw" if by == "calibrated" else by
    keys = [getattr(s[a], key) for a, _, _ in ranked]
    assert keys == sorted(keys, reverse=True)
    assert [v for _, v, _ in ranked] == [getattr(s[a], by) for a, _, _ in ranked]
    assert ranked[0][2] == 1 and len(ranked) == 15


def test_rank_by_calibrated_differs_from_mean_when_experts_differ():
    # E_h is harsh (−20), E_l lenient (+20); both see p and q, and each sees its own extra application.
    reviews = [("p", "E_h", 50), ("q", "E_h", 40), ("h", "E_h", 45),
               ("p", "E_l", 90), ("q", "E_l", 80), ("l", "E_l", 85)]
    s = scores_of(reviews)
    assert s["l"].mean > s["h"].mean
    assert s["l"].calibrated_raw == pytest.approx(s["h"].calibrated_raw)
    positions = {a: p for a, _, p in rank(s)}
    assert positions["l"] == positions["h"]
