"""Benchmark: the public vote under load, through gunicorn, against PostgreSQL and Redis.

Verified voters (signed `jx_voter` cookies, as after SMS verification) confirm votes with
POST /vote/<slug>/<pk>/confirm/ (confirmed=1); every request is a distinct (voter, application) pair, so
every vote is valid. Phases, all at the same concurrency on keep-alive connections:

1. GET /livez (no database): the most a worker serves, for comparison;
2. vote POSTs in a closed loop (each connection sends its next vote as soon as the answer arrives):
   votes per second, p50/p95/p99 latency, statuses and messages;
3. optionally (--rate) vote POSTs at a fixed rate (open loop; latency counted from the scheduled time,
   so a server falling behind shows as latency instead of a lower rate);

then acknowledged votes (302 to the detail page with the success message) are compared with the Vote rows
in PostgreSQL (must be equal, pair by pair) and the Redis counters (`live_totals`) with the stored totals.
CPU used in each phase is attributed from /proc to gunicorn, the load generator, PostgreSQL, Redis and
everything else (the load generator runs on the same machine), also as CPU milliseconds per request.

CPU mode (--cpu) measures what a vote costs rather than how many fit in a second, which other work on the
machine changes much less: a fixed number of livez requests, then of votes, alternated --cpu-rounds times, with
gunicorn's (and PostgreSQL's, Redis's, the load generator's) CPU per request from /proc; the lowest round counts
(other work only adds). Rates on 2 cores follow: about 2,000 ms / (server side + load generator ms per vote).

    python bench/vote_load.py                       # full run, records bench/results/vote_load-<date>.json
    python bench/vote_load.py --conn-max-age default,0   # the same, then again without persistent connections
    python bench/vote_load.py --quick               # smoke run (a few seconds of load), records nothing
    python bench/vote_load.py --cpu                 # CPU ms per vote vs per livez; records vote_cpu-<date>.json

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; a fresh database is created
beside it and dropped afterwards) and Redis (REDIS_BASE, default redis://127.0.0.1:6379; db --redis-db, keys
under a prefix unique to the run, deleted afterwards).
"""

import argparse
import asyncio
import datetime as dt
import gc
import json
import multiprocessing
import os
import platform
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import fresh_database, latency_ms, read_response, serve, write_result  # noqa: E402

SLUG = "gz-dianshu-2025"
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) vote-load"
TICK = os.sysconf("SC_CLK_TCK")
PG_DATABASE = None  # the benchmark's database: only its backends count as `postgres` (others may share the server)


# ------------------------------------------------------------------------------------------ CPU from /proc


def _proc_table() -> dict[int, tuple[str, int, int]]:
    """pid -> (comm, ppid, CPU ticks); a postgres process also counts its reaped children (backends that
    lived and died between two samples, one per request without persistent connections). A PostgreSQL backend
    of the benchmark's database is named `postgres:<db>` (other databases' work is not the benchmark's)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
            comm = raw[raw.index("(") + 1:raw.rindex(")")]
            if comm == "postgres" and PG_DATABASE:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f" {PG_DATABASE} ".encode() in f.read():
                        comm = f"postgres:{PG_DATABASE}"
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        ppid, utime, stime, cutime, cstime = int(fields[1]), *map(int, fields[11:15])
        ticks = utime + stime + (cutime + cstime if comm.startswith("postgres") else 0)
        table[int(entry)] = (comm, ppid, ticks)
    return table


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts[:8]) - idle, sum(parts[:8])


def cpu_sample(server_pid: int, client_pids: list[int]) -> dict:
    table = _proc_table()
    pids = {}  # pid -> (group, ticks)
    workers = {}
    for pid, (comm, ppid, ticks) in table.items():
        if pid == server_pid:
            pids[pid] = ("gunicorn", ticks)
        elif ppid == server_pid:
            pids[pid] = ("gunicorn", ticks)
            workers[pid] = ticks
        elif pid in client_pids:
            pids[pid] = ("load_generator", ticks)
        elif comm == "postgres" if not PG_DATABASE else comm == f"postgres:{PG_DATABASE}":
            pids[pid] = ("postgres", ticks)
        elif comm.startswith("redis-server"):
            pids[pid] = ("redis", ticks)
    busy, total = _machine_ticks()
    return {"pids": pids, "workers": workers, "busy": busy, "total": total, "at": time.monotonic()}


def cpu_follow(seen: dict, server_pid: int, client_pids: list[int]) -> dict:
    """A new sample that keeps the last-seen CPU of processes that ended since `seen` (sampled every half
    second, a database connection closed past its age loses at most its last half second)."""
    sample = cpu_sample(server_pid, client_pids)
    return {**sample, "pids": {**seen["pids"], **sample["pids"]}}


def group_ticks(before: dict, after: dict) -> Counter:
    """CPU ticks by group between two samples, process by process: a process that started in between counts
    whole, one that ended in between (e.g. a database connection past its age) loses only its last moments."""
    ticks = Counter()
    for pid, (group, value) in after["pids"].items():
        earlier = before["pids"].get(pid)
        ticks[group] += value - (earlier[1] if earlier and earlier[0] == group else 0)
    return ticks


def cpu_usage(before: dict, after: dict) -> dict:
    """Cores used on average between two samples, by group; `other` is the machine's rest."""
    seconds = after["at"] - before["at"]
    ticks = group_ticks(before, after)
    cores = {g: ticks[g] / TICK / seconds for g in ("gunicorn", "load_generator", "postgres", "redis")}
    busy = (after["busy"] - before["busy"]) / TICK / seconds
    cores["other"] = max(0.0, busy - sum(cores.values()))
    cores["machine_busy"] = busy
    cores["machine_busy_fraction"] = ((after["busy"] - before["busy"])
                                      / max(1, after["total"] - before["total"]))
    cores["per_gunicorn_worker"] = sorted(
        ((after["workers"][p] - before["workers"].get(p, 0)) / TICK / seconds for p in after["workers"]),
        reverse=True)
    return {k: (round(v, 3) if isinstance(v, float) else [round(x, 3) for x in v]) for k, v in cores.items()}


