"""Django-free. Expert-to-application assignment as an exact min-cost flow (no Django).

Each application needs k distinct experts, each expert reviews at most `load` applications, forbidden pairs
(conflicts of interest, organiser "forbid") are never used, pinned pairs are always used, and optionally an
expert reviews at most `track_cap` applications of one track.  Among all such assignments, `solve` returns
one that maximises the total affinity.

With `balance` set, loads are spread first and affinity is maximised among the most even spreads: the arc from
expert e to the sink is split into unit arcs, the t-th application of e (pins included) costing
BIG * t * L / load_e (L the largest load limit), a convex load cost.  BIG exceeds any affinity change a
cycle of the residual network can make, so a unit of load moves from a busier to an idler expert whenever
the constraints let it.  With equal limits the minimiser of such a separable convex cost over the feasible
load vectors is the most even one (the least majorised base of the flow's polymatroid, Fujishige 1980): the
most and least loaded experts differ by at most one application whenever an assignment that does so exists.
With unequal limits the shares load_e / limit_e are evened out instead.

The balance may give up at most `max_loss` (1 %) of the unbalanced optimum's affinity.  When the most even spread
would lose more, the loads are kept in a window around the mean share instead, as narrow as the budget allows:
each expert's unit arcs cost -BIG up to the window's floor, 0 inside it and +BIG above it (a minimum and a
maximum load in the same flow), and binary searches on the window's width (nested windows, so the affinity
never falls as the window widens; each step one exact solve) find the narrowest symmetric window within the
budget, then raise its floor and lower its cap as far as the budget allows.
`Solution.affinity_loss` and `balance_held_back` say what happened.

Network (OR-Tools SimpleMinCostFlow, every arc built with numpy arrays):

    source -(k_i)-> application i -(1)-> [expert e, track t(i)] -(track cap)-> expert e -(load_e)-> sink

The middle (expert, track) layer exists only when `track_cap` is set; otherwise application arcs go straight
to the expert.  Pinned pairs are assigned first (reducing k, load and track capacity) and the rest is solved.
Arc costs are integers, -round(affinity * scale): the result is exactly optimal for these scaled integer
costs, hence within n_pairs * 0.5 / scale of the optimum for the float affinities (1e-6 per pair at the
default scale 10**6).  Indices in `pairs` and in error messages are 0-based rows/columns of `affinity`.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

SCALE = 10**6
_COST_LIMIT = 2**62  # keeps OR-Tools' cost scaling (cost * (nodes + 1)) well inside int64


class AssignmentError(ValueError):
    """The problem is malformed or infeasible; the message is in Chinese and names the cause.

    `kind` is a short machine-readable cause and `indices` the application (or expert, or track) indices
    concerned, so callers can rephrase the message with titles and names.
    """

    def __init__(self, message: str, kind: str = "infeasible", indices: tuple = ()):
        super().__init__(message)
        self.kind = kind
        self.indices = tuple(indices)


@dataclass(eq=False)
class Problem:
    affinity: np.ndarray  # float (n_apps, n_experts), higher is better
    k: int | np.ndarray  # experts required per application
    load: np.ndarray  # int (n_experts,): max applications per expert
    forbidden: np.ndarray | None = None  # bool (n_apps, n_experts): never assigned
    pinned: list[tuple[int, int]] = field(default_factory=list)  # (app, expert) pairs that must be assigned
    track: np.ndarray | None = None  # int (n_apps,): track label of each application
    track_cap: int | None = None  # max applications of one track per expert; None: no balance constraint
    balance: bool = False  # spread loads evenly first (see the module docstring), then maximise affinity
    max_loss: float = 0.01  # with balance: give up at most this share of the unbalanced optimum's affinity


@dataclass(eq=False)
class Solution:
    pairs: list[tuple[int, int]]  # sorted (app, expert)
    objective: float  # sum of the float affinity over pairs
    per_application: np.ndarray  # experts assigned to each application
    per_expert: np.ndarray  # applications assigned to each expert
    seconds: float  # build + solve
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    status: str = "OPTIMAL"
    unbalanced_objective: float | None = None  # with balance: the optimum without it
    balance_held_back: bool | None = None  # with balance: the budget kept the loads from the most even spread

    @property
    def affinity_loss(self) -> float | None:
        """Share of the unbalanced optimum's affinity given up for the balance (0.004 = 0.4 %)."""
        if self.unbalanced_objective is None:
            return None
        return (self.unbalanced_objective - self.objective) / self.unbalanced_objective \
            if self.unbalanced_objective > 0 else 0.0


