"""The list pages built on jinxuan/lists: filters in the URL, the Excel of exactly the filtered list, and bulk
actions that refuse what is outside the user's filtered list and refuse work on a closed stage."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.pipeline import runtime
from tests.factories import ApplicationFactory, UserFactory, campaign, expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz():
    return campaign("gz-dianshu-2025")


@pytest.fixture
def organiser(gz):
    return UserFactory(roles=[(Role.ORGANISER, gz)])


@pytest.fixture
def client(organiser):
    c = Client()
    c.force_login(organiser)
    return c


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _events(action: str, since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, seq__gt=since).order_by("seq"))


def _head() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def test_applications_filter_sort_page_and_export_match(gz, client):
    tracks = list(gz.tracks.all())
    for i in range(6):
        ApplicationFactory(campaign=gz, state=State.SUBMITTED, track=tracks[i % 2], title=f"筛选案例{i}")
    ApplicationFactory(campaign=gz, state=State.ACCEPTED, track=tracks[0], title="筛选案例通过")
    ApplicationFactory(campaign=gz, state=State.DRAFT, track=tracks[0], title="筛选案例草稿")
    query = f"q=筛选&state=submitted&track={tracks[0].pk}&sort=-title"
    page = client.get(f"/manage/{gz.slug}/applications/?{query}").content.decode()
    assert "共 3 条（已筛选）" in page
    assert page.index("筛选案例4") < page.index("筛选案例2") < page.index("筛选案例0")
    assert "筛选案例1" not in page and "筛选案例通过" not in page and "筛选案例草稿" not in page
    rows = _sheet(client.get(f"/manage/{gz.slug}/applications/export.xlsx?{query}"))
    assert [r[1] for r in rows[1:]] == ["筛选案例4", "筛选案例2", "筛选案例0"]
    bad = client.get(f"/manage/{gz.slug}/applications/?state=drop&track=abc&sort=password&page=x&per=-1")
    assert bad.status_code == 200 and "共 7 条" in bad.content.decode()


def test_pool_bulk_remind_only_experts_in_the_list(gz, organiser, client):
    from jinxuan.notifications.models import OutboxMessage
    from jinxuan.review import services as review

    busy = expert(gz, actor=organiser, name="甲专家")
    idle = expert(gz, actor=organiser, name="乙专家")
    review.assign_manually(gz, busy.expert, ApplicationFactory(campaign=gz), actor=organiser)
    other = campaign("xinhua-nqp-2025")
    stranger = expert(other, actor=UserFactory(roles=[(Role.ORGANISER, other)]), name="外活动专家")
    review.assign_manually(other, stranger.expert, ApplicationFactory(campaign=other), actor=organiser)
    head, before = _head(), OutboxMessage.objects.count()
    response = client.post(f"/manage/review/{gz.slug}/experts/?q=专家",
                           {"action": "remind", "ids": [busy.pk, idle.pk, stranger.pk, "x"]}, follow=True)
    text = response.content.decode()
    assert "已提醒 1 条，跳过 2 条" in text and "没有待提交的评分 1 条" in text
    assert list(OutboxMessage.objects.order_by("pk")[before:].values_list("to", flat=True)) == [busy.expert.user.email]
    assert [e.object_id for e in _events("review.reminded", head)] == [str(busy.pk)]
    assert response.redirect_chain[-1][0].endswith("?q=%E4%B8%93%E5%AE%B6")  # back to the same list


def test_assignment_bulk_assign_and_unassign_within_the_filter(gz, organiser, client):
    member = expert(gz, actor=organiser, name="丙专家")
    tracks = list(gz.tracks.all())
    inside = [ApplicationFactory(campaign=gz, track=tracks[0]) for _ in range(2)]
    outside = ApplicationFactory(campaign=gz, track=tracks[1])
    head = _head()
    url = f"/manage/review/{gz.slug}/assignment/?track={tracks[0].pk}"
    response = client.post(url, {"action": "bulk_assign", "bulk_expert": member.expert.pk,
                                 "ids": [a.pk for a in inside] + [outside.pk]}, follow=True)
    assert "已分配给丙专家 2 条，跳过 1 条" in response.content.decode()
    assert sorted(int(e.object_id) for e in _events("review.assigned", head)) == sorted(a.pk for a in inside)
    assert not member.expert.assignments.filter(application=outside).exists()
    page = client.get(url + "&expert=" + str(member.expert.pk)).content.decode()
    assert "共 2 条（已筛选）" in page
    head = _head()
    response = client.post(url, {"action": "bulk_unassign", "bulk_expert": member.expert.pk, "reason": "调整",
                                 "ids": [inside[0].pk]}, follow=True)
    assert "撤销丙专家的分配 1 条" in response.content.decode()
    assert [(e.object_id, e.reason) for e in _events("review.unassigned", head)] == [(str(inside[0].pk), "调整")]
    rows = _sheet(client.get(f"/manage/review/{gz.slug}/assignment/export.xlsx?track={tracks[0].pk}"))
    assert sorted(r[0] for r in rows[1:]) == sorted(a.number for a in inside)


def test_assignment_bulk_refused_once_expert_review_closed(gz, organiser, client):
    member = expert(gz, actor=organiser, name="丁专家")
    app = ApplicationFactory(campaign=gz)
    runtime.mark_closed(gz, runtime.stage_of(gz, "expert_review"), actor=organiser)
    response = client.post(f"/manage/review/{gz.slug}/assignment/",
                           {"action": "bulk_assign", "bulk_expert": member.expert.pk, "ids": [app.pk]}, follow=True)
    assert "阶段已结束" in response.content.decode()
    assert not member.expert.assignments.exists()


def _votes(gz, n):
    from jinxuan.voting.models import Vote, Voter

    apps = [ApplicationFactory(campaign=gz, state=State.IN_STAGE, title=f"投票案例{i}") for i in range(2)]
    votes = []
    for i in range(n):
        voter = Voter.objects.create(phone=f"1390000{i:04d}", verified_at=timezone.now())
        votes.append(Vote.objects.create(campaign=gz, application=apps[i % 2], voter=voter, day=timezone.localdate(),
                                         ip="10.1.1.1", signals=[{"code": "ip_burst", "message": "集中"}] if i < 2 else []))
    return apps, votes


def test_votes_bulk_invalidate_within_the_filter_and_export(gz, organiser, client):
    apps, votes = _votes(gz, 4)
    head = _head()
    url = f"/manage/vote/{gz.slug}/votes/invalidate/?signal=ip_burst"
    response = client.post(url, {"back": "votes", "reason": "同一 IP 刷票", "votes": [v.pk for v in votes]},
                           follow=True)
    assert "已作废 2 条，跳过 2 条" in response.content.decode()
    assert len(_events("vote.invalidated", head)) == 2
    assert [v.pk for v in votes if not type(v).objects.get(pk=v.pk).valid] == [votes[0].pk, votes[1].pk]
    assert response.redirect_chain[-1][0].endswith("/votes/?signal=ip_burst")
    missing = client.post(url, {"back": "votes", "reason": " ", "votes": [votes[2].pk]}, follow=True)
    assert "作废投票须说明原因" in missing.content.decode()
    rows = _sheet(client.get(f"/manage/vote/{gz.slug}/votes.xlsx?valid=invalid"))
    assert sorted(r[0] for r in rows[1:]) == [votes[0].pk, votes[1].pk]
    page = client.get(f"/manage/vote/{gz.slug}/votes/?valid=valid").content.decode()
    assert "共 2 条（已筛选）" in page and 'aria-label="选择 139****0003 投给 ' in page


def test_votes_bulk_invalidate_refused_after_the_vote_closed(gz, organiser, client):
    _, votes = _votes(gz, 2)
    runtime.mark_closed(gz, runtime.stage_of(gz, "public_vote"), actor=organiser)
    response = client.post(f"/manage/vote/{gz.slug}/votes/invalidate/",
                           {"back": "votes", "reason": "刷票", "votes": [votes[0].pk]}, follow=True)
    assert "阶段已结束" in response.content.decode()
    votes[0].refresh_from_db()
    assert votes[0].valid


def test_objections_filter_and_export(gz, organiser, client):
    from jinxuan.publicity.models import Objection

    app = ApplicationFactory(campaign=gz, state=State.IN_STAGE, title="公示案例")
    for i, status in enumerate([Objection.PENDING, Objection.DISMISSED, Objection.PENDING]):
        Objection.objects.create(campaign=gz, application=app, receipt=f"R{i}", name=f"异议人{i}",
                                 contact="13800138000", text="不符", status=status)
    page = client.get(f"/manage/publicity/{gz.slug}/?status=pending").content.decode()
    assert "异议人0" in page and "异议人2" in page and "异议人1" not in page
    rows = _sheet(client.get(f"/manage/publicity/{gz.slug}/objections.xlsx?status=pending&sort=-time"))
    assert [r[0] for r in rows[1:]] == ["R2", "R0"]


def test_library_cases_bulk_feature_within_the_filter(gz, organiser, client):
    from jinxuan.library import services
    from jinxuan.library.models import Case

    for i in range(3):
        services.add_historical_case(campaign=gz, title=f"库案例{i}", track="金融服务赛道" if i < 2 else "科技赛道",
                                     tier="一等奖", organisations=[f"单位{i}"], paragraphs=["正文"])
    cases = list(Case.objects.filter(campaign=gz).order_by("pk"))
    head = _head()
    response = client.post(f"/manage/library/{gz.slug}/cases/?track=金融服务赛道",
                           {"action": "feature", "ids": [c.pk for c in cases]}, follow=True)
    assert "已加入精选 2 条，跳过 1 条" in response.content.decode()
    assert [int(e.object_id) for e in _events("library.feature", head)] == [cases[0].pk, cases[1].pk]
    rows = _sheet(client.get(f"/manage/library/{gz.slug}/cases/export.xlsx?featured=yes"))
    assert [r[0] for r in rows[1:]] == ["库案例0", "库案例1"]
    guidance = UserFactory(roles=[(Role.GUIDANCE, gz)])
    c = Client()
    c.force_login(guidance)
    assert c.post(f"/manage/library/{gz.slug}/cases/", {"action": "unfeature", "ids": [cases[0].pk]}).status_code in (
        403, 404)
    assert Case.objects.get(pk=cases[0].pk).featured
