"""Benchmark: the deadline spike through the production topology (nginx → 2 gunicorn servers, PostgreSQL, Redis).

Before the timed part, APPLICANTS applicants are prepared directly in the database (bench/fixtures.py: a user, an
organisation, an API token and a complete draft each, on gz-dianshu-2025) and the call is rescheduled to close a few
minutes later. Then every applicant at once (asyncio + httpx, one connection each, through nginx) finishes the
draft (PATCH of the case name), uploads the three required attachments and submits with an idempotency key, retrying
what failed as a person would (the same key, so a retried submit is never a second version).

Checked afterwards, from the database: every acknowledged submission is stored, exactly once, and the stored version's
content hash equals the hash the client computed itself from what it sent (answers, units, track, title, attachment
names, SHA-256 and sizes); no application has more versions than acknowledged submits. With `--object-store` the
attachments and print-outs go to a private S3 store (moto, bench/topology.PrivateObjectStore) and every acknowledged
submission's attachments are also read back from the store (boto3, straight from moto) and their SHA-256 and size
compared with what the client sent.

    python bench/deadline_spike.py                          # 500 applicants, about 2 minutes of load
    python bench/deadline_spike.py --applicants 50 --no-record
    python bench/deadline_spike.py --faults kill_app,postgres,disk   # records faults_spike_<date>
    python bench/deadline_spike.py --object-store                    # records spike-s3_<date>
    python bench/deadline_spike.py --object-store --faults kill_app,redis,postgres,disk,store --label faults

Needs root for the upload-disk tmpfs (the disk fault) and the `postgres` user for the private cluster; nginx.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import faults as F  # noqa: E402
from bench.support import latency_ms, machine, write_result  # noqa: E402
from bench.topology import Services, classify  # noqa: E402

RETRYABLE = {0, 429, 500, 502, 503, 504, 507}
FILE_KEYS = (("business_licence", "licence", "jpg"), ("commitment_letter", "commitment", "jpg"),
             ("proposal", "proposal", "docx"))


# ------------------------------------------------------------------------------------------------ client side


def expected_hash(title: str, track: str, answers: dict, units: list[dict], files: list[dict]) -> str:
    """The content hash of a submitted version, computed by the client from what it sent (the server's formula:
    jinxuan.applicants.services.content_of / content_hash, written out independently)."""
    content = {"title": title, "track": track, "answers": answers, "units": units,
               "attachments": sorted(({"key": f["key"], "name": f["name"], "sha256": f["sha256"], "size": f["size"]}
                                      for f in files), key=lambda f: (f["key"], f["sha256"]))}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def make_files(variants: int, kb: int, seed: int = 7) -> list[dict[str, tuple[str, bytes]]]:
    """`variants` distinct sets of the three attachments (JPEG noise of about `kb` KB, a .docx holding one)."""
    import docx
    from PIL import Image

    out = []
    for v in range(variants):
        rnd = random.Random(seed * 1000 + v)
        images = []
        for _ in range(2):
            side = 64
            while True:
                img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=92)
                if buf.tell() >= kb * 1024 * 0.9:
                    break
                side = int(side * 1.25) + 8
            images.append(buf.getvalue())
        document = docx.Document()
        document.add_paragraph(f"方案书 {v}")
        document.add_picture(io.BytesIO(images[0]))
        buf = io.BytesIO()
        document.save(buf)
        data = {"business_licence": images[0], "commitment_letter": images[1], "proposal": buf.getvalue()}
        out.append({key: (f"{stem}-{v}.{ext}", data[key]) for key, stem, ext in FILE_KEYS})
    return out


class Applicant:
    def __init__(self, spec: dict, files: dict, url: str, records: list, attempts: int, t0: float):
        self.spec, self.files, self.url, self.records, self.attempts, self.t0 = spec, files, url, records, attempts, t0
        self.headers = {"Authorization": f"Bearer {spec['token']}"}
        self.result: dict = {"id": spec["id"], "state": "not started", "retries": 0}

    async def call(self, client, step: str, method: str, path: str, **kw):
        """One step, retried on failures a person would retry after (no answer, 5xx, 507, 429)."""
        for attempt in range(self.attempts):
            start = time.monotonic()
            try:
                r = await client.request(method, self.url + path, headers=self.headers, **kw)
                status, body, ctype = r.status_code, r.content, r.headers.get("content-type", "")
            except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
                status, body, ctype = type(exc).__name__, b"", ""
            end = time.monotonic()
            ok = isinstance(status, int) and status < 300
            text = body.decode("utf-8", "replace")
            self.records.append({"step": step, "start": start, "end": end, "status": status,
                                 "seen": "ok" if ok else classify(status, body, ctype), "text": "" if ok else text[:300]})
            if ok or (isinstance(status, int) and status not in RETRYABLE):
                if step == "upload" and status == 400 and "同一文件已上传" in text:
                    return 409, body  # an earlier try stored it and its answer was lost
                return status, body
            self.result["retries"] += 1
            await asyncio.sleep(min(1.0 + attempt, 5.0) * (0.5 + random.random()))
        return status, body

    async def run(self, client, delay: float = 0.0) -> dict:
        spec, res = self.spec, self.result
        await asyncio.sleep(max(0.0, self.t0 + delay - time.monotonic()))
        res["state"] = "editing"
        answers = copy.deepcopy(spec["answers"])
        title = spec["title"][:15] + "（定稿）"  # the case name allows 20 characters
        answers[spec["title_field"]] = title
        status, _ = await self.call(client, "patch", "PATCH", f"/api/v1/applications/{spec['id']}",
                                    json={"answers": {spec["title_field"]: title}})
        if status != 200:
            res["state"] = f"patch {status}"
            return res
        sent = []
        for key, (name, data) in self.files.items():
            res["state"] = "uploading"
            status, body = await self.call(client, "upload", "POST", f"/api/v1/applications/{spec['id']}/attachments",
                                           data={"key": key}, files={"file": (name, data, "application/octet-stream")})
            sha = hashlib.sha256(data).hexdigest()
            if status == 201:
                answer = json.loads(body)
                if answer["sha256"] != sha:
                    res["state"] = "upload hash differs"
                    return res
                name = answer["name"]
            elif status != 409:
                res["state"] = f"upload {status}"
                res["upload_text"] = body.decode("utf-8", "replace")[:200]
                return res
            sent.append({"key": key, "name": name, "sha256": sha, "size": len(data)})
        res["files"] = [{"key": f["key"], "sha256": f["sha256"], "size": f["size"]} for f in sent]
        res["client_hash"] = expected_hash(title.strip()[:200], spec["track"], answers, spec["units"], sent)
        key = uuid.uuid4().hex
        status, body = await self.call(client, "submit", "POST", f"/api/v1/applications/{spec['id']}/submit",
                                       json={"idempotency_key": key})
        if status == 200:
            version = json.loads(body)
            res.update(state="acknowledged", server_hash=version["content_hash"], version=version["number"],
                       idempotency_key=key)
        else:
            res["state"] = f"submit {status}"
            res["submit_text"] = body.decode("utf-8", "replace")[:300]
        return res


async def spike(url: str, specs: list[dict], file_sets: list, attempts: int, t0: float,
                ramp: float = 0.0) -> tuple[list, list]:
    import httpx

    records: list[dict] = []
    limits = httpx.Limits(max_connections=len(specs) + 10, max_keepalive_connections=len(specs) + 10)
    timeout = httpx.Timeout(180.0, connect=10.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        people = [Applicant(s, file_sets[i % len(file_sets)], url, records, attempts, t0) for i, s in enumerate(specs)]
        results = await asyncio.gather(*(p.run(client, ramp * i / len(people)) for i, p in enumerate(people)))
    return list(results), records


# ------------------------------------------------------------------------------------------------ set-up, checks


def prepare(count: int, deadline_minutes: float) -> list[dict]:
    from django.utils import timezone

    from bench.fixtures import prepare_applicants
    from jinxuan.applicants.models import Application
    from jinxuan.campaigns.schedule import reschedule

    pairs = prepare_applicants(count)
    apps = {a.pk: a for a in Application.objects.filter(pk__in=[p for p, _ in pairs])
            .select_related("track", "campaign").prefetch_related("units__organisation")}
    campaign = next(iter(apps.values())).campaign
    now = timezone.now()
    reschedule(campaign, now - dt.timedelta(days=30), now + dt.timedelta(minutes=deadline_minutes),
               reason="基准测试：截止前提交高峰")
    title_field = next(f.key for f in campaign.spec.form.fields("application") if f.label in {"案例名称", "事件名称"})
    specs = []
    for pk, token in pairs:
        app = apps[pk]
        units = [{"credit_code": u.organisation.credit_code, "is_lead": u.is_lead, "answers": u.answers}
                 for u in sorted(app.units.all(), key=lambda u: u.position)]
        specs.append({"id": pk, "token": token, "track": app.track.key, "title": app.title, "answers": app.answers,
                      "units": units, "title_field": title_field})
    return specs


def check(results: list[dict]) -> dict:
    from django.db import connections
    from django.db.models import Count

    from jinxuan.applicants.models import ApplicationVersion

    connections.close_all()  # the database may have restarted under this process
    ids = [r["id"] for r in results]
    versions = {}
    for v in ApplicationVersion.objects.filter(application_id__in=ids).values("application_id", "content_hash",
                                                                                "idempotency_key"):
        versions.setdefault(v["application_id"], []).append(v)
    per_app = dict(ApplicationVersion.objects.filter(application_id__in=ids).values_list("application_id")
                   .annotate(n=Count("id")).values_list("application_id", "n"))
    acked = [r for r in results if r["state"] == "acknowledged"]
    lost = [r["id"] for r in acked if not any(v["idempotency_key"] == r["idempotency_key"] and
                                               v["content_hash"] == r["server_hash"] for v in versions.get(r["id"], []))]
    client_mismatch = [r["id"] for r in acked if r["server_hash"] != r["client_hash"]]
    stored_not_client = [r["id"] for r in acked
                         if not any(v["content_hash"] == r["client_hash"] for v in versions.get(r["id"], []))]
    return {"applicants": len(results), "acknowledged": len(acked),
            "not_acknowledged_by_state": dict(Counter(r["state"] for r in results if r["state"] != "acknowledged")),
            "not_acknowledged_examples": list({r["state"]: r.get("submit_text") or r.get("upload_text", "")
                                               for r in results if r["state"] != "acknowledged"}.items())[:5],
            "stored_versions": sum(per_app.values()),
            "lost": len(lost), "lost_ids": lost[:20],
            "duplicated": sum(n - 1 for n in per_app.values() if n > 1),
            "stored_without_acknowledgement": sum(1 for r in results if r["state"] != "acknowledged"
                                                  and per_app.get(r["id"])),
            "acknowledged_hash_differs_from_client": len(client_mismatch),
            "stored_hash_differs_from_client": len(stored_not_client),
            "ok": not lost and not stored_not_client and all(n <= 1 for n in per_app.values())}


def check_store(results: list[dict], store) -> dict:
    """Every acknowledged submission's attachments, read back from the object store itself (boto3 to moto, not
    through the application or its front): the stored row names an object whose SHA-256 and size are the client's.
    Also: objects under attachments/ that no row names (left by cut-off writes), and the print-outs rendered so far
    (each read back against its recorded hash)."""
    from botocore.exceptions import ClientError

    from jinxuan.applicants.models import PrintOut, StoredAttachment

    client = store.client()

    def digest(name: str) -> tuple[str, int] | None:
        try:
            body = client.get_object(Bucket=store.bucket, Key=name)["Body"].read()
        except ClientError:
            return None
        return hashlib.sha256(body).hexdigest(), len(body)

    acked = [r for r in results if r["state"] == "acknowledged"]
    ids = [r["id"] for r in acked]
    rows: dict[tuple, list[str]] = {}
    for a in StoredAttachment.objects.filter(application_id__in=ids).values("application_id", "key", "sha256", "file"):
        rows.setdefault((a["application_id"], a["key"], a["sha256"]), []).append(a["file"])
    checked = no_row = missing = differs = 0
    bad: list[dict] = []
    for r in acked:
        for f in r["files"]:
            names = rows.get((r["id"], f["key"], f["sha256"]))
            if not names:
                no_row += 1
                bad.append({"id": r["id"], "key": f["key"], "problem": "no stored row"})
                continue
            for name in names:
                checked += 1
                got = digest(name)
                if got is None:
                    missing += 1
                    bad.append({"id": r["id"], "key": f["key"], "object": name, "problem": "not in the store"})
                elif got != (f["sha256"], f["size"]):
                    differs += 1
                    bad.append({"id": r["id"], "key": f["key"], "object": name, "problem": "hash or size differs"})
    named = set(StoredAttachment.objects.values_list("file", flat=True))
    in_store = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
                for o in page.get("Contents", [])]
    orphans = [k for k in in_store if k.startswith("attachments/") and k not in named]
    printouts = list(PrintOut.objects.filter(version__application_id__in=ids).values("name", "sha256"))
    printouts_ok = sum(1 for p in printouts if (digest(p["name"]) or ("",))[0] == p["sha256"])
    expected = sum(len(r["files"]) for r in acked)
    return {"bucket": store.bucket, "endpoint_for_hosts": store.endpoint, "objects_in_store": len(in_store),
            "attachments_expected": expected, "attachments_checked_in_store": checked,
            "attachments_without_row": no_row, "attachments_missing_from_store": missing,
            "attachments_hash_differs_in_store": differs, "problems": bad[:20],
            "unreferenced_attachment_objects": len(orphans), "unreferenced_examples": orphans[:5],
            "printouts_rendered": len(printouts), "printouts_hash_ok_in_store": printouts_ok,
            "ok": not (no_row or missing or differs) and checked >= expected}


def summarise(results, records, wall, t0) -> dict:
    by_step = {}
    for step in ("patch", "upload", "submit"):
        rs = [r for r in records if r["step"] == step]
        by_step[step] = {"requests": len(rs), "latency_ms": latency_ms([r["end"] - r["start"] for r in rs]),
                         "status_codes": dict(Counter(str(r["status"]) for r in rs).most_common())}
    done = [r for r in results if r["state"] == "acknowledged"]
    return {"wall_seconds": round(wall, 2), "submissions_per_second": round(len(done) / wall, 2) if wall else None,
            "requests": len(records), "requests_per_second": round(len(records) / wall, 1) if wall else None,
            "steps": by_step,
            "errors_by_kind": dict(Counter(f"{r['step']} {r['status']} {r['seen']}" for r in records
                                           if r["seen"] != "ok").most_common()),
            "retries": sum(r["retries"] for r in results)}


def markdown(result: dict) -> str:
    c, s, inp = result["check"], result["figures"], result["inputs"]
    sub, up = s["steps"]["submit"]["latency_ms"], s["steps"]["upload"]["latency_ms"]
    lines = [f"# {result['title']} — {result['date']}", "",
             f"`{result['command']}`; machine: {result['machine']['nproc']} cores, {result['machine']['memory_gib']} GiB, "
             f"load average before {result['machine']['load_average']} (shared with other work: figures are lower "
             f"than on an idle machine).", "",
             f"Inputs: {inp['applicants']} applicants at once, {inp['attachments_per_applicant']} attachments each "
             f"({', '.join(str(b // 1024) + ' KB' for b in inp['attachment_bytes'])}), through nginx → "
             f"{inp['app_servers']} gunicorn servers × {inp['workers']} workers × {inp['threads']} threads, private "
             f"PostgreSQL {result['versions']['postgresql']} and Redis on loopback.", "",
             "| figure | value |", "|---|---|",
             f"| wall time | {s['wall_seconds']} s |",
             f"| submissions per second | {s['submissions_per_second']} |",
             f"| requests per second (patch + uploads + submits, retries included) | {s['requests_per_second']} |",
             f"| submit latency p50 / p95 / p99 | {sub['p50']} / {sub['p95']} / {sub['p99']} ms |",
             f"| upload latency p50 / p95 / p99 | {up['p50']} / {up['p95']} / {up['p99']} ms |",
             f"| errors by kind | {s['errors_by_kind'] or 'none'} |",
             f"| retries | {s['retries']} |",
             f"| acknowledged / stored versions | {c['acknowledged']} / {c['stored_versions']} |",
             f"| lost / duplicated | {c['lost']} / {c['duplicated']} |",
             f"| stored hash ≠ client's hash | {c['stored_hash_differs_from_client']} |",
             f"| not acknowledged | {c['not_acknowledged_by_state'] or 'none'} |"]
    st = result.get("object_store")
    if st:
        lines[4:4] = [f"Attachments and print-outs in the object store: {result['versions']['object_store']}, bucket "
                      f"`{st['bucket']}` at {st['endpoint_for_hosts']} (S3_* passed to every host and the worker).",
                      ""]
        lines += [f"| attachments of acknowledged submissions read back from the store, SHA-256 and size = client's "
                  f"| {st['attachments_checked_in_store'] - st['attachments_hash_differs_in_store']} of "
                  f"{st['attachments_expected']} |",
                  f"| attachments without a row / missing from the store / differing | {st['attachments_without_row']}"
                  f" / {st['attachments_missing_from_store']} / {st['attachments_hash_differs_in_store']} |",
                  f"| objects in the store (attachments no row names) | {st['objects_in_store']} "
                  f"({st['unreferenced_attachment_objects']}) |",
                  f"| print-outs rendered by the time of the check (hash ok in the store) | {st['printouts_rendered']} "
                  f"({st['printouts_hash_ok_in_store']}) |"]
    lines += F.markdown_table(result)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--attachment-kb", type=int, default=200)
    parser.add_argument("--file-variants", type=int, default=8)
    parser.add_argument("--deadline-minutes", type=float, default=15, help="the call closes this long after set-up")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--attempts", type=int, default=8, help="tries per step (a person retrying)")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="seconds over which the applicants start (0: all at once; with faults: the fault window)")
    parser.add_argument("--max-seconds", type=float, default=600, help="the load is cancelled after this long")
    parser.add_argument("--faults", default="", help=f"comma-separated, of {','.join(F.KINDS)}")
    parser.add_argument("--fault-window", type=float, default=40, help="seconds over which the faults are spread")
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--upload-disk-mb", type=int, default=0, help="tmpfs size (default: what the uploads need)")
    parser.add_argument("--label", default="", help="'faults' records faults_spike_<date>")
    parser.add_argument("--tag", default="", help="appended to the recorded file's name (spike-s3-<tag>_<date>)")
    parser.add_argument("--object-store", action="store_true",
                        help="attachments and print-outs in a private S3 store (moto); records spike-s3_<date>")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    kinds = [k for k in args.faults.split(",") if k]
    faults = F.schedule(kinds, args.fault_window, args.outage, object_store=args.object_store)
    ramp = args.ramp or (args.fault_window if kinds else 0.0)

    file_sets = make_files(args.file_variants, args.attachment_kb)
    need_mb = sum(len(d) for _, d in file_sets[0].values()) * args.applicants // (1 << 20)
    services = Services("spike", upload_mb=args.upload_disk_mb or max(256, int(need_mb * 1.5) + 128),
                        object_store=args.object_store)
    started = dt.datetime.now(dt.UTC)
    before = machine()
    prefix = f"spike{os.getpid()}"
    try:
        print("启动私有 PostgreSQL、Redis 与上传盘" + ("、对象存储（moto）" if args.object_store else "") + " …",
              flush=True)
        services.start_backends()
        env = services.django_env(prefix)
        os.environ.update(env)
        os.environ.pop("SECRET_KEY", None)
        subprocess.run([sys.executable, "-m", "jinxuan.cli", "migrate", "-v0"], env=os.environ, check=True)
        import django

        django.setup()
        print(f"准备 {args.applicants} 个申报单位与完整草稿 …", flush=True)
        specs = prepare(args.applicants, args.deadline_minutes)
        from django.db import connections

        connections.close_all()
        print("启动生产拓扑（nginx → gunicorn × 2，后台任务）…", flush=True)
        topo = services.start_topology(args.servers, args.workers, args.threads, prefix)
        print(f"{args.applicants} 个申报单位同时定稿、上传并提交 → {topo.url}", flush=True)
        t0 = time.monotonic() + 0.5
        runner = F.FaultRunner(services, faults, t0) if faults else None
        if runner:
            runner.start()
        try:
            results, records = asyncio.run(asyncio.wait_for(
                spike(topo.url, specs, file_sets, args.attempts, t0, ramp), args.max_seconds))
        except TimeoutError:
            sys.exit(f"负载超过 --max-seconds {args.max_seconds} 秒，已取消")
        wall = max(r["end"] for r in records) - t0
        if runner:
            runner.join(timeout=300)
            topo.wait_ready(120)
        figures = summarise(results, records, wall, t0)
        verdict = check(results)
        in_store = check_store(results, services.store) if services.store else None
        if in_store:
            verdict["ok"] = verdict["ok"] and in_store["ok"]
        result = {
            "benchmark": ("faults_spike" if args.label == "faults" else "spike") + ("-s3" if services.store else "")
            + (f"-{args.tag}" if args.tag else ""),
            "title": "截止前提交高峰" + ("（对象存储）" if services.store else "") + ("（故障注入）" if faults else ""),
            "date": started.isoformat(timespec="seconds"),
            "command": "python bench/deadline_spike.py " + " ".join(sys.argv[1:]),
            "machine": before, "machine_after": machine(),
            "versions": {"postgresql": services.pg.version(), "redis": _redis_version(services),
                         **({"object_store": services.store.version()} if services.store else {})},
            "inputs": {"applicants": args.applicants, "concurrency": args.applicants,
                       "attachments_per_applicant": len(FILE_KEYS),
                       "attachment_bytes": [len(d) for _, d in file_sets[0].values()],
                       "file_variants": args.file_variants, "app_servers": args.servers, "workers": args.workers,
                       "threads": args.threads, "attempts_per_step": args.attempts, "ramp_s": ramp,
                       "deadline_minutes_after_setup": args.deadline_minutes, "client": "httpx (asyncio)",
                       "path": "nginx → gunicorn (deploy/start.sh)", "faults": kinds, "outage_s": args.outage,
                       "storage": "S3 object store (S3_* to every host)" if services.store else "upload disk"},
            "figures": figures, "check": verdict,
        }
        if in_store:
            result["object_store"] = in_store
        if runner:
            result["faults"] = runner.report()
            result["fault_windows"] = F.window_report(faults, records)
            result["fault_runner_error"] = runner.error
        print(json.dumps({k: result[k] for k in ("figures", "check", "object_store") if k in result},
                         ensure_ascii=False, indent=2))
        md = markdown(result)
        print(md)
        if not args.no_record:
            paths = write_result(result["benchmark"], result, md)
            print("记录于", ", ".join(str(p.relative_to(ROOT)) for p in paths))
        if not verdict["ok"]:
            sys.exit("已确认的提交有丢失、重复或与客户端哈希不符" + ("（或对象存储中的附件缺失、不符）" if in_store else ""))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        services.close()


def _redis_version(services) -> str:
    import redis

    return redis.Redis.from_url(services.redis.url()).info()["redis_version"]


if __name__ == "__main__":
    main()