def cpu_ms_per_request(before: dict, after: dict, requests: int) -> dict:
    """CPU milliseconds per answered request, by group, between two samples (the machine's busy time as
    `machine`; with other work on the machine it includes theirs)."""
    if not requests:
        return {}
    ticks = group_ticks(before, after)
    out = {g: ticks[g] / TICK * 1000 / requests for g in ("gunicorn", "postgres", "redis", "load_generator")}
    out["server_side"] = out["gunicorn"] + out["postgres"] + out["redis"]
    out["machine"] = (after["busy"] - before["busy"]) / TICK * 1000 / requests
    return {k: round(v, 3) for k, v in out.items()}


# ------------------------------------------------------------------------------------------ load generator


class Target:
    """Renders requests and judges answers for one phase kind (`livez` or `vote`)."""

    def __init__(self, kind: str, host: str, port: int, csrf: str):
        self.kind, self.host, self.port, self.csrf = kind, host, port, csrf
        self.livez = (f"GET /livez HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"User-Agent: {USER_AGENT}\r\n\r\n").encode()
        self.livez_close = self.livez[:-2] + b"Connection: close\r\n\r\n"
        self.body = urllib.parse.urlencode({"confirmed": "1", "csrfmiddlewaretoken": csrf}).encode()

    def render(self, item, close: bool = False) -> bytes:
        if self.kind == "livez":
            return self.livez_close if close else self.livez
        voter_pk, cookie, app_id = item
        detail = f"/vote/{SLUG}/{app_id}/"
        return (f"POST {detail}confirm/ HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                + ("Connection: close\r\n" if close else "") +
                f"User-Agent: {USER_AGENT}\r\nReferer: http://{self.host}:{self.port}{detail}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(self.body)}\r\n"
                f"Cookie: jx_voter={cookie}; jx_device=bench{voter_pk:08x}; csrftoken={self.csrf}\r\n\r\n"
                ).encode() + self.body

    def judge(self, item, status: int, headers: dict, body: bytes) -> str:
        if self.kind == "livez":
            return "ok" if status == 200 and body == b"ok" else f"status {status}"
        if status != 302:
            return f"status {status}"
        location = headers.get("location", "")
        message = headers.get("message")
        if not location.endswith(f"/vote/{SLUG}/{item[2]}/"):
            return f"302 to {location.split('?')[0]}"
        if message is None:
            return "302 without message"
        level, text = message
        return "acknowledged" if level == 25 else f"refused: {text}"


async def _client(spec: dict) -> dict:
    target = Target(spec["kind"], spec["host"], spec["port"], spec["csrf"])
    if spec["kind"] == "vote":
        items = iter(spec["items"])
    else:  # livez: endless, or a fixed number of requests (CPU mode)
        items = iter(range(spec["count"])) if spec.get("count") else iter(int, 1)
    t_end, rate, per_conn = spec["end"], spec.get("rate"), spec["requests_per_connection"]
    records = []  # (start, end, outcome, sent); start: when due (open loop) or when the client began
    acknowledged, unknown = [], []
    inflight = set()
    state = {"exhausted": False}

    async def connect():
        reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        return [reader, writer, 0]

    async def exchange(conn, item, start):
        """One request, on `conn` or on a new connection (its set-up counted in the latency); returns the
        connection to reuse, or None once closed."""
        if conn is None:
            try:
                conn = await connect()
            except OSError as exc:
                records.append((start, None, f"connect {type(exc).__name__}", None))
                return None
        reader, writer, used = conn
        last = bool(per_conn) and used + 1 >= per_conn
        conn[2] += 1
        sent = time.monotonic()
        inflight.add(item)
        try:
            writer.write(target.render(item, close=last))
            status, headers, body = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                RuntimeError) as exc:
            records.append((start, time.monotonic(), f"error {type(exc).__name__}", sent))
            if target.kind == "vote":
                unknown.append((item[0], item[2]))
            writer.close()
            return None
        finally:
            inflight.discard(item)
        outcome = target.judge(item, status, headers, body)
        records.append((start, time.monotonic(), outcome, sent))
        if outcome == "acknowledged":
            acknowledged.append((item[0], item[2]))
        if last or headers.get("close"):
            writer.close()
            return None
        return conn

    def next_item():
        item = next(items, None)
        if item is None:
            state["exhausted"] = True
        return item

    conns = []
    for _ in range(spec["concurrency"]):
        conns.append(await connect())
        await asyncio.sleep(0.002)  # one at a time, so that every worker gets a chance to accept
    await asyncio.sleep(max(0.0, spec["start"] - time.monotonic()))

    if rate is None:  # closed loop: each connection sends its next request when the answer arrives
        async def loop(conn):
            while time.monotonic() < t_end:
                item = next_item()
                if item is None:
                    break
                conn = await exchange(conn, item, time.monotonic())
                if conn is None and records[-1][1] is None:  # could not connect
                    await asyncio.sleep(0.01)
            if conn:
                conn[1].close()

        await asyncio.gather(*(loop(c) for c in conns))
    else:  # open loop: requests are due at fixed intervals and wait for a free connection
        pool: asyncio.Queue = asyncio.Queue()
        for c in conns:
            pool.put_nowait(c)

        async def fire(item, due):
            conn = await pool.get()
            if time.monotonic() >= t_end + 1.0:  # still waiting a second after the phase: dropped, counted as such
                pool.put_nowait(conn)
                records.append((due, None, "not sent by the end (no free connection)", None))
                return
            pool.put_nowait(await exchange(conn, item, due))

        tasks, i, t0 = [], 0, spec["start"]
        while True:
            due = t0 + i / rate
            if due >= t_end:
                break
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            item = next_item()
            if item is None:
                break
            tasks.append(asyncio.create_task(fire(item, due)))
            i += 1
        done, pending = await asyncio.wait(tasks, timeout=spec["drain"]) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        state["not_completed"] = len(pending)
        if target.kind == "vote":
            unknown.extend((item[0], item[2]) for item in inflight)  # sent, answer never read
        while not pool.empty():
            c = pool.get_nowait()
            if c:
                c[1].close()
    return {"records": records, "acknowledged": acknowledged, "unknown": unknown,
            "exhausted": state["exhausted"], "not_completed": state.get("not_completed", 0)}


