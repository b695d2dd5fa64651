"""The public campaign pages: each campaign's status in plain words, 立即申报 only while applications are open,
and no remark meant for the preset's editor."""

import datetime as dt

import pytest
from django.utils import timezone

from jinxuan.pipeline.models import StageState
from jinxuan.public.status import public_text, status_of
from tests.factories import campaign

pytestmark = pytest.mark.django_db


def _window(c, opens_days, closes_days):
    now = timezone.now()
    c.submission_opens, c.submission_closes = now + dt.timedelta(days=opens_days), now + dt.timedelta(days=closes_days)
    c.save()


def test_apply_button_only_while_the_application_stage_is_open(client):
    gz = campaign("gz-dianshu-2025")
    _window(gz, -3, 10)
    html = client.get(f"/campaigns/{gz.slug}/").content.decode()
    assert 'id="apply-now"' in html and f'href="/apply/new/{gz.slug}/"' in html and "正在接受申报" in html
    assert "立即申报" in client.get("/").content.decode()

    _window(gz, 5, 10)  # not yet open
    html = client.get(f"/campaigns/{gz.slug}/").content.decode()
    assert 'id="apply-now"' not in html and "尚未开始申报" in html

    _window(gz, -10, -1)  # closed by its dates
    html = client.get(f"/campaigns/{gz.slug}/").content.decode()
    assert 'id="apply-now"' not in html and "申报已截止" in html
    assert "立即申报" not in client.get("/").content.decode()

    _window(gz, -3, 10)  # open by its dates, but the first stage was closed: it takes nothing
    first = gz.stages.order_by("position").first()
    StageState.objects.create(campaign=gz, stage_key=first.key, status=StageState.CLOSED, closed_at=timezone.now())
    html = client.get(f"/campaigns/{gz.slug}/").content.decode()
    assert 'id="apply-now"' not in html


def test_status_in_words_through_the_stages():
    gz = campaign("gz-dianshu-2025")
    _window(gz, -20, -1)
    stages = list(gz.stages.order_by("position"))
    StageState.objects.create(campaign=gz, stage_key=stages[0].key, status=StageState.CLOSED)
    StageState.objects.create(campaign=gz, stage_key=stages[1].key, status=StageState.OPEN)
    assert status_of(gz).text == f"申报已截止，正在进行：{stages[1].name}"
    StageState.objects.filter(campaign=gz).delete()
    for s in stages:
        StageState.objects.create(campaign=gz, stage_key=s.key, status=StageState.CLOSED)
    assert status_of(gz).text == "评选已结束" and not status_of(gz).accepting


def test_preset_editors_remarks_are_not_shown(client):
    top10 = campaign("top10-2025")
    assert "主办方确定" in top10.spec.schedule.results
    html = client.get(f"/campaigns/{top10.slug}/").content.decode()
    assert "主办方确定" not in html and "<dd>待定</dd>" in html
    assert public_text("2026年1月（具体时间由主办方另行通知）") == "2026年1月"
    assert public_text("12月") == "12月"
