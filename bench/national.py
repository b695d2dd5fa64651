"""One campaign at national scale on PostgreSQL, for the page benchmark (bench/pages.py).

    python bench/national.py --database-url postgres://postgres@127.0.0.1:5432/national [--scale 0.1] [--force]

At --scale 1.0: 3,000 applications with answers filled by the demo fakers (jinxuan/demo), each with its lead unit
and a submitted version; 150 experts in the pool; 15,000 score sheets (5 per application); 300,000 public votes of
100,000 voters; a year of audit events (a valid hash chain); a library of 10,000 cases (searchable). Also one user
of every role the benchmark walks as (organiser, guidance, formal reviewer, judge, inspector, applicant, expert),
named `nat_<role>`, password `jinxuan-demo-2025`. Rows are written with bulk_create, votes and audit events with
COPY. The database is migrated first; one that already holds applications or users is refused unless --force.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = {"applications": 3000, "experts": 150, "sheets_per_app": 5, "votes": 300_000, "voters": 100_000,
        "audit_events": 200_000, "cases": 10_000}
PASSWORD = "jinxuan-demo-2025"
ROLES = ("organiser", "guidance", "reviewer", "judge", "inspector", "applicant", "expert")


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sizes(scale: float) -> dict:
    out = {k: max(1, round(v * scale)) for k, v in FULL.items() if k != "sheets_per_app"}
    out["experts"] = max(out["experts"], 10)
    out["sheets_per_app"] = FULL["sheets_per_app"]
    return out


def holds_data() -> bool:
    from jinxuan.accounts.models import User
    from jinxuan.applicants.models import Application

    return Application.objects.exists() or User.objects.exists()


def _users(campaign):
    from jinxuan.accounts.models import Role, RoleAssignment, User
    from jinxuan.demo.population import _demo_password_hash

    roles = {"organiser": Role.ORGANISER, "guidance": Role.GUIDANCE, "reviewer": Role.FORMAL_REVIEWER,
             "judge": Role.ROADSHOW_JUDGE, "inspector": Role.INSPECTOR}
    shown = {"organiser": "组织方", "guidance": "指导单位", "reviewer": "形式审核员", "judge": "路演评委",
             "inspector": "考察人员", "applicant": "申报人", "expert": "专家"}
    users = {}
    for name in ROLES:
        users[name] = User.objects.create(username=f"nat_{name}", email=f"nat_{name}@example.cn",
                                          display_name=f"全国规模{shown[name]}", password=_demo_password_hash())
        if name in roles:
            RoleAssignment.objects.create(user=users[name], role=roles[name], campaign=campaign)
    return users


def _applications(campaign, users, n: int, rng: random.Random, progress) -> list:
    from jinxuan.applicants.models import (
        Application,
        ApplicationUnit,
        ApplicationVersion,
        Membership,
        Organisation,
    )
    from jinxuan.applicants.services import content_hash
    from jinxuan.applicants.states import State
    from jinxuan.demo.answers import AnswerFaker
    from jinxuan.demo.population import CITY_REGION, ORG_KINDS, UNIT_TYPE, credit_code
    from jinxuan.demo.text import TextFaker

    faker = TextFaker(2025)
    tracks = list(campaign.tracks.order_by("position"))
    codes, orgs = set(), []
    for i in range(n):
        city = rng.choice(list(CITY_REGION))
        code = credit_code(rng, city)
        while code in codes:
            code = credit_code(rng, city)
        codes.add(code)
        kind = ORG_KINDS[i % len(ORG_KINDS)]
        orgs.append(Organisation(name=f"{faker.org_name(kind)}（{i}）", credit_code=code, unit_type=UNIT_TYPE[kind],
                                 registered_region=CITY_REGION[city], office_region=CITY_REGION[city]))
    orgs = Organisation.objects.bulk_create(orgs, batch_size=1000)
    Membership.objects.create(user=users["applicant"], organisation=orgs[0], is_admin=True)
    # states of a campaign past formal review: most accepted, some drafts, corrections and rejections
    weights = [(State.ACCEPTED, 80), (State.DRAFT, 6), (State.SUBMITTED, 4), (State.NEEDS_CORRECTION, 4),
               (State.REJECTED, 6)]
    states, w = zip(*weights, strict=True)
    apps, units, t0 = [], [], time.monotonic()
    now = dt.datetime.now(dt.UTC)
    for i, org in enumerate(orgs):
        track = tracks[i % len(tracks)]
        topic = faker.topic()
        title = faker.case_title(max_chars=20, topic=topic)
        filler = AnswerFaker(faker, campaign.spec, track.key, [org.credit_code], topic)
        state = State.ACCEPTED if i == 0 else rng.choices(states, w)[0]
        apps.append(Application(campaign=campaign, track=track, title=f"{title}（{i}）", answers=filler.application(title),
                                state=state, created_by=users["applicant"] if i == 0 else None,
                                submitted_at=None if state == State.DRAFT else now - dt.timedelta(days=rng.uniform(40, 60)),
                                district_recommended=i % 9 == 4))
        units.append(filler.unit(org.name, org.credit_code))
        if i % 500 == 499:
            progress(f"answers {i + 1}/{n} ({time.monotonic() - t0:.0f} s)")
    apps = Application.objects.bulk_create(apps, batch_size=500)
    ApplicationUnit.objects.bulk_create([ApplicationUnit(application=a, organisation=o, is_lead=True, position=0,
                                                         answers=u) for a, o, u in zip(apps, orgs, units, strict=True)],
                                        batch_size=500)
    versions = []
    for a, o, u in zip(apps, orgs, units, strict=True):
        if a.state == State.DRAFT:
            continue
        # the shape applicants.services.content_of gives: answers, title, track and the units in order
        content = {"title": a.title, "track": a.track.key, "answers": a.answers,
                   "units": [{"credit_code": o.credit_code, "is_lead": True, "answers": u}], "attachments": []}
        versions.append(ApplicationVersion(application=a, number=1, content=content, content_hash=content_hash(content),
                                           submitted_at=a.submitted_at))
    ApplicationVersion.objects.bulk_create(versions, batch_size=500)
    return apps


def _experts(campaign, users, n: int, rng: random.Random) -> list:
    from jinxuan.review import services

    choices = services.tag_choices(campaign)
    from jinxuan.accounts.models import User
    from jinxuan.demo.population import _demo_password_hash

    # experts seated directly on their accounts (an invitation would wait for its acceptance)
    seat = functools.partial(services.seat_expert, campaign, load=200, actor=users["organiser"])
    out = [seat(users["expert"], name="全国规模专家", title="研究员", employer_name="金融科技研究院",
                tags=rng.sample(choices, min(4, len(choices)))).expert]
    for i in range(1, n):
        user = User.objects.create(username=f"nat_expert{i}", email=f"nat_expert{i}@example.cn",
                                   display_name=f"专家{i:03d}", password=_demo_password_hash())
        out.append(seat(user, name=f"专家{i:03d}", title=rng.choice(["教授", "研究员", "高级工程师", "合伙人"]),
                        employer_name=f"某研究院第{i}研究室", tags=rng.sample(choices, min(4, len(choices)))).expert)
    return out


def _reviews(campaign, apps, experts, per_app: int, rng: random.Random) -> int:
    """per_app assignments of every accepted application, each with a submitted score sheet."""
    from jinxuan.applicants.states import State
    from jinxuan.review.models import Assignment, Review
    from jinxuan.review.rubric import input_name, read_sheet

    rubric = campaign.spec.rubric
    accepted = [a for a in apps if a.state == State.ACCEPTED]
    assignments = []
    for k, app in enumerate(accepted):
        chosen = [experts[0]] if k < 20 else []  # the benchmark's expert has a list of 20
        chosen += rng.sample([e for e in experts[1:]], per_app - len(chosen))
        assignments += [Assignment(campaign=campaign, expert=e, application=app, affinity=rng.uniform(0.2, 0.9))
                        for e in chosen]
    assignments = Assignment.objects.bulk_create(assignments, batch_size=2000)
    harsh = {e.pk: rng.uniform(-10, 10) for e in experts}
    quality = {a.pk: rng.uniform(60, 90) for a in accepted}
    now = dt.datetime.now(dt.UTC)
    reviews = []
    for a in assignments:
        data = {}
        for c in rubric.criteria:
            for name in [input_name(c.key, s.key) for s in c.sub_items] or [input_name(c.key)]:
                value = quality[a.application_id] + harsh[a.expert_id] + rng.uniform(-4, 4)
                data[name] = f"{max(0.0, min(float(c.max_score), value)):.1f}"
        sheet = read_sheet(rubric, data)
        reviews.append(Review(assignment=a, scores=sheet.scores, comments=sheet.comments, total=sheet.total,
                              state=Review.SUBMITTED, submitted_at=now - dt.timedelta(days=rng.uniform(10, 30))))
    Review.objects.bulk_create(reviews, batch_size=2000)
    return len(reviews)


def _expert_review_result(campaign, apps) -> list:
    """A final expert-review result: the best tenth (at least 30) advance to the public vote."""
    from django.db.models import Avg

    from jinxuan.applicants.models import Application
    from jinxuan.applicants.states import State
    from jinxuan.pipeline.models import StageRun
    from jinxuan.review.models import Review

    stage_key = campaign.stages.get(kind="expert_review").key
    means = dict(Review.objects.filter(assignment__campaign=campaign).values_list("assignment__application")
                 .annotate(m=Avg("total")).values_list("assignment__application", "m"))
    ranked = sorted(means, key=lambda pk: -means[pk])
    keep = max(30, len(ranked) // 10)
    entries = [{"application_id": pk, "rank": i, "score": f"{means[pk]:.2f}", "advanced": i <= keep, "reason": "",
                "detail": {}} for i, pk in enumerate(ranked, 1)]
    StageRun.objects.create(campaign=campaign, stage_key=stage_key, kind="expert_review", inputs_digest="n" * 64,
                            is_final=True, result={"entries": entries})
    Application.objects.filter(pk__in=ranked[:keep]).update(state=State.IN_STAGE, current_stage=stage_key)
    return ranked[:keep]


def _copy(model, columns: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.copy(
            f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _votes(campaign, entrants: list, votes: int, voters: int, rng: random.Random) -> None:
    from django.db import connection

    from jinxuan.voting import services
    from jinxuan.voting.models import Vote, Voter

    now = dt.datetime.now(dt.UTC)
    services.set_window(campaign, now - dt.timedelta(days=9), now + dt.timedelta(days=5))
    phones = rng.sample(range(10**9), voters)
    _copy(Voter, ["phone", "verified_at", "created_at"], ((f"13{p:09d}", now, now) for p in phones))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM voting_voter")
        first = cursor.fetchone()[0]
    weights = [rng.paretovariate(1.2) for _ in entrants]
    days = [(now - dt.timedelta(days=d)).date() for d in range(9)]
    seen, rows = set(), []
    while len(rows) < votes:
        voter, app, day = first + rng.randrange(voters), rng.choices(entrants, weights)[0], rng.randrange(9)
        if (voter, app, day) in seen:
            continue
        seen.add((voter, app, day))
        at = dt.datetime.combine(days[day], dt.time(rng.randrange(24), rng.randrange(60)), dt.UTC)
        rows.append((campaign.pk, app, voter, days[day], at, f"{rng.randint(1, 223)}.{rng.randint(0, 255)}."
                     f"{rng.randint(0, 255)}.{rng.randint(1, 254)}", f"d{voter}", "Mozilla/5.0 (iPhone)", True, "", "[]"))
    _copy(Vote, ["campaign_id", "application_id", "voter_id", "day", "created_at", "ip", "device", "user_agent",
                 "valid", "invalid_reason", "signals"], rows)
    services.rebuild_counters(campaign)


ACTIONS = [("application.state_changed", "applicants.application"), ("review.submitted", "applicants.application"),
           ("review.assigned", "applicants.application"), ("campaign.preset_loaded", "campaigns.campaign"),
           ("vote.invalidated", "voting.vote"), ("account.login", "accounts.user")]


def _audit(campaign, users, apps, count: int, rng: random.Random) -> None:
    """A year of events, one hash chain continuing the one already written (the generator's own events)."""
    from jinxuan.audit import chain
    from jinxuan.audit.models import AuditEvent, AuditHead

    head = AuditHead.objects.get(pk=1)
    seq, prev = head.seq, head.hash
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / count
    actors = [users["organiser"], users["reviewer"], users["guidance"]]
    rows = []
    for i in range(count):
        action, object_type = ACTIONS[i % len(ACTIONS)]
        actor = actors[i % len(actors)]
        event = AuditEvent(seq=seq + 1, at=start + step * i, actor_id=actor.pk, actor_label=str(actor)[:150],
                           ip=f"10.0.{i % 250}.{i % 200 + 1}", campaign_id=campaign.pk, object_type=object_type,
                           object_id=str(rng.choice(apps).pk), action=action, reason=f"第{i}次操作的说明",
                           before={"state": "submitted"}, after={"state": "accepted"}, prev_hash=prev)
        event.hash = chain.digest(event.as_chain_dict(), prev)
        seq, prev = event.seq, event.hash
        rows.append((event.seq, event.at, event.actor_id, event.actor_label, None, event.ip, campaign.pk, object_type,
                     event.object_id, action, event.reason, json.dumps(event.before), json.dumps(event.after),
                     event.prev_hash, event.hash))
    # the generator's own events (pool, window) were written "now": renumber the year before them is not possible
    # with a chain, so the year follows them in sequence; pages order by seq and filter by time alike
    _copy(AuditEvent, ["seq", "at", "actor_id", "actor_label", "true_actor_id", "ip", "campaign_id", "object_type",
                       "object_id", "action", "reason", "before", "after", "prev_hash", "hash"], rows)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


def _library(campaign, count: int, users) -> None:
    from bench.library_search import corpus
    from jinxuan.library import services

    services.import_cases(campaign, corpus(count), actor=users["organiser"])


def build(scale: float, progress=print) -> dict:
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.notifications.mail import held

    n = sizes(scale)
    rng = random.Random(20)
    timings = {}

    def step(name, fn, *args):
        t0 = time.monotonic()
        out = fn(*args)
        timings[name] = round(time.monotonic() - t0, 1)
        progress(f"{name}: {timings[name]} s")
        return out

    with held("全国规模基准数据"):
        campaign = load_preset(read_preset(ROOT / "presets" / "gz-dianshu-2025.yaml"))[0]
        users = _users(campaign)
        apps = step("applications", _applications, campaign, users, n["applications"], rng, progress)
        experts = step("experts", _experts, campaign, users, n["experts"], rng)
        sheets = step("score sheets", _reviews, campaign, apps, experts, n["sheets_per_app"], rng)
        entrants = step("expert review result", _expert_review_result, campaign, apps)
        step("votes", _votes, campaign, entrants, n["votes"], n["voters"], rng)
        step("audit events", _audit, campaign, users, apps, n["audit_events"], rng)
        step("library", _library, campaign, n["cases"], users)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"scale": scale, "sizes": {**n, "score_sheets": sheets, "entrants": len(entrants)}, "seconds": timings,
            "campaign": campaign.slug}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    p.add_argument("--scale", type=float, default=1.0, help="fraction of the national sizes (default 1.0)")
    p.add_argument("--force", action="store_true", help="write even if the database already holds data")
    args = p.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("请用 --database-url 指定 PostgreSQL 数据库")
    setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if holds_data() and not args.force:
        sys.exit("该数据库已有数据（用户或申报）：为免混入，未写入任何内容；确需写入请加 --force")
    t0 = time.monotonic()
    summary = build(args.scale)
    summary["total_seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