def load_spread(per_expert) -> dict:
    """Least and most loaded expert and how many experts carry each load: {"min", "max", "histogram": [(load,
    experts), …]} in increasing load."""
    loads = np.asarray(per_expert, dtype=np.int64)
    if loads.size == 0:
        return {"min": 0, "max": 0, "histogram": []}
    values, counts = np.unique(loads, return_counts=True)
    return {"min": int(loads.min()), "max": int(loads.max()),
            "histogram": [(int(v), int(c)) for v, c in zip(values, counts, strict=True)]}


def objective_of(pairs, affinity: np.ndarray) -> float:
    """Sum of affinity over (app, expert) pairs."""
    if len(pairs) == 0:
        return 0.0
    idx = np.asarray(pairs, dtype=np.int64)
    return float(np.asarray(affinity, dtype=np.float64)[idx[:, 0], idx[:, 1]].sum())


def _fail(message: str, kind: str, indices=()) -> None:
    raise AssignmentError(message, kind, indices)


def _few(indices, limit: int = 5) -> str:
    shown = "、".join(f"#{int(i)}" for i in indices[:limit])
    return shown + (f" 等 {len(indices)} 个" if len(indices) > limit else "")


def _normalise(p: Problem):
    aff = np.asarray(p.affinity, dtype=np.float64)
    if aff.ndim != 2:
        _fail(f"亲和度矩阵必须是二维的（申报数 × 专家数），实际维数为 {aff.ndim}。", "malformed")
    n_apps, n_exp = aff.shape
    if not np.isfinite(aff).all():
        _fail("亲和度矩阵含有非有限值（NaN 或无穷大）。", "malformed")
    k = np.broadcast_to(np.asarray(p.k), (n_apps,)).astype(np.int64) if np.ndim(p.k) == 0 \
        else np.asarray(p.k, dtype=np.int64)
    if k.shape != (n_apps,):
        _fail(f"每份申报所需专家数 k 的长度应为 {n_apps}，实际为 {k.shape}。", "malformed")
    if (k < 0).any():
        _fail(f"申报 {_few(np.flatnonzero(k < 0))} 所需专家数为负数。", "malformed", np.flatnonzero(k < 0))
    load = np.asarray(p.load, dtype=np.int64)
    if load.shape != (n_exp,):
        _fail(f"专家负荷上限 load 的长度应为 {n_exp}，实际为 {load.shape}。", "malformed")
    if (load < 0).any():
        _fail(f"专家 {_few(np.flatnonzero(load < 0))} 的负荷上限为负数。", "malformed", np.flatnonzero(load < 0))
    if p.forbidden is None:
        forbidden = np.zeros((n_apps, n_exp), dtype=bool)
    else:
        forbidden = np.asarray(p.forbidden, dtype=bool)
        if forbidden.shape != aff.shape:
            _fail(f"回避矩阵的形状应为 {aff.shape}，实际为 {forbidden.shape}。", "malformed")
    pins = np.asarray(sorted(set(map(tuple, p.pinned))), dtype=np.int64).reshape(-1, 2)
    bad = (pins[:, 0] < 0) | (pins[:, 0] >= n_apps) | (pins[:, 1] < 0) | (pins[:, 1] >= n_exp)
    if bad.any():
        a, e = pins[bad][0]
        _fail(f"指定分配（申报 #{a}，专家 #{e}）超出范围：共 {n_apps} 份申报、{n_exp} 位专家。", "malformed")
    track, labels = None, None
    if p.track_cap is not None:
        if p.track is None:
            _fail("设置了每赛道上限 track_cap，但未提供各申报的赛道 track。", "malformed")
        if p.track_cap < 0:
            _fail("每位专家每个赛道的评审上限 track_cap 不能为负数。", "malformed")
        raw = np.asarray(p.track)
        if raw.shape != (n_apps,):
            _fail(f"赛道 track 的长度应为 {n_apps}，实际为 {raw.shape}。", "malformed")
        labels, track = np.unique(raw, return_inverse=True)
        track = track.reshape(-1).astype(np.int64)
    return aff, k, load, forbidden, pins, track, labels


