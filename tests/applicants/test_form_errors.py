"""The 申报书 helps instead of punishing: no errors on a fresh form, one grouped summary after a submit
attempt, nothing typed lost on any refusal, the chosen track carried over, advice from the formal-review rules,
a timeline, and a 承诺函 that quotes the notice exactly."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jinxuan.applicants import formpage
from jinxuan.applicants.models import Application
from jinxuan.formalreview.models import FormalDecision, ScreeningResult
from jinxuan.formalrules.formcheck import Problem

pytestmark = pytest.mark.django_db

TITLE_KEY = "case_name"


def _page(response) -> str:
    return response.content.decode()


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def test_a_fresh_form_shows_no_error(client, draft, applicant):
    client.force_login(applicant[0])
    page = _page(client.get(reverse("apply:edit", args=[draft.pk])))
    assert 'class="field-error"' not in page and "error-summary" not in page and 'aria-invalid="true"' not in page
    assert "提交前还需完善" in page  # the checklist is there, folded, and not as errors


def test_the_track_chosen_at_the_start_is_preselected(client, open_gz, applicant):
    client.force_login(applicant[0])
    second = list(open_gz.tracks.all())[1]
    response = client.post(reverse("apply:new", args=[open_gz.slug]), {"organisation": applicant[1].pk, "track": second.key})
    app = Application.objects.get(pk=int(response["Location"].split("/")[-3]))
    page = _page(client.get(reverse("apply:edit", args=[app.pk])))
    checked = re.findall(r'<input type="radio" name="a-track" value="([^"]+)" checked', page)
    assert checked == [second.key]
    start = _page(client.get(reverse("apply:new", args=[open_gz.slug]) + f"?track={second.key}"))
    assert re.search(rf'value="{second.key}" checked', start)


def test_a_failed_submit_keeps_what_was_typed_and_links_every_problem(client, draft, applicant):
    client.force_login(applicant[0])
    typed = {"_form_present": "1", f"a-{TITLE_KEY}": "普惠信贷风控应用", "a-case_brief": "数" * 230, "idempotency_key": "k1"}
    response = client.post(reverse("apply:submit", args=[draft.pk]), typed)
    page = _page(response)
    assert response.status_code == 422 and draft.versions.count() == 0
    draft.refresh_from_db()
    assert draft.answers[TITLE_KEY] == "普惠信贷风控应用" and draft.title == "普惠信贷风控应用"
    assert 'value="普惠信贷风控应用"' in page
    summary = page[page.index('id="error-summary"'):page.index('class="edit-layout"')]
    groups = re.findall(r"<h3>([^<（]+)（\d+）</h3>", summary)
    assert groups[0] == "案例信息摘要表" and groups[-1] == "附件" and len(groups) == len(set(groups))
    links = re.findall(r'href="#([^"]+)" data-focus', summary)
    assert links and set(links) <= _ids(page)  # every summary link lands on something on the page
    assert "限 200 字以内" in html.unescape(summary)
    assert 'aria-invalid="true" aria-describedby="err-a-case_brief"' in page and 'id="err-a-case_brief"' in page


def test_a_refused_upload_stays_on_the_page_with_everything_typed(client, draft, applicant):
    client.force_login(applicant[0])
    post = {"_form_present": "1", f"a-{TITLE_KEY}": "跨境支付便利化应用", "_upload": "business_licence",
            "file-business_licence": SimpleUploadedFile("执照.exe", b"MZ\x90\x00not a licence")}
    response = client.post(reverse("apply:attachment_upload", args=[draft.pk]), post)
    page = html.unescape(_page(response))
    assert response.status_code == 422 and not draft.attachments.exists()
    assert 'id="err-file-business_licence"' in page and "营业执照" in page
    assert 'value="跨境支付便利化应用"' in page
    draft.refresh_from_db()
    assert draft.answers[TITLE_KEY] == "跨境支付便利化应用"


def test_a_refused_joint_unit_keeps_the_typed_code_and_answers(client, draft, applicant):
    client.force_login(applicant[0])
    post = {"_form_present": "1", f"a-{TITLE_KEY}": "供应链金融数字化应用", "joint-name": "某某科技有限公司",
            "joint-credit_code": "91440101MA5ABCDE1X", "_joint": "1"}
    response = client.post(reverse("apply:unit_add", args=[draft.pk]), post)
    page = html.unescape(_page(response))
    assert response.status_code == 422 and draft.units.count() == 1
    assert 'id="err-joint-credit_code"' in page and "统一社会信用代码" in page
    assert 'value="91440101MA5ABCDE1X"' in page and 'value="某某科技有限公司"' in page
    assert 'value="供应链金融数字化应用"' in page


def test_checking_the_draft_gives_advice_and_records_nothing(client, draft, applicant):
    client.force_login(applicant[0])
    post = {"_form_present": "1", f"a-{TITLE_KEY}": "基于XPay的跨境支付应用", "_precheck": "1"}
    response = client.post(reverse("apply:edit", args=[draft.pk]), post)
    page = html.unescape(_page(response))
    assert response.status_code == 200 and 'id="advice"' in page
    advice = page[page.index('id="advice"'):page.index('id="application-form"')]
    assert "案例名称规范" in advice and "XPay" in advice and "形式审核会退回" in advice
    assert 'href="#a-case_name"' in advice
    assert not ScreeningResult.objects.exists() and not FormalDecision.objects.exists()
    draft.refresh_from_db()
    assert draft.answers[TITLE_KEY] == "基于XPay的跨境支付应用" and draft.state == "draft"


def test_the_application_page_shows_the_stages_in_plain_words(client, draft, applicant):
    client.force_login(applicant[0])
    page = _page(client.get(reverse("apply:detail", args=[draft.pk])))
    assert "申报进程" in page and "接下来：" in page and "提交申报" in page
    for stage in draft.campaign.stages.all():
        assert stage.name in page
    assert re.search(r'aria-current="step"', page)


def test_summary_groups_in_form_order_and_names_each_field(draft):
    page = formpage.build(draft, [])
    problems = [Problem("attachments.proposal", "方案书", "必要附件，尚未上传"),
                Problem(TITLE_KEY, "案例名称", "必填项，尚未填写"),
                Problem("units", "联合申报单位", "不超过 3 家")]
    groups = formpage.summary(page, problems)
    assert [g["title"] for g in groups] == ["案例信息摘要表", "申报单位", "附件"]
    assert groups[0]["items"] == [{"text": "案例名称：必填项，尚未填写", "href": "a-case_name"}]
    assert groups[2]["items"][0]["href"] == "file-proposal"
    assert formpage.root_of("units[1].contact.phone") == "units[1].contact"
    assert formpage.root_of("indicators.users.2024") == "indicators"


def test_the_commitment_quotes_the_notice_exactly(draft):
    from jinxuan.applicants.documents.printable import commitment_paragraphs
    from jinxuan.applicants.printing import _commitment_args, call_title

    assert call_title(draft) == "关于征集2025年“点数成金”数字金融创新实践案例的通知"
    name, _org, _code, commitments, title = _commitment_args(draft)
    intro, items = commitment_paragraphs(name, commitments, title)
    assert intro == ("根据《关于征集2025年“点数成金”数字金融创新实践案例的通知》要求，本单位自愿参加2025年“点数成金”"
                     "数字金融创新实践案例征集工作，承诺如下：")
    assert items[0].startswith("一、本单位提供的一切申报材料") and len(items) == 4
