"""The portal through its pages: bad input is refused with the field and rule named, and nothing typed is lost."""

import datetime as dt
import html
import io
import random
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.demo.files import tiny_jpg
from jinxuan.demo.population import credit_code
from jinxuan.notifications.models import OutboxMessage
from tests.factories import complete

pytestmark = pytest.mark.django_db
GOOD_CODE = credit_code(random.Random(31), "广州")


def _org_form(**overrides):
    data = {"name": "广州某某金融科技有限公司", "credit_code": GOOD_CODE, "unit_type": "科技企业",
            "registered_region": "广东省广州市", "office_region": "广东省广州市", "contact_name": "王芳",
            "contact_title": "产品部 经理", "contact_mobile": "13912345678", "contact_email": "wang@example.cn"}
    return data | overrides


def _messages(response) -> list[str]:
    """The page's messages, and the refusals shown in place beside an upload (the page is not left)."""
    said = [str(m) for m in response.context["messages"]] if response.context else []
    for block in re.findall(r'<div class="field-error" id="err-file-[^"]+" role="alert">(.*?)</div>', response.content.decode(), re.S):
        said += [html.unescape(m) for m in re.findall(r"<p>(.*?)</p>", block, re.S)]
    return said


def test_signup_then_register_organisation(client):
    response = client.post("/apply/signup/", {"username": "wangfang", "display_name": "王芳", "email": "wang@example.cn",
                                              "password": "Lian-He-Shen-Bao-9"})
    assert response.status_code == 302
    response = client.post("/apply/organisations/new/", _org_form())
    assert response.status_code == 302
    org = Organisation.objects.get(credit_code=GOOD_CODE)
    assert org.profile["contact_mobile"] == "13912345678"
    assert org.memberships.get().is_admin


def test_wrong_credit_code_is_refused_and_the_form_kept(client, make_user):
    client.force_login(make_user("u1"))
    bad = GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1")
    response = client.post("/apply/organisations/new/", _org_form(credit_code=bad, contact_mobile="1391234"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码：统一社会信用代码校验位不正确" in html
    assert "联系人手机：手机号码应为 11 位" in html
    assert 'value="广州某某金融科技有限公司"' in html and 'value="wang@example.cn"' in html
    assert not Organisation.objects.exists()


def test_one_organisation_per_credit_code(client, make_user):
    from django.utils import timezone

    Organisation.objects.create(name="已登记单位", credit_code=GOOD_CODE, verified_at=timezone.now())
    client.force_login(make_user("u2"))
    html = client.post("/apply/organisations/new/", _org_form()).content.decode()
    assert "该统一社会信用代码已完成单位认证" in html and Organisation.objects.count() == 1
    assert not Membership.objects.exists()


def test_people_join_by_invitation(client, make_user, applicant):
    user, org = applicant
    client.force_login(user)
    client.post(f"/apply/organisations/{org.pk}/", {"email": "colleague@example.cn"})
    link = re.search(r"/apply/invitations/\S+/", mail.outbox[-1].body).group(0)
    colleague = make_user("colleague")
    client.force_login(colleague)
    client.post(link)
    assert Membership.objects.filter(user=colleague, organisation=org, is_admin=False).exists()
    assert client.post(link).status_code == 404  # used once


def test_autosave_keeps_an_over_long_case_name_and_reports_it(client, draft, applicant):
    client.force_login(applicant[0])
    name = "基于大模型技术的普惠金融小微企业信贷风控应用"  # 22 characters
    key = next(f.key for f in draft.campaign.spec.form.fields("application") if f.label == "案例名称")
    response = client.post(f"/apply/{draft.pk}/autosave/", {"_form_present": "1", f"a-{key}": name})
    html = response.content.decode()
    assert "已自动保存" in html and "案例名称</a>：限 20 字以内，当前 22 字" in html
    draft.refresh_from_db()
    assert draft.answers[key] == name and draft.title == name


def test_edit_page_shows_the_blocking_list_and_keeps_values(client, draft, applicant):
    client.force_login(applicant[0])
    team = next(f for f in draft.campaign.spec.form.fields("application") if f.type == "group" and f.checks)
    check = team.checks[0]
    post = {"_form_present": "1", f"a-{team.key}-{check.total}": "10"}
    post |= {f"a-{team.key}-{p}": "2" for p in check.parts}
    client.post(f"/apply/{draft.pk}/edit/", post)
    html = client.get(f"/apply/{draft.pk}/edit/").content.decode()
    assert "合计 10 与各项" in html and f'name="a-{team.key}-{check.total}" type="number" value="10"' in html
    assert "营业执照</a>：必要附件，尚未上传" in html


def _png_as_jpg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("key", "filename", "make", "expected"), [
    ("business_licence", "执照.pdf", lambda: b"<html><body>not a pdf</body></html>", "营业执照："),
    ("business_licence", "../../etc/执照.pdf", lambda: b"%PDF-1.4 broken", None),
    ("proposal", "方案书.docx", lambda: b"PK\x03\x04" + b"\x00" * 100, "方案书："),
])
def test_bad_files_are_refused_by_content(client, draft, applicant, key, filename, make, expected):
    client.force_login(applicant[0])
    response = client.post(f"/apply/{draft.pk}/attachments/", {"key": key, "file": SimpleUploadedFile(filename, make())}, follow=True)
    stored = list(draft.attachments.all())
    if expected:
        assert any(m.startswith(expected) for m in _messages(response)) and not stored
    for item in stored:  # whatever was accepted never keeps a path in its name
        assert "/" not in item.name and ".." not in item.name


def test_xinhua_logo_rules(client, campaigns, applicant):
    from django.utils import timezone

    from jinxuan.campaigns.schedule import reschedule

    xh = campaigns["xinhua-nqp-2025"]
    reschedule(xh, timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=5))
    user, org = applicant
    app = Application.objects.create(campaign=xh, track=xh.tracks.first(), title="x")
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True)
    logo = next(a for a in xh.spec.attachments if a.image)
    client.force_login(user)

    def upload(name, data):
        return _messages(client.post(f"/apply/{app.pk}/attachments/", {"key": logo.key, "file": SimpleUploadedFile(name, data)}, follow=True))

    assert any("与扩展名 .jpg 不符" in m for m in upload("logo.jpg", _png_as_jpg()))
    assert any("3000×3000" in m for m in upload("logo.jpg", tiny_jpg((3000, 3000))))
    assert any(m.startswith("已上传") for m in upload("logo.jpg", tiny_jpg((800, 800))))


