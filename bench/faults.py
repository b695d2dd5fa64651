"""Faults during the deadline spike and the vote flood, against the private services of bench/topology.py:

- `kill_app`: kill -9 of application server app1 (its gunicorn master; supervisor starts it again);
- `redis`: the private Redis stopped (SHUTDOWN SAVE) and started again after the outage;
- `postgres`: the private PostgreSQL cluster stopped in immediate mode (a crash: recovery on start) and started again;
- `disk`: the upload disk (a small tmpfs) filled to the last byte, emptied after the outage;
- `store`: the object store (with `--object-store`) stopped for the outage and started again: the hosts' connections
  to it are cut and refused, its objects stay (bench/topology.PrivateObjectStore).

With `--object-store` attachments and print-outs live in the store, not on the upload disk: the `disk` fault then
fills what stays local (the data folder: resumable uploads' pieces, Django's spool of whole-file uploads over
2.5 MB, the audit anchors, the library index), which the spike's attachments (whole-file uploads of ~300 KB, kept
in memory) never touch.

`FaultRunner` runs a schedule in a thread while a benchmark's load runs; each fault records when it started and
ended and how long the service took to answer /readyz again. `window_report` sorts the requests a benchmark made
by the fault they met: status codes and what the user saw (the Chinese page, a Chinese message, a stack trace).

    python bench/faults.py                      # both benchmarks with every fault, small scale (a few minutes)
    python bench/faults.py --scale full         # 500 applicants / 100,000 votes, the same faults
    python bench/faults.py --only spike --faults kill_app,disk
    python bench/faults.py --scale full --only spike --object-store   # attachments in S3 (moto), + the store fault

Each benchmark can also be given faults itself: `python bench/deadline_spike.py --faults kill_app,postgres,disk`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("kill_app", "redis", "postgres", "disk", "store")
DEFAULT_KINDS = ("kill_app", "redis", "postgres", "disk")  # `store` needs the object store
LABELS = {"kill_app": "kill -9 一个应用服务器", "redis": "重启 Redis", "postgres": "重启 PostgreSQL（立即停止）",
          "disk": "上传磁盘写满", "store": "对象存储停机后重启"}


@dataclass
class Fault:
    kind: str
    at: float  # seconds after the load started
    outage: float  # seconds the service stays broken (kill_app: supervisor decides)
    started: float | None = None  # monotonic
    ended: float | None = None  # monotonic: the broken piece is back (or restarted by supervisor)
    recovered: float | None = None  # monotonic: /readyz answers 200 again
    detail: dict = field(default_factory=dict)


def schedule(kinds: list[str], duration: float, outage: float = 5.0, object_store: bool = False) -> list[Fault]:
    """Faults spread over the load: the i-th of n at (i + 1) / (n + 1) of `duration`, one at a time."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"未知的故障类型：{', '.join(unknown)}（可选 {', '.join(KINDS)}）")
    if "store" in kinds and not object_store:
        raise ValueError("故障 store 需要对象存储（--object-store）")
    n = len(kinds)
    return [Fault(k, round(duration * (i + 1) / (n + 1), 2), outage) for i, k in enumerate(kinds)]


class FaultRunner(threading.Thread):
    def __init__(self, services, faults: list[Fault], t0: float):
        super().__init__(daemon=True)
        self.services, self.faults, self.t0 = services, faults, t0
        self.error: str | None = None

    def run(self) -> None:
        try:
            for fault in self.faults:
                time.sleep(max(0.0, self.t0 + fault.at - time.monotonic()))
                self.inject(fault)
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            self.error = f"{type(exc).__name__}: {exc}"

    def inject(self, fault: Fault) -> None:
        s, topo = self.services, self.services.topology
        fault.started = time.monotonic()
        if fault.kind == "kill_app":
            victim = topo.kill9("app1")
            fault.detail["killed_pid"] = victim
            fault.detail["restarted_after_s"] = topo.wait_restarted("app1", victim)
        elif fault.kind == "redis":
            s.redis.stop(graceful=True)
            time.sleep(fault.outage)
            s.redis.start()
        elif fault.kind == "postgres":
            s.pg.stop("immediate")
            time.sleep(fault.outage)
            s.pg.start()
        elif fault.kind == "disk":
            fault.detail["filled_bytes"] = s.disk.fill()
            time.sleep(fault.outage)
            s.disk.release()
            fault.detail["free_bytes_after"] = s.disk.free_bytes()
        elif fault.kind == "store":
            s.store.stop()
            time.sleep(fault.outage)
            s.store.start()
        fault.ended = time.monotonic()
        waited = topo.wait_ready(120)
        fault.recovered = time.monotonic() if waited is not None else None
        fault.detail["ready_again_after_end_s"] = waited

    def report(self) -> list[dict]:
        return [{"kind": f.kind, "label": LABELS[f.kind], "at_s": f.at, "planned_outage_s": f.outage,
                 "started_s": _rel(f.started, self.t0), "ended_s": _rel(f.ended, self.t0),
                 "recovered_s": _rel(f.recovered, self.t0), "recovered_by_itself": f.recovered is not None,
                 **f.detail} for f in self.faults]


