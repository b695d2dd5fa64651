"""Formal review: findings per application, decisions with reasons, the correction loop, re-checks, export."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.utils import timezone

from jinxuan.accounts.models import Role
from jinxuan.applicants.export import FORMAT, export_application
from jinxuan.applicants.states import State
from jinxuan.applicants.submission import SubmissionError, submit
from jinxuan.audit.models import AuditEvent
from jinxuan.formalreview.models import RecheckBatch
from jinxuan.formalreview.recheck import start_recheck
from jinxuan.formalreview.services import DecisionError, decide, expire_corrections, run_screening
from tests.factories import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(draft):
    complete(draft)
    submit(draft)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def reviewer(make_user, open_gz):
    return make_user("reviewer", Role.FORMAL_REVIEWER, campaign=open_gz)


def test_export_format(submitted):
    data = export_application(submitted)
    assert data["format"] == FORMAT and data["version"] == 1 and len(data["content_hash"]) == 64
    assert data["units"][0]["is_lead"] and data["units"][0]["organisation"]["unit_type"] == ""
    assert {a["key"] for a in data["attachments"]} == {a.key for a in submitted.campaign.spec.attachments if a.required}
    json.dumps(data)  # serialisable as is


def test_clean_application_passes(submitted, reviewer):
    result = run_screening(submitted)
    assert result.blocking == 0, result.findings
    decide(submitted, "pass", actor=reviewer)
    submitted.refresh_from_db()
    assert submitted.state == State.ACCEPTED
    assert AuditEvent.objects.filter(action="formal.decision", object_id=str(submitted.pk)).exists()


def test_overriding_a_blocking_finding_needs_a_reason(submitted, reviewer):
    name_key = next(f.key for f in submitted.campaign.spec.form.fields("application") if f.label == "案例名称")
    lead = submitted.lead.name
    from jinxuan.applicants.models import ApplicationVersion

    version = submitted.versions.get()
    content = version.content
    content["answers"][name_key] = f"{lead[:4]}普惠信贷应用"
    ApplicationVersion.objects.filter(pk=version.pk).update(content=content)
    result = run_screening(submitted)
    assert result.blocking >= 1
    with pytest.raises(DecisionError, match="推翻理由"):
        decide(submitted, "pass", actor=reviewer)
    made = decide(submitted, "pass", override_reason="名称中为地名，并非企业简称", actor=reviewer)
    assert made.overridden and made.override_reason
    event = AuditEvent.objects.filter(action="formal.decision").last()
    assert event.after["override_reason"] == "名称中为地名，并非企业简称" and event.after["overridden"]


def test_correction_loop_with_deadline(submitted, reviewer):
    with pytest.raises(DecisionError, match="须填写原因"):
        decide(submitted, "correction", actor=reviewer)
    decide(submitted, "correction", reason="承诺函未加盖公章，请重新上传", actor=reviewer)
    submitted.refresh_from_db()
    assert submitted.state == State.NEEDS_CORRECTION and "请于" in submitted.state_reason
    due = submitted.correction_due
    assert due > timezone.now()
    intro = next(f.key for f in submitted.campaign.spec.form.fields("application") if f.label == "案例简介")
    submitted.answers[intro] = submitted.answers[intro] + "补充。"
    submitted.save()
    version = submit(submitted)
    assert version.number == 2
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    decide(submitted, "pass", actor=reviewer)


def test_missed_correction_deadline_rejects_with_reason(submitted, reviewer):
    decide(submitted, "correction", reason="缺少营业执照有效期", actor=reviewer)
    submitted.refresh_from_db()
    with pytest.raises(SubmissionError, match="补正已于"):
        submit(submitted, at=submitted.correction_due + dt.timedelta(seconds=1))
    assert expire_corrections(now=submitted.correction_due - dt.timedelta(seconds=1)) == 0
    assert expire_corrections(now=submitted.correction_due + dt.timedelta(seconds=1)) == 1
    submitted.refresh_from_db()
    assert submitted.state == State.REJECTED and submitted.state_reason.startswith("逾期未补正")


def test_recheck_batch_records_progress(submitted, reviewer):
    batch = start_recheck(submitted.campaign, actor=reviewer)
    batch = RecheckBatch.objects.get(pk=batch.pk)
    assert batch.status == "finished" and batch.done == batch.total == 1
    assert submitted.screenings.count() == 1


def test_queue_filters_and_diff_in_the_browser_views(client, submitted, reviewer):
    client.force_login(reviewer)
    html = client.get(f"/manage/formal/{submitted.campaign.slug}/").content.decode()
    assert submitted.title in html
    html = client.get(f"/manage/formal/{submitted.campaign.slug}/?severity=blocking").content.decode()
    assert submitted.title not in html
    response = client.post(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/", {"decision": "correction", "reason": "请补充"}, follow=True)
    assert "已记录审核结论" in response.content.decode()
    intro = next(f.key for f in submitted.campaign.spec.form.fields("application") if f.label == "案例简介")
    submitted.refresh_from_db()
    submitted.answers[intro] = "改写后的简介：" + submitted.answers[intro]
    submitted.save()
    submit(submitted)
    html = client.get(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/", follow=True).content.decode()
    assert "与上一版的差异" in html and "<ins>改写后的简介：</ins>" in html


def test_other_campaign_reviewers_see_nothing(client, submitted, make_user, campaigns):
    other = make_user("xh_reviewer", Role.FORMAL_REVIEWER, campaign=campaigns["xinhua-nqp-2025"])
    client.force_login(other)
    assert client.get(f"/manage/formal/{submitted.campaign.slug}/").status_code == 404
    assert client.get(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/").status_code == 404


def test_screen_command(tmp_path, submitted):
    path = tmp_path / "app.json"
    path.write_text(json.dumps(export_application(submitted), ensure_ascii=False), encoding="utf-8")
    cli = [sys.executable, "-m", "jinxuan.cli", "formalreview", "--campaign", "gz-dianshu-2025"]
    ok = subprocess.run([*cli, str(path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["number"] == submitted.number
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    failed = subprocess.run([*cli, str(bad)], capture_output=True, text=True)
    assert failed.returncode != 0 and "不是有效的 UTF-8 JSON" in failed.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "other"}), encoding="utf-8")
    failed = subprocess.run([*cli, str(wrong)], capture_output=True, text=True)
    assert failed.returncode != 0 and "申报数据不可用" in failed.stderr


def test_correction_message_lists_automatic_findings(submitted, reviewer):
    from jinxuan.applicants.models import ApplicationVersion

    version = submitted.versions.get()
    content = version.content
    content["answers"][next(f.key for f in submitted.campaign.spec.form.fields("application") if f.label == "案例名称")] = "“易融通”平台的XPay应用"
    ApplicationVersion.objects.filter(pk=version.pk).update(content=content)
    run_screening(submitted)
    decide(submitted, "correction", reason="请修改案例名称", actor=reviewer)
    submitted.refresh_from_db()
    assert "自动检查发现的问题" in submitted.state_reason and "XPay" in submitted.state_reason


def test_changed_preset_triggers_a_recheck(submitted, capsys):
    from django.core.management import call_command

    from jinxuan.campaigns.models import Campaign

    Campaign.objects.filter(pk=submitted.campaign_id).update(preset_hash="0" * 64)
    call_command("preset", "load", "presets/gz-dianshu-2025.yaml")
    assert "重新运行形式审核规则" in capsys.readouterr().out
    assert RecheckBatch.objects.filter(campaign=submitted.campaign, status="finished").exists()


def test_reviewer_sees_figures_tags_and_duplicates(client, submitted, reviewer):
    from jinxuan.applicants.models import Application, ApplicationUnit

    copy = Application.objects.create(campaign=submitted.campaign, track=submitted.track, title="复制的申报",
                                      answers=submitted.answers, submitted_at=submitted.submitted_at)
    ApplicationUnit.objects.create(application=copy, organisation=submitted.lead, is_lead=True)
    client.force_login(reviewer)
    html = client.get(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/insights/").content.decode()
    assert "量化成果" in html and "<td class=\"num\">" in html
    assert "标签建议与勾选对照" in html
    assert f"与 {copy.number}" in html  # the copied application is reported with its passages


def test_every_rule_has_a_chinese_name_and_the_detail_page_uses_it(client, submitted, reviewer):
    from jinxuan.campaigns.rule_names import RULE_LABELS, RULE_NAMES, rule_label

    assert set(RULE_LABELS) == set(RULE_NAMES)
    assert rule_label("unknown_rule") == "其他审核规则"
    from django.template import Context, Template

    shown = Template("{% load rule_labels %}{{ r|rule_label }}").render(Context({"r": "implementation_region"}))
    assert shown == "落地实施地区"
    client.force_login(reviewer)
    html = client.get(f"/manage/formal/{submitted.campaign.slug}/{submitted.pk}/", follow=True).content.decode()
    for name in RULE_NAMES:
        assert f">{name}<" not in html
