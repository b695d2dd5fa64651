"""Personal data masked in every export and page for roles that do not need it; the reasoned unmasked export."""

import io
import random

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinxuan.accounts import personal_data as pd
from jinxuan.accounts.models import ApiToken, Role
from jinxuan.applicants.models import Application, ApplicationUnit, Membership, Organisation
from jinxuan.applicants.services import snapshot_version
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker

pytestmark = pytest.mark.django_db

PHONE, PHONE_MASKED = "13912348765", "139****8765"
EMAIL, EMAIL_MASKED = "canary.person@example.cn", "c***@example.cn"
RID, RID_MASKED = "11010519491231002X", "110***********002X"
PHONE2 = "13722224444"  # typed into free text
CANARIES = (PHONE, EMAIL, RID, PHONE2)


def make_case(campaign, owner, n=1, state=State.SUBMITTED):
    """A submitted application whose contacts and free text carry the canaries; one stored version."""
    org = Organisation.objects.create(name=f"脱敏测试单位{n}有限公司", credit_code=credit_code(random.Random(70 + n), "广州"))
    Membership.objects.create(user=owner, organisation=org, is_admin=True)
    track = campaign.tracks.order_by("position").first()
    faker = TextFaker(40 + n)
    filler = AnswerFaker(faker, campaign.spec, track.key, [org.credit_code], faker.topic())
    title = f"脱敏案例{n}·{faker.case_title(topic=filler.topic)}"[:60]
    answers = filler.application(title)
    unit = filler.unit(org.name, org.credit_code)
    unit["contacts"] = [{"name": "张联络", "dept_title": "科技部 经理", "mobile": PHONE, "email": EMAIL}]
    unit["unit_profile"] = f"项目负责人身份证号{RID}，值班电话{PHONE2}。" + str(unit.get("unit_profile", ""))[:80]
    app = Application.objects.create(campaign=campaign, track=track, title=title, answers=answers, state=state,
                                     created_by=owner)
    ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0, answers=unit)
    snapshot_version(app, owner)
    from django.utils import timezone

    Application.objects.filter(pk=app.pk).update(submitted_at=timezone.now())
    app.refresh_from_db()
    return app


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def people(gz, make_user):
    return {
        "owner": make_user("m_owner"),
        "organiser": make_user("m_org", Role.ORGANISER, campaign=gz),
        "guidance": make_user("m_guide", Role.GUIDANCE, campaign=gz),
        "expert": make_user("m_expert", Role.EXPERT, campaign=gz),
        "judge": make_user("m_judge", Role.ROADSHOW_JUDGE, campaign=gz),
        "other": make_user("m_other"),
    }


@pytest.fixture
def case(gz, people):
    other_org = Organisation.objects.create(name="另一申报单位有限公司", credit_code=credit_code(random.Random(99), "广州"))
    Membership.objects.create(user=people["other"], organisation=other_org)
    return make_case(gz, people["owner"])


def _xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


# -- the masking functions ------------------------------------------------------------------------------------

def test_formats():
    assert pd.mask_phone(PHONE) == PHONE_MASKED
    assert pd.mask_phone("+86 139-1234-8765") == PHONE_MASKED
    assert pd.mask_email(EMAIL) == EMAIL_MASKED
    assert pd.mask_id(RID) == RID_MASKED
    assert pd.mask_contact(EMAIL) == EMAIL_MASKED and pd.mask_contact(PHONE) == PHONE_MASKED
    assert pd.mask_phone("") == "" and pd.mask_email(None) == ""


def test_free_text_masks_phones_emails_ids_and_leaves_other_numbers():
    text = (f"负责人身份证{RID}，手机{PHONE}，邮箱{EMAIL}，座机020-87654321；营业收入12345678万元，"
            "统一社会信用代码91440101MA59XXXX0B，申报编号GD2025-0007，2024年上线。")
    masked = pd.mask_text(text)
    assert _leaks(masked) == [] and "020-87654321" not in masked
    assert RID_MASKED in masked and PHONE_MASKED in masked and EMAIL_MASKED in masked
    for kept in ("12345678万元", "91440101MA59XXXX0B", "GD2025-0007", "2024年上线"):
        assert kept in masked
    assert pd.mask_text(masked) == masked  # idempotent
    assert pd.mask_text("没有个人信息的一段话") == "没有个人信息的一段话"


def test_answers_masked_by_field_type(gz):
    unit_fields = list(gz.spec.form.fields("unit"))
    answers = {"contacts": [{"name": "张联络", "mobile": PHONE, "email": EMAIL}], "employee_count": 13912348765,
               "unit_profile": f"电话{PHONE2}"}
    masked = pd.mask_answers(unit_fields, answers)
    assert masked["contacts"][0] == {"name": "张联络", "mobile": PHONE_MASKED, "email": EMAIL_MASKED}
    assert masked["employee_count"] == 13912348765  # a number field is never read as a phone
    assert PHONE2 not in masked["unit_profile"]
    assert answers["contacts"][0]["mobile"] == PHONE  # the input is untouched


