"""Benchmark: the formal-review batch re-check of N submitted applications stored in PostgreSQL.

    python bench/recheck_batch.py --applications 10000
Builds N submitted applications (50 distinct faked ones, repeated with their own organisations,
titles and versions) in a fresh database jinxuan_bench_recheck beside DATABASE_URL's, then runs
the re-check task in-process, as the worker would, and records the wall time.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_database  # noqa: E402


def build(n: int):
    from django.utils import timezone

    from jinxuan.applicants.models import Application, ApplicationUnit, ApplicationVersion, Organisation
    from jinxuan.applicants.services import content_hash
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.demo.answers import AnswerFaker
    from jinxuan.demo.population import credit_code
    from jinxuan.demo.text import TextFaker

    campaign, _ = load_preset(read_preset(ROOT / "presets" / "gz-dianshu-2025.yaml"))
    spec, rng, tracks = campaign.spec, random.Random(5), list(campaign.tracks.all())
    templates = []
    for i in range(50):
        faker = TextFaker(i)
        code = credit_code(rng, "广州")
        filler = AnswerFaker(faker, spec, tracks[i % 4].key, [code], faker.topic())
        title = faker.case_title(topic=filler.topic)
        templates.append((title, filler.application(title), filler.unit("单位", code), tracks[i % 4]))
    now = timezone.now()
    orgs = Organisation.objects.bulk_create(batch_size=500, objs=[
        Organisation(name=f"基准测试单位{i}", credit_code=credit_code(rng, "广州"), founded=dt.date(2015, 3, 1),
                     registered_region="广东省广州市", office_region="广东省广州市") for i in range(n)])
    apps = Application.objects.bulk_create(batch_size=500, objs=[
        Application(campaign=campaign, track=templates[i % 50][3], title=templates[i % 50][0], answers=templates[i % 50][1],
                    state="submitted", submitted_at=now) for i in range(n)])
    units, versions = [], []
    for i, (app, org) in enumerate(zip(apps, orgs, strict=True)):
        answers = dict(templates[i % 50][2])
        units.append(ApplicationUnit(application=app, organisation=org, is_lead=True, answers=answers))
        content = {"title": app.title, "track": app.track.key, "answers": app.answers, "attachments": [],
                   "units": [{"credit_code": org.credit_code, "is_lead": True, "answers": answers}]}
        versions.append(ApplicationVersion(application=app, number=1, content=content, content_hash=content_hash(content),
                                           submitted_at=now))
    ApplicationUnit.objects.bulk_create(units, batch_size=500)
    ApplicationVersion.objects.bulk_create(versions, batch_size=500)
    return campaign


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    db_url, drop_database = fresh_database(base_url, "jinxuan_bench_recheck")
    os.environ.update(DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="jinxuan.settings",
                      JINXUAN_DATA_DIR="/tmp/jinxuan-bench-recheck")
    subprocess.run([sys.executable, "-m", "jinxuan.cli", "migrate", "-v0"], check=True, env=os.environ)
    import django

    django.setup()
    from jinxuan.formalreview.models import RecheckBatch, ScreeningResult
    from jinxuan.formalreview.recheck import start_recheck

    t0 = time.perf_counter()
    campaign = build(args.applications)
    built = time.perf_counter() - t0
    print(f"已生成 {args.applications} 份已提交申报（{built:.1f} 秒），开始批量重新检查 …", flush=True)
    t0 = time.perf_counter()
    batch = start_recheck(campaign)  # the in-process task backend runs it here, as a worker would
    wall = time.perf_counter() - t0
    batch = RecheckBatch.objects.get(pk=batch.pk)
    results = ScreeningResult.objects.count()
    result = {
        "benchmark": "recheck_batch",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": {"applications": args.applications, "distinct_contents": 50, "database": "PostgreSQL", "process": "one"},
        "status": batch.status, "checked": batch.done, "results_stored": results,
        "wall_seconds": round(wall, 2), "applications_per_second": round(args.applications / wall, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    (ROOT / "bench" / "results" / f"recheck_batch-{result['date'][:10]}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    drop_database()


if __name__ == "__main__":
    main()
