"""Benchmark: the expert assignment solver (jinxuan.review.assignment) on synthetic instances.

    python bench/assignment.py [--sizes 1000x100,5000x500,10000x1000] [--k 5] [--linprog-limit 150]
Each instance (applications × experts) has k experts per application, 5 % random conflicts, every expert's
load ceil(n_apps * k / n_experts * 1.2), and an affinity in [0, 1] built like the real one: 0.6 × the share
of the application's tags (2–3 of 30) the expert holds (3–6 tags), 0.2 × an expert seniority, 0.2 × noise.
Every solve runs in a child process of its own, so the peak RSS (getrusage) is that of generating the instance
and solving it.  Optimality is checked independently with scipy linprog (HiGHS) on the LP relaxation, which is
integral (the constraint matrix is a network matrix), within --linprog-limit seconds per instance.
With --balance, each instance is also solved with the load balance (jinxuan.review.assignment, `balance`):
within the 1 % affinity budget and strictly (no budget); it records the loads' spread (min, max, histogram)
without and with it, the affinity given up against the unbalanced optimum and the solve time.  The demo-sized
instance 24x6 uses six experts with the demo's limit (20) instead of the formula.
Records bench/results/assignment-<date>.json.  No database and no Django.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jinxuan.review.assignment import Problem, load_spread, solve  # noqa: E402


def instance(n_apps: int, n_exp: int, k: int, conflicts: float, tracks: int, track_cap, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    n_tags = 30
    app_tags = np.zeros((n_apps, n_tags), dtype=np.float32)
    exp_tags = np.zeros((n_exp, n_tags), dtype=np.float32)
    for mat, lo, hi in ((app_tags, 2, 3), (exp_tags, 3, 6)):
        counts = rng.integers(lo, hi + 1, len(mat))
        order = np.argsort(rng.random((len(mat), n_tags)), axis=1)
        mat[np.arange(len(mat))[:, None], order[:, :hi]] = np.arange(hi)[None, :] < counts[:, None]
    share = (app_tags @ exp_tags.T) / app_tags.sum(axis=1, keepdims=True)
    affinity = 0.6 * share + 0.2 * rng.random(n_exp)[None, :] + 0.2 * rng.random((n_apps, n_exp))
    del share
    return Problem(affinity=affinity.astype(np.float64), k=k, load=np.full(n_exp, load_of(n_apps, n_exp, k), dtype=np.int64),
                   forbidden=rng.random((n_apps, n_exp)) < conflicts,
                   track=rng.integers(0, tracks, n_apps) if tracks else None, track_cap=track_cap if tracks else None)


def load_of(n_apps: int, n_exp: int, k: int) -> int:
    return 20 if (n_apps, n_exp) == (24, 6) else math.ceil(n_apps * k / n_exp * 1.2)


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_flow(p: Problem, balance: bool = False) -> dict:
    sol = solve(p)
    out = {"build_seconds": round(sol.build_seconds, 3), "solve_seconds": round(sol.solve_seconds, 3),
           "total_seconds": round(sol.seconds, 3), "status": sol.status, "pairs": len(sol.pairs),
           "objective": sol.objective, "peak_rss_mib": peak_rss_mib()}
    if balance:
        out["loads"] = load_spread(sol.per_expert)
        for name, max_loss in (("balanced_within_1_percent", 0.01), ("balanced_strict", 1.0)):
            p.balance, p.max_loss = True, max_loss
            b = solve(p)
            out[name] = {"loads": load_spread(b.per_expert), "affinity_loss_percent": round(100 * b.affinity_loss, 4),
                         "held_back_by_budget": b.balance_held_back, "total_seconds": round(b.seconds, 3),
                         "objective": b.objective}
        p.balance = False
    return out


def run_linprog(p: Problem, limit: float) -> dict:
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n_apps, n_exp = p.affinity.shape
    ai, ei = np.nonzero(~p.forbidden)
    m, cols = len(ai), np.arange(len(ai))
    rows = [sp.csr_matrix((np.ones(m), (ei, cols)), shape=(n_exp, m))]
    b_ub = [p.load.astype(float)]
    if p.track_cap is not None:
        nt = int(p.track.max()) + 1
        rows.append(sp.csr_matrix((np.ones(m), (ei * nt + p.track[ai], cols)), shape=(n_exp * nt, m)))
        b_ub.append(np.full(n_exp * nt, float(p.track_cap)))
    t0 = time.perf_counter()
    res = linprog(-p.affinity[ai, ei], A_ub=sp.vstack(rows).tocsr(), b_ub=np.concatenate(b_ub),
                  A_eq=sp.csr_matrix((np.ones(m), (ai, cols)), shape=(n_apps, m)),
                  b_eq=np.full(n_apps, float(p.k)), bounds=(0, 1), method="highs", options={"time_limit": limit})
    out = {"seconds": round(time.perf_counter() - t0, 2), "status": res.status, "message": res.message,
           "peak_rss_mib": peak_rss_mib()}
    if res.status == 0:
        out["objective"] = -res.fun
    return out


def child(args) -> None:
    n_apps, n_exp = map(int, args.child.split("x"))
    t0 = time.perf_counter()
    p = instance(n_apps, n_exp, args.k, args.conflicts, args.tracks, args.track_cap, args.seed)
    generated = time.perf_counter() - t0
    out = run_flow(p, args.balance) if args.what == "flow" else run_linprog(p, args.linprog_limit)
    out["generate_seconds"] = round(generated, 2)
    print(json.dumps(out))


def spawn(args, size: str, what: str) -> dict:
    cmd = [sys.executable, __file__, "--child", size, "--what", what, "--k", str(args.k), "--conflicts",
           str(args.conflicts), "--seed", str(args.seed), "--tracks", str(args.tracks),
           "--linprog-limit", str(args.linprog_limit)]
    if args.track_cap is not None:
        cmd += ["--track-cap", str(args.track_cap)]
    if args.balance:
        cmd += ["--balance"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000x100,5000x500,10000x1000", help="applications x experts, comma-separated")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--conflicts", type=float, default=0.05)
    parser.add_argument("--tracks", type=int, default=0, help="number of tracks (0: no per-track balance)")
    parser.add_argument("--track-cap", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--linprog-limit", type=float, default=150, help="seconds allowed to linprog per instance")
    parser.add_argument("--linprog-max-pairs", type=int, default=3_000_000,
                        help="skip linprog above this many application × expert pairs")
    parser.add_argument("--balance", action="store_true", help="also solve with the load balance")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--what", default="flow", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    rows = []
    for size in args.sizes.split(","):
        n_apps, n_exp = map(int, size.split("x"))
        flow = spawn(args, size, "flow")
        row = {"applications": n_apps, "experts": n_exp, "load": load_of(n_apps, n_exp, args.k), **flow}
        print(f"{n_apps:>6} × {n_exp:<5} 构图 {flow.get('build_seconds')} s  求解 {flow.get('solve_seconds')} s  "
              f"合计 {flow.get('total_seconds')} s  峰值内存 {flow.get('peak_rss_mib')} MiB  "
              f"目标值 {flow.get('objective')}  状态 {flow.get('status', flow.get('error'))}", flush=True)
        for name in ("balanced_within_1_percent", "balanced_strict"):
            if name in flow:
                b = flow[name]
                print(f"{'':>15}{name}: 负荷 {flow['loads']['min']}–{flow['loads']['max']} → "
                      f"{b['loads']['min']}–{b['loads']['max']}  匹配度损失 {b['affinity_loss_percent']}%  "
                      f"用时 {b['total_seconds']} s", flush=True)
        if n_apps * n_exp > args.linprog_max_pairs:
            row["linprog"] = f"not run: {n_apps * n_exp:,} pairs exceed --linprog-max-pairs {args.linprog_max_pairs:,}"
        else:
            lp = spawn(args, size, "linprog")
            if "objective" in lp and "objective" in flow:
                lp["relative_gap"] = (lp["objective"] - flow["objective"]) / abs(lp["objective"])
            elif "error" not in lp:
                lp = f"not run to completion: {lp['message']} after {lp['seconds']} s"
            row["linprog"] = lp
            print(f"{'':>15}linprog (HiGHS): {lp}", flush=True)
        rows.append(row)

    result = {
        "benchmark": "assignment",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "inputs": {"sizes": args.sizes, "k": args.k, "conflicts": args.conflicts, "tracks": args.tracks,
                   "track_cap": args.track_cap, "seed": args.seed, "balance": args.balance,
                   "load": "ceil(n_apps * k / n_experts * 1.2); 20 for the demo-sized 24x6",
                   "affinity": "0.6 tag share + 0.2 expert seniority + 0.2 noise, in [0, 1]",
                   "linprog_limit_seconds": args.linprog_limit, "cost_scale": 10**6,
                   "peak_rss": "ru_maxrss of a child process that generates the instance and solves it"},
        "targets": {"5000x500_total_seconds": 3, "10000x1000_total_seconds": 15},
        "instances": rows,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    name = "assignment-balance" if args.balance else "assignment"
    (ROOT / "bench" / "results" / f"{name}-{result['date'][:10]}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
