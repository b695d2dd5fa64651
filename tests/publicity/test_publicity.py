"""Publicity of gz-dianshu-2025: period in working days, overrides, the public list, objections, 顺位递补, closing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun
from jinxuan.publicity import services
from jinxuan.publicity.models import Objection, Substitution
from tests.factories import PUBLICITY_CANARY

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START = dt.date(2026, 9, 30)  # Wednesday before the National Day holiday
END = dt.date(2026, 10, 14)


@pytest.fixture
def today(monkeypatch):
    """Freeze Beijing 'today' for the services and the views."""
    box = {"day": START}
    monkeypatch.setattr(services, "local_today", lambda: box["day"])
    return box


def state(app):
    return Application.objects.get(pk=app.pk).state


def objection(gz, app, **extra):
    data = {"application_id": app.pk, "name": "王某", "contact": "13800138000",
            "text": "该案例申报的落地时间与实际不符，请核实。", "ip": "10.0.0.1"} | extra
    return services.file_objection(gz, **data)


def test_end_dates_shown_for_the_two_starts(gz, organiser, client, apps):
    client.force_login(organiser)
    url = reverse("publicity:manage", args=[gz.slug])
    page = client.get(url, {"start": "2026-09-30"}).content.decode()
    # 9-30 counts as day 1; 10-01…10-07 are the National Day holiday
    assert "截止日 2026-10-14" in page and "第 1 个工作日 2026-09-30" in page
    assert "发布当日为工作日的，计为第 1 个工作日" in page
    assert "法定节假日安排" in page and "chinesecalendar" not in page and "YYYY" not in page  # plain words
    page = client.get(url, {"start": "2026-02-13"}).content.decode()
    # Spring Festival 2026: 02-15…02-23 off, 02-14 and 02-28 (Saturdays) are make-up working days
    assert "截止日 2026-02-28" in page
    assert services.compute_period(gz, dt.date(2026, 2, 13)) == (dt.date(2026, 2, 13), dt.date(2026, 2, 28))
    assert services.compute_period(gz, START) == (START, END)


def test_unknown_year_is_a_clear_error_then_works_after_overrides(gz, organiser, client, apps):
    client.force_login(organiser)
    url = reverse("publicity:manage", args=[gz.slug])
    page = client.get(url, {"start": "2027-03-01"}).content.decode()
    assert "系统尚无 2027 年的法定节假日安排" in page and "截止日 20" not in page
    response = client.post(reverse("publicity:open", args=[gz.slug]), {"start": "2027-03-01"}, follow=True)
    assert "系统尚无 2027 年的法定节假日安排" in response.content.decode()
    assert not services.record_of(gz).is_open
    # a malformed override is refused with the rule named, nothing stored
    bad = client.post(reverse("publicity:holidays", args=[gz.slug]),
                      {"year": "2027", "holidays": "2027-02-30", "complete": "1"}, follow=True).content.decode()
    assert "2027-02-30" in bad and "不存在" in bad
    assert services.record_of(gz).overrides == {}
    client.post(reverse("publicity:holidays", args=[gz.slug]),
                {"year": "2027", "holidays": "2027-01-01 2027-03-03", "workdays": "2027-03-06", "complete": "1"})
    assert services.record_of(gz).overrides["2027"]["holidays"] == ["2027-01-01", "2027-03-03"]
    assert AuditEvent.objects.filter(action="publicity.holidays_set").exists()
    # Mon 03-01 counts; 03-03 off; Sat 03-06 is a make-up working day: 1,2,4,5,6,8,9 → 03-09
    page = client.get(url, {"start": "2027-03-01"}).content.decode()
    assert "截止日 2027-03-09" in page
    client.post(reverse("publicity:open", args=[gz.slug]), {"start": "2027-03-01"})
    assert services.record_of(gz).ends_on == dt.date(2027, 3, 9)


def test_opening_backfills_the_entry_the_site_inspection_disqualified(gz, organiser, apps, today):
    pub = services.open_publicity(gz, START, actor=organiser)
    assert (pub.starts_on, pub.ends_on, pub.working_days, pub.frozen_stage) == (START, END, 7, "composite")
    assert pub.listed == [apps[0].pk, apps[2].pk]
    [link] = Substitution.objects.filter(campaign=gz)
    assert (link.left_id, link.came_in_id, link.from_rank, link.left_rank) == (apps[1].pk, apps[3].pk, 4, 2)
    assert link.cause == Substitution.INSPECTION and link.reason == "实地考察不通过，取消资格：申报材料真实性核查未通过"
    assert services.current_ids(gz) == [apps[0].pk, apps[2].pk, apps[3].pk]
    assert state(apps[3]) == State.IN_STAGE and "顺位递补" in Application.objects.get(pk=apps[3].pk).state_reason
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"publicity.opened", "publicity.backfill", "application.顺位递补"} <= actions
    with pytest.raises(services.PublicityError, match="不能重复发布"):
        services.open_publicity(gz, START, actor=organiser)


def test_public_page_is_404_before_opening_and_shows_public_fields_only(gz, organiser, client, apps, today):
    url = reverse("publicity:index", args=[gz.slug])
    assert client.get(url).status_code == 404
    services.open_publicity(gz, START, actor=organiser)
    page = client.get(url).content.decode()
    assert "2026年9月30日 至 2026年10月14日" in page and "7 个工作日" in page
    assert "发布当日为工作日的，计为第 1 个工作日" in page
    assert "法定节假日及调休安排" in page and "chinesecalendar" not in page and "YYYY" not in page  # plain words
    for listed in (apps[0], apps[2], apps[3]):
        assert listed.title in page
    assert apps[1].title not in page and apps[4].title not in page
    assert "测试申报单位1有限公司" in page  # the lead organisation is public
    assert PUBLICITY_CANARY not in page and apps[0].lead.credit_code not in page
    assert "提交异议" in page


def test_objection_through_the_page_get_does_nothing_bad_evidence_refused(gz, organiser, client, apps, today,
                                                                         make_user):
    services.open_publicity(gz, START, actor=organiser)
    url = reverse("publicity:objection", args=[gz.slug])
    assert client.get(url).status_code == 302 and not Objection.objects.exists()
    form = {"application": apps[2].pk, "name": "李某", "contact": "lee@example.cn",
            "text": "该案例与另一单位的公开案例高度重复，附比对材料。"}
    bad = SimpleUploadedFile("比对.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(url, form | {"evidence": bad})
    page = response.content.decode()
    assert response.status_code == 400 and "不是 PDF" in page
    assert "lee@example.cn" in page and "高度重复" in page  # nothing entered is lost
    assert not Objection.objects.exists()
    good = SimpleUploadedFile("比对.pdf", PDF, content_type="application/pdf")
    response = client.post(url, form | {"evidence": good}, follow=True)
    filed = Objection.objects.get()
    assert filed.receipt in response.content.decode() and filed.receipt.startswith("YY-20260930-")
    assert filed.evidence_type == "pdf" and filed.evidence.read() == PDF
    assert AuditEvent.objects.filter(action="publicity.objection_filed").exists()
    # the organiser sees it with its evidence; an expert of the campaign gets 404
    client.force_login(organiser)
    queue = client.get(reverse("publicity:manage", args=[gz.slug])).content.decode()
    assert filed.receipt in queue and "比对.pdf" in queue
    download = client.get(reverse("publicity:evidence", args=[gz.slug, filed.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(make_user("exp_pub", Role.EXPERT, campaign=gz))
    assert client.get(reverse("publicity:evidence", args=[gz.slug, filed.pk])).status_code == 404
    assert client.get(reverse("publicity:manage", args=[gz.slug])).status_code == 404


def test_objection_rules_period_target_contact_and_rate_limit(gz, organiser, apps, today):
    with pytest.raises(services.ObjectionRefused, match="不在公示期内"):
        objection(gz, apps[0])
    services.open_publicity(gz, START, actor=organiser)
    with pytest.raises(services.ObjectionRefused) as info:
        objection(gz, apps[1], contact="12345", text="短")
    assert any("公示名单" in p for p in info.value.problems)
    assert any("联系方式" in p for p in info.value.problems) and any("不少于" in p for p in info.value.problems)
    for _ in range(services.FILINGS_PER_CONTACT_DAY):
        objection(gz, apps[0], ip="10.0.0.2")
    with pytest.raises(services.ObjectionRefused, match="每天至多"):
        objection(gz, apps[0], ip="10.0.0.3")
    for _ in range(services.ATTEMPTS_PER_IP_HOUR):
        try:
            objection(gz, apps[0], ip="10.0.0.9", contact="x")
        except services.ObjectionRefused:
            pass
    with pytest.raises(services.ObjectionRefused, match="过于频繁"):
        objection(gz, apps[0], ip="10.0.0.9", contact="zhao@example.cn")
    today["day"] = END + dt.timedelta(days=1)
    with pytest.raises(services.ObjectionRefused, match="不在公示期内"):
        objection(gz, apps[0], contact="qian@example.cn", ip="10.0.0.4")


def test_upheld_objection_disqualifies_and_the_next_ranked_moves_in(gz, organiser, client, apps, today):
    services.open_publicity(gz, START, actor=organiser)  # 2 → 4 already
    filed = objection(gz, apps[0])
    same = objection(gz, apps[0], contact="zhou@example.cn")
    client.force_login(organiser)
    url = reverse("publicity:handle", args=[gz.slug, filed.pk])
    page = client.post(url, {"decision": "upheld", "reason": ""}, follow=True).content.decode()
    assert "处理意见必填" in page and state(apps[0]) == State.IN_STAGE
    client.post(url, {"decision": "upheld", "reason": "经核实，案例在广东的落地时间晚于2025年底"})
    assert state(apps[0]) == State.DISQUALIFIED and state(apps[4]) == State.IN_STAGE
    link = Substitution.objects.get(objection=filed)
    assert (link.left_id, link.came_in_id, link.from_rank) == (apps[0].pk, apps[4].pk, 5)
    assert services.current_ids(gz) == [apps[2].pk, apps[3].pk, apps[4].pk]
    filed.refresh_from_db()
    assert filed.status == Objection.UPHELD and filed.handled_by == organiser
    assert AuditEvent.objects.filter(action="publicity.objection_upheld", reason__contains="落地时间").exists()
    assert AuditEvent.objects.filter(action="application.取消资格", object_id=str(apps[0].pk)).exists()
    assert AuditEvent.objects.filter(action="application.顺位递补", object_id=str(apps[4].pk)).exists()
    # a second objection to the same entry may be upheld too; it changes nothing more
    assert services.handle_objection(same, "upheld", "同上", actor=organiser) == []
    assert Substitution.objects.filter(cause=Substitution.OBJECTION).count() == 1
    # the chain shows on the organiser page and the public list follows
    manage = client.get(reverse("publicity:manage", args=[gz.slug])).content.decode()
    assert "原排名第 5 名" in manage and "公示期异议经核实成立" in manage
    public = client.get(reverse("publicity:index", args=[gz.slug])).content.decode()
    assert apps[4].title in public and apps[0].title not in public
    # a replacement who is disqualified in turn is replaced by the next one: a chain
    services.handle_objection(objection(gz, apps[4], contact="sun@example.cn"), "upheld", "材料不实",
                              actor=organiser)
    assert services.current_ids(gz) == [apps[2].pk, apps[3].pk, apps[5].pk]
    assert [(s.left_id, s.came_in_id) for s in services.chain(gz).order_by("pk")] == [
        (apps[1].pk, apps[3].pk), (apps[0].pk, apps[4].pk), (apps[4].pk, apps[5].pk)]


def test_dismissed_objection_changes_nothing(gz, organiser, apps, today):
    services.open_publicity(gz, START, actor=organiser)
    filed = objection(gz, apps[2])
    before = list(Application.objects.order_by("pk").values_list("state", flat=True))
    assert services.handle_objection(filed, "dismissed", "所述情况与事实不符", actor=organiser) == []
    assert list(Application.objects.order_by("pk").values_list("state", flat=True)) == before
    assert Substitution.objects.filter(cause=Substitution.OBJECTION).count() == 0
    assert AuditEvent.objects.filter(action="publicity.objection_dismissed").exists()
    with pytest.raises(services.PublicityError, match="已处理"):
        services.handle_objection(filed, "upheld", "改判", actor=organiser)


def test_no_eligible_entrant_left(gz, organiser, apps, today):
    Application.objects.filter(pk__in=[a.pk for a in apps[4:]]).update(state=State.WITHDRAWN)
    services.open_publicity(gz, START, actor=organiser)  # 2 → 4, the last eligible one
    services.handle_objection(objection(gz, apps[0]), "upheld", "材料不实", actor=organiser)
    link = Substitution.objects.filter(cause=Substitution.OBJECTION).get()
    assert link.came_in is None and "已无可递补的案例" in link.note
    assert services.current_ids(gz) == [apps[2].pk, apps[3].pk]


def test_close_refuses_early_and_with_pending_objections_then_applies(gz, organiser, apps, today):
    services.open_publicity(gz, START, actor=organiser)
    filed = objection(gz, apps[0])
    with pytest.raises(services.PublicityError, match="起方可结束公示"):
        services.close_publicity(gz, actor=organiser, today=END)
    with pytest.raises(services.PublicityError, match="尚有 1 件异议未处理"):
        services.close_publicity(gz, actor=organiser, today=END + dt.timedelta(days=1))
    services.handle_objection(filed, "dismissed", "不成立", actor=organiser)
    run = services.close_publicity(gz, actor=organiser, today=END + dt.timedelta(days=1))
    assert run.kind == "publicity" and run.is_final
    entries = {e["application_id"]: e for e in run.result["entries"]}
    assert set(entries) == {apps[0].pk, apps[2].pk, apps[3].pk} and all(e["advanced"] for e in entries.values())
    assert entries[apps[3].pk]["detail"] == {"backfilled_for": apps[1].pk, "from_rank": 4}
    assert StageRun.objects.filter(campaign=gz, stage_key="publicity").count() == 1
    assert {state(a) for a in (apps[0], apps[2], apps[3])} == {State.IN_STAGE}
    with pytest.raises(services.PublicityError, match="公示已结束"):
        services.close_publicity(gz, actor=organiser, today=END + dt.timedelta(days=2))


def test_anonymous_is_sent_to_login_and_the_manage_pages_answer_the_organiser(gz, organiser, client, apps):
    for name in ("publicity:manage", "results:manage"):
        response = client.get(reverse(name, args=[gz.slug]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("publicity:open", args=[gz.slug]), {"start": "2026-09-30"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not services.record_of(gz).is_open
    client.force_login(organiser)
    assert client.get(reverse("publicity:manage", args=[gz.slug])).status_code == 200
    assert client.get(reverse("results:manage", args=[gz.slug])).status_code == 200
    # a campaign without a publicity stage has no publicity page
    assert client.get(reverse("publicity:manage", args=["xinhua-nqp-2025"])).status_code == 404


def test_a_back_dated_publicity_is_refused(gz, organiser, client, apps, today):
    today["day"] = START + dt.timedelta(days=60)  # two months after the date asked for
    with pytest.raises(services.PublicityError, match="早于今天"):
        services.open_publicity(gz, START, actor=organiser)
    client.force_login(organiser)
    page = client.post(reverse("publicity:open", args=[gz.slug]), {"start": START.isoformat()}, follow=True)
    assert "早于今天" in page.content.decode() and not services.record_of(gz).is_open


def test_an_early_close_is_refused_and_a_closed_publicity_takes_no_objection(gz, organiser, client, apps, today):
    services.open_publicity(gz, START, actor=organiser)
    filed = objection(gz, apps[0])
    client.force_login(organiser)
    close = reverse("reports:lifecycle", args=[gz.slug, "publicity"])
    page = client.post(close, {"action": "close"}, follow=True).content.decode()  # on the first day
    assert "起方可结束公示" in page and not runtime.is_closed(gz, services.stage(gz))
    today["day"] = END + dt.timedelta(days=1)
    page = client.post(close, {"action": "close"}, follow=True).content.decode()  # an objection is pending
    assert "尚有 1 件异议未处理" in page and not runtime.is_closed(gz, services.stage(gz))
    services.handle_objection(filed, "dismissed", "不成立", actor=organiser)
    page = client.post(close, {"action": "close"}, follow=True).content.decode()
    assert runtime.is_closed(gz, services.stage(gz)) and "已结束「" in page
    # late objections: refused in the service and on the page, even on a day the period would have covered
    today["day"] = END
    with pytest.raises(services.ObjectionRefused, match="阶段已结束"):
        objection(gz, apps[2])
    client.logout()
    response = client.post(reverse("publicity:objection", args=[gz.slug]),
                           {"application": apps[2].pk, "name": "李某", "contact": "lee@example.cn",
                            "text": "该案例与另一单位的公开案例高度重复。"})
    assert response.status_code == 400 and "阶段已结束" in response.content.decode()
    assert Objection.objects.count() == 1