def client_process(spec: dict, pipe) -> None:
    # The load generator's records and items only grow while it measures: the collector's full passes over them
    # (a pause of every request in flight, counted as the server's latency) are left until the phase is over.
    gc.freeze()
    gc.disable()
    pipe.send(asyncio.run(_client(spec)))
    pipe.close()


def start_clients(base: dict, items: list | None, args, count: int = 0) -> tuple[list, list]:
    """args.clients load-generator processes sharing args.concurrency connections and the items (or `count`
    livez requests); their processes and the pipes their results come back on."""
    ctx = multiprocessing.get_context("fork")
    procs, pipes = [], []
    for i in range(args.clients):
        spec = {**base, "concurrency": args.concurrency // args.clients + (i < args.concurrency % args.clients),
                "requests_per_connection": args.requests_per_connection,
                "items": items[i::args.clients] if items is not None else [],
                "count": count // args.clients + (i < count % args.clients) if count else 0,
                "rate": base["rate"] / args.clients if base.get("rate") else None}
        parent_end, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=client_process, args=(spec, child_end), daemon=True)
        proc.start()
        child_end.close()
        procs.append(proc)
        pipes.append(parent_end)
    return procs, pipes


def run_count_phase(name: str, kind: str, url: str, server, items: list, args, csrf: str) -> dict:
    """A fixed number of requests (the vote items, or args.cpu_requests livez requests) in a closed loop, with
    the CPU used from the first request to the last answer: CPU milliseconds per request, which other work
    on the machine changes much less than it changes requests per second."""
    host, port = url.split("//")[1].split(":")
    start = time.monotonic() + 1.0 + 0.05 * args.clients
    count = 0 if kind == "vote" else args.cpu_requests
    procs, pipes = start_clients({"kind": kind, "host": host, "port": int(port), "csrf": csrf, "start": start,
                                  "end": start + 3600.0, "drain": 60.0, "rate": None},
                                 items if kind == "vote" else None, args, count=count)
    client_pids = [p.pid for p in procs]
    time.sleep(max(0.0, start - time.monotonic()))
    cpu_after = cpu_before = cpu_sample(server.pid, client_pids)
    done = {}
    while len(done) < len(pipes):
        for pipe in wait([p for p in pipes if p not in done], timeout=0.5):
            done[pipe] = pipe.recv()
        cpu_after = cpu_follow(cpu_after, server.pid, client_pids)
    results = [done[p] for p in pipes]
    for proc in procs:
        proc.join(timeout=30)
    records = [r for res in results for r in res["records"]]
    answered = [r for r in records if r[1] is not None]
    seconds = cpu_after["at"] - cpu_before["at"]
    figures = {
        "mode": "fixed count, closed loop",
        "requests": len(records),
        "outcomes": dict(Counter(r[2] for r in records).most_common()),
        "cpu_ms_per_request": cpu_ms_per_request(cpu_before, cpu_after, len(answered)),
        "machine_busy_fraction": cpu_usage(cpu_before, cpu_after)["machine_busy_fraction"],
        "seconds": round(seconds, 2),
        "per_second_on_this_machine_now": round(len(answered) / seconds, 1) if seconds else None,
        "latency_ms": latency_ms([r[1] - r[0] for r in answered], digits=2),
    }
    print(f"  {name}: {figures['requests']} requests, CPU ms per request {figures['cpu_ms_per_request']}, "
          f"outcomes {figures['outcomes']}, machine busy {figures['machine_busy_fraction']}", flush=True)
    return {"figures": figures, "acknowledged": [a for res in results for a in res["acknowledged"]],
            "unknown": [u for res in results for u in res["unknown"]]}


