"""Benchmark: how fast a second host's case-library index follows the first (library/follow.py), on PostgreSQL.

    python bench/library_follow.py [--cases 5000] [--edits 500] [--publications 20]

In a fresh database jinxuan_bench_follow beside DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/test):
imports N synthetic cases through host a (its index applies them after each commit), then measures
- host b's first catch-up: an empty index rebuilt from the database;
- host b applying `--edits` single edits made through host a (changes per second);
- what a search costs to find its index current (`follow.before_search`: one primary-key read and a small file);
- publication → found through host b, with host b's `jinxuan library follow` at its default interval (2 s) in its
  own process: seconds from the commit on host a to the case in host b's index, for `--publications` cases.
Prints the figures and writes them to bench/results/library_follow-DATE.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


MARKS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # one per publication (CJK: a phrase of bigrams)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def worker(args) -> dict:
    import django

    django.setup()
    subprocess.run([sys.executable, "-m", "jinxuan.cli", "migrate", "-v0"], check=True, env=os.environ, cwd=ROOT)
    from jinxuan.library import follow, grams, search_index, services
    from jinxuan.library.models import Case

    base = Path(os.environ["JINXUAN_DATA_DIR"])
    host_a, host_b = base / "index-a", base / "index-b"
    rows = ({"title": f"第{i}号数字金融案例", "paragraphs": [f"案例{i}以隐私计算连接{i % 97}家机构的数据，服务小微企业融资。",
                                                      f"放款{i % 500}亿元，惠及{i % 83}万户。"],
             "organisations": [f"某某银行第{i % 300}分行"]} for i in range(args.cases))
    out = {"cases": args.cases}
    with search_index.at(host_a):
        started = time.perf_counter()
        services.import_cases(None, rows)
        out["import_with_index_s"] = round(time.perf_counter() - started, 2)
    with search_index.at(host_b):
        started = time.perf_counter()
        assert follow.catch_up() == args.cases
        out["host_b_first_rebuild_s"] = round(time.perf_counter() - started, 2)
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:args.edits])
    with search_index.at(host_a):
        for n, pk in enumerate(ids):
            services.update_case(Case.objects.get(pk=pk), paragraphs=[f"改写后的第{n}篇：数字人民币结算。"])
    with search_index.at(host_b):
        started = time.perf_counter()
        assert follow.catch_up() == len(ids)
        took = time.perf_counter() - started
        out["host_b_apply"] = {"changes": len(ids), "seconds": round(took, 3),
                               "changes_per_second": round(len(ids) / took)}
        checks = []
        for _ in range(2000):
            t = time.perf_counter()
            follow.before_search()
            checks.append((time.perf_counter() - t) * 1e6)
        out["before_search_when_current_us"] = {"p50": round(pct(checks, 0.5)), "p95": round(pct(checks, 0.95))}

    follower = subprocess.Popen([sys.executable, "-m", "jinxuan.cli", "library", "follow"], cwd=ROOT,
                                env={**os.environ, "LIBRARY_INDEX_DIR": str(host_b)},
                                stdout=subprocess.DEVNULL, stderr=(base / "follow.log").open("w"))
    delays = []
    try:
        started = time.monotonic()  # wait for the follower to start (importing the project takes seconds)
        while "案例库检索索引" not in (base / "follow.log").read_text():
            if time.monotonic() - started > 300 or follower.poll() is not None:
                raise RuntimeError("the follower did not start: " + (base / "follow.log").read_text()[-3000:])
            time.sleep(0.2)
        time.sleep(1)
        for n in range(args.publications):
            with search_index.at(host_a):
                case = services.add_historical_case(campaign=None, title=f"新发布案例{n}",
                                                    paragraphs=[f"多主机标记{MARKS[n % len(MARKS)]}{n}号。"])
            committed = time.perf_counter()
            q = search_index.query(grams.parse_query(f"标记{MARKS[n % len(MARKS)]}").phrases, {})
            while True:
                with search_index.at(host_b):
                    if case.pk in search_index.all_ids(q):
                        break
                if time.perf_counter() - committed > 30:
                    raise RuntimeError("host b did not follow within 30 s: " + (base / "follow.log").read_text()[-3000:])
                time.sleep(0.01)
            delays.append(time.perf_counter() - committed)
            time.sleep(0.37)  # publications land at different points of the follower's interval
    finally:
        follower.terminate()
        follower.wait(30)
    out["publication_to_host_b_s"] = {"n": len(delays), "p50": round(statistics.median(delays), 2),
                                      "max": round(max(delays), 2), "interval_s": follow.INTERVAL}
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--publications", type=int, default=20, help="at most 20")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        Path(args.out).write_text(json.dumps(worker(args), ensure_ascii=False))
        return
    from bench.support import fresh_database

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/test"
    url, drop = fresh_database(base, "jinxuan_bench_follow")
    data = Path(tempfile.mkdtemp(prefix="jinxuan-bench-follow-"))
    env = {**os.environ, "DATABASE_URL": url, "JINXUAN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "jinxuan.settings"}
    env.pop("REDIS_URL", None)
    try:
        subprocess.run([sys.executable, __file__, "--worker", "--cases", str(args.cases), "--edits", str(args.edits),
                        "--publications", str(args.publications), "--out", str(data / "result.json")],
                       env=env, check=True, cwd=ROOT)
        result = json.loads((data / "result.json").read_text())
    finally:
        drop()
    record = {
        "benchmark": "library_follow", "date": dt.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "note": "2 cores shared with other jobs while measured"},
        "inputs": {"cases": args.cases, "edits": args.edits, "publications": args.publications,
                   "database": "PostgreSQL 15 on 127.0.0.1", "corpus": "synthetic two-paragraph cases"},
        "results": result,
    }
    dest = ROOT / "bench" / "results" / f"library_follow-{record['date']}.json"
    dest.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
