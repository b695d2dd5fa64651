"""Every page and export, as each role allowed on it, against the national-scale dataset (bench/national.py).

    python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/national [--requests 5]
                          [--base-url http://127.0.0.1:8000] [--only manage/]

The routes are those of the permission matrix's walker (tests/security/matrix/routes.py) and the roles allowed on
each come from its rows (tests/security/matrix/rows.py), played by the generator's `nat_<role>` users; public
routes are walked as an anonymous visitor and as the organiser. Each (route, role) gets one warm-up GET (its time
and queries kept as "cold") and then N timed GETs; the queries of one request are counted with Django's
CaptureQueriesContext. Requests go through Django's test Client in this process, or, with --base-url, over HTTP to
a live server on the same database (the session cookie of a forced login; no query counts then).

Routes whose URL names an object the dataset does not hold (an attachment, an inspection record, a token) and
POST-only actions (answered 405) are listed as skipped. Targets: HTML pages p95 < 300 ms; exports < 5 s.
Figures go to bench/results/pages-<date>.json; the slowest ten are printed.

Background tasks go to the database queue, as in production (TASK_BACKEND=database; no worker runs here): an
export large enough to be built in the background (jinxuan.prepared) is timed as its reader waits for it — the
request that queues it and answers with its progress page. Its build is timed by `--build-prepared`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML_P95_MS = 300
EXPORT_S = 5
EXPORT_ENDS = (".xlsx", ".docx", ".pdf", "export.json", "/export", "commitment.<str:fmt>")
NOT_PAGES = ("logout",)  # a GET that ends the walker's own session


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("TASK_BACKEND", "database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from jinxuan.ops.startup import settle

    settle()  # as jinxuan/wsgi.py: without it, full garbage collections over the loaded project add 150-200 ms


def role_users() -> dict:
    """Matrix role → the dataset's user (None: anonymous)."""
    from jinxuan.accounts.models import User
    from tests.security.matrix import world as w

    names = {w.APPLICANT_A: "nat_applicant", w.EXPERT: "nat_expert", w.ORGANISER: "nat_organiser",
             w.GUIDANCE: "nat_guidance", w.JUDGE: "nat_judge", w.INSPECTOR: "nat_inspector"}
    out = {w.ANON: None}
    for role, username in names.items():
        out[role] = User.objects.get(username=username)
    return out


def dataset_values(users: dict) -> tuple:
    """URL parameter values naming real objects of the dataset (the walker's World.kwargs keys)."""
    from jinxuan.applicants.models import Application, ApplicationVersion, Membership
    from jinxuan.campaigns.models import Campaign
    from jinxuan.library.models import Case
    from jinxuan.review.models import Assignment
    from jinxuan.voting import services as voting
    from tests.security.matrix import world as w

    gz = Campaign.objects.get(slug="gz-dianshu-2025")
    org = Membership.objects.get(user=users[w.APPLICANT_A]).organisation
    own = Application.objects.filter(units__organisation=org).first()
    assigned = Assignment.objects.filter(expert__user=users[w.EXPERT], campaign=gz).values_list("application", flat=True)
    entrant = voting.entrants(gz).filter(pk__in=list(assigned)).first() or Application.objects.get(pk=assigned[0])
    version = ApplicationVersion.objects.filter(application=own).first()
    prepared = _prepared_file(gz, users[w.ORGANISER])
    out = {"prepared": prepared.token, "slug": gz.slug, "application": own.pk, "reviewed": entrant.pk, "organisation": org.pk,
           "case": Case.objects.filter(campaign=gz).order_by("pk").first().pk,
           "stage_key": gz.stages.get(kind="expert_review").key, "number": 1, "fmt": "docx",
           "version_id": version.pk if version else None}
    return gz, out


def _prepared_file(gz, user):
    """A built vote export of the organiser, for the pages of files built in the background."""
    from django.core.files.base import ContentFile

    from jinxuan.prepared.models import PreparedFile

    done = PreparedFile.objects.filter(campaign=gz, requested_by=user, kind="votes", params={"bench": ["1"]},
                                       state=PreparedFile.DONE).first()
    if done is None:
        done = PreparedFile.objects.create(campaign=gz, requested_by=user, kind="votes", params={"bench": ["1"]},
                                           state=PreparedFile.DONE, filename="votes.xlsx")
        done.file.save("votes.xlsx", ContentFile(b"PK bench"))
    return done


PARAM_DEFAULTS = {"pk": "application", "id": "application"}