def run_cpu(env: dict, items: list, args, csrf: str) -> dict:
    """CPU mode: livez and vote phases of a fixed number of requests each, alternated args.cpu_rounds times on
    one gunicorn; the CPU milliseconds per vote against per livez request, the gunicorn share of a vote over
    that of a no-op request, and the votes per second two cores would allow at that cost."""
    url, server = serve(env, workers=args.workers, threads=args.threads)
    print(f"gunicorn {args.workers} workers × {args.threads} threads at {url}; {args.concurrency} connections from "
          f"{args.clients} processes; {args.cpu_requests} requests per phase, {args.cpu_rounds} rounds", flush=True)
    rounds, acknowledged, unknown = [], [], []
    try:
        for r in range(args.cpu_rounds):
            batch = items[r * args.cpu_requests:(r + 1) * args.cpu_requests]
            livez = run_count_phase("GET /livez", "livez", url, server, [], args, csrf)
            vote = run_count_phase("vote POST", "vote", url, server, batch, args, csrf)
            rounds.append({"livez": livez["figures"], "vote": vote["figures"]})
            acknowledged += vote["acknowledged"]
            unknown += vote["unknown"]
    finally:
        server.terminate()
        server.wait(timeout=30)

    def best(phase, group):  # other work on the machine only adds: the lowest round is the closest to the cost
        return min(r[phase]["cpu_ms_per_request"][group] for r in rounds)

    groups = ("gunicorn", "postgres", "redis", "load_generator", "server_side", "machine")
    summary = {"livez_ms": {g: best("livez", g) for g in groups}, "vote_ms": {g: best("vote", g) for g in groups}}
    vote_ms = summary["vote_ms"]
    summary["vote_over_livez_gunicorn"] = round(vote_ms["gunicorn"] / summary["livez_ms"]["gunicorn"], 2)
    summary["votes_per_second_two_cores_allow"] = round(
        2000 / (vote_ms["server_side"] + vote_ms["load_generator"]), 0)
    summary["target_ms"] = "≤ 2 × livez gunicorn ms for half of livez's rate; server side + load generator ≤ 2 ms " \
                           "for 1,000 votes/s on 2 cores"
    run = {"mode": "cpu", "rounds": rounds, "summary": summary}
    return {"run": run, "acknowledged": acknowledged, "unknown": unknown}


