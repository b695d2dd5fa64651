"""The generic list module (jinxuan/lists): state round trip, bad parameters, filtering, export, bulk actions."""

from __future__ import annotations

import io

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from openpyxl import load_workbook

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.lists import (
    BulkSkip,
    Filter,
    ListSpec,
    Sort,
    apply,
    export_xlsx,
    neighbours,
    ordered_ids,
    parse,
    run_bulk,
)
from jinxuan.lists.bulk import OUTSIDE, selected_ids
from tests.factories import ApplicationFactory, UserFactory, campaign

STATES = [(State.SUBMITTED.value, "已提交"), (State.ACCEPTED.value, "已通过")]


def spec(**kw):
    return ListSpec(
        sorts=[Sort("title", "案例名称", ("title",)), Sort("submitted", "提交时间", ("submitted_at",))],
        default_sort="title", search_fields=("title", "units__organisation__name"), search_label="搜索案例",
        filters=[Filter("state", "状态", STATES)], page_size=2, page_sizes=(2, 5), **kw)


def test_state_round_trip():
    s = spec()
    state = parse(s, QueryDict("q=普惠&state=accepted&sort=-submitted&per=5&page=3"))
    assert (state.q, state.filters, state.sort, state.desc, state.per, state.page) == (
        "普惠", {"state": "accepted"}, "submitted", True, 5, 3)
    again = parse(s, state.query())
    assert again.params() == state.params()
    assert parse(s, "?" + state.query()).params() == state.params()
    assert state.filter_query == "q=%E6%99%AE%E6%83%A0&state=accepted&sort=-submitted&per=5"


def test_defaults_write_an_empty_query():
    assert parse(spec(), {}).query() == ""
    assert parse(spec(), "sort=title&per=2&page=1").query() == ""


@pytest.mark.parametrize("raw", [
    "state=nonsense", "sort=password", "sort=--title", "per=7", "per=-5", "per=abc", "page=abc", "page=-1",
    "page=99999999999999999999", "q=" + "长" * 500, "state=accepted&state=", "unknown=1", "q=%00",
])
def test_bad_parameters_are_ignored(raw):
    state = parse(spec(), QueryDict(raw))
    assert state.sort in {"title", "submitted"}
    assert state.per in (2, 5)
    assert state.page >= 1
    assert set(state.filters) <= {"state"}
    assert len(state.q) <= 100 and "\x00" not in state.q


def test_sort_header_toggles_and_resets_page():
    state = parse(spec(), "sort=title&page=2")
    assert state.sort_query("title") == "sort=-title"
    assert state.sort_query("submitted") == "sort=submitted"
    assert parse(spec(), "sort=-title").sort_query("title") == ""


@pytest.mark.django_db
def test_apply_filters_sorts_pages_and_names_neighbours():
    gz = campaign("gz-dianshu-2025")
    a = ApplicationFactory(campaign=gz, title="丙 普惠贷", state=State.SUBMITTED)
    b = ApplicationFactory(campaign=gz, title="甲 普惠通", state=State.ACCEPTED)
    c = ApplicationFactory(campaign=gz, title="乙 普惠宝", state=State.ACCEPTED)
    ApplicationFactory(campaign=gz, title="丁 供应链", state=State.ACCEPTED)
    qs = Application.objects.filter(campaign=gz)
    state = parse(spec(), "q=普惠&state=accepted&sort=-title")
    listing = apply(spec(), state, qs)
    assert listing.total == 2
    assert [x.pk for x in listing.rows] == sorted([b.pk, c.pk], key=lambda pk: Application.objects.get(pk=pk).title,
                                                  reverse=True)
    assert ordered_ids(spec(), state, qs) == [x.pk for x in listing.rows]
    first, second = listing.rows
    n = neighbours(spec(), state, qs, second.pk)
    assert (n.previous, n.next, n.position, n.total) == (first.pk, None, 2, 2)
    assert neighbours(spec(), state, qs, a.pk).position == 0  # not in the filtered list
    everything = apply(spec(), parse(spec(), "page=99"), qs)  # past the end: the last page
    assert everything.page.number == 2 and everything.total == 4
    assert everything.headers["title"].aria_sort == "ascending"
    assert everything.headers["submitted"].aria_sort == "none"