def test_downloads_are_attachments_with_nosniff(client, draft, applicant):
    complete(draft)
    client.force_login(applicant[0])
    item = draft.attachments.first()
    response = client.get(f"/apply/{draft.pk}/attachments/{item.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith((b"%PDF", b"\xff\xd8", b"PK"))


def test_submit_page_flow_and_notification(client, draft, applicant):
    complete(draft)
    client.force_login(applicant[0])
    response = client.post(f"/apply/{draft.pk}/submit/", {"idempotency_key": "abc"}, follow=True)
    assert any("已提交（第 1 版）" in m for m in _messages(response))
    assert OutboxMessage.objects.filter(event="submitted", to=applicant[0].email).count() == 1
    client.post(f"/apply/{draft.pk}/submit/", {"idempotency_key": "abc"})
    assert draft.versions.count() == 1
    assert OutboxMessage.objects.filter(event="submitted").count() == 1


def test_verification_page(client, draft, applicant):
    from jinxuan.applicants.submission import submit, verify_token

    complete(draft)
    version = submit(draft)
    ok = client.get(f"/verify/{version.pk}/{verify_token(version)}/")
    assert ok.status_code == 200 and "与系统中最新提交版本一致" in ok.content.decode()
    forged = client.get(f"/verify/{version.pk}/{'0' * 32}/")
    assert forged.status_code == 404 and "核验失败" in forged.content.decode()


def test_organiser_records_paper_copy_and_edits_templates(client, draft, make_user):
    from jinxuan.applicants.submission import submit

    complete(draft)
    submit(draft)
    organiser = make_user("boss", Role.ORGANISER, campaign=draft.campaign)
    client.force_login(organiser)
    client.post(f"/apply/{draft.pk}/paper-received/")
    draft.refresh_from_db()
    assert draft.paper_received_at is not None
    bad = client.post("/manage/gz-dianshu-2025/mail-templates/", {"event": "submitted", "subject": "{% if %}", "body": "x"}, follow=True)
    assert any("模板语法错误" in m for m in _messages(bad))
    client.post("/manage/gz-dianshu-2025/mail-templates/", {"event": "submitted", "subject": "收到：{{ title }}", "body": "编号 {{ number }}"})
    from jinxuan.notifications.mail import notify

    message = notify("submitted", ["a@example.cn"], {"title": "案例甲", "number": "GD2025-0001"}, campaign=draft.campaign)[0]
    assert message.subject == "收到：案例甲" and message.body == "编号 GD2025-0001"


def test_deadline_reminder_once_per_draft(draft, applicant):
    from django.utils import timezone

    from jinxuan.applicants.reminders import send_deadline_reminders

    campaign = draft.campaign
    campaign.submission_closes = timezone.now() + dt.timedelta(hours=20)
    campaign.save()
    assert send_deadline_reminders() == 1
    assert send_deadline_reminders() == 0
    assert "尚未提交" in mail.outbox[-1].body and mail.outbox[-1].to == [applicant[0].email]