def _rel(t: float | None, t0: float) -> float | None:
    return None if t is None else round(t - t0, 2)


def window_report(faults: list[Fault], records: list[dict], settle: float = 2.0) -> list[dict]:
    """Per fault, the requests answered between its start and `settle` seconds after recovery (or the next fault's
    start, if sooner: a request is counted for one fault only): how many, their status codes and the kinds of
    answers (bench.topology.classify); records: {"start", "end", "status", "seen"}. The answer's time, not the
    request's start: under a spike a request waits in the queues for seconds before the servers meet the fault."""
    out = []
    starts = [f.started for f in faults if f.started is not None]
    for f in faults:
        if f.started is None:
            continue
        end = (f.recovered or f.ended or f.started) + settle
        end = min([end, *(s - 1e-6 for s in starts if s > f.started)])
        inside = [r for r in records if f.started <= (r.get("end") or r["start"]) <= end]
        failed = [r for r in inside if r["seen"] != "ok"]
        out.append({"kind": f.kind, "requests": len(inside), "not_ok": len(failed),
                    "status_codes": dict(Counter(str(r["status"]) for r in inside).most_common()),
                    "seen": dict(Counter(r["seen"] for r in inside).most_common()),
                    "stack_traces": sum(1 for r in inside if r["seen"] == "stack_trace"),
                    "examples": _examples(failed)})
    return out


def markdown_table(result: dict) -> list[str]:
    """The faults section of a benchmark's markdown summary."""
    if not result.get("faults"):
        return []
    lines = ["", "## Faults", "", "| fault | at | back by itself (s after load start) | requests answered during | status codes | "
             "what users saw |", "|---|---|---|---|---|---|"]
    for f, w in zip(result["faults"], result["fault_windows"], strict=False):
        lines.append(f"| {f['label']} | {f['at_s']} s | {f['recovered_by_itself']} ({f['recovered_s']}) | "
                     f"{w['requests']} | {w['status_codes']} | {w['seen']} |")
    lines += ["", "Examples of answers during the faults (status, kind, text):", ""]
    for w in result["fault_windows"]:
        for e in w["examples"]:
            text = " ".join(e["text"].split())[:100].replace("|", "/")
            lines.append(f"- {w['kind']}: {e['status']} {e['seen']} — {text}")
    if result.get("fault_runner_error"):
        lines.append(f"\nFault runner error: {result['fault_runner_error']}")
    return lines


def _readable(text: str) -> str:
    """A JSON answer's `detail` (its Chinese unescaped), an HTML page's title and heading, else the text."""
    if text.lstrip().startswith("{"):
        try:
            return str(json.loads(text).get("detail", text))
        except (ValueError, AttributeError):
            if text.isascii():  # cut short: unescape what there is
                return text.encode().decode("unicode_escape", "replace")
    found = re.search(r"<title>(.*?)</title>", text, re.S)
    if found:
        heading = re.search(r"<h1>(.*?)</h1>", text, re.S)
        return f"<title>{found[1].strip()}</title>" + (f" <h1>{re.sub('<[^>]+>', '', heading[1]).strip()}</h1>"
                                                        if heading else "")
    return text


def _examples(failed: list[dict], limit: int = 4) -> list[dict]:
    seen, out = set(), []
    for r in failed:
        key = (str(r["status"]), r["seen"])
        if key not in seen and len(out) < limit:
            seen.add(key)
            out.append({"status": r["status"], "seen": r["seen"], "text": _readable(r.get("text", "")[:300])[:160]})
    return out


def main():
    parser = argparse.ArgumentParser(description="故障注入：截止前提交高峰与投票洪峰期间的故障")
    parser.add_argument("--scale", choices=("small", "full"), default="small")
    parser.add_argument("--only", choices=("spike", "votes"), default=None)
    parser.add_argument("--faults", default=None,
                        help=f"default: {','.join(DEFAULT_KINDS)} (with --object-store also store)")
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--object-store", action="store_true",
                        help="attachments and print-outs in a private S3 store (moto); the spike checks them there")
    args = parser.parse_args()
    kinds = args.faults or ",".join(KINDS if args.object_store else DEFAULT_KINDS)
    py = sys.executable
    runs = []
    if args.only in (None, "spike"):
        scale = ["--applicants", "500"] if args.scale == "full" else ["--applicants", "120"]
        runs.append([py, str(ROOT / "bench/deadline_spike.py"), *scale, "--faults", kinds,
                     "--outage", str(args.outage), "--label", "faults",
                     *(["--object-store"] if args.object_store else [])])
    if args.only in (None, "votes"):  # votes store no files: the flood runs without the object store
        scale = ["--votes", "100000"] if args.scale == "full" else ["--votes", "15000"]
        vote_kinds = ",".join(k for k in kinds.split(",") if k != "store")
        runs.append([py, str(ROOT / "bench/vote_flood.py"), *scale, "--faults", vote_kinds,
                     "--outage", str(args.outage), "--label", "faults"])
    code = 0
    for argv in runs:
        print("$", " ".join(argv[1:]), flush=True)
        code |= subprocess.run(argv).returncode
    sys.exit(code)


if __name__ == "__main__":
    main()
