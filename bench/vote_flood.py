"""Benchmark: a public-vote flood through the production topology (nginx → 2 gunicorn servers, PostgreSQL, Redis).

A fresh database with the demo (gz-dianshu-2025's vote open, its finalists), the daily limit set to --daily-limit
votes per voter (the preset's 10 is more than the 5 finalists, so it could never bite), verified voters (signed
`jx_voter` cookies, as after SMS verification) and a traffic plan of --votes requests:

- honest voters: 1 to the daily limit of distinct finalists each, random (non-sequential) mobile numbers;
- over-limit traffic (--over-limit, 10 % by default): voters who, after using their daily votes, vote again for a
  finalist they voted for today (`repeat`) or for one more finalist (`daily_cap`);
- scripted fraud (--fraud, 5 %): one device cookie, a run of consecutive mobile numbers, votes in a tight loop.

Each voter's requests go in order over one keep-alive connection (raw HTTP/1.1 on asyncio, so the load generator
costs little CPU), voters interleaved over --concurrency connections. Afterwards, from the database and Redis:

- every acknowledged vote is stored (pair by pair), nothing refused is stored (a vote without an answer may be);
- every over-limit request was refused with the right message, and no voter has more than the limit stored;
- the fraud signals are run (`detect_signals`); the votes flagged `device_many_numbers` / `sequential_numbers` are
  invalidated as an organiser would (`invalidate`), with recall on the scripted votes and false flags on the rest;
- the live totals (Redis counters, read directly) equal the stored valid votes, application by application,
  before and after the invalidation.

    python bench/vote_flood.py                          # 100,000 requests (about 5 minutes on 2 busy cores)
    python bench/vote_flood.py --votes 5000 --no-record
    python bench/vote_flood.py --faults kill_app,redis,postgres   # records faults_vote_flood_<date>
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import string
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import faults as F  # noqa: E402
from bench.support import latency_ms, machine, read_response, write_result  # noqa: E402
from bench.topology import Services, classify  # noqa: E402
from bench.vote_load import voter_cookie  # noqa: E402

SLUG = "gz-dianshu-2025"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) vote-flood"
FRAUD_CODES = {"device_many_numbers", "sequential_numbers"}


# ------------------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Request:
    voter: int  # index into the plan's voters
    app: int
    expect: str  # "valid", "repeat" (same finalist today), "daily_cap" (beyond the daily limit)
    group: str  # "honest", "over", "fraud"


def plan(total: int, apps: list[int], limit: int, over: float = 0.10, fraud: float = 0.05,
         seed: int = 1) -> tuple[list[str], list[list[Request]]]:
    """Voter groups and each voter's requests in order: exactly round(total × over) over-limit requests, about
    total × fraud scripted ones, the rest honest; a voter's valid votes always come before its over-limit ones."""
    if limit >= len(apps):
        raise ValueError("每日票数上限须小于入围案例数，否则超限请求无从产生")
    rnd = random.Random(seed)
    n_over, n_fraud = round(total * over), round(total * fraud)
    groups: list[str] = []
    sequences: list[list[Request]] = []

    def voter(group: str) -> int:
        groups.append(group)
        sequences.append([])
        return len(groups) - 1

    over_left = n_over
    while over_left > 0:  # each over-limit voter: the limit's valid votes, then 1–3 refused attempts
        v = voter("over")
        chosen = rnd.sample(apps, limit)
        sequences[v] += [Request(v, a, "valid", "over") for a in chosen]
        for _ in range(min(over_left, rnd.randint(1, 3))):
            if rnd.random() < 0.5:
                sequences[v].append(Request(v, rnd.choice(chosen), "repeat", "over"))
            else:
                sequences[v].append(Request(v, rnd.choice([a for a in apps if a not in chosen]), "daily_cap", "over"))
            over_left -= 1
    used = sum(len(s) for s in sequences)
    fraud_left = n_fraud
    while fraud_left > 0:
        v = voter("fraud")
        k = min(fraud_left, rnd.randint(1, limit))
        sequences[v] += [Request(v, a, "valid", "fraud") for a in rnd.sample(apps, k)]
        fraud_left -= k
    honest_left = total - used - n_fraud
    while honest_left > 0:
        v = voter("honest")
        k = min(honest_left, rnd.randint(1, limit))
        sequences[v] += [Request(v, a, "valid", "honest") for a in rnd.sample(apps, k)]
        honest_left -= k
    return groups, sequences