@pytest.mark.django_db
def test_search_through_a_relation_does_not_repeat_rows():
    gz = campaign("gz-dianshu-2025")
    app = ApplicationFactory(campaign=gz, title="联合申报")
    app.units.create(organisation=ApplicationFactory(campaign=gz).lead, is_lead=False, position=1)
    lead = app.lead.name
    listing = apply(spec(), parse(spec(), {"q": lead[:4]}), Application.objects.filter(campaign=gz))
    assert [x.pk for x in listing.rows].count(app.pk) == 1


@pytest.mark.django_db
def test_export_is_exactly_the_filtered_list_in_its_order():
    gz = campaign("gz-dianshu-2025")
    for i, st in enumerate([State.SUBMITTED, State.ACCEPTED, State.ACCEPTED, State.ACCEPTED]):
        ApplicationFactory(campaign=gz, title=f"=案例{i}", state=st)
    state = parse(spec(), "state=accepted&sort=-title&page=2")
    data = export_xlsx(spec(), state, Application.objects.filter(campaign=gz),
                       [("案例名称", lambda a: a.title), ("状态", lambda a: a.get_state_display())], "申报")
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("案例名称", "状态")
    assert [r[0] for r in rows[1:]] == ["=案例3", "=案例2", "=案例1"]  # every page, user text kept as text
    assert ws["A2"].data_type == "s"


@pytest.mark.django_db
def test_bulk_refuses_ids_outside_the_list_and_audits_each_row():
    gz = campaign("gz-dianshu-2025")
    organiser = UserFactory()
    mine = [ApplicationFactory(campaign=gz, state=State.SUBMITTED) for _ in range(3)]
    other = ApplicationFactory(campaign=gz, state=State.ACCEPTED)
    visible = Application.objects.filter(campaign=gz, state=State.SUBMITTED)

    def row(app):
        if app.pk == mine[2].pk:
            raise BulkSkip("已有阻断性问题")
        app.state_reason = "批量处理"
        app.save(update_fields=["state_reason"])

    before = AuditEvent.objects.count()
    outcome = run_bulk(queryset=visible, ids=[str(mine[0].pk), mine[1].pk, mine[2].pk, other.pk, "x", "-3"],
                       row=row, verb="处理", audit="application.bulk_checked", actor=organiser, campaign=gz,
                       reason="统一处理")
    assert [a.pk for a in outcome.done] == [mine[0].pk, mine[1].pk]
    assert (other.pk, OUTSIDE) in outcome.skipped
    assert outcome.message == f"已处理 2 条，跳过 2 条（已有阻断性问题 1 条；{OUTSIDE} 1 条）。"
    other.refresh_from_db()
    assert other.state_reason == ""
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [(e.action, e.object_id, e.reason) for e in events] == [
        ("application.bulk_checked", str(mine[0].pk), "统一处理"), ("application.bulk_checked", str(mine[1].pk), "统一处理")]


@pytest.mark.django_db
def test_bulk_refusal_touches_nothing():
    gz = campaign("gz-dianshu-2025")
    app = ApplicationFactory(campaign=gz)
    touched = []
    outcome = run_bulk(queryset=Application.objects.all(), ids=[app.pk], row=touched.append, verb="处理", audit=None,
                       refuse=lambda: "该阶段已结束，不能再批量处理")
    assert outcome.refused and not outcome.ok and touched == []
    assert outcome.message == "该阶段已结束，不能再批量处理"


def test_selected_ids():
    assert selected_ids(["3", "3", " 4 ", "abc", "0", "-1", "1e3", None]) == [3, 4]


@pytest.mark.django_db
def test_partials_render_labelled_controls():
    gz = campaign("gz-dianshu-2025")
    ApplicationFactory(campaign=gz, title="甲")
    listing = apply(spec(), parse(spec(), "q=甲&sort=-title"), Application.objects.filter(campaign=gz))
    html = render_to_string("lists/_toolbar.html", {"listing": listing, "export_url": "/x.xlsx"})
    assert '<label for="list-q">搜索案例</label>' in html and '<label for="list-state">状态</label>' in html
    assert 'href="/x.xlsx?q=%E7%94%B2&amp;sort=-title"' in html
    th = render_to_string("lists/_th.html", {"h": listing.headers["title"]})
    assert 'aria-sort="descending"' in th and 'href="?q=%E7%94%B2"' in th
    pager = render_to_string("lists/_pager.html", {"listing": listing})
    assert "第 1 / 1 页，共 1 条" in pager
    assert 'aria-label="全选本页"' in render_to_string("lists/_select_all.html", {})
    assert 'aria-label="选择 甲"' in render_to_string("lists/_row_check.html", {"value": 1, "label": "甲"})
