"""Every export answers with as many queries for 100 rows as for 10: no query per row (N+1).

Each export is downloaded (after one warm-up download) with 10 and with 100 rows; the two query counts must be
equal and the last added row must be in the workbook."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.states import State
from tests.factories import ApplicationFactory, StageRunFactory, UserFactory, campaign, expert
from tests.helpers.rubric import sheet

pytestmark = pytest.mark.django_db


@dataclass
class World:
    gz: object
    organiser: object
    client: Client
    extra: dict


@dataclass(frozen=True)
class Export:
    name: str
    url: Callable[[World], str]
    add: Callable[[World, int, int], str]  # (world, first, count) → a value the last added row holds
    setup: Callable[[World], None] = lambda w: None


def _apps(w, first, count, state=State.SUBMITTED, word="导出案例"):
    return [ApplicationFactory(campaign=w.gz, state=state, n=first + i, title=f"{word}{first + i:03d}号")
            for i in range(count)]


def _submitted(w, first, count):
    return _apps(w, first, count)[-1].title


def _votes(w, first, count):
    """`count` votes on `count` new applications, each by its own voter."""
    from jinxuan.voting.models import Vote, Voter

    apps = _apps(w, first, count, state=State.IN_STAGE, word="投票案例")
    now = timezone.now()
    voters = Voter.objects.bulk_create(Voter(phone=f"139{first + i:08d}", verified_at=now) for i in range(count))
    Vote.objects.bulk_create(Vote(campaign=w.gz, application=a, voter=v, day=now.date(), ip="10.0.0.1")
                             for a, v in zip(apps, voters, strict=True))
    return apps[-1].title


def _expert_setup(w):
    w.extra["expert"] = expert(w.gz, actor=w.organiser, name="导出专家", load=500).expert


def _scored(w, first, count):
    """`count` accepted applications, each assigned to the expert and scored."""
    from jinxuan.review import services as review

    apps = _apps(w, first, count, state=State.ACCEPTED, word="评分案例")
    for i, app in enumerate(apps):
        a = review.assign_manually(w.gz, w.extra["expert"], app, actor=w.organiser)
        review.save_review(a, sheet(w.gz.spec.rubric, 60 + i % 30), submit=True)
    return apps[-1].title


def _own_scores_setup(w):
    _expert_setup(w)
    w.client.force_login(w.extra["expert"].user)


def _cases(w, first, count):
    from jinxuan.library import services

    for i in range(first, first + count):
        services.add_historical_case(campaign=w.gz, title=f"案例库案例{i:03d}号", track="金融服务赛道", tier="一等奖",
                                     organisations=[f"案例单位{i}"], paragraphs=[f"第{i}个案例的正文，数字金融服务实体经济。"])
    return f"案例库案例{first + count - 1:03d}号"


def _stage_rows(w, first, count):
    """Applications that passed expert review (a stored final result): the stages export's rows."""
    key = w.gz.stages.get(kind="expert_review").key
    apps = w.extra.setdefault("ranked", [])
    apps += _apps(w, first, count, state=State.IN_STAGE, word="入围案例")
    w.gz.stage_runs.filter(stage_key=key).update(is_final=False)
    StageRunFactory(campaign=w.gz, stage_key=key, kind="expert_review",
                    rows=[(a, i, 90 - i / 10, True) for i, a in enumerate(apps, 1)])
    return apps[-1].title


EXPORTS = [
    Export("applications", lambda w: f"/manage/{w.gz.slug}/applications/export.xlsx", _submitted),
    Export("votes", lambda w: f"/manage/vote/{w.gz.slug}/votes.xlsx", _votes),
    Export("scores", lambda w: f"/manage/review/{w.gz.slug}/scores.xlsx", _scored, setup=_expert_setup),
    Export("my-scores", lambda w: f"/review/{w.gz.slug}/my-scores.xlsx", _scored, setup=_own_scores_setup),
    Export("library", lambda w: "/library/export.xlsx?sort=title", _cases),
    Export("stages", lambda w: f"/manage/stages/{w.gz.slug}/stages.xlsx", _stage_rows),
]


def _values(content: bytes) -> set:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}


def _count(w, export) -> tuple[int, bytes, list[str]]:
    w.client.get(export.url(w))  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = w.client.get(export.url(w))
    assert response.status_code == 200, (export.name, response.status_code)
    return len(queries), response.content, [q["sql"] for q in queries.captured_queries]


def world() -> World:
    """gz open for submissions, its organiser logged in."""
    gz = campaign("gz-dianshu-2025")
    now = timezone.now()
    gz.submission_opens, gz.submission_closes = now - dt.timedelta(days=10), now + dt.timedelta(days=10)
    gz.save()
    organiser = UserFactory(roles=[(Role.ORGANISER, gz)])
    client = Client()
    client.force_login(organiser)
    return World(gz=gz, organiser=organiser, client=client, extra={})


@pytest.mark.parametrize("export", EXPORTS, ids=[e.name for e in EXPORTS])
def test_export_queries_do_not_grow_with_rows(export):
    w = world()
    export.setup(w)

    export.add(w, 0, 10)
    at_10, _, _ = _count(w, export)
    last = export.add(w, 10, 90)
    at_100, content, sql_100 = _count(w, export)
    assert last in _values(content), f"{export.name}: the last row is not in the workbook"
    assert at_100 == at_10, f"{export.name}: {at_10} queries at 10 rows, {at_100} at 100; repeated: {_repeated(sql_100)}"


def _repeated(sql: list[str]) -> list[tuple[int, str]]:
    """The statements sent more than once (numbers folded), most frequent first: the query per row."""
    shapes = Counter(re.sub(r"\d+", "N", q)[:300] for q in sql)
    return [(n, shape) for shape, n in shapes.most_common(3) if n > 1]