def lanes(groups: list[str], sequences: list[list[Request]], count: int, seed: int = 2) -> list[list[Request]]:
    """Split the voters over `count` connections; the scripted voters share one lane (one machine, one loop).
    Within a lane the voters' requests are interleaved round by round, each voter's in its own order."""
    rnd = random.Random(seed)
    people = [v for v, g in enumerate(groups) if g != "fraud"]
    rnd.shuffle(people)
    buckets: list[list[int]] = [[] for _ in range(count)]
    for i, v in enumerate(people):
        buckets[i % count].append(v)
    buckets[0] = [v for v, g in enumerate(groups) if g == "fraud"] + buckets[0]
    out = []
    for bucket in buckets:
        lane, depth = [], max((len(sequences[v]) for v in bucket), default=0)
        for r in range(depth):
            lane += [sequences[v][r] for v in bucket if r < len(sequences[v])]
        out.append(lane)
    return out


# ------------------------------------------------------------------------------------------------ the client


def judge(status: int, headers: dict, body: bytes) -> tuple[str, str]:
    """(outcome, seen): outcome `acknowledged`, `refused`, or the kind of failure; seen is `ok` for an answer the
    vote path meant (acknowledged or refused with a message), else what the user saw (bench.topology.classify)."""
    if status == 302 and headers.get("message"):
        level, text = headers["message"]
        return ("acknowledged" if level == 25 else "refused"), "ok"
    if status == 302:
        return f"302 to {headers.get('location', '')[:60]}", "not_chinese"
    return f"status {status}", classify(status, body, headers.get("type", ""))


class Flood:
    def __init__(self, host: str, port: int, csrf: str, cookies: list[str], devices: list[str], app_ids: list[int]):
        self.host, self.port, self.csrf, self.cookies, self.devices = host, port, csrf, cookies, devices
        self.body = urllib.parse.urlencode({"confirmed": "1", "csrfmiddlewaretoken": csrf}).encode()
        self.records: list[dict] = []

    def render(self, r: Request) -> bytes:
        detail = f"/vote/{SLUG}/{r.app}/"
        return (f"POST {detail}confirm/ HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUser-Agent: {USER_AGENT}\r\n"
                f"Referer: http://{self.host}:{self.port}{detail}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(self.body)}\r\n"
                f"Cookie: jx_voter={self.cookies[r.voter]}; jx_device={self.devices[r.voter]}; "
                f"csrftoken={self.csrf}\r\n\r\n").encode() + self.body

    async def lane(self, requests: list[Request], deadline: float) -> None:
        conn = None
        for r in requests:
            if time.monotonic() > deadline:
                self.records.append({"req": r, "start": time.monotonic(), "end": None, "status": "not sent",
                                     "outcome": "not sent (time bound)", "seen": "not_sent", "text": ""})
                continue
            start = time.monotonic()
            sent = False
            try:
                if conn is None:
                    conn = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 10)
                reader, writer = conn
                writer.write(self.render(r))
                sent = True
                status, headers, body = await asyncio.wait_for(read_response(reader), 130)
                outcome, seen = judge(status, headers, body)
                text = headers["message"][1] if headers.get("message") else body.decode("utf-8", "replace")[:300]
                if headers.get("close"):
                    writer.close()
                    conn = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as exc:
                status, outcome, seen, text = type(exc).__name__, ("no answer" if sent else "not connected"), \
                    "no_answer", ""
                if conn:
                    conn[1].close()
                conn = None
                await asyncio.sleep(0.2)  # the server is away: a phone would not hammer it either
            self.records.append({"req": r, "start": start, "end": time.monotonic(), "status": status,
                                 "outcome": outcome, "seen": seen, "text": text})
        if conn:
            conn[1].close()

    async def run(self, lanes_: list[list[Request]], max_seconds: float) -> None:
        deadline = time.monotonic() + max_seconds
        await asyncio.gather(*(self.lane(lane, deadline) for lane in lanes_))


# ------------------------------------------------------------------------------------------------ set-up