def _check_pins(pins, k, load, forbidden, track, track_cap, label):
    if len(pins) == 0:
        return
    hit = forbidden[pins[:, 0], pins[:, 1]]
    if hit.any():
        a, e = pins[hit][0]
        _fail(f"指定分配（申报 #{a}，专家 #{e}）属于回避或禁止的组合，不能指定。", "pinned_forbidden", (int(a),))
    per_app = np.bincount(pins[:, 0], minlength=len(k))
    over = np.flatnonzero(per_app > k)
    if len(over):
        a = over[0]
        _fail(f"申报 #{a} 指定了 {per_app[a]} 位专家，超过所需的 {k[a]} 位。", "pins_exceed_k", over)
    per_exp = np.bincount(pins[:, 1], minlength=len(load))
    over = np.flatnonzero(per_exp > load)
    if len(over):
        e = over[0]
        _fail(f"专家 #{e} 被指定了 {per_exp[e]} 份申报，超过其负荷上限 {load[e]}。", "pins_exceed_load", over)
    if track is not None:
        per_et = np.zeros((len(load), int(track.max()) + 1), dtype=np.int64)
        np.add.at(per_et, (pins[:, 1], track[pins[:, 0]]), 1)
        over = np.argwhere(per_et > track_cap)
        if len(over):
            e, t = over[0]
            _fail(f"专家 #{e} 被指定了 {per_et[e, t]} 份赛道 {label(t)} 的申报，"
                  f"超过每赛道上限 {track_cap}。", "pins_exceed_track_cap", (int(e),))


class _Network:
    """The flow network of one problem after the pins, solved with or without the convex load cost."""

    def __init__(self, n_apps, n_exp, n_tracks, ai, ei, costs, k_rem, load, load_rem, reachable, track, cap_rem,
                 max_cost):
        self.n_apps, self.n_exp, self.n_tracks = n_apps, n_exp, n_tracks
        self.ai, self.ei, self.costs, self.k_rem, self.load_rem = ai, ei, costs, k_rem, load_rem
        self.track, self.cap_rem = track, cap_rem
        self.n_nodes = 3 + n_apps + n_exp * (n_tracks + 1)
        # Unit load arcs: an expert never takes more than the applications it may review.
        units = np.minimum(load_rem, reachable)
        self.owner = np.repeat(np.arange(n_exp), units)
        start = np.repeat(np.cumsum(units) - units, units)
        t = (load - load_rem)[self.owner] + 1 + (np.arange(len(self.owner)) - start)  # t-th application, pins too
        self.t, self.limit = t, np.maximum(load, 1)
        self.share = t / self.limit[self.owner]  # t / limit: one step is 1 / limit
        # A simple cycle of the residual network holds at most two pair arcs per application or middle node it
        # visits, so it changes the affinity cost by less than big.
        big = (2 * min(n_apps, n_exp * max(n_tracks, 1)) + 1) * (max_cost + 1)
        self.big = big
        self.top = float(big * int(load.max(initial=1)))  # cost of a full expert; steps >= big for equal limits
        if self.top >= _COST_LIMIT // (self.n_nodes + 1):
            _fail("专家人数或负荷上限过大，均衡分配的整数费用会溢出。", "malformed")

    def window_costs(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Unit-arc costs keeping each expert's load (pins included) within [lo_e, hi_e] whenever possible."""
        t, e = self.t, self.owner
        return np.where(t <= lo[e], -self.big, np.where(t <= hi[e], 0, self.big)).astype(np.int64)

    def solve(self, weight, demand: int) -> np.ndarray:
        """Chosen pair arcs (bool over ai/ei); weight None: no load cost; a number: the convex load cost times
        weight; an array: those unit-arc costs (window_costs)."""
        n_apps, n_exp, n_tracks, ai, ei = self.n_apps, self.n_exp, self.n_tracks, self.ai, self.ei
        source, sink = 0, self.n_nodes - 1
        app_node = 1 + np.arange(n_apps, dtype=np.int32)
        exp_node = 1 + n_apps + np.arange(n_exp, dtype=np.int32)
        flow = SimpleMinCostFlow()
        mid = exp_node[ei]
        if self.track is not None:  # (expert, track) nodes after the expert nodes
            et_node = (1 + n_apps + n_exp + np.arange(n_exp * n_tracks, dtype=np.int32)).reshape(n_exp, n_tracks)
            mid = et_node[ei, self.track[ai]]
        pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
            app_node[ai], mid, np.ones(len(ai), dtype=np.int64), self.costs)
        flow.add_arcs_with_capacity_and_unit_cost(
            np.full(n_apps, source, dtype=np.int32), app_node, self.k_rem, np.zeros(n_apps, dtype=np.int64))
        if self.track is not None:
            flow.add_arcs_with_capacity_and_unit_cost(
                et_node.ravel(), np.repeat(exp_node, n_tracks), self.cap_rem.ravel(),
                np.zeros(n_exp * n_tracks, dtype=np.int64))
        if weight is None:
            flow.add_arcs_with_capacity_and_unit_cost(
                exp_node, np.full(n_exp, sink, dtype=np.int32), self.load_rem, np.zeros(n_exp, dtype=np.int64))
        else:  # float64 is exact to far below one step; floor keeps the cost non-decreasing in t
            unit_costs = weight if isinstance(weight, np.ndarray) else \
                np.floor(self.share * (self.top * weight)).astype(np.int64)
            flow.add_arcs_with_capacity_and_unit_cost(
                exp_node[self.owner], np.full(len(self.owner), sink, dtype=np.int32),
                np.ones(len(self.owner), dtype=np.int64), unit_costs)
        flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([demand, -demand]))
        result = flow.solve()
        if result == SimpleMinCostFlow.INFEASIBLE:
            flow.solve_max_flow_with_min_cost()
            got = np.bincount(ai, weights=flow.flows(pair_arcs), minlength=n_apps).astype(np.int64)
            short = np.flatnonzero(got < self.k_rem)
            _fail(f"在回避、负荷{'和每赛道上限' if self.track is not None else ''}约束下无法为每份申报分配足够的专家："
                  f"还需 {demand} 人次，最多只能分配 {flow.maximum_flow()} 人次（例如申报 {_few(short)} 会缺少专家；"
                  f"可分配这些申报的专家负荷不够）。", "infeasible", short)
        if result != SimpleMinCostFlow.OPTIMAL:
            _fail(f"最小费用流求解失败，状态为 {SimpleMinCostFlow.Status(result).name}。", "solver")
        return flow.flows(pair_arcs) > 0