def url_of(route, row, values: dict) -> str | None:
    """The route's URL with the dataset's objects, or None when one of its parameters names nothing we hold."""
    import re

    from tests.security.matrix.routes import fill

    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route.path)
    filled = {}
    for a, b in names:
        name = a or b
        ref = row.values.get(name, PARAM_DEFAULTS.get(name, name))
        value = values.get(ref) if isinstance(ref, str) else ref
        if value is None:
            return None
        filled[name] = value
    return fill(route, filled)


def is_export(route) -> bool:
    return route.path.rstrip("/").endswith(EXPORT_ENDS) or "export" in route.path


class Walker:
    """GETs as one role: in process (test Client, with query counts) or over HTTP (a live server)."""

    def __init__(self, user, base_url: str | None, token: str | None):
        from django.test import Client

        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.base_url, self.token = base_url, token

    def get(self, url: str, api: bool) -> tuple[int, str, int, int | None, float]:
        """(status, content type, bytes, queries, seconds) of one GET."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if api and self.token else {}
        if self.base_url:
            request = urllib.request.Request(self.base_url + url)
            if "sessionid" in self.client.cookies:
                request.add_header("Cookie", f"sessionid={self.client.cookies['sessionid'].value}")
            if headers:
                request.add_header("Authorization", headers["HTTP_AUTHORIZATION"])
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    body = response.read()
                    status, kind = response.status, response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as e:
                body, status, kind = e.read(), e.code, e.headers.get("Content-Type", "")
            return status, kind, len(body), None, time.perf_counter() - t0
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = self.client.get(url, **headers)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seconds = time.perf_counter() - t0
        return response.status_code, response.get("Content-Type", ""), len(body), len(queries), seconds


def walk(requests: int, base_url: str | None, only: str, slow_limit: float = 60, exclude=(),
         progress=print) -> dict:
    from jinxuan.accounts.models import ApiToken
    from jinxuan.voting import services as voting
    from tests.security.matrix.routes import all_routes

    users = role_users()
    gz, values = dataset_values(users)
    voting.rebuild_counters(gz)  # the vote counters from the stored votes, as a server does after a cache restart
    walkers = {role: Walker(user, base_url, ApiToken.issue(user, "pages-bench")[1] if user else None)
               for role, user in users.items()}
    measured, skipped = [], []
    routes = [r for r in all_routes() if (r.key.startswith(only) or only in r.key)
              and not any(word and word in r.key for word in exclude)]
    try:
        _walk_routes(routes, walkers, values, requests, slow_limit, measured, skipped, progress)
    except KeyboardInterrupt:  # stopped early (Ctrl-C, timeout -s INT): keep what was measured
        skipped.append({"route": "*", "why": "interrupted: the routes after the last measured one were not walked"})
    return {"measured": measured, "skipped": skipped, "values": values}


def _walk_routes(routes, walkers, values, requests, slow_limit, measured, skipped, progress) -> None:
    from django.db import connection

    from bench.support import latency_ms, percentile
    from tests.security.matrix import world as w
    from tests.security.matrix.rows import ROWS

    for route in routes:
        row = ROWS.get(route.key)
        method = route.methods[0]
        if row is None or any(word in route.key for word in NOT_PAGES) or (route.api and method != "GET"):
            skipped.append({"route": route.key, "why": "not a GET page" if row else "no row in the matrix"})
            continue
        url = url_of(route, row, values)
        if url is None:
            skipped.append({"route": route.key, "why": "names an object the dataset does not hold"})
            continue
        roles = [w.ANON, w.ORGANISER] if row.public else [r for r in walkers if r in row.allow]
        for role in roles:
            walker = walkers[role]
            status, kind, size, cold_queries, cold = walker.get(url, route.api)
            if status == 405:
                skipped.append({"route": route.key, "role": role, "why": "POST-only action (405)"})
                break
            times, counts = [], []
            for _ in range(requests if cold < slow_limit else 0):
                status, kind, size, queries, seconds = walker.get(url, route.api)
                times.append(seconds)
                counts.append(queries)
            if not times:  # too slow to repeat: the warm-up is the only sample
                times, counts = [cold], [cold_queries]
            export = is_export(route)
            p95 = percentile(times, 0.95)
            target = EXPORT_S * 1000 if export else (HTML_P95_MS if kind.startswith("text/html") else None)
            measured.append({
                "route": route.key, "url": url, "role": role, "status": status, "type": kind.split(";")[0],
                "bytes": size, "export": export, "cold_ms": round(cold * 1000, 1), "cold_queries": cold_queries,
                "queries": counts[-1], "samples": len(times), **latency_ms(times),
                "target_ms": target, "meets_target": None if target is None else p95 * 1000 < target,
            })
            progress(f"{route.key:60} {role:18} {status} p95 {p95 * 1000:8.1f} ms  {counts[-1]} queries")
            connection.queries_log.clear()


def prepared_builds(since: dt.datetime, kinds: list[str]) -> list[dict]:
    """The files the walk queued for the background: those of `kinds` built here one by one and timed, then all
    removed with their rows."""
    from jinxuan.prepared.models import PreparedFile
    from jinxuan.prepared.services import build as build_file
    from jinxuan.prepared.services import kind_of

    out = []
    for queued in PreparedFile.objects.filter(created_at__gte=since).exclude(params={"bench": ["1"]}).order_by("pk"):
        if queued.kind in kinds:
            t0 = time.monotonic()
            made = build_file(queued.pk)
            out.append({"kind": made.kind, "rows": made.total, "unit": kind_of(made.kind).unit,
                        "seconds": round(time.monotonic() - t0, 1), "state": made.state, "bytes": made.file.size
                        if made.file else 0})
            queued = made
        if queued.file:
            queued.file.delete(save=False)
        queued.delete()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    p.add_argument("--requests", type=int, default=5, help="timed GETs per route and role (after one warm-up)")
    p.add_argument("--base-url", default="", help="a live server on the same database (default: in process)")
    p.add_argument("--only", default="", help="only routes whose key starts with or contains this")
    p.add_argument("--exclude", action="append", default=[], help="leave out routes whose key contains this")
    p.add_argument("--slow-limit", type=float, default=60,
                   help="seconds: a route whose warm-up takes longer is not repeated (its one sample is recorded)")
    p.add_argument("--tag", default="", help="results file pages-<tag>-<date>.json instead of pages-<date>.json")
    p.add_argument("--note", default="", help="a note recorded with the figures (e.g. the machine's load)")
    p.add_argument("--build-prepared", action="append", default=[], metavar="KIND",
                   help="after the walk, build the files of this kind (e.g. votes) it queued for the background and "
                        "record their times (repeatable)")
    args = p.parse_args()
    setup(args.database_url)

    from bench.support import machine, write_result
    from jinxuan.applicants.models import Application
    from jinxuan.audit.models import AuditEvent
    from jinxuan.library.models import Case
    from jinxuan.review.models import Review
    from jinxuan.voting.models import Vote

    dataset = {"applications": Application.objects.count(), "score_sheets": Review.objects.count(),
               "votes": Vote.objects.count(), "audit_events": AuditEvent.objects.count(),
               "cases": Case.objects.count()}
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    t0 = time.monotonic()
    result = walk(args.requests, args.base_url.rstrip("/") or None, args.only, args.slow_limit, args.exclude)
    builds = prepared_builds(started, args.build_prepared)
    rows = result["measured"]
    slowest = sorted(rows, key=lambda r: -(r["p95"] or 0))[:10]
    misses = [r for r in rows if r["meets_target"] is False]
    out = {"date": started.isoformat(), "machine": {**machine(), "load_average_before": [round(x, 2) for x in load_before]},
           "note": args.note, "inputs": {"dataset": dataset, "requests": args.requests, "only": args.only, "exclude": args.exclude,
                                         "mode": "live server " + args.base_url if args.base_url else "in process",
                                         "database": args.database_url.rsplit("@", 1)[-1]},
           "targets": {"html_p95_ms": HTML_P95_MS, "export_s": EXPORT_S}, "wall_seconds": round(time.monotonic() - t0, 1),
           "routes": rows, "skipped": result["skipped"], "prepared_builds": builds, "slowest_ten": [f"{r['route']} × {r['role']}" for r in slowest],
           "missed_targets": [f"{r['route']} × {r['role']}: p95 {r['p95']} ms" for r in misses]}
    path, _ = write_result(f"pages-{args.tag}" if args.tag else "pages", out, sep="-")
    print(f"\n{len(rows)} route × role pairs measured, {len(result['skipped'])} skipped; dataset {dataset}")
    print(f"load average {out['machine']['load_average']} on {out['machine']['nproc']} cores\n")
    print(f"{'route':58} {'role':18} {'p50 ms':>9} {'p95 ms':>9} {'queries':>7}")
    for r in slowest:
        print(f"{r['route']:58} {r['role']:18} {r['p50']:9.1f} {r['p95']:9.1f} {r['queries'] if r['queries'] is not None else '-':>7}")
    print(f"\nmissed targets: {len(misses)}")
    for line in out["missed_targets"]:
        print("  " + line)
    for b in builds:
        print(f"built in the background: {b['kind']} of {b['rows']} {b['unit']} in {b['seconds']} s ({b['state']})")
    print(f"\n{path}")


if __name__ == "__main__":
    main()