def phones(count_random: int, count_sequential: int, taken: set[str], seed: int = 3) -> tuple[list[str], list[str]]:
    rnd = random.Random(seed)
    spread: set[str] = set()
    while len(spread) < count_random:
        p = f"13{rnd.randint(5, 9)}{rnd.randint(0, 99_999_999):08d}"
        if p not in taken:
            spread.add(p)
    start = 18_800_000_000 + rnd.randint(0, 9_000_000)
    run = [str(start + i) for i in range(count_sequential)]
    return sorted(spread), run


def make_voters(groups: list[str]) -> tuple[list[int], list[str], list[str]]:
    """One verified Voter per planned voter: (pk, signed cookie, device cookie) lists, in plan order."""
    from django.utils import timezone

    from jinxuan.voting.models import Voter

    taken = set(Voter.objects.values_list("phone", flat=True))
    n_fraud = groups.count("fraud")
    spread, run = phones(len(groups) - n_fraud, n_fraud, taken)
    it_spread, it_run = iter(spread), iter(run)
    numbers = [next(it_run) if g == "fraud" else next(it_spread) for g in groups]
    now = timezone.now()
    Voter.objects.bulk_create([Voter(phone=p, verified_at=now) for p in numbers], batch_size=5000)
    pk_of = dict(Voter.objects.filter(phone__in=numbers).values_list("phone", "pk"))
    pks = [pk_of[p] for p in numbers]
    cookies = [voter_cookie(pk) for pk in pks]
    bot = "bot" + "".join(random.choices(string.hexdigits.lower(), k=21))
    devices = [bot if g == "fraud" else f"dev{pk:021x}" for g, pk in zip(groups, pks, strict=True)]
    return pks, cookies, devices


def set_daily_limit(campaign, limit: int) -> None:
    from jinxuan.voting import services

    stage = services.vote_stage(campaign)
    stage.params = {**stage.params, "max_votes_per_day": limit}
    stage.save(update_fields=["params"])
    services.forget_snapshot(campaign)


# ------------------------------------------------------------------------------------------------ checks


def check(records: list[dict], groups: list[str], pks: list[int], campaign, limit: int, over_text: str,
          repeat_text: str) -> dict:
    from django.db import connections

    from jinxuan.voting import services
    from jinxuan.voting.counters import counters
    from jinxuan.voting.models import Vote

    connections.close_all()  # the database may have restarted under this process
    voter_of = {pk: i for i, pk in enumerate(pks)}
    stored = set()
    per_voter = Counter()
    for voter_id, app_id in Vote.objects.filter(campaign=campaign, voter_id__in=pks).values_list("voter_id",
                                                                                                 "application_id"):
        stored.add((voter_of[voter_id], app_id))
        per_voter[voter_of[voter_id]] += 1
    acked = {(r["req"].voter, r["req"].app) for r in records if r["outcome"] == "acknowledged"}
    unknown = {(r["req"].voter, r["req"].app) for r in records if r["outcome"] == "no answer"}
    refused = [r for r in records if r["outcome"] == "refused"]
    over = [r for r in records if r["req"].expect != "valid"]
    over_acked = [r for r in over if r["outcome"] == "acknowledged"]
    explained = explained_over_limit(records, limit)
    wrong_message = [r for r in over if r["outcome"] == "refused" and
                     r["text"] != (repeat_text if r["req"].expect == "repeat" else over_text)]
    apps = sorted({r["req"].app for r in records})
    key = services._key
    live_raw = counters().get_many([key("total", campaign.pk, a) for a in apps])
    live = {a: live_raw.get(key("total", campaign.pk, a)) for a in apps}
    totals = services.stored_totals(campaign)
    return {
        "requests": len(records),
        "acknowledged": len(acked), "stored": len(stored),
        "acknowledged_not_stored (lost)": len(acked - stored),
        "stored_not_acknowledged": len(stored - acked),
        "stored_not_acknowledged_without_answer": len((stored - acked) & unknown),
        "stored_although_refused": len({(r["req"].voter, r["req"].app) for r in refused
                                        if r["req"].expect == "daily_cap"} & stored),
        "over_limit_requests": len(over),
        "over_limit_by_kind": dict(Counter(r["req"].expect for r in over)),
        "over_limit_outcomes": dict(Counter(r["outcome"] for r in over).most_common()),
        "over_limit_acknowledged": len(over_acked),
        "over_limit_acknowledged_after_an_earlier_failure": sum(1 for r in over_acked if id(r) in explained),
        "over_limit_refused_with_other_message": len(wrong_message),
        "voters_over_the_limit_stored": sum(1 for n in per_voter.values() if n > limit),
        "valid_requests_refused": sum(1 for r in records if r["req"].expect == "valid" and r["outcome"] == "refused"),
        "live_totals_before_fraud_review": live,
        "stored_valid_totals_before_fraud_review": {a: totals.get(a, 0) for a in apps},
        "live_equal_stored_before_fraud_review": all(live[a] == totals.get(a, 0) for a in apps),
    }


