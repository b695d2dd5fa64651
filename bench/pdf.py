"""PDF rendering benchmark: the watermarked 申报书 of short, 5-page and 20-page applications and a 100-case
compendium, rendered by two checkouts of the code (before / after), with the page images compared.

    python bench/pdf.py [--before /path/to/other/checkout] [--repeat 5] [--dpi 100]

Each checkout renders in its own fresh process (PYTHONPATH = that checkout), from the same inputs built here:
faked answers of the gz-dianshu-2025 preset (TextFaker seed 1) with their sections repeated to reach the page
count, and 100 faked compendium cases (seed 7) in two tracks and three tiers. Per document: the first render
in the process (cold: fonts read, glyph caches empty) and the median of `--repeat` further renders (warm, as a
server process renders), as wall and CPU time. The machine is shared, so CPU time is the steadier figure.

Page images: every page of both PDFs rendered with pdftoppm at `--dpi`, compared pixel by pixel with Pillow
(greyscale); the report gives the pages, differing pixels and the largest difference. Fonts: pdffonts must
list every font as embedded. Results: bench/results/pdf-DATE.json (and .md).
"""

from __future__ import annotations

import argparse
import dataclasses
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

ROOT = Path(__file__).resolve().parents[1]
PRESET = "presets/gz-dianshu-2025.yaml"
APPLICATIONS = {"application-1p": (1, 3), "application-5p": (2, 17), "application-20p": (8, None)}  # (sections, rows kept in the last)
COMPENDIUM_CASES = 100


# ---------------------------------------------------------------------------------------------- inputs


def application_doc(sections: int, last_rows: int | None = None):
    """The printable 申报书: the faked application's sections repeated or cut to `sections`, the last one cut to
    `last_rows` rows (and no long paragraphs) when given."""
    from jinxuan.applicants.documents import build_printable
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.demo.answers import AnswerFaker
    from jinxuan.demo.text import TextFaker

    preset = read_preset(Path(PRESET))
    faker = TextFaker(1)
    topic = faker.topic()
    lead, joint = "91440101MA5CXXX12A", "91440300MA5DYYY34B"
    filler = AnswerFaker(faker, preset, "data_elements", [lead, joint], topic)
    answers = filler.application(faker.case_title(topic=topic))
    units = [{"name": "广州示例银行股份有限公司", "credit_code": lead, "is_lead": True,
              "answers": filler.unit("广州示例银行股份有限公司", lead)},
             {"name": "深圳示例金融科技有限公司", "credit_code": joint, "is_lead": False,
              "answers": filler.unit("深圳示例金融科技有限公司", joint)}]
    meta = {"application_no": "DSCJ-2025-00042", "version_no": 3, "version_hash": "3f9a1c0b7e5d2a4f" * 4,
            "submitted_at": "2026-03-15 14:32:05", "verify_url": "https://jinxuan.example.cn/verify/42/3f9a1c0b7e5d",
            "campaign_name": preset.name, "track_name": "“数据要素×”金融创新案例"}
    doc = build_printable(preset, answers, units, meta)
    base = list(doc.sections)
    doc.sections = [base[i % len(base)] for i in range(sections)]
    if last_rows is not None:
        doc.sections[-1] = dataclasses.replace(doc.sections[-1], rows=doc.sections[-1].rows[:last_rows], paragraphs=[])
    return doc


def compendium_book(cases: int):
    from jinxuan.compendium.export import Compendium, CompendiumCase
    from jinxuan.demo.text import TextFaker

    faker = TextFaker(7)
    tracks, tiers = ["金融服务赛道", "金融科技赛道"], ["一等奖", "二等奖", "三等奖"]
    out = []
    for i in range(cases):
        topic = faker.topic()
        out.append(CompendiumCase(
            title=faker.case_title(topic=topic), track=tracks[i % 2], tier=tiers[i % 3],
            organisations=[faker.org_name("bank"), faker.org_name("fintech")],
            paragraphs=[faker.paragraph(topic, 150, 330) for _ in range(4 + i % 3)],
            figures=[("放款金额", f"超 {40 + i} 亿元"), ("服务客户数", f"{1200 + 37 * i} 户"), ("审批时效提升", f"{20 + i % 50}%")],
        ))
    return Compendium(title="2025年数字金融创新实践案例集", subtitle="获奖案例汇编", year=2025,
                      organiser="广州市数字金融协会", cases=out)


# ---------------------------------------------------------------------------------------------- one checkout