def run_phase(name: str, kind: str, url: str, server, items: list, args, seconds: float, csrf: str,
              rate: float | None = None) -> dict:
    """Run one phase in args.clients load-generator processes; return its figures and raw outcomes."""
    host, port = url.split("//")[1].split(":")
    port = int(port)
    start = time.monotonic() + 1.0 + 0.05 * args.clients  # connections open first, then all start together
    window = (start + args.warmup, start + args.warmup + seconds)
    procs, pipes = start_clients({"kind": kind, "host": host, "port": port, "csrf": csrf, "start": start,
                                  "end": window[1], "drain": 60.0, "rate": rate}, items, args)
    client_pids = [p.pid for p in procs]
    time.sleep(max(0.0, window[0] - time.monotonic()))
    cpu_after = cpu_before = cpu_sample(server.pid, client_pids)
    while (left := window[1] - time.monotonic()) > 0:
        time.sleep(min(0.5, left))
        cpu_after = cpu_follow(cpu_after, server.pid, client_pids)
    results = [p.recv() for p in pipes]
    for proc in procs:
        proc.join(timeout=30)

    records = [r for res in results for r in res["records"]]
    in_window = [r for r in records if window[0] <= r[0] < window[1]]
    answered = [r for r in in_window if r[1] is not None]
    finished_in_window = [r for r in records if r[1] is not None and window[0] <= r[1] <= window[1]]
    good = "acknowledged" if kind == "vote" else "ok"
    series = [0] * int(seconds)  # good answers in each second of the window: is the rate sustained?
    for r in finished_in_window:
        if r[2] == good and int(r[1] - window[0]) < len(series):
            series[int(r[1] - window[0])] += 1
    figures = {
        "mode": f"open loop at {rate:g}/s" if rate else "closed loop",
        "seconds": seconds,
        "requests_in_window": len(in_window),
        "per_second": round(sum(1 for r in finished_in_window if r[2] == good) / seconds, 1),
        "all_answers_per_second": round(len(finished_in_window) / seconds, 1),
        "per_second_each_second": series,
        "latency_ms": latency_ms([r[1] - r[0] for r in answered], digits=2),
        "outcomes": dict(Counter(r[2] for r in in_window).most_common()),
        "outcomes_all_phase": dict(Counter(r[2] for r in records).most_common()),
        "cpu_cores": cpu_usage(cpu_before, cpu_after),
    }
    figures["cpu_ms_per_request"] = cpu_ms_per_request(cpu_before, cpu_after, len(finished_in_window))
    if rate:
        figures["scheduled_in_window"] = len(in_window)
        figures["not_sent_in_window"] = len(in_window) - len(answered)
        figures["service_ms"] = latency_ms([r[1] - r[3] for r in answered], digits=2)
        figures["not_completed_after_drain"] = sum(res["not_completed"] for res in results)
    if any(res["exhausted"] for res in results):
        figures["warning"] = "ran out of (voter, application) pairs before the end: use more --voters"
    print(f"  {name}: {figures['per_second']}/s, latency {figures['latency_ms']}, "
          f"outcomes {figures['outcomes']}, cpu {figures['cpu_cores']}", flush=True)
    return {"figures": figures, "acknowledged": [a for res in results for a in res["acknowledged"]],
            "unknown": [u for res in results for u in res["unknown"]],
            "requests_sent": len(records)}


# ------------------------------------------------------------------------------------------------ setup


def make_voters(n: int) -> list[tuple[int, str]]:
    """n verified voters with distinct valid mobile numbers (none of the demo's); (pk, signed cookie) each."""
    from django.utils import timezone

    from jinxuan.voting.models import Voter
    from jinxuan.voting.phones import normalise

    taken = set(Voter.objects.values_list("phone", flat=True))
    phones, candidate = [], 13_900_000_000
    while len(phones) < n:
        phone = str(candidate)
        candidate += 1
        if phone not in taken:
            phones.append(phone)
    assert normalise(phones[0]) == phones[0] and normalise(phones[-1]) == phones[-1], "not valid numbers"
    now = timezone.now()
    Voter.objects.bulk_create([Voter(phone=p, verified_at=now) for p in phones], batch_size=5000)
    pks = sorted(Voter.objects.filter(phone__in=phones).values_list("pk", flat=True))
    return [(pk, voter_cookie(pk)) for pk in pks]


def voter_cookie(pk: int) -> str:
    """The signed voter cookie exactly as the verification view sets it (Django's cookie signing, whatever its
    salt scheme), without a request."""
    from django.http import HttpResponse

    from jinxuan.voting.views import VOTER_AGE, VOTER_COOKIE

    response = HttpResponse()
    response.set_signed_cookie(VOTER_COOKIE, pk, salt="voter", max_age=VOTER_AGE)
    return response.cookies[VOTER_COOKIE].value


def vote_items(voters, apps: list[int], per_voter: int) -> list[tuple[int, str, int]]:
    """Distinct (voter, cookie, application) triples; a voter's votes are len(voters) requests apart and the
    applications rotate, so every moment touches every application."""
    items = []
    for round_ in range(per_voter):
        for v, (pk, cookie) in enumerate(voters):
            items.append((pk, cookie, apps[(v + round_) % len(apps)]))
    return items