def explained_over_limit(records: list[dict], limit: int) -> set[int]:
    """ids of the acknowledged over-limit records that were in fact within the limit when sent, because an earlier
    vote of the same voter had failed (an error, no answer): a `repeat` whose first vote for that finalist was never
    acknowledged, either sent while fewer than `limit` of the voter's votes had been acknowledged. Records are
    in each voter's order (one voter, one connection)."""
    acked_pairs: set[tuple[int, int]] = set()
    acked_count: Counter = Counter()
    out = set()
    for r in records:
        req = r["req"]
        if r["outcome"] == "acknowledged":
            within = acked_count[req.voter] < limit
            if req.expect == "repeat" and within and (req.voter, req.app) not in acked_pairs:
                out.add(id(r))
            elif req.expect == "daily_cap" and within:
                out.add(id(r))
            acked_pairs.add((req.voter, req.app))
            acked_count[req.voter] += 1
    return out


def fraud_review(campaign, groups: list[str], pks: list[int]) -> dict:
    """detect_signals over every vote, then invalidate those carrying a fraud code (an organiser's decision)."""
    from jinxuan.voting import services
    from jinxuan.voting.models import Vote

    start = time.monotonic()
    summary = services.detect_signals(campaign)
    detect_s = time.monotonic() - start
    group_of = {pk: groups[i] for i, pk in enumerate(pks)}
    flagged, fraud_votes, honest_flagged = [], 0, 0
    for vote in Vote.objects.filter(campaign=campaign, voter_id__in=pks).only("pk", "voter_id", "signals", "valid"):
        codes = {s["code"] for s in vote.signals}
        is_fraud = group_of[vote.voter_id] == "fraud"
        fraud_votes += is_fraud
        if codes & FRAUD_CODES:
            flagged.append((vote, is_fraud))
            honest_flagged += not is_fraud
    start = time.monotonic()
    for vote, _ in flagged:
        if vote.valid:
            services.invalidate(vote, "基准测试：同一设备、连号手机号的脚本刷票，经核查作废")
    invalidate_s = time.monotonic() - start
    caught = sum(1 for _, f in flagged if f)
    ips = list(Vote.objects.filter(campaign=campaign, voter_id__in=pks).values_list("ip", flat=True).distinct()[:5])
    return {"signals": summary, "detect_seconds": round(detect_s, 2), "scripted_votes_stored": fraud_votes,
            "flagged_with_fraud_codes": len(flagged), "scripted_votes_flagged": caught,
            "recall": round(caught / fraud_votes, 4) if fraud_votes else None,
            "other_votes_flagged": honest_flagged, "invalidated": len(flagged),
            "invalidate_seconds": round(invalidate_s, 2), "distinct_ips_stored (first 5)": ips}


def totals_after(campaign, apps: list[int]) -> dict:
    from jinxuan.voting import services
    from jinxuan.voting.counters import counters

    key = services._key
    raw = counters().get_many([key("total", campaign.pk, a) for a in apps])
    live = {a: raw.get(key("total", campaign.pk, a)) for a in apps}
    stored = services.stored_totals(campaign)
    out = {"live": live, "stored_valid": {a: stored.get(a, 0) for a in apps},
           "equal": all(live[a] == stored.get(a, 0) for a in apps)}
    if not out["equal"]:  # what an operator would run: `rebuild_counters`
        services.rebuild_counters(campaign)
        raw = counters().get_many([key("total", campaign.pk, a) for a in apps])
        out["after_rebuild_counters_equal"] = all(raw.get(key("total", campaign.pk, a)) == stored.get(a, 0)
                                                  for a in apps)
    return out


