"""Benchmark: the case library's Chinese full-text search at 100,000 cases, on SQLite and on PostgreSQL.

    python bench/library_search.py --cases 100000 --db both

For each database (a fresh SQLite file, or a fresh PostgreSQL database jinxuan_bench_library beside
DATABASE_URL's): imports N synthetic cases (`bench.corpus.SentencePool` prose, 1,200–2,500 characters, across
the three preset campaigns) with `library.services.import_cases` (figures, tags, policy clauses derived, index
written as they are stored), times a few hundred single imports through `add_historical_case`, rebuilds the
whole index, then measures search latency (ranked first page with its total, the same with facet counts computed cold,
and with two facet filters) and the recall of every query against a plain substring scan of the same texts.  Prints the figures
and writes them to bench/results/library_search-DATE.json.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TWO_CHAR = ["普惠", "风控", "征信", "小微", "跨境", "养老"]
LONGER = ["普惠金融", "数据要素", "供应链金融", "隐私计算", "人工智能大模型", "小微企业融资", "绿色金融 碳", "风控 征信"]
TRACKS = ["金融服务赛道", "科技创新赛道", "数实融合赛道", "综合应用赛道"]
TIERS = ["一等奖", "二等奖", "三等奖", "优秀案例"]
SAMPLE = 1000  # cases imported in bulk with policy alignment


# --- recall (pure; tested in tests/library/test_bench.py) ------------------------------------------------

def doc_text(row: dict) -> str:
    return "\n".join([row["title"], *row.get("organisations", ()), *row["paragraphs"], *row.get("captions", ())])


def substring_hits(docs: dict, query: str) -> set:
    """Ids of the docs whose normalised text contains every whitespace-separated term of `query`."""
    from jinxuan.library.grams import normalize

    terms = [normalize(t) for t in query.split() if t]
    return {k for k, text in docs.items() if all(t in text for t in terms)}


def recall(found: set, expected: set) -> float:
    """Share of the expected hits that were found (1.0 when nothing is expected)."""
    return 1.0 if not expected else len(found & expected) / len(expected)


def precision(found: set, expected: set) -> float:
    return 1.0 if not found else len(found & expected) / len(found)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# --- corpus -------------------------------------------------------------------------------------------

def corpus(n: int, seed: int = 11) -> list[dict]:
    import numpy as np

    from bench.corpus import SentencePool
    from jinxuan.demo.text import TextFaker

    pool = SentencePool(sentences=60_000, seed=seed)
    texts = pool.texts(n, seed=seed + 1, min_chars=1200, max_chars=2500)
    faker = TextFaker(seed)
    orgs = [faker.org_name(kind) for kind in ("bank", "fintech", "insurance", "securities", "data", "research") * 40]
    rng = np.random.default_rng(seed)
    rows = []
    for i, text in enumerate(texts):
        paras = text.split("\n")
        first = paras[0].split("。")[0][:18]
        k = int(rng.integers(1, 3))
        rows.append({
            "title": f"{first}（{i}）", "paragraphs": paras, "captions": [f"图1 {paras[-1][:12]}"],
            "organisations": [orgs[int(j)] for j in rng.integers(0, len(orgs), k)],
            "track": TRACKS[int(rng.integers(0, 4))], "tier": TIERS[int(rng.integers(0, 4))],
            "year": int(rng.integers(2019, 2026)),
        })
    return rows


# --- one database -----------------------------------------------------------------------------------------

def copy_cases(path: str, limit: int) -> dict:
    """Copy the cases (with their derived fields) of an earlier SQLite run instead of deriving them again:
    the same 100,000 texts on PostgreSQL at a fraction of the time. The index is then built by `rebuild()`."""
    import sqlite3

    from django.db import connection

    from jinxuan.campaigns.models import Campaign
    from jinxuan.demo.population import load_presets

    load_presets()
    by_slug = dict(Campaign.objects.values_list("slug", "id"))
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=300)
    slugs = dict(src.execute("SELECT id, slug FROM campaigns_campaign").fetchall())
    cols = ["campaign_id", "year", "track", "track_order", "tier", "tier_order", "special", "position", "title",
            "organisations", "paragraphs", "captions", "figures", "tags", "policies", "regions", "institution_types",
            "featured", "featured_rank", "source", "published_at"]
    json_cols = {"organisations", "paragraphs", "captions", "figures", "tags", "policies", "regions",
                 "institution_types"}
    t = time.perf_counter()
    n, batch, last = 0, [], 0
    while n < limit:  # short reads: the source may still be written by its own run
        rows = src.execute(f"SELECT id, {', '.join(cols)} FROM library_case WHERE id > ? ORDER BY id LIMIT ?",
                           [last, min(2000, limit - n)]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        batch += [dict(zip(cols, row[1:], strict=True)) for row in rows]
        n += _store(batch, by_slug, slugs, json_cols)
        batch = []
    return {"database": connection.vendor, "cases": n, "copied_from_sqlite_run": True,
            "copy_seconds": round(time.perf_counter() - t, 1)}


def _store(batch, by_slug, slugs, json_cols) -> int:
    from jinxuan.library.models import Case

    objs = []
    for data in batch:
        data["campaign_id"] = by_slug[slugs[data["campaign_id"]]]
        for k in json_cols:
            data[k] = json.loads(data[k])
        data["featured"] = bool(data["featured"])
        data["published_at"] = dt.datetime.fromisoformat(data["published_at"]).replace(tzinfo=dt.UTC)
        objs.append(Case(**data))
    Case.objects.bulk_create(objs)
    return len(objs)


def build_copied(path: str, n: int, single: int) -> dict:
    """PostgreSQL from the SQLite run's cases: copy, then time new imports (bulk, bulk with policy alignment,
    one by one) and the full index build."""
    from jinxuan.campaigns.models import Campaign
    from jinxuan.library import search, services

    out = copy_cases(path, n)
    print(f"[postgresql] copied {out['cases']} cases in {out['copy_seconds']} s", flush=True)
    t = time.perf_counter()
    total = search.rebuild()
    out["index_rebuild"] = {"cases": total, "seconds": round(time.perf_counter() - t, 1)}
    print(f"[postgresql] full index build of {total}: {out['index_rebuild']['seconds']} s", flush=True)
    rows = corpus(2 * SAMPLE + single, seed=29)
    rows = [{**r, "title": "新" + r["title"]} for r in rows]
    campaigns = list(Campaign.objects.order_by("slug"))
    t = time.perf_counter()
    services.import_cases(campaigns[2], rows[:SAMPLE], batch=500)
    secs = time.perf_counter() - t
    out["bulk_import"] = {"cases": SAMPLE, "seconds": round(secs, 1), "cases_per_second": round(SAMPLE / secs, 1),
                          "policy_alignment": False, "library_size": total}
    print(f"[postgresql] bulk import of {SAMPLE} into {total}: {SAMPLE / secs:.0f}/s", flush=True)
    _policy_and_single(out, campaigns, rows[SAMPLE:2 * SAMPLE], rows[2 * SAMPLE:])
    out.update(size())
    return out


def _policy_and_single(out: dict, campaigns, sample: list, extra: list) -> None:
    from jinxuan.library import services

    seeds = ROOT.parent / "shared" / "seeds" / "004_23a57d793f559b74.txt"
    if seeds.is_file():  # with a policy imported, every case is also aligned to its clauses
        from jinxuan.policies.management.commands.policy import import_policy

        import_policy(seeds.read_text(encoding="utf-8"), "sz-digital-finance")
        t = time.perf_counter()
        services.import_cases(campaigns[1], sample, batch=500)
        secs = time.perf_counter() - t
        out["bulk_import_with_policy"] = {"cases": len(sample), "seconds": round(secs, 1),
                                          "cases_per_second": round(len(sample) / secs, 1)}
        print(f"[{out['database']}] bulk import with policy alignment: {len(sample) / secs:.0f}/s", flush=True)
    t = time.perf_counter()
    for r in extra:
        services.add_historical_case(campaign=campaigns[0], **r)
    secs = time.perf_counter() - t
    out["single_import"] = {"cases": len(extra), "seconds": round(secs, 2),
                            "ms_per_case": round(1000 * secs / max(len(extra), 1), 1)}
    print(f"[{out['database']}] add_historical_case ×{len(extra)}: {1000 * secs / max(len(extra), 1):.1f} ms each",
          flush=True)


def build(n: int, single: int) -> dict:
    from django.db import connection

    from jinxuan.demo.population import load_presets
    from jinxuan.library import search, services

    out: dict = {"database": connection.vendor, "cases": n}
    t = time.perf_counter()
    rows = corpus(n + SAMPLE + single)
    out["corpus_seconds"] = round(time.perf_counter() - t, 1)
    out["mean_chars"] = round(statistics.mean(len(doc_text(r)) for r in rows[:2000]))
    campaigns = load_presets()
    bulk, sample, extra = rows[:n], rows[n:n + SAMPLE], rows[n + SAMPLE:]
    t = time.perf_counter()
    for i, c in enumerate(campaigns):
        services.import_cases(c, (r for j, r in enumerate(bulk) if j % len(campaigns) == i), batch=500)
    secs = time.perf_counter() - t
    out["bulk_import"] = {"cases": n, "seconds": round(secs, 1), "cases_per_second": round(n / secs, 1),
                          "policy_alignment": False}
    print(f"[{out['database']}] bulk import {n} cases: {secs:.1f} s ({n / secs:.0f}/s)", flush=True)

    _policy_and_single(out, campaigns, sample, extra)

    t = time.perf_counter()
    total = search.rebuild()
    out["index_rebuild"] = {"cases": total, "seconds": round(time.perf_counter() - t, 1)}
    print(f"[{out['database']}] full index rebuild of {total}: {out['index_rebuild']['seconds']} s", flush=True)
    out.update(size())
    return out


def size() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE library_searchdoc")
            cur.execute("VACUUM ANALYZE library_facet")
            cur.execute("SELECT pg_database_size(current_database())")
            return {"database_bytes": cur.fetchone()[0]}
        cur.execute("ANALYZE")
    return {"database_bytes": Path(connection.settings_dict["NAME"]).stat().st_size}


def queries(repeats: int) -> dict:
    from django.core.cache import cache
    from django.db import connection

    from jinxuan.library import search
    from jinxuan.library.grams import normalize
    from jinxuan.library.models import Case

    out: dict = {"database": connection.vendor, "cases_in_library": Case.objects.count()}
    docs = {c.pk: normalize(doc_text({"title": c.title, "organisations": c.organisations,
                                       "paragraphs": c.paragraphs, "captions": c.captions}))
            for c in Case.objects.only("pk", "title", "organisations", "paragraphs", "captions").iterator(2000)}
    queries = TWO_CHAR + LONGER
    out["queries"] = {}
    plain, faceted, filtered = [], [], []
    for q in queries:
        expected = substring_hits(docs, q)
        found = search.matching_ids(q)
        lat, lat_f, lat_x = [], [], []
        for _ in range(repeats):
            t = time.perf_counter()
            search.search(q, facets=False)
            lat.append(1000 * (time.perf_counter() - t))
            cache.clear()  # facet counts are cached per query: measure them cold
            t = time.perf_counter()
            search.search(q)
            lat_f.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            search.search(q, {"track": TRACKS[1], "year": "2024"}, facets=False)
            lat_x.append(1000 * (time.perf_counter() - t))
        plain += lat
        faceted += lat_f
        filtered += lat_x
        out["queries"][q] = {"substring_hits": len(expected), "search_hits": len(found),
                             "recall": round(recall(found, expected), 4),
                             "precision": round(precision(found, expected), 4),
                             "p50_ms": round(percentile(lat, 0.5), 1), "p95_ms": round(percentile(lat, 0.95), 1),
                             "p95_ms_with_facets": round(percentile(lat_f, 0.95), 1),
                             "p95_ms_filtered": round(percentile(lat_x, 0.95), 1)}
        print(f"[{out['database']}] {q}: {len(expected)} substring hits, recall "
              f"{out['queries'][q]['recall']}, p50 {percentile(lat, 0.5):.1f} ms, p95 {percentile(lat, 0.95):.1f} ms, "
              f"with facets p95 {percentile(lat_f, 0.95):.1f} ms", flush=True)
    out["latency_ms"] = {
        "search_p50": round(percentile(plain, 0.5), 1), "search_p95": round(percentile(plain, 0.95), 1),
        "with_facets_p50": round(percentile(faceted, 0.5), 1),
        "with_facets_p95": round(percentile(faceted, 0.95), 1),
        "filtered_p50": round(percentile(filtered, 0.5), 1), "filtered_p95": round(percentile(filtered, 0.95), 1),
    }
    out["min_recall"] = min(v["recall"] for v in out["queries"].values())
    lat = []
    for pk in list(Case.objects.order_by("?").values_list("pk", flat=True)[:20]):
        t = time.perf_counter()
        search.similar(Case.objects.get(pk=pk))
        lat.append(1000 * (time.perf_counter() - t))
    out["latency_ms"]["similar_p50"] = round(percentile(lat, 0.5), 1)
    out["latency_ms"]["similar_p95"] = round(percentile(lat, 0.95), 1)
    print(f"[{out['database']}] similar cases p50 {percentile(lat, 0.5):.1f} ms, p95 {percentile(lat, 0.95):.1f} ms")
    return out


def worker(args) -> None:
    import django

    django.setup()
    subprocess.run([sys.executable, "-m", "jinxuan.cli", "migrate", "-v0"], check=True, env=os.environ)
    if args.queries_only:
        result = {}
    elif args.copy_from:
        result = build_copied(args.copy_from, args.cases, args.single)
    else:
        result = build(args.cases, args.single)
    result.update(queries(args.repeats))
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=300, help="cases imported one by one (add_historical_case)")
    parser.add_argument("--repeats", type=int, default=15, help="runs of each query")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries-only", action="store_true",
                        help="re-run the queries on the database the last run kept (with --keep)")
    parser.add_argument("--copy-from", default="", metavar="SQLITE",
                        help="PostgreSQL: copy the cases of an earlier SQLite run (its library.sqlite3) instead of "
                             "importing them again; imports are then timed on new cases")
    parser.add_argument("--merge-only", action="store_true",
                        help="write the results file from the per-database results of earlier runs")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL benchmark database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    from bench.support import fresh_database

    results = []
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        data_dir = Path(f"/tmp/jinxuan-bench-library-{db}")
        data_dir.mkdir(exist_ok=True)
        env = {**os.environ, "JINXUAN_DATA_DIR": str(data_dir)}
        env.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
        env.pop("REDIS_URL", None)
        drop = None
        out = data_dir / "result.json"
        if args.merge_only:
            results.append(json.loads(out.read_text()))
            continue
        previous = json.loads(out.read_text()) if args.queries_only and out.exists() else {}
        if db == "sqlite":
            path = data_dir / "library.sqlite3"
            if not args.queries_only:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
            if not base.startswith("postgres"):
                base = "postgres://postgres@127.0.0.1:5432/test"
            if args.queries_only:
                env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/jinxuan_bench_library"
            else:
                env["DATABASE_URL"], drop = fresh_database(base, "jinxuan_bench_library")
        flags = ["--queries-only"] if args.queries_only else []
        if args.copy_from and db == "postgres":
            flags += ["--copy-from", args.copy_from]
        try:
            subprocess.run([sys.executable, __file__, "--worker", "--cases", str(args.cases), "--single",
                            str(args.single), "--repeats", str(args.repeats), "--out", str(out), *flags],
                           env=env, check=True)
            results.append({**previous, **json.loads(out.read_text())})
            out.write_text(json.dumps(results[-1], ensure_ascii=False, indent=1))
        finally:
            if drop and not args.keep:
                drop()
    record = {
        "benchmark": "library_search",
        "date": dt.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                    "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "inputs": {"cases": args.cases, "single_imports": args.single, "repeats": args.repeats,
                   "queries": TWO_CHAR + LONGER, "filter": {"track": TRACKS[1], "year": "2024"},
                   "corpus": "bench.corpus.SentencePool prose, 1,200–2,500 characters per case"},
        "results": results,
        "target": {"search_p95_ms": 20, "recall": 0.99},
    }
    dest = ROOT / "bench" / "results" / f"library_search-{record['date']}.json"
    dest.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    for r in results:
        lat = r["latency_ms"]
        print(f"{r['database']}: {r['cases']} cases; search p50 {lat['search_p50']} ms, p95 {lat['search_p95']} ms; "
              f"with facets p95 {lat['with_facets_p95']} ms; min recall {r['min_recall']}; "
              f"bulk import {r['bulk_import']['cases_per_second']}/s; rebuild {r['index_rebuild']['seconds']} s")
    print(f"written to {dest}")


if __name__ == "__main__":
    main()