def clear_redis(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for i in range(0, len(keys), 1000):
        client.delete(*keys[i:i + 1000])
    return len(keys)


def code_state() -> dict:
    """The commit measured, and product files that differed from it (others may edit while this runs)."""
    def git(*argv):
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip("\n") if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", "jinxuan")
    return {"commit": git("rev-parse", "HEAD"),
            "uncommitted_in_jinxuan": status.splitlines() if status else ([] if status == "" else None)}


def versions(db_url: str, redis_url: str) -> dict:
    import psycopg
    import redis

    with psycopg.connect(db_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    import gunicorn

    return {"postgresql": pg, "redis": redis.Redis.from_url(redis_url).info()["redis_version"],
            "gunicorn": gunicorn.__version__, "django": __import__("django").__version__}


# ------------------------------------------------------------------------------------------------ main


def print_table(result: dict) -> None:
    """The figures of every run, one line per phase, for people."""
    check = result["check"]
    for run in result["runs"]:
        if run.get("mode") == "cpu":
            print(f"\nCPU ms per request (DB_CONN_MAX_AGE={run['db_conn_max_age']}), every round; then the lowest")
            print(f"{'phase':<12} {'gunicorn':>9} {'postgres':>9} {'redis':>7} {'load gen':>9} {'server':>8} "
                  f"{'machine':>8} {'busy':>5} {'outcomes'}")
            rows = [(name, f) for r in run["rounds"] for name, f in r.items()]
            for name, f in rows:
                c = f["cpu_ms_per_request"]
                print(f"{name:<12} {c['gunicorn']:>9} {c['postgres']:>9} {c['redis']:>7} {c['load_generator']:>9} "
                      f"{c['server_side']:>8} {c['machine']:>8} {f['machine_busy_fraction']:>5} {f['outcomes']}")
            summary = run["summary"]
            for name in ("livez", "vote"):
                c = summary[f"{name}_ms"]
                print(f"{name + ' (min)':<12} {c['gunicorn']:>9} {c['postgres']:>9} {c['redis']:>7} "
                      f"{c['load_generator']:>9} {c['server_side']:>8} {c['machine']:>8}")
            print(f"vote ÷ livez (gunicorn CPU) = {summary['vote_over_livez_gunicorn']}; at this cost 2 cores allow "
                  f"about {summary['votes_per_second_two_cores_allow']:.0f} votes/s (server side + load generator)")
            continue
        print(f"\n{'DB_CONN_MAX_AGE':>15} {'phase':<22} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'gunicorn':>8} {'postgres':>8} {'other':>6}  (cores)  {'gunicorn':>8} {'server':>7} (CPU ms/request)")
        for name, f in run["phases"].items():
            lat, cpu, ms = f["latency_ms"], f["cpu_cores"], f.get("cpu_ms_per_request", {})
            label = name + (" " + f["mode"].replace("open loop ", "") if f.get("service_ms") else "")
            print(f"{run['db_conn_max_age']:>15} {label:<22} "
                  f"{f['per_second']:>8} {lat['p50']:>8} {lat['p95']:>8} {lat['p99']:>8} "
                  f"{cpu['gunicorn']:>8} {cpu['postgres']:>8} {cpu['other']:>6}          "
                  f"{ms.get('gunicorn', ''):>8} {ms.get('server_side', ''):>7}")
        print(f"{'':>15} votes/s ÷ livez/s = {run['votes_per_second_over_livez']}; targets {run['targets']}")
    print(f"acknowledged {check['acknowledged']}, stored {check['stored']}, equal {check['equal']}; "
          f"Redis counters = stored totals: {check['redis_counters_equal_stored_totals']}; load average "
          f"{result['machine']['load_average_before']} → {result['machine']['load_average_after']}")


def run_config(conn_max_age: str, env: dict, items: list, args, csrf: str) -> dict:
    """Run the phases against gunicorn with DB_CONN_MAX_AGE=`conn_max_age` ("default": the settings')."""
    env = dict(env)
    if conn_max_age != "default":
        env["DB_CONN_MAX_AGE"] = conn_max_age
    # disjoint pairs for the two vote phases: the open loop needs rate × time, the closed loop the rest
    at_rate_needs = int(args.rate * (args.warmup + args.vote_seconds) * 1.02) + 100 if args.rate else 0
    closed_items, rate_items = items[:len(items) - at_rate_needs], items[len(items) - at_rate_needs:]
    url, server = serve(env, workers=args.workers, threads=args.threads)
    print(f"gunicorn {args.workers} workers × {args.threads} threads at {url}, "
          f"DB_CONN_MAX_AGE={conn_max_age}; "
          f"{args.concurrency} connections from {args.clients} processes", flush=True)
    phases = {}
    try:
        phases["livez"] = run_phase("GET /livez", "livez", url, server, [], args, args.livez_seconds, csrf)
        phases["vote"] = run_phase("vote POST", "vote", url, server, closed_items, args, args.vote_seconds,
                                   csrf)
        if args.rate:
            phases["vote_at_rate"] = run_phase(f"vote POST at {args.rate:g}/s", "vote", url, server,
                                               rate_items, args, args.vote_seconds, csrf, rate=args.rate)
    finally:
        server.terminate()
        server.wait(timeout=30)
    livez, vote = phases["livez"]["figures"], phases["vote"]["figures"]
    at_rate = phases.get("vote_at_rate", {}).get("figures")
    ratio = vote["per_second"] / livez["per_second"] if livez["per_second"] else None
    from django.conf import settings

    database = settings.DATABASES["default"]  # this process has the server's environment, less any override
    override = "DB_CONN_MAX_AGE" in env
    run = {
        "db_conn_max_age": int(env["DB_CONN_MAX_AGE"]) if override else database["CONN_MAX_AGE"],
        "db_conn_max_age_from": "DB_CONN_MAX_AGE" if override else "the settings' default",
        "db_conn_health_checks": database.get("CONN_HEALTH_CHECKS", False),
        "phases": {k: p["figures"] for k, p in phases.items()},
        "side_by_side": {
            "per_second": {"livez": livez["per_second"], "vote": vote["per_second"],
                           "vote_at_rate": at_rate and at_rate["per_second"]},
            **{q: {"livez": livez["latency_ms"][q], "vote": vote["latency_ms"][q],
                   "vote_at_rate": at_rate and at_rate["latency_ms"][q]} for q in ("p50", "p95", "p99")},
            **{f"{g}_cores": {"livez": livez["cpu_cores"][g], "vote": vote["cpu_cores"][g],
                              "vote_at_rate": at_rate and at_rate["cpu_cores"][g]}
               for g in ("gunicorn", "postgres", "redis", "load_generator", "other")},
        },
        "votes_per_second_over_livez": round(ratio, 3) if ratio is not None else None,
        "targets": {
            "votes_per_second_at_least_1000": vote["per_second"] >= 1000,
            "p99_below_100_ms_closed_loop": (vote["latency_ms"]["p99"] is not None
                                             and vote["latency_ms"]["p99"] < 100),
            "p99_below_100_ms_at_rate": (at_rate["latency_ms"]["p99"] is not None
                                         and at_rate["latency_ms"]["p99"] < 100
                                         and at_rate["not_sent_in_window"] == 0
                                         and at_rate["per_second"] >= 0.98 * args.rate) if at_rate else None,
            "at_least_half_of_livez": ratio is not None and ratio >= 0.5,
        },
    }
    return {"run": run, "acknowledged": [a for p in phases.values() for a in p["acknowledged"]],
            "unknown": [u for p in phases.values() for u in p["unknown"]]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=32, help="connections in all (every phase)")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--requests-per-connection", type=int, default=10,
                        help="keep-alive requests before a connection is closed and opened anew (0: never), "
                             "as many phones would; also spreads connections over the gunicorn workers")
    parser.add_argument("--livez-seconds", type=float, default=15)
    parser.add_argument("--vote-seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each window, not counted")
    parser.add_argument("--rate", type=float, default=1000, help="votes/s of the open-loop phase (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--conn-max-age", default="default",
                        help="DB_CONN_MAX_AGE of the server, comma-separated to run the phases once for "
                             "each (same database and voters), e.g. default,0; default: the settings' own")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU mode: CPU milliseconds per request, vote against livez (fixed request counts, "
                             "alternated; meaningful on a busy machine too); records vote_cpu-<date>.json")
    parser.add_argument("--cpu-requests", type=int, default=10_000, help="requests per phase in CPU mode")
    parser.add_argument("--cpu-rounds", type=int, default=3, help="livez + vote rounds in CPU mode")
    parser.add_argument("--quick", action="store_true", help="smoke run of a few seconds; records nothing")
    parser.add_argument("--no-record", action="store_true", help="print only, write no results file")
    args = parser.parse_args()
    if args.quick:
        args.voters, args.concurrency = min(args.voters, 3000), min(args.concurrency, 16)
        args.livez_seconds, args.vote_seconds, args.warmup, args.rate = 2, 3, 0.5, min(args.rate, 200)
        args.cpu_requests, args.cpu_rounds = min(args.cpu_requests, 2000), 1
    if args.cpu and args.cpu_requests * args.cpu_rounds * len(args.conn_max_age.split(",")) > args.voters * 5:
        parser.error("--cpu needs more --voters for this many requests")
    configs = [c.strip() for c in args.conn_max_age.split(",") if c.strip()]

    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    code = code_state()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = f"{os.environ.get('REDIS_BASE', 'redis://127.0.0.1:6379').rstrip('/')}/{args.redis_db}"
    run_id = uuid.uuid4().hex[:10]
    prefix = f"vote-load-{run_id}"
    db_url, drop_database = fresh_database(base_url, f"jinxuan_vote_load_{run_id}")
    global PG_DATABASE
    PG_DATABASE = f"jinxuan_vote_load_{run_id}"
    data_dir = Path(tempfile.mkdtemp(prefix="jinxuan-vote-load-"))
    env = {**os.environ, "DATABASE_URL": db_url, "JINXUAN_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "jinxuan.settings", "REDIS_URL": redis_url, "CACHE_KEY_PREFIX": prefix}
    env.pop("SECRET_KEY", None)  # the key in the data folder, shared by the server and this process
    env.pop("DB_CONN_MAX_AGE", None)
    os.environ.pop("DB_CONN_MAX_AGE", None)
    try:
        cli = [sys.executable, "-m", "jinxuan.cli"]
        print("迁移数据库并生成演示数据 …", flush=True)
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "demo", "--per-campaign", "14"], env=env, check=True, capture_output=True)
        os.environ.update(env)

        import django

        django.setup()
        from django.db import connections

        from jinxuan.campaigns.models import Campaign
        from jinxuan.voting import services
        from jinxuan.voting.models import Vote

        campaign = Campaign.objects.get(slug=SLUG)
        apps = list(services.entrants(campaign).values_list("pk", flat=True))
        if not services.is_open(campaign) or not apps:
            sys.exit("演示活动的公众投票未开放或没有入围案例")
        limits = services.params(campaign)
        per_voter = min(len(apps), limits.max_votes_per_day)
        print(f"创建 {args.voters} 个已验证投票人（{len(apps)} 个入围案例）…", flush=True)
        voters = make_voters(args.voters)
        items = vote_items(voters, apps, per_voter)
        random.Random(run_id).shuffle(items)
        first_voter = voters[0][0]
        counters_before = services.live_totals(campaign)
        connections.close_all()  # no connection crosses the fork into the load generators
        csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))

        runs, acknowledged, unknown = [], [], set()
        share = len(items) // len(configs)
        for k, config in enumerate(configs):
            if args.cpu:
                server_env = dict(env) if config == "default" else {**env, "DB_CONN_MAX_AGE": config}
                done = run_cpu(server_env, items[k * share:(k + 1) * share], args, csrf)
                done["run"]["db_conn_max_age"] = config
            else:
                done = run_config(config, env, items[k * share:(k + 1) * share], args, csrf)
            runs.append(done["run"])
            acknowledged += done["acknowledged"]
            unknown |= set(done["unknown"])

        # ---- acknowledged versus stored (pair by pair), counters versus rows
        stored = set(Vote.objects.filter(voter_id__gte=first_voter).values_list("voter_id", "application_id"))
        ack_set = set(acknowledged)
        stored_totals = services.stored_totals(campaign)
        live = services.live_totals(campaign)
        ack_by_app = Counter(a for _, a in acknowledged)
        check = {
            "acknowledged": len(acknowledged),
            "acknowledged_distinct": len(ack_set),
            "stored": len(stored),
            "acknowledged_not_stored": len(ack_set - stored),
            "stored_not_acknowledged": len(stored - ack_set),
            "stored_not_acknowledged_after_transport_error": len((stored - ack_set) & unknown),
            "equal": ack_set == stored and len(acknowledged) == len(ack_set),
            "redis_counters_equal_stored_totals": all(live.get(a) == stored_totals.get(a, 0) for a in apps),
            "redis_counter_increase_equals_acknowledged": all(
                live.get(a, 0) - counters_before.get(a, 0) == ack_by_app[a] for a in apps),
            "redis_counters": {str(a): live.get(a) for a in apps},
            "stored_totals": {str(a): stored_totals.get(a, 0) for a in apps},
        }
        load_after = os.getloadavg()
        result = {
            "benchmark": "vote_cpu" if args.cpu else "vote_load",
            "date": started.isoformat(timespec="seconds"),
            "command": "python bench/vote_load.py " + " ".join(sys.argv[1:]),
            "code": code,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                        "python": platform.python_version(),
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in load_after],
                        **versions(db_url, redis_url)},
            "inputs": {"voters": len(voters), "applications": len(apps), "votes_per_voter": per_voter,
                       "limits": {"max_votes_per_day": limits.max_votes_per_day,
                                  "votes_per_application_per_day": limits.votes_per_application_per_day},
                       "vote_pairs_available": len(items), "concurrency": args.concurrency,
                       "load_generator_processes": args.clients, "livez_seconds": args.livez_seconds,
                       "vote_seconds": args.vote_seconds, "warmup_seconds": args.warmup,
                       "open_loop_rate": args.rate or None, "gunicorn_workers": args.workers,
                       "threads_per_worker": args.threads,
                       "gunicorn_worker_class": "sync with --threads (gunicorn runs it as gthread)",
                       "database": "PostgreSQL (loopback)", "cache": f"Redis db {args.redis_db} (loopback)",
                       "http": "HTTP/1.1 keep-alive, one request at a time per connection",
                       "requests_per_connection": args.requests_per_connection or None, "quick": args.quick,
                       **({"cpu_requests_per_phase": args.cpu_requests, "cpu_rounds": args.cpu_rounds}
                          if args.cpu else {})},
            "runs": runs,
            "check": check,
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
        print_table(result)
        if not (args.quick or args.no_record):
            out, _ = write_result(result["benchmark"], result, sep="-")
            print(f"记录于 {out.relative_to(ROOT)}")
        if not check["equal"]:
            sys.exit("已确认与已存储的投票不一致")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        drop_database()
        clear_redis(redis_url, prefix)
        shutil.rmtree(data_dir, ignore_errors=True)

if __name__ == "__main__":
    main()
