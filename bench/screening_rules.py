"""Benchmark: the formal-review rule engine (jinxuan.formalrules) over 10,000 application records.

Filling an application with the demo faker takes milliseconds, so the script fakes about 50 distinct
complete records (spread over the three presets, tracks and units drawn at random) and derives the 10,000 from them
cheaply: each derived record gets its own title (some naming a unit, quoting a product or carrying a
Latin product token), its own units (names, credit codes, founding dates, regions), submission time and
implementation period, while sharing the long texts of its base record.  screen() then runs every
preset's own rules on all of them in a plain loop on one core.  Prints and records applications per
second and total seconds in bench/results/screening_rules-<date>.json.

    python bench/screening_rules.py [--records 10000] [--bases 50]
No database and no Django.
"""

import argparse
import collections
import copy
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

from stdnum.cn import uscc  # noqa: E402

from jinxuan.campaigns.preset_io import read_preset  # noqa: E402
from jinxuan.demo.answers import AnswerFaker  # noqa: E402
from jinxuan.demo.text import TextFaker  # noqa: E402
from jinxuan.formalrules import screen  # noqa: E402

PRESETS = ["gz-dianshu-2025", "xinhua-nqp-2025", "top10-2025"]
CITIES = {"440106": "广东省广州市", "440305": "广东省深圳市", "310115": "上海市", "110108": "北京市", "330106": "浙江省杭州市"}
KINDS = ["bank", "securities", "insurance", "fintech", "data", "research", "consumer_finance", "leasing"]
UNIT_TYPES = {"bank": "银行", "securities": "证券", "insurance": "保险", "fintech": "科技企业", "data": "科技企业",
              "research": "科研院所", "consumer_finance": "消费金融", "leasing": "融资租赁"}


def credit_code(rng: random.Random, division: str) -> str:
    body = "91" + division + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def unit_record(faker: TextFaker, rng: random.Random, filler: AnswerFaker | None, lead: bool) -> dict:
    kind = rng.choice(KINDS)
    name, division = faker.org_name(kind), rng.choice(list(CITIES))
    code = credit_code(rng, division)
    founded = dt.date(rng.randint(2000, 2024), rng.randint(1, 12), rng.randint(1, 28))
    return {"name": name, "credit_code": code, "is_lead": lead,
            "answers": filler.unit(name, code) if filler else {},
            "organisation": {"founded": founded.isoformat(), "registered_region": CITIES[division],
                             "office_region": CITIES[division], "unit_type": UNIT_TYPES[kind]}}


def base_records(presets, count: int, seed: int = 2025) -> list[tuple]:
    out = []
    for i in range(count):
        preset = presets[i % len(presets)]
        faker, rng = TextFaker(seed + i), random.Random(seed + i)
        track = rng.choice(preset.tracks).key
        units = [unit_record(faker, rng, None, j == 0) for j in range(rng.randint(1, 3))]
        filler = AnswerFaker(faker, preset, track, [u["credit_code"] for u in units], faker.topic())
        for u in units:
            u["answers"] = filler.unit(u["name"], u["credit_code"])
        title = faker.case_title(max_chars=20)
        record = {
            "format": "jinxuan.application/1", "campaign": preset.slug, "number": f"B{i:04d}", "track": track,
            "title": title, "state": "submitted", "submitted_at": None, "version": 1, "content_hash": f"{i:064x}",
            "answers": filler.application(title), "units": units,
            "attachments": [{"key": a.key, "name": f"{a.name}.{a.formats[0]}", "sha256": f"{j:064x}", "size": 200_000,
                             "detected": a.formats[0]} for j, a in enumerate(preset.attachments) if a.required or rng.random() < 0.5],
        }
        out.append((preset, record))
    return out


def derive(preset, base: dict, n: int, faker: TextFaker, rng: random.Random) -> dict:
    """A new record sharing the base's long texts: new title, units, dates."""
    record = dict(base, number=f"R{n:05d}", answers=dict(base["answers"]))
    units = []
    for j, unit in enumerate(base["units"]):
        unit = dict(unit, organisation=dict(unit["organisation"]), answers=dict(unit["answers"]))
        if rng.random() < 0.5:
            fresh = unit_record(faker, rng, None, j == 0)
            unit.update(name=fresh["name"], credit_code=fresh["credit_code"], organisation=fresh["organisation"])
        unit["organisation"]["founded"] = dt.date(rng.randint(2000, 2025), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        units.append(unit)
    if rng.random() < 0.05 and len(units) < 4:  # now and then one unit too many
        units.append(dict(units[-1], name=units[-1]["name"] + "（二）", is_lead=False))
    record["units"] = units
    roll = rng.random()
    title = faker.case_title(max_chars=20)
    if roll < 0.1:
        title = TextFaker.short_name(units[0]["name"]) + title[:12]
    elif roll < 0.15:
        title = "基于“易融通”平台的" + title[:8]
    elif roll < 0.2:
        title = "基于XPay的" + title[:10]
    title_key = next((f.key for f in preset.form.fields("application") if f.label in {"案例名称", "事件名称"}), None)
    if title_key:
        record["answers"][title_key] = title
    record["title"] = title
    for field in preset.form.fields("application"):
        if field.type == "month_range":
            record["answers"][field.key] = {"start": f"{rng.randint(2022, 2026)}-{rng.randint(1, 12):02d}", "end": "至今"}
        elif field.type == "month":
            record["answers"][field.key] = f"{rng.randint(2021, 2025)}-{rng.randint(1, 12):02d}"
    closes = preset.schedule.submission_closes
    if rng.random() < 0.8:
        moment = closes - dt.timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 1440))
        record["submitted_at"] = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()
    return record


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--bases", type=int, default=50)
    args = parser.parse_args()

    presets = [read_preset(ROOT / "presets" / f"{slug}.yaml") for slug in PRESETS]
    started = time.perf_counter()
    bases = base_records(presets, args.bases)
    faker, rng = TextFaker(7), random.Random(7)
    records = [(preset, derive(preset, base, n, faker, rng))
               for n, (preset, base) in ((n, bases[n % len(bases)]) for n in range(args.records))]
    built = time.perf_counter() - started

    screen(*copy.deepcopy(records[0]))  # warm-up: loads the division-code table once (about 0.3 s)
    counts, severities = collections.Counter(), collections.Counter()
    start = time.perf_counter()
    for preset, record in records:
        for finding in screen(preset, record):
            counts[finding.rule] += 1
            severities[finding.severity] += 1
    seconds = time.perf_counter() - start

    result = {
        "benchmark": "screening_rules",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": {"records": len(records), "distinct_filled_records": len(bases), "presets": PRESETS,
                   "per_preset": dict(collections.Counter(p.slug for p, _ in records)),
                   "rules_per_preset": {p.slug: [s.rule for s in p.screening] for p in presets},
                   "cores": 1, "build_seconds": round(built, 2)},
        "total_seconds": round(seconds, 2),
        "applications_per_second": round(len(records) / seconds, 1),
        "mean_ms_per_application": round(seconds / len(records) * 1000, 3),
        "findings": {"by_severity": dict(severities), "by_rule": dict(counts.most_common())},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"screening_rules-{result['date'][:10]}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
