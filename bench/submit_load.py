"""Benchmark: applicants submitting in the last minutes, against PostgreSQL, through gunicorn.

Each applicant (its own organisation, API token and complete draft) uploads 3
attachments of about 5 MB and submits, all at once with CONCURRENCY clients.
Prints and records throughput, p50/p95/p99 latency, errors by kind, and the
count of acknowledged versus stored submissions (must be equal).

    python bench/submit_load.py --applicants 200 --concurrency 32
Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
a fresh database jinxuan_bench is created beside it and dropped afterwards.
"""

import argparse
import concurrent.futures as cf
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_database, serve  # noqa: E402


def percentile(values, q):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def big_jpeg(seed: int, target: int = 5 * 1024 * 1024) -> bytes:
    from PIL import Image

    rnd = random.Random(seed)
    side = 1400
    while True:
        img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=95)
        if buf.tell() >= target * 0.9:
            return buf.getvalue()
        side += 200


def big_docx(jpeg: bytes) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("方案书")
    document.add_picture(io.BytesIO(jpeg))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def multipart(fields: dict, file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def call(url, token, method="GET", body=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, method=method, headers={"Authorization": f"Bearer {token}",
                                                                            "Content-Type": content_type})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            payload = response.read()
            return response.status, payload, time.perf_counter() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - start
    except OSError as exc:
        return f"{type(exc).__name__}", b"", time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--attachment-mb", type=float, default=5.0)
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    db_url, drop_database = fresh_database(base_url, "jinxuan_bench")
    data_dir = Path("/tmp/jinxuan-bench-data")
    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    env = {**os.environ, "DATABASE_URL": db_url, "JINXUAN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "jinxuan.settings",
           # as deployed: a submit queues its print-outs and text analysis for the workers instead of rendering them
           "TASK_BACKEND": os.environ.get("TASK_BACKEND", "database")}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "jinxuan.cli", "migrate", "-v0"], env=env, check=True)

    import django

    django.setup()
    from bench.fixtures import prepare_applicants

    print(f"准备 {args.applicants} 个申报单位与完整草稿 …", flush=True)
    applicants = prepare_applicants(args.applicants)
    jpeg = big_jpeg(1, int(args.attachment_mb * 1024 * 1024))
    files = {"business_licence": ("营业执照.jpg", jpeg), "commitment_letter": ("承诺函.jpg", big_jpeg(2, int(args.attachment_mb * 1024 * 1024))),
             "proposal": ("方案书.docx", big_docx(jpeg))}

    url, server = serve(env, workers=args.workers, threads=4, timeout=120)

    upload_latency, submit_latency, errors, acknowledged = [], [], {}, []

    def one(applicant):
        app_id, token = applicant
        for key, (filename, data) in files.items():
            body, ctype = multipart({"key": key}, "file", filename, data)
            status, payload, seconds = call(f"{url}/api/v1/applications/{app_id}/attachments", token, "POST", body, ctype)
            upload_latency.append(seconds)
            if status != 201:
                errors[f"upload {status}"] = errors.get(f"upload {status}", 0) + 1
        status, payload, seconds = call(f"{url}/api/v1/applications/{app_id}/submit", token, "POST",
                                        json.dumps({"idempotency_key": uuid.uuid4().hex}).encode())
        submit_latency.append(seconds)
        if status == 200:
            acknowledged.append((app_id, json.loads(payload)["content_hash"]))
        else:
            errors[f"submit {status}"] = errors.get(f"submit {status}", 0) + 1

    print(f"{args.concurrency} 个并发客户端开始上传与提交 …", flush=True)
    start = time.perf_counter()
    with cf.ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, applicants))
    wall = time.perf_counter() - start
    server.terminate()
    server.wait(timeout=30)

    from jinxuan.applicants.models import ApplicationVersion

    stored = {(v.application_id, v.content_hash) for v in ApplicationVersion.objects.all()}
    lost = [a for a in acknowledged if a not in stored]
    result = {
        "benchmark": "submit_load",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "inputs": {"applicants": args.applicants, "concurrency": args.concurrency, "gunicorn_workers": args.workers,
                   "threads_per_worker": 4, "attachments_per_applicant": 3, "attachment_bytes": [len(d) for _, d in files.values()],
                   "database": "PostgreSQL"},
        "wall_seconds": round(wall, 2),
        "submissions_per_second": round(len(acknowledged) / wall, 2),
        "megabytes_uploaded_per_second": round(sum(len(d) for _, d in files.values()) * args.applicants / wall / 1e6, 1),
        "submit_latency_ms": {q: round(percentile(submit_latency, p) * 1000, 1) for q, p in (("p50", .5), ("p95", .95), ("p99", .99))},
        "upload_latency_ms": {q: round(percentile(upload_latency, p) * 1000, 1) for q, p in (("p50", .5), ("p95", .95), ("p99", .99))},
        "mean_submit_ms": round(statistics.mean(submit_latency) * 1000, 1) if submit_latency else None,
        "errors": errors,
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost": len(lost),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results" / f"submit_load-{result['date'][:10]}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    drop_database()
    if lost or len(acknowledged) != len(stored):
        sys.exit("已确认与已存储的提交数不一致")


if __name__ == "__main__":
    main()
