"""Assignment, inspectors' records and evidence, permissions, reopening, and closing the stage."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.inspection import services
from jinxuan.inspection.models import Evidence, Inspection
from jinxuan.inspection.stage import NOT_DRAWN

CHECKS = ["企业风险排查", "申报材料真实性核查", "申报案例重复性检查"]


def complete(verdict="pass", reason="现场核实与申报一致", issue=None):
    data = {"verdict": verdict, "reason": reason}
    for i, _ in enumerate(CHECKS):
        data[f"outcome__{i}"] = "issue" if issue == i else "pass"
        data[f"text__{i}"] = "发现问题：合同日期与申报不符" if issue == i else "已核实"
    return data


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def records(drawn, inspector):
    draw, _ = drawn
    rows = list(draw.inspections.order_by("application_id"))
    for r in rows:
        services.assign(r, [inspector])
    return rows


def url(record, suffix=""):
    return f"/inspection/{record.campaign.slug}/{record.application_id}/{suffix}"


# ------------------------------------------------------------------------------------------------ permissions


def test_assigned_inspector_sees_their_records(client, records, inspector):
    client.force_login(inspector)
    page = client.get("/inspection/gz-dianshu-2025/")
    assert page.status_code == 200
    for r in records:
        assert r.application.title in page.content.decode()
    detail = client.get(url(records[0]))
    assert detail.status_code == 200
    for check in CHECKS:
        assert check in detail.content.decode()


def test_unassigned_inspector_gets_404(client, records, other_inspector):
    client.force_login(other_inspector)
    assert client.get("/inspection/gz-dianshu-2025/").status_code == 200  # their own, empty list
    assert records[0].application.title not in client.get("/inspection/gz-dianshu-2025/").content.decode()
    assert client.get(url(records[0])).status_code == 404
    assert client.post(url(records[0]), complete(), ).status_code == 404
    assert not Inspection.objects.get(pk=records[0].pk).findings


def test_inspector_of_another_campaign_gets_404(client, records, foreign_inspector, inspector):
    services.assign(records[0], [inspector])
    client.force_login(foreign_inspector)
    assert client.get("/inspection/gz-dianshu-2025/").status_code == 404
    assert client.get(url(records[0])).status_code == 404
    # even when (wrongly) linked to the record: the role is checked in the record's campaign
    records[0].inspectors.add(foreign_inspector)
    assert client.get(url(records[0])).status_code == 404
    with pytest.raises(services.InspectionError, match="不是本活动的实地考察人员"):
        services.assign(records[0], [foreign_inspector])


def test_organiser_cannot_use_the_inspector_page_but_oversees(client, records, organiser, make_user, gz):
    from jinxuan.accounts.models import Role

    client.force_login(organiser)
    assert client.get(url(records[0])).status_code == 404
    assert client.get("/manage/inspection/gz-dianshu-2025/").status_code == 200
    assert client.get(f"/manage/inspection/gz-dianshu-2025/records/{records[0].application_id}/").status_code == 200
    guidance = make_user("gov", Role.GUIDANCE, campaign=gz)
    client.force_login(guidance)
    assert client.get("/manage/inspection/gz-dianshu-2025/").status_code == 200
    assert client.post("/manage/inspection/gz-dianshu-2025/close/").status_code == 404
    expert = make_user("exp", Role.EXPERT, campaign=gz)
    client.force_login(expert)
    assert client.get("/manage/inspection/gz-dianshu-2025/").status_code == 404
    assert client.get("/inspection/gz-dianshu-2025/").status_code == 404


def test_anonymous_is_sent_to_login(client, records):
    assert client.get(url(records[0])).status_code == 302
    assert client.get("/manage/inspection/gz-dianshu-2025/").status_code == 302


# ------------------------------------------------------------------------------------------------ records


def test_incomplete_submit_keeps_the_draft_and_explains(client, records, inspector):
    client.force_login(inspector)
    data = {"outcome__0": "issue", "text__0": "", "text__1": "营业执照已核验", "verdict": ""}
    page = client.post(url(records[0]), {**data, "action": "submit"})
    body = page.content.decode()
    assert page.status_code == 200 and "请选择考察结论" in body and "请写明发现的问题" in body
    assert "营业执照已核验" in body
    saved = Inspection.objects.get(pk=records[0].pk)
    assert saved.state == Inspection.DRAFT and saved.findings["申报材料真实性核查"]["text"] == "营业执照已核验"


def test_submit_locks_and_organiser_reopens_with_a_reason(client, records, inspector, organiser):
    client.force_login(inspector)
    response = client.post(url(records[0]), {**complete(), "action": "submit"})
    assert response.status_code == 302
    record = Inspection.objects.get(pk=records[0].pk)
    assert record.locked and record.verdict == "pass" and record.submitted_by == inspector
    assert AuditEvent.objects.filter(action="inspection.submitted", object_id=str(record.application_id)).exists()
    with pytest.raises(services.InspectionError, match="已提交并锁定"):
        services.save_record(record, complete("fail", "改主意"), submit=True, actor=inspector)
    client.post(url(records[0]), {**complete("fail", "改主意"), "action": "submit"})
    assert Inspection.objects.get(pk=record.pk).verdict == "pass"
    with pytest.raises(services.InspectionError, match="须说明原因"):
        services.reopen(record, "  ", actor=organiser)
    client.force_login(organiser)
    client.post(f"/manage/inspection/gz-dianshu-2025/records/{record.application_id}/reopen/",
                {"reason": "照片缺少现场时间"})
    record.refresh_from_db()
    assert record.state == Inspection.DRAFT
    event = AuditEvent.objects.get(action="inspection.reopened")
    assert event.reason == "照片缺少现场时间" and event.before["verdict"] == "pass"
    services.save_record(record, complete("pass", "补充后确认"), submit=True, actor=inspector)
    assert Inspection.objects.get(pk=record.pk).reason == "补充后确认"


# ------------------------------------------------------------------------------------------------ evidence


@pytest.mark.parametrize("name", ["现场照片.pdf", "现场照片.jpg", "记录.docx"])
def test_evidence_upload_refuses_a_disguised_html_file(client, records, inspector, name):
    client.force_login(inspector)
    html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
    response = client.post(url(records[0], "evidence/"), {"file": SimpleUploadedFile(name, html)}, follow=True)
    assert not Evidence.objects.exists()
    assert "HTML" in response.content.decode()
    with pytest.raises(services.EvidenceRefused):
        services.add_evidence(records[0], SimpleUploadedFile(name, html), actor=inspector)


def test_evidence_is_downloaded_as_attachment_only_by_those_allowed(client, records, inspector, other_inspector,
                                                                     organiser):
    client.force_login(inspector)
    client.post(url(records[0], "evidence/"), {"file": SimpleUploadedFile("现场.png", png_bytes()), "note": "大门"})
    item = Evidence.objects.get()
    assert item.detected == "png" and item.note == "大门"
    response = client.get(url(records[0], f"evidence/{item.pk}/"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == png_bytes()
    client.force_login(other_inspector)
    assert client.get(url(records[0], f"evidence/{item.pk}/")).status_code == 404
    client.force_login(organiser)
    manage = client.get(f"/manage/inspection/gz-dianshu-2025/records/{records[0].application_id}/evidence/{item.pk}/")
    assert manage.status_code == 200 and manage["X-Content-Type-Options"] == "nosniff"
    # another record's URL with this file's id: not found
    assert client.get(f"/manage/inspection/gz-dianshu-2025/records/{records[1].application_id}/evidence/"
                      f"{item.pk}/").status_code == 404


def test_no_evidence_changes_after_submission(records, inspector):
    item = services.add_evidence(records[0], SimpleUploadedFile("a.png", png_bytes()), actor=inspector)
    services.save_record(records[0], complete(), submit=True, actor=inspector)
    records[0].refresh_from_db()
    with pytest.raises(services.InspectionError, match="锁定"):
        services.add_evidence(records[0], SimpleUploadedFile("b.png", png_bytes()[:-1] + b"\x01"), actor=inspector)
    with pytest.raises(services.InspectionError, match="锁定"):
        services.remove_evidence(records[0], item, actor=inspector)
    assert Evidence.objects.count() == 1


# ------------------------------------------------------------------------------------------------ closing


def test_close_refuses_while_verdicts_are_pending(records, inspector, organiser, gz):
    services.save_record(records[0], complete(), submit=True, actor=inspector)
    services.save_record(records[1], complete(), submit=False, actor=inspector)  # a draft is not a verdict
    with pytest.raises(services.InspectionError, match="尚有 2 份被抽中的申报没有提交考察结论"):
        services.close_inspection(gz, actor=organiser)
    assert services.stage_run(gz) is None
    assert all(a.state == State.IN_STAGE for a in Application.objects.filter(campaign=gz))


def test_close_before_the_draw_is_refused(gz, passers, organiser):
    with pytest.raises(services.InspectionError, match="尚未完成抽取"):
        services.close_inspection(gz, actor=organiser)


def test_failed_verdict_disqualifies_and_unsampled_advance(client, records, inspector, organiser, gz, passers):
    failed, *passed = records
    services.save_record(failed, complete("fail", "申报的合作项目实际未落地", issue=1), submit=True, actor=inspector)
    for r in passed:
        services.save_record(r, complete(), submit=True, actor=inspector)
    client.force_login(organiser)
    client.post("/manage/inspection/gz-dianshu-2025/close/")
    run = services.stage_run(gz)
    assert run is not None and run.kind == "site_inspection"
    drawn = {r.application_id for r in records}
    states = {a.pk: a for a in Application.objects.filter(pk__in=[p.pk for p in passers])}
    loser = states[failed.application_id]
    assert loser.state == State.DISQUALIFIED
    assert "申报的合作项目实际未落地" in loser.state_reason
    event = AuditEvent.objects.get(action="application.取消资格", object_id=str(loser.pk))
    assert "申报的合作项目实际未落地" in event.reason and event.after["state"] == State.DISQUALIFIED
    for app in passers:
        if app.pk == loser.pk:
            continue
        assert states[app.pk].state == State.IN_STAGE and states[app.pk].current_stage == "site_inspection"
        if app.pk not in drawn:
            assert states[app.pk].state_reason == NOT_DRAWN
    entries = {e["application_id"]: e for e in run.result["entries"]}
    assert entries[loser.pk]["detail"]["disqualified"] is True and not entries[loser.pk]["advanced"]
    assert sum(1 for e in entries.values() if e["reason"] == NOT_DRAWN) == len(passers) - len(records)
    with pytest.raises(services.InspectionError, match="已结束"):
        services.close_inspection(gz, actor=organiser)
    with pytest.raises(services.InspectionError, match="已结束"):
        services.reopen(Inspection.objects.get(pk=failed.pk), "再看看", actor=organiser)


# ------------------------------------------------------------------------------------------------ organiser flow


def test_organiser_pages_commit_draw_and_assign(client, gz, passers, organiser, inspector):
    client.force_login(organiser)
    page = client.post("/manage/inspection/gz-dianshu-2025/commit/", {"seed": ""})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    draw = services.live_draw(gz)
    seed = page.context["new_seed"]
    assert seed and seed in page.content.decode() and draw.seed == ""
    again = client.get("/manage/inspection/gz-dianshu-2025/").content.decode()
    assert seed not in again and draw.commitment in again
    client.post("/manage/inspection/gz-dianshu-2025/draw/", {"seed": "wrong-seed-wrong-seed"})
    assert not services.live_draw(gz).is_drawn
    client.post("/manage/inspection/gz-dianshu-2025/draw/", {"seed": seed + "\n"})
    draw = services.live_draw(gz)
    assert draw.is_drawn and draw.size == 3
    record = draw.inspections.first()
    client.post(f"/manage/inspection/gz-dianshu-2025/records/{record.application_id}/assign/",
                {"inspectors": [str(inspector.pk)]})
    assert list(record.inspectors.all()) == [inspector]
    assert AuditEvent.objects.filter(action="inspection.assigned").count() == 1
    overview = client.get("/manage/inspection/gz-dianshu-2025/").content.decode()
    assert str(inspector) in overview and record.application.title in overview