# -- the application's JSON export, page and API ---------------------------------------------------------------

def test_json_export_unmasked_for_the_applicant_only(client, case, people):
    url = reverse("apply:export", args=[case.pk])
    client.force_login(people["owner"])
    own = client.get(url).content.decode()
    assert PHONE in own and EMAIL in own and RID in own
    for role in ("organiser", "guidance"):
        client.force_login(people[role])
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, role
        assert _leaks(body) == [], role
        assert PHONE_MASKED in body and EMAIL_MASKED in body and RID_MASKED in body
        assert response.json()["personal_data"] == "masked"
    for role in ("expert", "judge", "other"):
        client.force_login(people[role])
        assert client.get(url).status_code == 404, role


def test_api_export_masked_for_organisers(client, case, people):
    url = f"/api/v1/applications/{case.pk}/export"
    own = client.get(url, HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(people['owner'], 't')[1]}")
    assert own.status_code == 200 and PHONE in own.content.decode()
    org = client.get(url, HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(people['organiser'], 't')[1]}")
    assert org.status_code == 200 and _leaks(org.content.decode()) == []
    assert EMAIL_MASKED in org.content.decode()
    other = client.get(url, HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(people['other'], 't')[1]}")
    assert other.status_code == 404


def test_pdf_masked_for_organisers(client, case, people, monkeypatch):
    from jinxuan.applicants import printing

    seen = []
    monkeypatch.setattr(printing, "application_pdf", lambda doc: seen.append(repr(doc)) or b"%PDF-1.4 test")
    url = reverse("apply:print_pdf", args=[case.pk, 1])
    client.force_login(people["owner"])
    assert client.get(url).status_code == 200
    client.force_login(people["organiser"])
    assert client.get(url).status_code == 200
    assert PHONE in seen[0] and EMAIL in seen[0]
    assert _leaks(seen[1]) == [] and PHONE_MASKED in seen[1]


# -- the dashboard application list export ---------------------------------------------------------------------

def test_dashboard_export_is_masked_for_organiser_and_guidance(client, case, people, gz):
    url = reverse("dashboard:applications_export", args=[gz.slug])
    for role in ("organiser", "guidance"):
        client.force_login(people[role])
        response = client.get(url)
        assert response.status_code == 200, role
        text = _xlsx_text(response.content)
        assert case.number in text and "张联络" in text
        assert _leaks(text) == [] and PHONE_MASKED in text and EMAIL_MASKED in text
    for role in ("expert", "judge", "owner"):
        client.force_login(people[role])
        assert client.get(url).status_code == 404, role


