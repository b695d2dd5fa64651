"""Benchmark: quality and speed of tag suggestions (jinxuan.textmining.tags) and policy alignment
(jinxuan.textmining.policy) on hand-labelled synthetic texts.

    python bench/tags_policy_quality.py [--repeat 20]

* bench/data/tags_labelled.json: {campaign, track, technologies, text}; measures top-1 track accuracy and
  technology recall@3 (share of the labelled technologies among the three best-scored choices).
* bench/data/policy_labelled.json: {clauses: [primary, acceptable …], text}; measures top-3 accuracy
  (the primary clause among the best three) and top-1 accuracy (the best clause is an acceptable one),
  against seed 004 (the Shenzhen policy, 18 clauses).
Writes bench/results/tags_policy-<date>.json. No database and no Django.
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jinxuan.textmining.policy import align, parse_policy  # noqa: E402
from jinxuan.textmining.tags import suggest  # noqa: E402

DATA = ROOT / "bench" / "data"
POLICY_FILE = ROOT.parent / "shared" / "seeds" / "004_23a57d793f559b74.txt"


def tags_quality(repeat: int) -> dict:
    items = json.loads((DATA / "tags_labelled.json").read_text(encoding="utf-8"))
    presets = {slug: yaml.safe_load((ROOT / "presets" / f"{slug}.yaml").read_text(encoding="utf-8"))
               for slug in {i["campaign"] for i in items}}
    track_hits, tech_found, tech_total, misses = 0, 0, 0, []
    for item in items:
        result = suggest(item["text"], presets[item["campaign"]])
        best = result["track"][0]["key"]
        track_hits += best == item["track"]
        top3 = [t["label"] for t in result["technologies"][:3] if t["score"] > 0]
        found = [t for t in item["technologies"] if t in top3]
        tech_found += len(found)
        tech_total += len(item["technologies"])
        if best != item["track"] or len(found) < len(item["technologies"]):
            misses.append({"text": item["text"][:30], "track": item["track"], "got": best,
                           "technologies": item["technologies"], "top3": top3})
    start = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            suggest(item["text"], presets[item["campaign"]])
    per_text = (time.perf_counter() - start) / (repeat * len(items))
    return {"texts": len(items), "track_top1": round(track_hits / len(items), 3),
            "technology_recall_at_3": round(tech_found / tech_total, 3) if tech_total else None,
            "labelled_technologies": tech_total, "ms_per_text": round(per_text * 1000, 2), "misses": misses}


def policy_quality(repeat: int) -> dict:
    items = json.loads((DATA / "policy_labelled.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    policy = parse_policy(POLICY_FILE.read_text(encoding="utf-8"))
    parse_ms = (time.perf_counter() - start) * 1000
    top3_hits, top1_hits, misses = 0, 0, []
    for item in items:
        ranked = [r["clause"].ordinal for r in align(item["text"], policy, top=3)]
        top3_hits += item["clauses"][0] in ranked
        top1_hits += ranked[0] in item["clauses"]
        if item["clauses"][0] not in ranked:
            misses.append({"text": item["text"][:30], "expected": item["clauses"], "got": ranked})
    start = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            align(item["text"], policy, top=5)
    per_text = (time.perf_counter() - start) / (repeat * len(items))
    return {"texts": len(items), "clauses": len(policy.clauses), "top3": round(top3_hits / len(items), 3),
            "top1": round(top1_hits / len(items), 3), "parse_ms": round(parse_ms, 1),
            "ms_per_text": round(per_text * 1000, 2), "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not POLICY_FILE.exists():
        sys.exit(f"缺少政策文本：{POLICY_FILE}")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = {
        "benchmark": "tags_policy",
        "date": now.isoformat(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": {"tags": "bench/data/tags_labelled.json", "policy_texts": "bench/data/policy_labelled.json",
                   "policy": "seed 004 (18 clauses)", "repeat": args.repeat},
        "tags": tags_quality(args.repeat),
        "policy": policy_quality(args.repeat),
    }
    out = ROOT / "bench" / "results" / f"tags_policy-{now.date().isoformat()}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