def render_here(out_dir: Path, repeat: int) -> dict:
    """Runs inside the checkout under test: render every document, write the PDFs, return the timings."""
    from jinxuan.applicants.documents import application_pdf
    from jinxuan.compendium.export import compendium_pdf

    jobs = {name: (application_pdf, application_doc(*shape)) for name, shape in APPLICATIONS.items()}
    jobs["compendium-100"] = (compendium_pdf, compendium_book(COMPENDIUM_CASES))
    timings = {}
    for name, (render, doc) in jobs.items():
        runs = []
        for i in range(1 + (repeat if name != "compendium-100" else max(1, repeat // 2))):
            wall, cpu = time.perf_counter(), time.process_time()
            data = render(doc)
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
            if i == 0:
                (out_dir / f"{name}.pdf").write_bytes(data)
        warm = runs[1:]
        timings[name] = {"cold_wall_s": round(runs[0][0], 3), "cold_cpu_s": round(runs[0][1], 3),
                         "warm_wall_s": round(statistics.median(r[0] for r in warm), 3),
                         "warm_cpu_s": round(statistics.median(r[1] for r in warm), 3), "warm_runs": len(warm),
                         "bytes": len(data)}
    return timings


def run_checkout(checkout: Path, out_dir: Path, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout), "DJANGO_SETTINGS_MODULE": "jinxuan.settings"}
    proc = subprocess.run([sys.executable, __file__, "--render-only", str(out_dir), "--repeat", str(repeat)],
                          cwd=checkout, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"rendering in {checkout} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- comparison


def pdf_fonts(path: Path) -> list[dict]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [{"name": ln.split()[0], "embedded": ln.split()[-5] == "yes", "subset": ln.split()[-4] == "yes"} for ln in lines]


def compare_pages(a: Path, b: Path, dpi: int) -> dict:
    from PIL import Image, ImageChops

    with tempfile.TemporaryDirectory() as tmp:
        for tag, pdf in (("a", a), ("b", b)):
            subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/{tag}"], check=True)
        pages_a, pages_b = sorted(Path(tmp).glob("a-*.pgm")), sorted(Path(tmp).glob("b-*.pgm"))
        differing_pages, pixels, largest = 0, 0, 0
        for pa, pb in zip(pages_a, pages_b, strict=False):
            ia, ib = Image.open(pa), Image.open(pb)
            if ia.size != ib.size:
                differing_pages += 1
                continue
            hist = ImageChops.difference(ia, ib).histogram()
            diff = sum(hist[1:])
            if diff:
                differing_pages += 1
                pixels += diff
                largest = max(largest, max(i for i, n in enumerate(hist) if n))
        return {"pages_before": len(pages_a), "pages_after": len(pages_b), "differing_pages": differing_pages,
                "differing_pixels": pixels, "largest_difference": largest}


def stored_read(pdf: Path, runs: int = 20) -> dict:
    """What a download of a stored print-out does besides the permission check and two queries: open the file
    through the default storage (here a FileSystemStorage in a temporary MEDIA_ROOT), read it, check its SHA-256."""
    import hashlib

    import django
    from django.conf import settings

    with tempfile.TemporaryDirectory() as media:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
        sys.path.insert(0, str(ROOT))
        django.setup()
        settings.MEDIA_ROOT = media
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        data = pdf.read_bytes()
        name = default_storage.save("printouts/bench.pdf", ContentFile(data))
        digest = hashlib.sha256(data).hexdigest()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            with default_storage.open(name, "rb") as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == digest
            times.append((time.perf_counter() - t) * 1000)
        return {"bytes": len(data), "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, default=Path("/work/wt/printouts-before"),
                        help="checkout of the code to compare with (e.g. `git worktree add DIR main`)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--render-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.render_only:
        import django

        django.setup()
        print(json.dumps(render_here(args.render_only, args.repeat)))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    results = {}
    for label, checkout in (("before", args.before.resolve()), ("after", ROOT)):
        out = work / label
        out.mkdir()
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True,
                                text=True).stdout.strip()
        print(f"rendering with {checkout} ({commit}) …", flush=True)
        results[label] = {"checkout": str(checkout), "commit": commit, "load_before": os.getloadavg(),
                          "documents": run_checkout(checkout, out, args.repeat)}
    documents = {}
    for name in results["after"]["documents"]:
        before, after = work / "before" / f"{name}.pdf", work / "after" / f"{name}.pdf"
        documents[name] = {
            "before": results["before"]["documents"][name], "after": results["after"]["documents"][name],
            "pages": compare_pages(before, after, args.dpi),
            "fonts_after": pdf_fonts(after),
        }
        d = documents[name]
        print(f"{name:18} {d['pages']['pages_after']:>3} pages  before cold {d['before']['cold_wall_s']:6.2f} s"
              f" warm {d['before']['warm_wall_s']:6.2f} s (cpu {d['before']['warm_cpu_s']:5.2f})  after cold"
              f" {d['after']['cold_wall_s']:6.2f} s warm {d['after']['warm_wall_s']:6.2f} s"
              f" (cpu {d['after']['warm_cpu_s']:5.2f})  differing pages {d['pages']['differing_pages']}"
              f"  fonts embedded {all(f['embedded'] for f in d['fonts_after'])}")
    stored = stored_read(work / "after" / "application-20p.pdf")
    print(f"stored 20-page PDF read and hash-checked: median {stored['median_ms']} ms, max {stored['max_ms']} ms")
    report = {
        "benchmark": "pdf", "date": dt.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_end": os.getloadavg()},
        "inputs": {"applications": {k: f"{v[0]} sections (rows of the last: {v[1] or 'all'}) of the faked gz-dianshu-2025 application, TextFaker seed 1"
                                    for k, v in APPLICATIONS.items()},
                   "compendium": f"{COMPENDIUM_CASES} faked cases (TextFaker seed 7), 2 tracks x 3 tiers",
                   "repeat": args.repeat, "dpi": args.dpi},
        "runs": {k: {kk: vv for kk, vv in v.items() if kk != "documents"} for k, v in results.items()},
        "documents": documents,
        "stored_read_20p": stored,
    }
    out = ROOT / "bench" / "results" / f"pdf-{report['date']}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written {out.relative_to(ROOT)} (PDFs kept in {work})")


if __name__ == "__main__":
    main()