def test_unmasked_dashboard_export_needs_organiser_and_reason_and_is_audited(client, case, people, gz):
    url = reverse("dashboard:applications_export_unmasked", args=[gz.slug])
    for role in ("guidance", "expert", "owner", "other"):
        client.force_login(people[role])
        assert client.get(url).status_code == 404, role
        assert client.post(url, {"reason": "需要逐一电话通知补充材料"}).status_code == 404, role
    assert not AuditEvent.objects.filter(action="personal_data.unmasked_export").exists()
    client.force_login(people["organiser"])
    page = client.get(url)
    assert page.status_code == 200 and "导出理由" in page.content.decode()
    for bad in ({}, {"reason": ""}, {"reason": "  看看 "}):
        refused = client.post(url, bad)
        assert refused.status_code == 400 and "理由" in refused.content.decode()
        assert refused["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="personal_data.unmasked_export").exists()
    response = client.post(url, {"reason": "需要逐一电话通知补充纸质材料"})
    assert response.status_code == 200 and response["Content-Type"] == pd.XLSX
    text = _xlsx_text(response.content)
    assert PHONE in text and EMAIL in text
    event = AuditEvent.objects.get(action="personal_data.unmasked_export")
    assert event.reason == "需要逐一电话通知补充纸质材料"
    assert event.after == {"kind": "dashboard.applications", "rows": 1}
    assert event.actor_id == people["organiser"].pk and event.campaign_id == gz.pk


def test_applications_page_offers_the_unmasked_export_to_organisers_only(client, case, people, gz):
    url = reverse("dashboard:applications", args=[gz.slug])
    unmasked = reverse("dashboard:applications_export_unmasked", args=[gz.slug])
    client.force_login(people["organiser"])
    assert unmasked in client.get(url).content.decode()
    client.force_login(people["guidance"])
    page = client.get(url).content.decode()
    assert unmasked not in page and reverse("dashboard:applications_export", args=[gz.slug]) in page


# -- publicity objections ----------------------------------------------------------------------------------------

@pytest.fixture
def objection(gz, case):
    from jinxuan.publicity.models import Objection

    return Objection.objects.create(campaign=gz, application=case, receipt="GS-TEST-0001", name="王某",
                                    contact=PHONE, text=f"我的邮箱{EMAIL}，如需核实请联系。")


def test_objection_queue_and_export_masked(client, gz, people, objection, monkeypatch):
    from jinxuan.publicity import services

    monkeypatch.setattr(services, "stage", lambda campaign: gz.stages.filter(kind="publicity").first())
    client.force_login(people["organiser"])
    page = client.get(reverse("publicity:manage", args=[gz.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert objection.receipt in html and _leaks(html) == [] and PHONE_MASKED in html and EMAIL_MASKED in html
    assert reverse("publicity:objections_export_unmasked", args=[gz.slug]) in html
    export = client.get(reverse("publicity:objections_export", args=[gz.slug]))
    text = _xlsx_text(export.content)
    assert "GS-TEST-0001" in text and _leaks(text) == [] and PHONE_MASKED in text


def test_unmasked_objection_export(client, gz, people, objection):
    url = reverse("publicity:objections_export_unmasked", args=[gz.slug])
    for role in ("guidance", "expert", "other"):
        client.force_login(people[role])
        assert client.post(url, {"reason": "核实异议人身份需要联系"}).status_code == 404, role
    client.force_login(people["organiser"])
    assert client.post(url, {"reason": "短"}).status_code == 400
    assert not AuditEvent.objects.filter(action="personal_data.unmasked_export").exists()
    response = client.post(url, {"reason": "核实异议人身份需要联系"})
    text = _xlsx_text(response.content)
    assert PHONE in text and EMAIL in text
    event = AuditEvent.objects.get(action="personal_data.unmasked_export")
    assert event.reason == "核实异议人身份需要联系" and event.after == {"kind": "publicity.objections", "rows": 1}


# -- outbox, expert pool, review and reports workbooks ----------------------------------------------------------------

def test_outbox_masks_recipients_and_bodies(client, gz, people):
    from jinxuan.notifications.models import Event, OutboxMessage

    OutboxMessage.objects.create(campaign=gz, event=Event.SUBMITTED, to=EMAIL, subject="申报已提交",
                                 body=f"如有疑问请致电{PHONE}")
    client.force_login(people["organiser"])
    html = client.get(reverse("dashboard:outbox", args=[gz.slug])).content.decode()
    assert "申报已提交" in html and _leaks(html) == [] and EMAIL_MASKED in html and PHONE_MASKED in html


def test_expert_pool_page_masks_expert_emails(client, gz, people):
    from jinxuan.review.services import add_to_pool

    add_to_pool(gz, email=EMAIL, name="李专家", send=False)  # the pending invitation is listed
    client.force_login(people["organiser"])
    html = client.get(reverse("review_manage:pool", args=[gz.slug])).content.decode()
    assert "李专家" in html and EMAIL not in html and EMAIL_MASKED in html


def test_review_scores_workbook_masks_comments(gz):
    from jinxuan.review.excel import scores_workbook

    rows = [{"number": "GD2025-0001", "title": "案例", "expert": "李专家", "pseudonym": "专家A", "state": "已提交",
             "total": 88.0, "scores": {}, "comments": {"总评": f"可联系{PHONE}或{EMAIL}"}}]
    text = _xlsx_text(scores_workbook(gz, rows, pseudonymise=True))
    assert "可联系" in text and _leaks(text) == [] and PHONE_MASKED in text


def test_reports_workbook_cells_masked():
    from jinxuan.reports.excel import cell

    assert cell(f"取消资格：举报人{PHONE}，身份证{RID}") == f"取消资格：举报人{PHONE_MASKED}，身份证{RID_MASKED}"
    assert cell("GD2025-0007") == "GD2025-0007"


def test_inspection_assignment_page_masks_inspector_emails(client, gz, people, make_user):
    from jinxuan.inspection import services
    from tests.factories import make_pipeline_apps, roadshow_run

    inspector = make_user("m_insp", Role.INSPECTOR, campaign=gz)
    inspector.email = EMAIL
    inspector.save(update_fields=["email"])
    apps = make_pipeline_apps(gz, 6)
    roadshow_run(gz, apps, advanced=[a.pk for a in apps])
    _, seed = services.commit(gz, actor=people["organiser"])
    draw = services.reveal_and_draw(gz, seed, actor=people["organiser"])
    record = draw.inspections.first()
    client.force_login(people["organiser"])
    response = client.get(reverse("inspection:manage_record", args=[gz.slug, record.application_id]))
    html = response.content.decode()
    assert response.status_code == 200 and "m_insp" in html
    assert EMAIL not in html and EMAIL_MASKED in html
