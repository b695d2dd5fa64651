"""The to-do list per role (jinxuan/dashboard/todo.py) on factory data, and the workspace that shows it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import ApplicationUnit, Consent, OrganisationClaim
from jinxuan.applicants.states import State
from jinxuan.dashboard import todo
from jinxuan.pipeline.models import StageState
from jinxuan.publicity.models import Objection
from jinxuan.review import services as review
from jinxuan.review.models import Review
from jinxuan.voting.models import Vote, Voter
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, campaign, expert

pytestmark = pytest.mark.django_db


def _items(groups, slug=None):
    """{text: item} of the groups of one campaign (or of the groups tied to none)."""
    return {i.text: i for g in groups if (g.campaign.slug if g.campaign else None) == slug for i in g.items}


@pytest.fixture
def gz():
    return campaign("gz-dianshu-2025")


@pytest.fixture
def organiser(gz):
    return UserFactory(roles=[(Role.ORGANISER, gz)])


def _late_review(gz, organiser, *, sheets=2, days_late=3):
    """One expert with `sheets` unsubmitted sheets (one submitted) in an expert review that ended days ago."""
    member = expert(gz, actor=organiser, name="迟交专家")
    apps = [ApplicationFactory(campaign=gz, state=State.IN_STAGE) for _ in range(sheets + 1)]
    for app in apps:
        review.assign_manually(gz, member.expert, app, actor=organiser)
    done = member.expert.assignments.first()
    Review.objects.create(assignment=done, state=Review.SUBMITTED, total=80, submitted_at=timezone.now())
    gz.stages.filter(kind="expert_review").update(ends=timezone.localdate() - dt.timedelta(days=days_late))
    return member.expert


def test_deadline_words_in_beijing_days():
    day = dt.date(2026, 12, 7)
    assert todo.deadline_words(dt.date(2026, 12, 10), on=day) == ("距截止 3 天（2026-12-10）", False)
    assert todo.deadline_words(day, on=day) == ("今天截止（2026-12-07）", False)
    assert todo.deadline_words(dt.date(2026, 12, 5), on=day) == ("已逾期 2 天（截止 2026-12-05）", True)
    assert todo.deadline_words(None) == ("", False)
    # 23:30 UTC on the 6th is already the 7th in Beijing: a deadline on the 6th is one day late there
    late_evening = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
    assert todo.moment_words(dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC), now=late_evening)[0].startswith("已逾期 1 天")


def test_organiser_counts(gz, organiser):
    now = timezone.now()
    for _ in range(3):
        ApplicationFactory(campaign=gz, state=State.SUBMITTED)
    ApplicationFactory(campaign=gz, state=State.FORMAL_REVIEW)
    ApplicationFactory(campaign=gz, state=State.NEEDS_CORRECTION, correction_due=now - dt.timedelta(days=1))
    ApplicationFactory(campaign=gz, state=State.NEEDS_CORRECTION, correction_due=now + dt.timedelta(days=2))
    _late_review(gz, organiser, sheets=2)
    voted = ApplicationFactory(campaign=gz, state=State.IN_STAGE)
    for i, signals in enumerate(([{"code": "subnet_burst", "message": "同一网段"}], [], [{"code": "x", "message": ""}])):
        Vote.objects.create(campaign=gz, application=voted, voter=Voter.objects.create(phone=f"1380000000{i}"),
                            day=timezone.localdate(), signals=signals)
    Objection.objects.create(campaign=gz, application=voted, receipt="R-1", name="张三", contact="z@example.cn",
                             text="材料不实")
    StageState.objects.create(campaign=gz, stage_key="composite", status=StageState.CLOSED, stale_since=now)
    claimant = UserFactory()
    OrganisationClaim.objects.create(organisation=OrganisationFactory(verified_at=None), claimant=claimant,
                                     claimed_name="待认证单位")

    groups = todo.todo_for(organiser)
    items = _items(groups, gz.slug)
    assert items["待形式审核的申报"].count == 4
    overdue = items["补正已逾期、尚未重新提交的申报"]
    assert overdue.count == 1 and overdue.urgent
    late = items["逾期未交评分的专家（2 份评分未提交）"]
    assert late.count == 1 and late.urgent and late.note.startswith("已逾期 3 天")
    assert items["被检测为异常、尚未处理的投票"].count == 2
    assert items["待处理的公示异议"].count == 1
    composite = gz.stages.get(kind="composite")
    assert f"「{composite.name}」的结果需要重新计算（此前阶段已重开）" in items
    assert _items(groups)["待核验的单位认证申请"].count == 1
    # every link opens for the organiser
    from django.test import Client

    client = Client()
    client.force_login(organiser)
    for item in items.values():
        assert client.get(item.url).status_code == 200, item.url


def test_no_late_experts_before_the_deadline(gz, organiser):
    _late_review(gz, organiser, days_late=-2)  # ends in two days
    assert not any("逾期未交评分" in text for text in _items(todo.todo_for(organiser), gz.slug))


def test_stages_whose_dates_say_they_should_open_or_close(gz, organiser):
    stages = list(gz.stages.order_by("position"))
    today = timezone.localdate()
    stages[0].ends = today - dt.timedelta(days=1)
    stages[0].save()
    StageState.objects.create(campaign=gz, stage_key=stages[0].key, status=StageState.OPEN)
    stages[1].starts = today - dt.timedelta(days=1)
    stages[1].ends = today + dt.timedelta(days=5)
    stages[1].save()
    texts = list(_items(todo.todo_for(organiser), gz.slug))
    assert any(t.startswith(f"「{stages[0].name}」按日程应于") and t.endswith("尚未结束") for t in texts)
    assert any(t.startswith(f"「{stages[1].name}」按日程应于") and t.endswith("尚未开始") for t in texts)


def test_expert_sees_sheets_to_do_with_an_overdue_warning(gz, organiser, client):
    member = _late_review(gz, organiser, sheets=2, days_late=1)
    item = _items(todo.todo_for(member.user), gz.slug)["待完成的评分"]
    assert item.count == 2 and item.urgent and item.note.startswith("已逾期 1 天")
    client.force_login(member.user)
    html = client.get(f"/review/{gz.slug}/").content.decode()
    assert "评审截止时间已过" in html and "您还有 2 份评分未提交" in html
    gz.stages.filter(kind="expert_review").update(ends=timezone.localdate() + dt.timedelta(days=4))
    html = client.get(f"/review/{gz.slug}/").content.decode()
    assert "评审截止时间已过" not in html and "距截止 4 天" in html


def test_review_root_goes_to_the_experts_workspace(gz, organiser, client):
    member = _late_review(gz, organiser)
    client.force_login(member.user)
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"] == f"/review/{gz.slug}/"
    # an expert in two campaigns chooses; someone who is no expert is told so, with a way back
    xinhua = campaign("xinhua-nqp-2025")
    review.seat_expert(xinhua, member.user, actor=organiser, name="迟交专家", employer_name="某研究院", load=5)
    review.assign_manually(xinhua, member, ApplicationFactory(campaign=xinhua, state=State.IN_STAGE), actor=organiser)
    html = client.get("/review/").content.decode()
    assert f'href="/review/{gz.slug}/"' in html and f'href="/review/{xinhua.slug}/"' in html
    client.force_login(UserFactory())
    response = client.get("/review/")
    assert response.status_code == 200 and "您目前没有专业评审任务" in response.content.decode()


def test_applicant_drafts_corrections_and_consent_requests(gz):
    now = timezone.now()
    # noon (Beijing) six calendar days ahead: six days left whatever the time of day the test runs
    closes = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=6), dt.time(12)))
    gz.submission_opens, gz.submission_closes = now - dt.timedelta(days=1), closes
    gz.save()
    org = OrganisationFactory()
    user = UserFactory(organisation=org, roles=[])
    ApplicationFactory(campaign=gz, organisation=org, created_by=user, state=State.DRAFT, title="草稿案例甲")
    ApplicationFactory(campaign=gz, organisation=org, created_by=user, state=State.NEEDS_CORRECTION,
                       title="补正案例乙", correction_due=now - dt.timedelta(days=2))
    ApplicationFactory(campaign=gz, organisation=org, created_by=user, state=State.SUBMITTED, title="已提交案例丙")
    other = ApplicationFactory(campaign=gz, state=State.DRAFT)
    ApplicationUnit.objects.create(application=other, organisation=org, position=1, consent=Consent.PENDING)

    groups = todo.todo_for(user)
    items = _items(groups, gz.slug)
    draft = items["待完成并提交的草稿：草稿案例甲"]
    assert draft.note.startswith("距申报截止 6 天") and not draft.urgent
    correction = items["需要补正：补正案例乙"]
    assert correction.urgent and correction.note.startswith("已逾期 2 天（补正截止")
    assert not any("已提交案例丙" in t for t in items)
    consent = _items(groups)[f"{org.name}：待确认的联合申报邀请"]
    assert consent.count == 1 and consent.url == f"/apply/organisations/{org.pk}/"


def test_judge_inspector_guidance_and_formal_reviewer(gz):
    judge = UserFactory(roles=[(Role.ROADSHOW_JUDGE, gz)])
    assert [i.text for i in _items(todo.todo_for(judge), gz.slug).values()] == ["路演日程尚未排定"]
    inspector = UserFactory(roles=[(Role.INSPECTOR, gz)])
    assert "暂未分配考察任务" in _items(todo.todo_for(inspector), gz.slug)
    guidance = UserFactory(roles=[(Role.GUIDANCE, gz)])
    assert {"活动概况与各状态申报数", "申报列表", "各阶段结果与报告"} <= set(_items(todo.todo_for(guidance), gz.slug))
    reviewer = UserFactory(roles=[(Role.FORMAL_REVIEWER, gz)])
    ApplicationFactory(campaign=gz, state=State.SUBMITTED)
    item = _items(todo.todo_for(reviewer), gz.slug)["待形式审核的申报"]
    assert item.count == 1 and item.url == f"/manage/formal/{gz.slug}/"


def test_every_workspace_links_somewhere(gz, client):
    for role in (Role.ROADSHOW_JUDGE, Role.INSPECTOR, Role.EXPERT, Role.FORMAL_REVIEWER, Role.GUIDANCE,
                 Role.ORGANISER, Role.VOTER, Role.READER):
        user = UserFactory(roles=[(role, gz)])
        client.force_login(user)
        html = client.get("/workspace/").content.decode()
        assert "<h2 id=\"todo-title\">待办</h2>" in html
        main = html[html.index("<main"):]
        links = [part.split('"')[0] for part in main.split('href="')[1:]]
        assert any(link.startswith(("/manage/", "/review/", "/roadshow/", "/inspection/", "/vote/", "/library/",
                                    "/campaigns/")) for link in links), (role, links)
    judge = UserFactory(roles=[(Role.ROADSHOW_JUDGE, gz)])
    client.force_login(judge)
    assert f'href="/roadshow/{gz.slug}/judge/"' in client.get("/workspace/").content.decode()
    inspector = UserFactory(roles=[(Role.INSPECTOR, gz)])
    client.force_login(inspector)
    assert f'href="/inspection/{gz.slug}/"' in client.get("/workspace/").content.decode()


def test_organiser_lands_on_the_to_do_list(gz, organiser, client):
    ApplicationFactory(campaign=gz, state=State.SUBMITTED)
    client.force_login(organiser)
    response = client.get("/workspace/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "待形式审核的申报" in html and f'href="/manage/formal/{gz.slug}/"' in html


def _organiser_world(gz, organiser, member, n):
    now = timezone.now()
    gz.stages.filter(kind="expert_review").update(ends=timezone.localdate() - dt.timedelta(days=1))
    for i in range(n):
        ApplicationFactory(campaign=gz, state=State.SUBMITTED)
        ApplicationFactory(campaign=gz, state=State.NEEDS_CORRECTION, correction_due=now - dt.timedelta(days=1))
        app = ApplicationFactory(campaign=gz, state=State.IN_STAGE)
        review.assign_manually(gz, member, app, actor=organiser)
        Vote.objects.create(campaign=gz, application=app, voter=Voter.objects.create(phone=f"139{n:02d}{i:06d}"),
                            day=timezone.localdate(), signals=[{"code": "night_burst", "message": ""}])
        Objection.objects.create(campaign=gz, application=app, receipt=f"R{n}-{i}", name="李四", contact="l@example.cn",
                                 text="异议")


@pytest.mark.parametrize("role", ["organiser", "expert"])
def test_to_do_page_queries_do_not_grow_with_rows(gz, organiser, client, role):
    member = expert(gz, actor=organiser, name="计数专家").expert

    def count():
        client.force_login(organiser if role == "organiser" else member.user)
        client.get("/workspace/")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/workspace/").content.decode()
        return len(queries), html

    _organiser_world(gz, organiser, member, 3)
    at_small, _ = count()
    _organiser_world(gz, organiser, member, 30)
    at_large, html = count()
    assert at_large == at_small
    assert '<strong class="count">33</strong>' in html  # organiser: awaiting review, votes …; expert: sheets to do