def _balanced(network: _Network, demand: int, pair_affinity, pinned: np.ndarray, best: float, max_loss: float,
              unbalanced_choice):
    """The most even assignment whose affinity is at least (1 - max_loss) * best (see the module docstring).
    `pinned`: each expert's pinned applications.  Returns (chosen pair arcs, held back)."""
    floor = best - max_loss * abs(best) - 1e-9
    pinned_value = best - float(pair_affinity[unbalanced_choice].sum())
    limit = network.limit.astype(np.float64)
    ei = network.ei

    def loads(chosen):
        return pinned + np.bincount(ei[chosen], minlength=len(limit))

    def value(chosen):
        return pinned_value + float(pair_affinity[chosen].sum())

    chosen = network.solve(1.0, demand)
    if value(chosen) >= floor:
        return chosen, False
    mean = (demand + int(pinned.sum())) / limit.sum()  # mean share of the limits
    top = limit.max()

    def fits(k_below, k_above):  # the window reaches k_below / (2 * top) of share below the mean, k_above above
        lo = np.floor((mean - k_below / (2 * top)) * limit + 1e-9).astype(np.int64)
        hi = np.ceil((mean + k_above / (2 * top)) * limit - 1e-9).astype(np.int64)
        trial = network.solve(network.window_costs(lo, hi), demand)
        got = loads(trial)
        return trial if value(trial) >= floor and (got >= lo).all() and (got <= hi).all() else None

    def narrowest(widest, make):  # nested windows: binary search on one width, the other fixed
        low, high, found = 0, widest, None
        while low < high:
            k = (low + high) // 2
            trial = make(k)
            if trial is not None:
                high, found = k, trial
            else:
                low = k + 1
        return high, found

    free = loads(unbalanced_choice)
    widest = int(np.ceil(2 * top * np.abs(free / limit - mean).max())) + 2  # holds the unbalanced optimum
    k, found = narrowest(widest, lambda k: fits(k, k))  # symmetric first, then each side on its own
    kept = found if found is not None else unbalanced_choice
    below, found = narrowest(k, lambda b: fits(b, k))
    kept = found if found is not None else kept
    _, found = narrowest(k, lambda a: fits(below, a))
    return (found if found is not None else kept), True


