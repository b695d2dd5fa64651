"""The organiser's audit log and the applicant's history: labels, filters, paging, subjects in words."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, ApplicationUnit, Membership
from jinxuan.audit.log import record
from jinxuan.audit.models import AuditEvent
from jinxuan.dashboard.audit_log import PER_PAGE, AuditFilter
from tests.factories import verified_organisation

pytestmark = pytest.mark.django_db

RAW_KEY = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


@pytest.fixture
def logged(campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    organiser = make_user("gz-organiser", Role.ORGANISER, campaign=gz)
    org = verified_organisation("广州示例数字科技有限公司", "91440101MA5CXXXX1X")  # ownership checked
    applicant = make_user("applicant")
    Membership.objects.create(user=applicant, organisation=org, is_admin=True)
    app = Application.objects.create(campaign=gz, track=gz.tracks.first(), title="智慧信贷风控平台")
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True)
    record("application.created", app, actor=applicant, after={"lead": org.credit_code})
    record("application.attachment_added", app, actor=applicant, after={"key": "logo"})
    record("vote.invalidated", app, campaign=gz, actor=organiser, reason="同一号段集中投票")
    record("campaign.rescheduled", gz, campaign=gz, actor=organiser, reason="延长申报期")
    return {"gz": gz, "organiser": organiser, "applicant": applicant, "app": app}


def _visible(html: str) -> str:
    """The text a reader sees: markup, attribute values and scripts removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_audit_page_shows_labels_and_subjects_in_words(client, logged):
    client.force_login(logged["organiser"])
    html = client.get("/manage/gz-dianshu-2025/audit/").content.decode()
    text = _visible(html)
    for words in ("创建申报", "上传附件", "认定投票无效", "调整活动日程"):
        assert words in text
    assert f"{logged['app'].number} 智慧信贷风控平台" in text
    assert not RAW_KEY.search(text), RAW_KEY.findall(text)
    assert "applicants.application" not in html  # not even in an attribute
    assert f"applicants.application {logged['app'].pk}" not in text


def test_audit_page_filters_by_kind_actor_and_date_in_the_query_string(client, logged):
    client.force_login(logged["organiser"])
    url = "/manage/gz-dianshu-2025/audit/"
    text = _visible(client.get(url, {"kind": "vote.invalidated"}).content.decode())
    assert "认定投票无效" in text and "同一号段集中投票" in text and "延长申报期" not in text
    text = _visible(client.get(url, {"actor": "applicant"}).content.decode())
    assert "上传附件" in text.split("</thead>")[-1] and "延长申报期" not in text
    today = timezone.localdate()
    future = (today + dt.timedelta(days=1)).isoformat()
    assert "没有符合条件的事件" in client.get(url, {"since": future}).content.decode()
    assert "延长申报期" in client.get(url, {"since": today.isoformat(), "until": today.isoformat()}).content.decode()
    bad = client.get(url, {"since": "2025-13-40"}).content.decode()
    assert "起始日期“2025-13-40”不是有效日期" in bad and "延长申报期" in bad  # a bad date is reported, not fatal


def test_audit_page_pages_by_fifty_and_keeps_the_filter(client, logged):
    gz = logged["gz"]
    for i in range(PER_PAGE + 5):
        record("campaign.rescheduled", gz, campaign=gz, actor=logged["organiser"], reason=f"第{i}次调整")
    client.force_login(logged["organiser"])
    url = "/manage/gz-dianshu-2025/audit/"
    first = client.get(url, {"kind": "campaign.rescheduled"}).content.decode()
    assert first.count("调整活动日程</td>") == PER_PAGE
    assert "kind=campaign.rescheduled&amp;page=2" in first
    second = client.get(url, {"kind": "campaign.rescheduled", "page": 2}).content.decode()
    assert second.count("调整活动日程</td>") == 6 and "第 2 / 2 页" in second


def test_campaign_filter_switches_only_to_campaigns_the_user_may_audit(client, logged, campaigns):
    client.force_login(logged["organiser"])
    html = client.get("/manage/gz-dianshu-2025/audit/").content.decode()
    assert 'value="xinhua-nqp-2025"' not in html  # not this organiser's campaign
    stay = client.get("/manage/gz-dianshu-2025/audit/", {"campaign": "xinhua-nqp-2025", "kind": "vote.invalidated"})
    assert stay.status_code == 200  # an unknown choice is ignored, not followed
    assert client.get("/manage/xinhua-nqp-2025/audit/").status_code in (403, 404)


def test_campaign_filter_redirects_keeping_other_filters(client, logged, campaigns, make_user):
    boss = make_user("boss", Role.ORGANISER)  # organiser of every campaign
    client.force_login(boss)
    response = client.get("/manage/gz-dianshu-2025/audit/", {"campaign": "xinhua-nqp-2025", "kind": "vote.window", "page": 3})
    assert response.status_code == 302
    assert response["Location"] == "/manage/xinhua-nqp-2025/audit/?kind=vote.window"


def test_applicant_history_shows_labels_not_keys(client, logged):
    client.force_login(logged["applicant"])
    html = client.get(f"/apply/{logged['app'].pk}/").content.decode()
    assert "创建申报" in html and "上传附件" in html
    assert "application.created" not in html and "attachment_added" not in html


def test_filter_reads_the_query_and_reports_reversed_dates():
    flt = AuditFilter.from_query({"since": "2025-10-02", "until": "2025-10-01", "actor": " 张三 "})
    assert flt.actor == "张三" and flt.since == dt.date(2025, 10, 2)
    assert flt.errors == ["起始日期晚于截止日期，没有符合条件的事件"]
    assert AuditEvent.objects.count() == 0
