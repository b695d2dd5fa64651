"""Pool, conflicts, assignment, scoring and results through the services and the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jinxuan.audit.models import AuditEvent
from jinxuan.notifications.models import OutboxMessage
from jinxuan.review import services
from jinxuan.review.models import Assignment, Conflict, ConflictSource, PairRule, Review
from jinxuan.review.rubric import input_name
from tests.helpers.rubric import sheet

pytestmark = pytest.mark.django_db


def test_pool_invites_by_email_with_a_password_link(gz, pool):
    mails = OutboxMessage.objects.filter(event="seat_invited")
    assert mails.count() == 4
    assert "/accounts/invitations/" in mails.first().body and "设置登录密码" in mails.first().body
    assert [m.pseudonym for m in pool] == ["专家001", "专家002", "专家003", "专家004"]
    assert all(m.expert.user.email_verified for m in pool)


def test_automatic_conflict_by_employer_drops_and_blocks_assignment(gz, pool, accepted, organiser):
    expert = pool[0].expert
    lead = accepted[1].units.get(is_lead=True).organisation
    expert.employer_name, expert.employer_code = lead.name, lead.credit_code
    expert.save()
    services.assign_manually(gz, expert, accepted[1], actor=organiser)
    assert services.refresh_automatic_conflicts(gz, actor=organiser) >= 1
    assert Conflict.objects.filter(expert=expert, application=accepted[1], source=ConflictSource.AUTOMATIC).exists()
    assert not Assignment.objects.filter(expert=expert, application=accepted[1]).exists()
    with pytest.raises(services.ReviewError, match="利益冲突"):
        services.assign_manually(gz, expert, accepted[1], actor=organiser)
    assert AuditEvent.objects.filter(action="review.unassigned").exists()


def test_solver_gives_k_experts_never_a_conflict_and_respects_pins(gz, pool, accepted, organiser):
    k = services.stage_params(gz).experts_per_application
    services.add_conflict(gz, pool[0].expert, accepted[0], source=ConflictSource.ORGANISER, reason="近亲属任职",
                          actor=organiser)
    services.set_pair_rule(gz, pool[1].expert, accepted[2], PairRule.FORBID, actor=organiser)
    services.set_pair_rule(gz, pool[3].expert, accepted[2], PairRule.PIN, actor=organiser)
    summary = services.solve_assignment(gz, actor=organiser)
    assert summary["pairs"] == k * len(accepted)
    for app in accepted:
        assert Assignment.objects.filter(application=app).count() == k
    assert not Assignment.objects.filter(expert=pool[0].expert, application=accepted[0]).exists()
    assert not Assignment.objects.filter(expert=pool[1].expert, application=accepted[2]).exists()
    assert Assignment.objects.filter(expert=pool[3].expert, application=accepted[2]).exists()
    for m in pool:
        assert Assignment.objects.filter(expert=m.expert).count() <= m.load
    a = Assignment.objects.filter(campaign=gz).first()
    assert "text_similarity" in a.explanation
    assert AuditEvent.objects.filter(action="review.assignment_solved").exists()
    assert OutboxMessage.objects.filter(event="expert_assigned").count() == 4


def test_infeasible_assignment_explains_in_chinese(gz, pool, accepted, organiser):
    for m in pool:
        m.load = 1
        m.save()
    with pytest.raises(services.ReviewError) as info:
        services.solve_assignment(gz, actor=organiser)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_scoring_draft_submit_lock_reopen(gz, pool, accepted, organiser):
    rubric = gz.spec.rubric
    a = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    partial = {input_name(rubric.criteria[0].key, rubric.criteria[0].sub_items[0].key): "80"} \
        if rubric.criteria[0].sub_items else {input_name(rubric.criteria[0].key): "80"}
    review, errors = services.save_review(a, partial, submit=True)
    assert review.state == Review.DRAFT and "尚未评分" in errors["__all__"]
    review, errors = services.save_review(a, sheet(rubric, 75), submit=True)
    assert errors == {} and review.state == Review.SUBMITTED and review.total == Decimal("75.00")
    with pytest.raises(services.ReviewError, match="已提交"):
        services.save_review(a, sheet(rubric, 90), submit=False)
    with pytest.raises(services.ReviewError, match="原因"):
        services.reopen(review, "", actor=organiser)
    services.reopen(review, "评分笔误", actor=organiser)
    review.refresh_from_db()
    assert review.state == Review.DRAFT
    event = AuditEvent.objects.filter(action="review.reopened").get()
    assert event.reason == "评分笔误"


def test_ranking_and_calibration_reach_the_overview_and_export(gz, pool, accepted, organiser, client):
    rubric = gz.spec.rubric
    harsh, lenient = pool[0].expert, pool[1].expert
    for i, app in enumerate(accepted[:4]):
        for expert, offset in ((harsh, -20), (lenient, +10)):
            a = services.assign_manually(gz, expert, app, actor=organiser)
            services.save_review(a, sheet(rubric, 60 + 5 * i + offset), submit=True)
    ranked = services.ranking(gz, by="calibrated")
    assert [a for a, _, _ in ranked] == [accepted[3].pk, accepted[2].pk, accepted[1].pk, accepted[0].pk]
    client.force_login(organiser)
    page = client.get(reverse("review_manage:overview", args=[gz.slug])).content.decode()
    assert "<svg" in page and accepted[3].title in page and harsh.name in page
    export = client.get(reverse("review_manage:export", args=[gz.slug]))
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_guidance_sees_pseudonyms_only(gz, pool, accepted, organiser, client, make_user):
    from io import BytesIO

    from openpyxl import load_workbook

    from jinxuan.accounts.models import Role

    a = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    services.save_review(a, sheet(gz.spec.rubric, 70), submit=True)
    guide = make_user("guide", Role.GUIDANCE, campaign=gz)
    client.force_login(guide)
    page = client.get(reverse("review_manage:overview", args=[gz.slug])).content.decode()
    assert pool[0].expert.name not in page and "专家001" in page
    wb = load_workbook(BytesIO(client.get(reverse("review_manage:export", args=[gz.slug])).content))
    cells = [str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert pool[0].expert.name not in cells and "专家001" in cells
    assert client.get(reverse("review_manage:pool", args=[gz.slug])).status_code in (403, 404)


def test_expert_scores_through_the_page(gz, pool, accepted, organiser, client):
    a = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    client.force_login(pool[0].expert.user)
    url = reverse("review:score", args=[gz.slug, accepted[0].pk])
    page = client.get(url).content.decode()
    assert "提交评分" in page
    data = sheet(gz.spec.rubric, 81)
    data["action"] = "submit"
    assert client.post(url, data).status_code == 302
    assert Review.objects.get(assignment=a).total == Decimal("81.00")
    # an application not assigned is not found, the same answer as a missing one
    assert client.get(reverse("review:score", args=[gz.slug, accepted[1].pk])).status_code == 404
    assert client.get(reverse("review:score", args=[gz.slug, 999999])).status_code == 404


def test_excel_pool_import_reports_bad_rows(gz, organiser, client):
    from io import BytesIO

    from openpyxl import Workbook

    from jinxuan.review.excel import POOL_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(POOL_HEADERS)
    ws.append(["陈专家", "chen@example.cn", "教授", "某大学", "", "某银行、某证券", "数字信贷、大数据", "信贷风控", 10])
    ws.append(["", "nobody@example.cn"])
    ws.append(["孙专家", "not-an-email"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "pool.xlsx"
    client.force_login(organiser)
    response = client.post(reverse("review_manage:pool", args=[gz.slug]), {"action": "import", "file": buf},
                           follow=True)
    text = response.content.decode()
    assert "已导入 1 位专家" in text and "第 3 行" in text and "第 4 行" in text
    assert not gz.expert_pool.exists()  # a seat is granted only when the invited mailbox accepts
    import re

    from jinxuan.accounts.invitations import accept_new

    body = OutboxMessage.objects.get(event="seat_invited", to="chen@example.cn").body
    accept_new(re.search(r"/accounts/invitations/([^/\s]+)/", body).group(1), username="chen", password="Chen-Zhuan-Jia-7")
    member = gz.expert_pool.get()
    assert member.expert.tags == ["数字信贷", "大数据"] and member.load == 10
    assert [p["name"] for p in member.expert.past_employers] == ["某银行", "某证券"]


def test_group_map_makes_a_sister_company_a_conflict(gz, pool, accepted, organiser, client):
    expert = pool[2].expert
    lead = accepted[3].units.get(is_lead=True).organisation
    expert.employer_name = "广发基金管理有限公司"
    expert.save()
    client.force_login(organiser)
    url = reverse("review_manage:conflicts", args=[gz.slug])
    bad = client.post(url, {"action": "groups", "groups": "没有等号的一行"}, follow=True).content.decode()
    assert "第 1 行格式不对" in bad
    client.post(url, {"action": "groups", "groups": f"{lead.name} = 广发集团\n广发基金管理有限公司 = 广发集团"})
    conflict = Conflict.objects.get(expert=expert, application=accepted[3])
    assert "广发集团" in conflict.reason


def test_track_cap_limits_one_track_per_expert(gz, pool, accepted, organiser):
    stage = gz.stages.get(kind="expert_review")
    stage.params = {**stage.params, "experts_per_application": 2, "track_cap": 1}
    stage.save()
    services.solve_assignment(gz, actor=organiser, notify_experts=False)
    for m in pool:
        tracks = list(Assignment.objects.filter(expert=m.expert).values_list("application__track", flat=True))
        assert len(tracks) == len(set(tracks))


def test_reopen_from_the_assignment_page(gz, pool, accepted, organiser, client):
    a = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    review, _ = services.save_review(a, sheet(gz.spec.rubric, 66), submit=True)
    client.force_login(organiser)
    page = client.get(reverse("review_manage:assignment", args=[gz.slug])).content.decode()
    assert reverse("review_manage:reopen", args=[gz.slug, review.pk]) in page
    client.post(reverse("review_manage:reopen", args=[gz.slug, review.pk]), {"reason": "请补充评语"})
    review.refresh_from_db()
    assert review.state == Review.DRAFT


def test_closing_the_review_applies_the_stage_result(gz, pool, accepted, organiser, client):
    from jinxuan.applicants.states import State

    stage = gz.stages.get(kind="expert_review")
    stage.params = {**stage.params, "advance": "top_fraction", "advance_fraction": "0.5", "aggregate": "calibrated"}
    stage.save()
    a0 = services.assign_manually(gz, pool[0].expert, accepted[0], actor=organiser)
    with pytest.raises(services.ReviewError, match="未提交"):
        services.close_review(gz, actor=organiser)
    services.save_review(a0, sheet(gz.spec.rubric, 50), submit=True)
    for i, app in enumerate(accepted[1:4], start=1):
        for m in pool[:2]:
            a = services.assign_manually(gz, m.expert, app, actor=organiser)
            services.save_review(a, sheet(gz.spec.rubric, 60 + 10 * i), submit=True)
    client.force_login(organiser)
    client.post(reverse("review_manage:close", args=[gz.slug]))
    states = {a.pk: a.state for a in gz.applications.filter(pk__in=[x.pk for x in accepted])}
    assert [states[a.pk] for a in accepted[:4]] == [State.ELIMINATED, State.ELIMINATED, State.IN_STAGE,
                                                   State.IN_STAGE]
    assert states[accepted[4].pk] == State.ELIMINATED  # never scored
    assert services.stage_run(gz) is not None
    assert AuditEvent.objects.filter(action="stage.result_applied").exists()
    with pytest.raises(services.ReviewError, match="已结束"):
        services.close_review(gz, actor=organiser)


def test_strict_balance_from_the_page_evens_loads_and_shows_the_spread(gz, pool, accepted, organiser, client):
    """Six applications × k experts over four experts with equal limits: the strict balance gives loads that
    differ by at most one; the page states min / max and the histogram in Chinese; the audit keeps the spread."""
    client.force_login(organiser)
    url = reverse("review_manage:assignment", args=[gz.slug])
    client.post(url, {"action": "solve", "balance": "strict"})
    loads = [Assignment.objects.filter(expert=m.expert).count() for m in pool]
    assert sum(loads) == len(accepted) * services.stage_params(gz).experts_per_application
    assert max(loads) - min(loads) <= 1
    page = client.get(url).content.decode()
    assert "专家负荷分布" in page
    assert f"评审量最少 {min(loads)} 份、最多 {max(loads)} 份" in page
    assert "各评审量的专家人数" in page
    event = AuditEvent.objects.filter(action="review.assignment_solved").latest("pk")
    assert event.after["loads"]["max"] - event.after["loads"]["min"] <= 1
    assert event.after["strict_balance"] is True


def test_manual_forms_take_the_application_number_as_typed(gz, pool, accepted, organiser, client):
    """The conflict and assignment forms take 申报编号 typed (no drop-down of every application); a number of no
    application of the campaign is refused in Chinese and changes nothing."""
    client.force_login(organiser)
    conflicts = reverse("review_manage:conflicts", args=[gz.slug])
    page = client.get(conflicts).content.decode()
    assert 'name="application_number"' in page and f"如 {accepted[0].number}" in page
    assert f"{accepted[1].number} {accepted[1].title}</option>" not in page
    expert = pool[0].expert
    client.post(conflicts, {"expert": expert.pk, "application_number": f" {accepted[1].number.lower()} ",
                            "reason": "曾任该单位顾问"})
    assert Conflict.objects.filter(expert=expert, application=accepted[1], source=ConflictSource.ORGANISER).exists()
    wrong = client.post(conflicts, {"expert": expert.pk, "application_number": "GD2025-99999", "reason": "x"},
                        follow=True).content.decode()
    assert "未找到申报编号「GD2025-99999」" in wrong
    assignment = reverse("review_manage:assignment", args=[gz.slug])
    client.post(assignment, {"action": "assign", "expert": pool[1].expert.pk, "application_number": str(accepted[2].pk)})
    assert Assignment.objects.filter(expert=pool[1].expert, application=accepted[2]).exists()
    empty = client.post(assignment, {"action": "pin", "expert": pool[1].expert.pk, "application_number": ""},
                        follow=True).content.decode()
    assert "请填写申报编号" in empty and not PairRule.objects.exists()


def test_the_overview_ranking_is_paged(gz, pool, accepted, organiser, client, monkeypatch):
    from jinxuan.review import manage_views

    monkeypatch.setattr(manage_views, "RANKING_PAGE", 2)
    for app in accepted[:3]:
        a = services.assign_manually(gz, pool[0].expert, app, actor=organiser)
        services.save_review(a, sheet(gz.spec.rubric, 70), submit=True)
    client.force_login(organiser)
    url = reverse("review_manage:overview", args=[gz.slug])
    first = client.get(url).content.decode()
    assert "共 3 件，第 1 / 2 页" in first and "?page=2" in first
    second = client.get(url + "?page=2").content.decode()
    assert "第 2 / 2 页" in second and "?page=1" in second
    numbers = [app.number for app in accepted[:3]]
    assert sum(n in first for n in numbers) == 2 and sum(n in second for n in numbers) == 1


def test_the_overview_figures_are_kept_until_a_sheet_changes(gz, pool, accepted, organiser, client, monkeypatch):
    from jinxuan.review import calibration

    calls = []
    real = calibration.aggregate
    monkeypatch.setattr(calibration, "aggregate", lambda *a, **k: calls.append(1) or real(*a, **k))
    sheets = []
    for app in accepted[:2]:
        a = services.assign_manually(gz, pool[0].expert, app, actor=organiser)
        sheets.append(services.save_review(a, sheet(gz.spec.rubric, 70), submit=True)[0])
    client.force_login(organiser)
    url = reverse("review_manage:overview", args=[gz.slug])
    first = client.get(url).content.decode()
    client.get(url)
    client.get(reverse("review_manage:export", args=[gz.slug]))
    assert len(calls) == 1 and accepted[1].number in first

    services.reopen(sheets[1], "评分笔误", actor=organiser)  # a sheet leaves the submitted set
    page = client.get(url).content.decode()
    assert len(calls) == 2 and accepted[1].number not in page and accepted[0].number in page
    services.save_review(sheets[1].assignment, sheet(gz.spec.rubric, 90), submit=True)
    page = client.get(url).content.decode()
    assert len(calls) == 3 and page.index(accepted[1].number) < page.index(accepted[0].number)  # 90 above 70


def test_the_overview_lists_unfinished_experts_first_and_folds_the_rest(gz, pool, accepted, organiser, client):
    """Experts still reviewing, least done first, in the open table; finished ones and those without an assignment
    folded below (a national pool is 150 experts)."""
    for app in accepted[:2]:  # 张: two assigned, both submitted
        services.save_review(services.assign_manually(gz, pool[0].expert, app, actor=organiser),
                             sheet(gz.spec.rubric, 70), submit=True)
    services.save_review(services.assign_manually(gz, pool[1].expert, accepted[0], actor=organiser),
                         sheet(gz.spec.rubric, 70), submit=True)
    services.assign_manually(gz, pool[1].expert, accepted[1], actor=organiser)  # 李: one of two
    services.assign_manually(gz, pool[2].expert, accepted[2], actor=organiser)  # 王: none of one
    groups = services.progress_groups(services.progress(gz))
    assert [r["expert"].name for r in groups["waiting"]] == ["王评审", "李评审"]
    assert [r["expert"].name for r in groups["finished"]] == ["张评审"]
    assert [r["expert"].name for r in groups["idle"]] == ["赵评审"]
    client.force_login(organiser)
    page = client.get(reverse("review_manage:overview", args=[gz.slug])).content.decode()
    assert "专家 4 位：未完成 2 位 · 已完成 1 位 · 未分配任务 1 位" in page
    folded = page[page.index("<details>"):]
    assert page.index("王评审") < page.index("李评审") < page.index("<details>")
    assert "张评审" in folded and "赵评审" in folded