def solve(problem: Problem, scale: int = SCALE) -> Solution:
    """Optimal assignment of problem; raises AssignmentError (Chinese message) when malformed or infeasible.

    Optimality is exact on the integer costs -round(affinity * scale) (see the module docstring).
    """
    t0 = time.perf_counter()
    aff, k, load, forbidden, pins, track, labels = _normalise(problem)
    n_apps, n_exp = aff.shape
    cap = problem.track_cap

    def label(t):
        return str(labels[t])

    _check_pins(pins, k, load, forbidden, track, cap, label)

    # Pre-assign pins.
    k_rem = k - np.bincount(pins[:, 0], minlength=n_apps)
    load_rem = load - np.bincount(pins[:, 1], minlength=n_exp)
    allowed = ~forbidden
    allowed[pins[:, 0], pins[:, 1]] = False
    allowed[k_rem == 0, :] = False
    allowed[:, load_rem == 0] = False
    n_tracks = 0
    if track is not None:
        n_tracks = int(track.max()) + 1 if n_apps else 0
        cap_rem = np.full((n_exp, n_tracks), cap, dtype=np.int64)
        np.subtract.at(cap_rem, (pins[:, 1], track[pins[:, 0]]), 1)
        cap_rem = np.minimum(cap_rem, load_rem[:, None])
        allowed &= (cap_rem[:, track] > 0).T

    # Cheap necessary conditions, for specific messages.
    eligible = allowed.sum(axis=1)
    short = np.flatnonzero(eligible < k_rem)
    if len(short):
        a = short[0]
        _fail(f"申报 #{a} 还需 {k_rem[a]} 位专家，但可分配的专家只有 {eligible[a]} 位（已排除回避、禁止、"
              f"已指定和负荷已满的专家），缺 {k_rem[a] - eligible[a]} 位"
              + (f"；共有 {len(short)} 份申报可分配专家不足：{_few(short)}。" if len(short) > 1 else "。"),
              "app_short", short)
    demand = int(k_rem.sum())
    if demand > int(load_rem.sum()):
        _fail(f"专家评审容量不足：还需分配 {demand} 人次，但专家剩余负荷合计只有 {int(load_rem.sum())} 人次。",
              "capacity_short")
    if track is not None:
        need_t = np.bincount(track, weights=k_rem, minlength=n_tracks).astype(np.int64)
        have_t = cap_rem.sum(axis=0)
        bad = np.flatnonzero(need_t > have_t)
        if len(bad):
            t = bad[0]
            _fail(f"赛道 {label(t)} 还需分配 {need_t[t]} 人次，但在每赛道上限 {cap} 下专家最多只能承担 "
                  f"{have_t[t]} 人次。", "track_short", bad)

    pairs = pins
    build_seconds = time.perf_counter() - t0
    solve_seconds = 0.0
    unbalanced = held_back = None
    if demand > 0:
        if min(k_rem.min(), load_rem.min(), cap_rem.min() if track is not None else 0) < 0:
            _fail("内部错误：预分配后出现负的剩余容量。", "solver")  # OR-Tools would not return
        flat = np.flatnonzero(allowed)
        ai = (flat // n_exp).astype(np.int32)
        ei = (flat % n_exp).astype(np.int32)
        del flat
        costs = -np.rint(aff[ai, ei] * scale).astype(np.int64)
        n_nodes = 3 + n_apps + n_exp * (n_tracks + 1)
        max_cost = int(np.abs(costs).max(initial=0))
        if max_cost >= _COST_LIMIT // (n_nodes + 1):
            _fail(f"亲和度数值过大（缩放倍数 {scale}），整数费用会溢出。", "malformed")
        network = _Network(n_apps, n_exp, n_tracks, ai, ei, costs, k_rem, load, load_rem,
                           allowed.sum(axis=0), track, cap_rem if track is not None else None, max_cost)
        build_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        chosen = network.solve(None, demand)
        if problem.balance:
            unbalanced = float(aff[pins[:, 0], pins[:, 1]].sum()) + float(aff[ai[chosen], ei[chosen]].sum())
            chosen, held_back = _balanced(network, demand, aff[ai, ei], np.bincount(pins[:, 1], minlength=n_exp),
                                          unbalanced, problem.max_loss, chosen)
        solve_seconds = time.perf_counter() - t1
        pairs = np.concatenate([pins, np.column_stack([ai[chosen], ei[chosen]]).astype(np.int64)])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return Solution(
        pairs=[tuple(x) for x in pairs.tolist()],
        objective=float(aff[pairs[:, 0], pairs[:, 1]].sum()),
        per_application=np.bincount(pairs[:, 0], minlength=n_apps),
        per_expert=np.bincount(pairs[:, 1], minlength=n_exp),
        seconds=time.perf_counter() - t0, build_seconds=build_seconds, solve_seconds=solve_seconds,
        unbalanced_objective=unbalanced, balance_held_back=held_back)
