"""Every list page answers with as many queries for 100 rows as for 10: no query per row (N+1).

Each page is rendered (after one warm-up request, which may compute and store what it shows: screenings, search
index) at 10 and at 100 rows; the two query counts must be equal, and the 100th row must be on the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jinxuan.accounts.models import ApiToken, Role
from jinxuan.applicants.states import State
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, campaign, expert

pytestmark = pytest.mark.django_db


@dataclass
class World:
    gz: object
    organiser: object
    client: Client
    extra: dict


@dataclass(frozen=True)
class ListPage:
    name: str
    url: Callable[[World], str]
    add: Callable[[World, int, int], str]  # (world, first, count) → text the last added row shows
    setup: Callable[[World], None] = lambda w: None
    headers: Callable[[World], dict] = lambda w: {}


def _apps(state):
    def add(w, first, count):
        apps = [ApplicationFactory(campaign=w.gz, state=state, n=first + i, title=f"列表案例{first + i:03d}号")
                for i in range(count)]
        return apps[-1].title
    return add


def _applicant_setup(w):
    org = OrganisationFactory()
    user = UserFactory(organisation=org)
    w.extra.update(org=org, user=user)
    w.client.force_login(user)


def _applicant_apps(w, first, count):
    apps = [ApplicationFactory(campaign=w.gz, organisation=w.extra["org"], created_by=w.extra["user"], n=first + i,
                               state=State.SUBMITTED, title=f"我的案例{first + i:03d}号") for i in range(count)]
    return apps[-1].title


def _api_setup(w):
    _applicant_setup(w)
    w.extra["token"] = ApiToken.issue(w.extra["user"], "list-queries")[1]


def _audit(w, first, count):
    from jinxuan.audit.log import record

    for i in range(first, first + count):
        record("campaign.preset_loaded", w.gz, campaign=w.gz, actor=w.organiser, reason=f"第{i:03d}次核对")
    return f"第{first + count - 1:03d}次核对"


def _outbox(w, first, count):
    from jinxuan.notifications.models import Event, OutboxMessage

    OutboxMessage.objects.bulk_create(OutboxMessage(campaign=w.gz, event=Event.values[0], to=f"u{i}@example.cn",
                                                    subject=f"通知{i:03d}", body="正文") for i in range(first, first + count))
    return f"通知{first + count - 1:03d}"


def _pool(w, first, count):
    for i in range(first, first + count):
        expert(w.gz, actor=w.organiser, n=i, name=f"专家{i:03d}号")
    return f"专家{first + count - 1:03d}号"


def _expert_setup(w):
    member = expert(w.gz, actor=w.organiser, name="列表专家")
    w.extra["expert"] = member.expert
    w.client.force_login(member.expert.user)


def _assignments(w, first, count):
    from jinxuan.review import services as review

    apps = [ApplicationFactory(campaign=w.gz, state=State.ACCEPTED, n=first + i, title=f"待评案例{first + i:03d}号")
            for i in range(count)]
    for app in apps:
        review.assign_manually(w.gz, w.extra["expert"], app, actor=w.organiser)
    return apps[-1].title


def _cases(w, first, count):
    from jinxuan.library import services

    for i in range(first, first + count):
        services.add_historical_case(campaign=w.gz, title=f"案例库案例{i:03d}号", track="金融服务赛道", tier="一等奖",
                                     organisations=[f"案例单位{i}"], paragraphs=[f"第{i}个案例的正文，数字金融服务实体经济。"])
    return f"案例单位{first + count - 1}"


def _pool_setup(w):
    w.extra["expert"] = expert(w.gz, actor=w.organiser, name="列表专家").expert


def _conflicts(w, first, count):
    from jinxuan.review import services as review
    from jinxuan.review.models import ConflictSource

    apps = [ApplicationFactory(campaign=w.gz, state=State.ACCEPTED, n=first + i, title=f"回避案例{first + i:03d}号")
            for i in range(count)]
    for app in apps:
        review.add_conflict(w.gz, w.extra["expert"], app, source=ConflictSource.DECLARED, reason="曾提供咨询",
                            actor=w.organiser)
    return apps[-1].title


def _expert_review_run(w, first, count):
    """Applications that passed expert review (a stored final result): the vote's and the stage page's rows."""
    from tests.factories import StageRunFactory

    apps = w.extra.setdefault("ranked", [])
    apps += [ApplicationFactory(campaign=w.gz, state=State.IN_STAGE, n=first + i, title=f"入围案例{first + i:03d}号")
             for i in range(count)]
    w.gz.stage_runs.filter(stage_key=w.extra["stage_key"]).update(is_final=False)
    StageRunFactory(campaign=w.gz, stage_key=w.extra["stage_key"], kind="expert_review",
                    rows=[(a, i, 90 - i / 10, True) for i, a in enumerate(apps, 1)])
    return apps[-1].title


def _votes(w, first, count):
    from jinxuan.voting.models import Vote, Voter

    app = w.extra.get("voted") or ApplicationFactory(campaign=w.gz, state=State.IN_STAGE, title="得票案例")
    w.extra["voted"] = app
    today = timezone.localdate()
    for i in range(first, first + count):
        voter = Voter.objects.create(phone=f"1380000{i:04d}", verified_at=timezone.now())
        Vote.objects.create(campaign=w.gz, application=app, voter=voter, day=today, ip=f"10.0.{i // 200}.{i % 200}",
                            signals=[{"code": "ip_burst", "message": "同一 IP 集中投票", "related": 2}] if i % 2 else [])
    return f"138****{first + count - 1:04d}"


def _objections(w, first, count):
    from jinxuan.publicity.models import Objection

    app = w.extra.get("objected") or ApplicationFactory(campaign=w.gz, state=State.IN_STAGE, title="公示案例")
    w.extra["objected"] = app
    Objection.objects.bulk_create(Objection(campaign=w.gz, application=app, receipt=f"YY{i:06d}", name=f"异议人{i:03d}",
                                            contact="13800138000", text="材料与事实不符") for i in range(first, first + count))
    return f"异议人{first + count - 1:03d}"


def _stage_setup(w):
    w.extra["stage_key"] = w.gz.stages.get(kind="expert_review").key


def _vote_setup(w):
    from jinxuan.voting import services as voting

    _stage_setup(w)
    now = timezone.now()
    voting.set_window(w.gz, now - dt.timedelta(days=1), now + dt.timedelta(days=5), actor=w.organiser)
    w.client.logout()


PAGES = [
    ListPage("manage/applications", lambda w: f"/manage/{w.gz.slug}/applications/?per=100", _apps(State.SUBMITTED)),
    ListPage("manage/applications/filtered",
             lambda w: f"/manage/{w.gz.slug}/applications/?q=列表案例&state=submitted&sort=-title&per=100",
             _apps(State.SUBMITTED)),
    ListPage("manage/formal", lambda w: f"/manage/formal/{w.gz.slug}/?sort=-submitted", _apps(State.SUBMITTED)),  # paged: newest first
    ListPage("manage/audit", lambda w: f"/manage/{w.gz.slug}/audit/", _audit),
    ListPage("manage/outbox", lambda w: f"/manage/{w.gz.slug}/outbox/", _outbox),
    ListPage("manage/review/experts", lambda w: f"/manage/review/{w.gz.slug}/experts/?per=100", _pool),
    ListPage("manage/review/experts/filtered",
             lambda w: f"/manage/review/{w.gz.slug}/experts/?q=专家&progress=none&sort=-name&per=100", _pool),
    ListPage("apply", lambda w: "/apply/", _applicant_apps, setup=_applicant_setup),
    ListPage("workspace", lambda w: "/workspace/", _applicant_apps, setup=_applicant_setup),
    ListPage("api/applications", lambda w: "/api/v1/applications", _applicant_apps, setup=_api_setup,
             headers=lambda w: {"Authorization": f"Bearer {w.extra['token']}"}),
    ListPage("review", lambda w: f"/review/{w.gz.slug}/", _assignments, setup=_expert_setup),
    ListPage("library", lambda w: "/library/?sort=title", _cases),
    ListPage("manage/review", lambda w: f"/manage/review/{w.gz.slug}/", _pool),
    ListPage("manage/review/assignment", lambda w: f"/manage/review/{w.gz.slug}/assignment/?per=100", _assignments,
             setup=_pool_setup),
    ListPage("manage/review/scores", lambda w: f"/manage/review/{w.gz.slug}/scores/?per=100", _assignments,
             setup=_pool_setup),
    ListPage("manage/review/scores/filtered",
             lambda w: f"/manage/review/{w.gz.slug}/scores/?q=待评&state=none&sort=-case&per=100", _assignments,
             setup=_pool_setup),
    ListPage("manage/review/conflicts", lambda w: f"/manage/review/{w.gz.slug}/conflicts/", _conflicts,
             setup=_pool_setup),
    ListPage("manage/stages/stage", lambda w: f"/manage/stages/{w.gz.slug}/{w.extra['stage_key']}/",
             _expert_review_run, setup=_stage_setup),
    # 30 cases a page: the last page holds the 100th row (at 10 rows, page 4 is the only page)
    ListPage("vote", lambda w: f"/vote/{w.gz.slug}/?page=4", _expert_review_run, setup=_vote_setup),
    ListPage("vote/searched", lambda w: f"/vote/{w.gz.slug}/?q=入围&sort=votes&page=4", _expert_review_run,
             setup=_vote_setup),
    ListPage("manage/vote", lambda w: f"/manage/vote/{w.gz.slug}/", _expert_review_run, setup=_stage_setup),
    ListPage("manage/publicity", lambda w: f"/manage/publicity/{w.gz.slug}/?per=100", _objections),
    ListPage("manage/publicity/filtered",
             lambda w: f"/manage/publicity/{w.gz.slug}/?q=异议人&status=pending&sort=-time&per=100", _objections),
    ListPage("manage/library/cases", lambda w: f"/manage/library/{w.gz.slug}/cases/?per=100", _cases),
    ListPage("manage/library/cases/filtered",
             lambda w: f"/manage/library/{w.gz.slug}/cases/?q=案例&featured=no&sort=-title&per=100", _cases),
    ListPage("manage/vote/votes", lambda w: f"/manage/vote/{w.gz.slug}/votes/?per=100&sort=-time", _votes),
    ListPage("manage/vote/votes/filtered",
             lambda w: f"/manage/vote/{w.gz.slug}/votes/?q=得票&signal=ip_burst&valid=valid&per=100", _votes),
]


def _get(w, page):
    response = w.client.get(page.url(w), headers=page.headers(w))
    assert response.status_code == 200, (page.name, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def _count(w, page) -> tuple[int, str, list[str]]:
    _get(w, page)  # warm-up: whatever the page computes once and stores
    with CaptureQueriesContext(connection) as queries:
        body = _get(w, page)
    return len(queries), body, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_query_count_does_not_grow_with_rows(page, settings):
    gz = campaign("gz-dianshu-2025")
    now = timezone.now()
    gz.submission_opens, gz.submission_closes = now - dt.timedelta(days=10), now + dt.timedelta(days=10)
    gz.save()
    organiser = UserFactory(roles=[(Role.ORGANISER, gz)])
    client = Client()
    client.force_login(organiser)
    w = World(gz=gz, organiser=organiser, client=client, extra={})
    page.setup(w)

    page.add(w, 0, 10)
    at_10, _, sql_10 = _count(w, page)
    last = page.add(w, 10, 90)
    at_100, body, sql_100 = _count(w, page)
    assert last in body, f"{page.name}: the 100th row is not on the page"
    assert at_100 == at_10, f"{page.name}: {at_10} queries at 10 rows, {at_100} at 100; repeated: {_repeated(sql_100)}"


def _repeated(sql: list[str]) -> list[tuple[int, str]]:
    """The statements sent more than once (numbers folded), most frequent first: the query per row."""
    shapes = Counter(re.sub(r"\d+", "N", q)[:300] for q in sql)
    return [(n, shape) for shape, n in shapes.most_common(3) if n > 1]
