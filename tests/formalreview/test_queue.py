"""The formal-review queue as a list: search, filters, sort and paging in the URL, Excel of exactly the filtered
list, bulk pass (blocking findings skipped) and bulk correction, each audited per application; a closed stage
refuses; the page sends as many queries for many rows as for a few."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.formalreview import queue as q
from jinxuan.formalreview.models import ScreeningResult
from jinxuan.formalreview.services import close_formal

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(reader_organiser):
    """The organiser of gz open for applications (tests/fixtures/reader.py), as in the reader tests."""
    return reader_organiser


def test_the_query_lives_in_the_url():
    query = q.Query.from_params({"q": " 智能 ", "state": "submitted", "severity": "bogus", "sort": "title", "page": "x"})
    assert (query.q, query.state, query.severity, query.sort, query.page) == ("智能", "submitted", "", "title", 1)
    assert query.urlencode() == "q=%E6%99%BA%E8%83%BD&state=submitted&sort=title"
    assert query.urlencode(page=3).endswith("&page=3")
    assert q.Query.from_params({}).urlencode() == "" and not q.Query().filtered()


def test_search_filters_sort_and_paging(client, make_submitted, formal_reviewer, org, open_gz):
    apps = [make_submitted(n) for n in range(5)]
    slug = open_gz.slug
    assert [r.app.pk for r in q.rows(open_gz, q.Query(q=apps[2].number))] == [apps[2].pk]
    assert [r.app.pk for r in q.rows(open_gz, q.Query(q=apps[3].title[:8]))][:1] == [apps[3].pk]
    assert len(q.rows(open_gz, q.Query(q=org.name[2:6]))) == 5  # by the unit's name
    assert [r.app.pk for r in q.rows(open_gz, q.Query(sort="-submitted"))] == [a.pk for a in reversed(apps)]
    track = apps[0].track.key
    assert {r.app.track.key for r in q.rows(open_gz, q.Query(track=track))} == {track}
    page = q.paginate(q.rows(open_gz, q.Query()), 2, size=2)
    assert (page.number, page.count, page.total, [r.app.pk for r in page.rows]) == (2, 3, 5, [apps[2].pk, apps[3].pk])
    client.force_login(formal_reviewer)
    html = client.get(f"/manage/formal/{slug}/?q={apps[1].number}").content.decode()
    assert apps[1].title in html and apps[0].title not in html and "共 1 份符合筛选条件" in html
    assert f'for="sel-{apps[1].pk}"' in html  # every row checkbox has its label


def test_excel_is_exactly_the_filtered_list(client, make_submitted, formal_reviewer, open_gz):
    apps = [make_submitted(n) for n in range(3)]
    client.force_login(formal_reviewer)
    track = apps[0].track.key
    response = client.get(f"/manage/formal/{open_gz.slug}/export.xlsx?track={track}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    expected = [r.app.number for r in q.rows(open_gz, q.Query(track=track))]
    assert rows[0][:2] == ("申报编号", "案例名称") and [r[0] for r in rows[1:]] == expected


def _block(app):
    version = app.versions.get().number
    ScreeningResult.objects.create(application=app, version_number=version, blocking=1, rules=["case_name"],
                                   preset_hash=app.campaign.preset_hash,
                                   findings=[{"rule": "case_name", "field": "case_name", "severity": "blocking",
                                              "message": "案例名称含申报单位名称", "evidence": {}}])


def test_bulk_pass_skips_blocking_findings_and_audits_each(client, make_submitted, formal_reviewer, open_gz):
    apps = [make_submitted(n) for n in range(4)]
    _block(apps[1])
    blocked = {a.pk for a in apps if q.current_result(a).blocking}  # the faked answers may break a rule too
    passed = [a.pk for a in apps if a.pk not in blocked]
    assert apps[1].pk in blocked and passed
    client.force_login(formal_reviewer)
    response = client.post(f"/manage/formal/{open_gz.slug}/bulk/", {
        "action": "pass", "reason": "材料齐全，形式审核通过", "selected": [a.pk for a in apps], "list_query": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"已通过 {len(passed)} 份申报，跳过 {len(blocked)} 份" in html
    assert f"未处理的申报（{len(blocked)} 份）" in html and apps[1].number in html and "有 1 项阻断性问题" in html
    states = {a.pk: a.state for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])}
    assert states == {a.pk: State.SUBMITTED if a.pk in blocked else State.ACCEPTED for a in apps}
    events = AuditEvent.objects.filter(action="formal.decision")
    assert sorted(int(e.object_id) for e in events) == passed
    assert len({e.after["batch"] for e in events}) == 1 and all(e.reason == "材料齐全，形式审核通过" for e in events)


def test_bulk_correction_with_one_reason_and_deadline(client, make_submitted, formal_reviewer, open_gz):
    apps = [make_submitted(n) for n in range(2)]
    client.force_login(formal_reviewer)
    url = f"/manage/formal/{open_gz.slug}/bulk/"
    ids = [a.pk for a in apps]
    refused = client.post(url, {"action": "correction", "reason": "请补充服务客户数量", "due": "", "selected": ids})
    assert refused.status_code == 400 and "请填写补正截止日期" in refused.content.decode()
    assert "请补充服务客户数量" in refused.content.decode()  # what was typed stays
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(url, {"action": "correction", "reason": "请补充服务客户数量", "due": due, "selected": ids,
                                 "list_query": "sort=title"})
    assert response.status_code == 302 and response["Location"].endswith("?sort=title")
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.NEEDS_CORRECTION
        assert timezone.localtime(app.correction_due).strftime("%Y-%m-%d %H:%M") == f"{due} 23:59"
        event = AuditEvent.objects.get(action="formal.decision", object_id=str(app.pk))
        assert event.after["decision"] == "correction" and event.after["batch"]


def test_a_closed_stage_refuses_bulk_actions(client, make_submitted, formal_reviewer, organiser, open_gz):
    app = make_submitted(0)
    close_formal(open_gz, actor=organiser)
    client.force_login(formal_reviewer)
    response = client.post(f"/manage/formal/{open_gz.slug}/bulk/", {
        "action": "pass", "reason": "通过", "selected": [app.pk]})
    assert response.status_code == 409 and "已结束" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and not AuditEvent.objects.filter(action="formal.decision").exists()


def test_the_queue_sends_as_many_queries_for_many_rows(client, make_submitted, formal_reviewer, open_gz):
    client.force_login(formal_reviewer)
    url = f"/manage/formal/{open_gz.slug}/?severity=&sort=-blocking"
    counts = []
    for n in (2, 8):
        while open_gz.applications.count() < n:
            make_submitted(open_gz.applications.count())
        client.get(url)  # screenings stored
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts

