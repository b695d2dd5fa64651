"""Benchmark: quality and speed of jinxuan.textmining.metrics (quantified results in Chinese text).

Two inputs:

* the hand-annotated figures of seed 003 part 1 (bench/data/metrics_003_part1.json);
* synthetic paragraphs built from templates, each with planted figures (random values, units and
  qualifiers) and distractors that must not be reported (years, dates, 图N/表N, 一是/第N, versions, 5G …).

A hit is an extracted metric with the same value and unit whose span overlaps a planted span.
Precision = hits / extracted, recall = planted found / planted.  Speed is characters per second of
`extract` on one core over the synthetic corpus repeated.  Prints the figures and writes
bench/results/metrics_quality-<date>.json.

    python bench/metrics_quality.py [--paragraphs 200] [--seed 7]
No database and no Django.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jinxuan.textmining.metrics import extract  # noqa: E402

GOLD_003 = ROOT / "bench" / "data" / "metrics_003_part1.json"
SEEDS = ROOT.parent / "shared" / "seeds"

CN = "零一二三四五六七八九"
LEADS = ["项目实施以来，", "截至目前，", "通过平台建设，", "依托数据要素，", "在试点地区，", "上线后，"]
SUBJECTS = ["累计服务", "全面归集", "覆盖", "接入", "支持", "惠及", "培训", "发布", "带动"]
COUNT_NOUNS = {"家": "金融机构", "户": "经营主体", "人": "从业人员", "人次": "群众", "笔": "贷款", "条": "数据",
               "个": "数据集", "次": "调用", "项": "公共数据", "件": "业务", "台": "终端", "所": "高校",
               "种": "产品", "套": "系统", "名": "干部", "款": "应用"}
RATIO_VERBS = [("效率提升", "提升"), ("成本降低", "降低"), ("覆盖率提高", "提高"), ("收入增长", "增长"),
               ("不良率下降", "下降"), ("转化率达", ""), ("占比", "")]
DISTRACTORS = ["2024年", "2023 年", "2025-10-20", "3月15日", "图1", "图 2", "表3", "一是", "二是", "第三届",
               "（一）", "V2.0", "5G", "3D", "区块链3.0", "第 5 项", "2022年度", "12 月", "T+1"]


def cn_number(n: int) -> str:
    """Small integers in Chinese: 3 → 三, 30 → 三十, 1200 → 一千二百."""
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    if n < 100:
        return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        return CN[n // 100] + "百" + ("" if rest == 0 else ("零" + CN[rest] if rest < 10 else cn_number(rest)))
    rest = n % 1000
    return CN[n // 1000] + "千" + ("" if rest == 0 else ("零" + cn_number(rest) if rest < 100 else cn_number(rest)))


def planted(rng: random.Random):
    """One figure: (text before, figure text, text after, value, unit)."""
    kind = rng.choice(["count", "count", "money", "percent", "times", "points", "duration", "plus"])
    if kind == "count":
        unit = rng.choice(list(COUNT_NOUNS))
        style = rng.choice(["plain", "comma", "wan", "yu", "duo", "cn", "cnwan"])
        n = rng.randint(2, 99999)
        if style == "plain":
            fig, value = f"{n}{rng.choice(['', ' '])}{unit}", n
        elif style == "comma":
            n = rng.randint(1000, 999999)
            fig, value = f"{n:,} {unit}", n
        elif style == "wan":
            x = rng.choice([rng.randint(2, 99), rng.randint(11, 99) / 10])
            fig, value = f"{x:g} 万{unit}", x * 1e4
        elif style == "yu":
            fig, value = f"{n}{rng.choice(['', ' '])}余{unit}", n
        elif style == "duo":
            x = rng.randint(2, 99)
            fig, value = f"{x} 万多{unit}", x * 1e4
        elif style == "cn":
            n = rng.randint(11, 9999)
            fig, value = f"{cn_number(n)}{unit}", n
        else:
            x = rng.randint(2, 9)
            fig, value = f"{CN[x].replace('二', '两')}万余{unit}", x * 1e4
        return rng.choice(SUBJECTS), fig, COUNT_NOUNS[unit], value, unit
    if kind == "money":
        mag, mult = rng.choice([("万元", 1e4), ("亿元", 1e8), ("元", 1), ("万亿元", 1e12)])
        x = rng.choice([rng.randint(1, 999), rng.randint(10, 999) / 10])
        pre = rng.choice(["放款超 ", "投放", "节约成本", "带动投资约", "融资逾 "])
        return pre, f"{x:g}{rng.choice(['', ' '])}{mag}", "", x * mult, "元"
    if kind == "percent":
        verb, _ = rng.choice(RATIO_VERBS)
        x = rng.choice([rng.randint(1, 100), rng.randint(10, 999) / 10])
        tail = rng.choice(["", " 以上", "以上", "以下"])
        return verb, f"{x:g}%{tail}", "", x, "%"
    if kind == "times":
        x = rng.randint(2, 200)
        return rng.choice(["效率提高了", "规模增长超过", "能力提升至原来的"]), f"{x}倍", "", x, "倍"
    if kind == "points":
        x = rng.randint(1, 30)
        return rng.choice(["市场份额提高", "不良率下降"]), f" {x} 个百分点", "", x, "个百分点"
    if kind == "duration":
        unit, secs = rng.choice([("天", 86400), ("小时", 3600), ("分钟", 60), ("个月", 2592000), ("秒", 1)])
        x = rng.randint(2, 60)
        return rng.choice(["审批时间缩短至", "平均用时", "周期压缩到"]), f"{x} {unit}", "", x * secs, "秒"
    x = rng.randint(10, 2000)
    return rng.choice(["接入", "打通 ", "沉淀 "]), f"{x}+", rng.choice(["外部数据源", "数据产品"]), x, ""


def synthetic(n: int, seed: int):
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        parts, gold, pos = [], [], 0
        for _ in range(rng.randint(2, 5)):
            chunk = rng.choice(LEADS)
            if rng.random() < 0.7:
                chunk += rng.choice(DISTRACTORS) + rng.choice(["，", "中，", " 所示，", "提出，"])
            before, fig, after, value, unit = planted(rng)
            start = pos + len(chunk) + len(before)
            gold.append({"span": fig, "start": start, "end": start + len(fig), "value": value, "unit": unit})
            chunk += before + fig + after + rng.choice(["。", "；", "，"])
            parts.append(chunk)
            pos += len(chunk)
        text = "".join(parts)
        for g in gold:
            assert text[g["start"]:g["end"]] == g["span"], (text, g)
        docs.append((text, gold))
    return docs


def score(docs):
    planted_n = found = extracted = hits = 0
    misses, false_pos = [], []
    for text, gold in docs:
        metrics = extract(text)
        extracted += len(metrics)
        planted_n += len(gold)

        def same(m, g):
            return (m.unit == g["unit"] and abs(m.value - g["value"]) <= 1e-6 * max(1.0, abs(g["value"]))
                    and m.start < g["end"] and g["start"] < m.end)

        for g in gold:
            if any(same(m, g) for m in metrics):
                found += 1
            else:
                misses.append(g["span"])
        for m in metrics:
            if any(same(m, g) for g in gold):
                hits += 1
            else:
                false_pos.append(f"{m.span} ({m.value:g} {m.unit})")
    return {
        "planted": planted_n, "extracted": extracted,
        "precision": round(hits / extracted, 4) if extracted else None,
        "recall": round(found / planted_n, 4) if planted_n else None,
        "misses": misses[:30], "false_positives": false_pos[:30],
    }


def speed(texts, min_seconds=2.0):
    chars = sum(map(len, texts))
    rounds, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        for text in texts:
            extract(text)
        rounds += 1
    elapsed = time.perf_counter() - t0
    return {"chars": chars * rounds, "seconds": round(elapsed, 3), "chars_per_second": round(chars * rounds / elapsed)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    annotated = json.loads(GOLD_003.read_text(encoding="utf-8"))
    seed_path = ROOT.parent / annotated["source"]
    seed_text = seed_path.read_text(encoding="utf-8")
    seed_score = score([(seed_text, annotated["figures"])])
    docs = synthetic(args.paragraphs, args.seed)
    synth_score = score(docs)
    perf = speed([seed_text] + [text for text, _ in docs])

    result = {
        "benchmark": "metrics_quality",
        "date": dt.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": {"annotated": str(GOLD_003.relative_to(ROOT)), "seed_text": annotated["source"],
                   "seed_chars": len(seed_text), "paragraphs": args.paragraphs, "random_seed": args.seed,
                   "synthetic_chars": sum(len(t) for t, _ in docs)},
        "seed_003_part1": seed_score,
        "synthetic": synth_score,
        "speed": perf,
    }
    for name in ("seed_003_part1", "synthetic"):
        s = result[name]
        print(f"{name}: planted {s['planted']}, extracted {s['extracted']}, "
              f"precision {s['precision']}, recall {s['recall']}")
        if s["misses"]:
            print("  misses:", "、".join(s["misses"]))
        if s["false_positives"]:
            print("  false positives:", "、".join(s["false_positives"]))
    print(f"speed: {perf['chars_per_second']:,} characters per second (one core, {perf['seconds']} s)")
    out = ROOT / "bench" / "results" / f"metrics_quality-{result['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