def summarise(records: list[dict], wall: float) -> dict:
    answered = [r for r in records if r["end"] is not None and isinstance(r["status"], int)]
    good = [r for r in answered if r["seen"] == "ok"]
    return {"wall_seconds": round(wall, 2), "requests": len(records),
            "answered_per_second": round(len(answered) / wall, 1) if wall else None,
            "acknowledged_per_second": round(sum(1 for r in records if r["outcome"] == "acknowledged") / wall, 1)
            if wall else None,
            "latency_ms": latency_ms([r["end"] - r["start"] for r in good]),
            "outcomes": dict(Counter(r["outcome"] for r in records).most_common()),
            "errors_by_kind": dict(Counter(f"{r['status']} {r['seen']}" for r in records if r["seen"] != "ok")
                                   .most_common()),
            "refusal_messages": dict(Counter(r["text"] for r in records if r["outcome"] == "refused").most_common())}


def markdown(result: dict) -> str:
    c, s, inp, fr, after = result["check"], result["figures"], result["inputs"], result["fraud"], result["totals"]
    lat = s["latency_ms"]
    lines = [f"# {result['title']} — {result['date']}", "",
             f"`{result['command']}`; machine: {result['machine']['nproc']} cores, {result['machine']['memory_gib']} "
             f"GiB, load average before {result['machine']['load_average']} (shared with other work).", "",
             f"Inputs: {inp['votes']} vote requests ({inp['over_limit_fraction']:.0%} over the limit, "
             f"{inp['fraud_fraction']:.0%} scripted fraud), {inp['voters']} verified voters, {inp['finalists']} "
             f"finalists, daily limit {inp['daily_limit']}, {inp['concurrency']} keep-alive connections through nginx "
             f"→ {inp['app_servers']} gunicorn servers × {inp['workers']} workers × {inp['threads']} threads.", "",
             "| figure | value |", "|---|---|",
             f"| wall time | {s['wall_seconds']} s |",
             f"| answers per second (acknowledged + refused) | {s['answered_per_second']} |",
             f"| acknowledged votes per second | {s['acknowledged_per_second']} |",
             f"| latency p50 / p95 / p99 | {lat['p50']} / {lat['p95']} / {lat['p99']} ms |",
             f"| outcomes | {s['outcomes']} |",
             f"| errors by kind | {s['errors_by_kind'] or 'none'} |",
             f"| acknowledged / stored | {c['acknowledged']} / {c['stored']} |",
             f"| lost (acknowledged, not stored) | {c['acknowledged_not_stored (lost)']} |",
             f"| over-limit requests / acknowledged | {c['over_limit_requests']} / {c['over_limit_acknowledged']} "
             f"({c['over_limit_acknowledged_after_an_earlier_failure']} after an earlier failed vote) |",
             f"| voters with more than the limit stored | {c['voters_over_the_limit_stored']} |",
             f"| live totals = stored valid votes (before / after the fraud review) | "
             f"{c['live_equal_stored_before_fraud_review']} / {after['equal']} |",
             f"| scripted votes flagged (recall) / other votes flagged | {fr['scripted_votes_flagged']} / "
             f"{fr['scripted_votes_stored']} ({fr['recall']}) / {fr['other_votes_flagged']} |",
             f"| fraud signals over all votes | {fr['signals']} |"]
    lines += F.markdown_table(result)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--over-limit", type=float, default=0.10)
    parser.add_argument("--fraud", type=float, default=0.05)
    parser.add_argument("--daily-limit", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=900, help="requests not sent by then are counted so")
    parser.add_argument("--faults", default="", help=f"comma-separated, of {','.join(F.KINDS)}")
    parser.add_argument("--fault-window", type=float, default=60)
    parser.add_argument("--outage", type=float, default=5.0)
    parser.add_argument("--label", default="")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    kinds = [k for k in args.faults.split(",") if k]
    faults = F.schedule(kinds, args.fault_window, args.outage)

    services = Services("vote-flood", upload_mb=64)
    started = dt.datetime.now(dt.UTC)
    before = machine()
    prefix = f"flood{os.getpid()}"
    try:
        print("启动私有 PostgreSQL、Redis …", flush=True)
        services.start_backends()
        os.environ.update(services.django_env(prefix))
        os.environ.pop("SECRET_KEY", None)
        cli = [sys.executable, "-m", "jinxuan.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=os.environ, check=True)
        print("生成演示数据 …", flush=True)
        subprocess.run([*cli, "demo", "--per-campaign", "14"], env=os.environ, check=True, capture_output=True)
        import django

        django.setup()
        from django.db import connections

        from jinxuan.campaigns.models import Campaign
        from jinxuan.voting import services as votes

        campaign = Campaign.objects.get(slug=SLUG)
        apps = sorted(votes.entrants(campaign).values_list("pk", flat=True))
        if not votes.is_open(campaign) or not apps:
            sys.exit("演示活动的公众投票未开放或没有入围案例")
        set_daily_limit(campaign, args.daily_limit)
        over_text, repeat_text = votes._over_limit(votes.params(campaign)), votes.REPEAT
        groups, sequences = plan(args.votes, apps, args.daily_limit, args.over_limit, args.fraud)
        print(f"创建 {len(groups)} 个已验证投票人，{args.votes} 个投票请求 …", flush=True)
        pks, cookies, devices = make_voters(groups)
        votes.rebuild_counters(campaign)
        connections.close_all()
        topo = services.start_topology(args.servers, args.workers, args.threads, prefix)
        csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        flood = Flood("127.0.0.1", topo.port, csrf, cookies, devices, apps)
        print(f"投票洪峰：{args.concurrency} 个连接 → {topo.url}", flush=True)
        t0 = time.monotonic() + 0.2
        runner = F.FaultRunner(services, faults, t0) if faults else None
        if runner:
            runner.start()
        asyncio.run(flood.run(lanes(groups, sequences, args.concurrency), args.max_seconds))
        wall = max(r["end"] or r["start"] for r in flood.records) - t0
        if runner:
            runner.join(timeout=300)
            topo.wait_ready(120)
        figures = summarise(flood.records, wall)
        verdict = check(flood.records, groups, pks, campaign, args.daily_limit, over_text, repeat_text)
        fraud = fraud_review(campaign, groups, pks)
        after = totals_after(campaign, apps)
        import redis

        result = {
            "benchmark": "faults_vote_flood" if args.label == "faults" else "vote_flood",
            "title": "投票洪峰" + ("（故障注入）" if faults else ""),
            "date": started.isoformat(timespec="seconds"),
            "command": "python bench/vote_flood.py " + " ".join(sys.argv[1:]),
            "machine": before, "machine_after": machine(),
            "versions": {"postgresql": services.pg.version(),
                         "redis": redis.Redis.from_url(services.redis.url()).info()["redis_version"]},
            "inputs": {"votes": args.votes, "voters": len(groups), "voters_by_group": dict(Counter(groups)),
                       "over_limit_fraction": args.over_limit, "fraud_fraction": args.fraud,
                       "finalists": len(apps), "daily_limit": args.daily_limit, "concurrency": args.concurrency,
                       "app_servers": args.servers, "workers": args.workers, "threads": args.threads,
                       "client": "raw HTTP/1.1 keep-alive on asyncio, one process",
                       "path": "nginx → gunicorn (deploy/start.sh)", "faults": kinds, "outage_s": args.outage},
            "figures": figures, "check": verdict, "fraud": fraud, "totals": after,
        }
        records = [{"start": r["start"], "status": r["status"], "seen": r["seen"], "text": r["text"]}
                   for r in flood.records]
        if runner:
            result["faults"] = runner.report()
            result["fault_windows"] = F.window_report(faults, records)
            result["fault_runner_error"] = runner.error
        print(json.dumps({k: result[k] for k in ("figures", "check", "fraud", "totals")}, ensure_ascii=False,
                         indent=2, default=str))
        md = markdown(result)
        print(md)
        if not args.no_record:
            paths = write_result(result["benchmark"], json.loads(json.dumps(result, default=str)), md)
            print("记录于", ", ".join(str(p.relative_to(ROOT)) for p in paths))
        ok = (verdict["acknowledged_not_stored (lost)"] == 0 and verdict["voters_over_the_limit_stored"] == 0
              and verdict["over_limit_acknowledged"] == verdict["over_limit_acknowledged_after_an_earlier_failure"]
              and (after["equal"] or after.get("after_rebuild_counters_equal")))
        if not ok:
            sys.exit("投票核对未通过：见上方 check / totals")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        services.close()


if __name__ == "__main__":
    main()
