"""A new applicant's whole journey on gz-dianshu-2025, in Chromium against a live server."""

import random
import subprocess

import pytest

from jinxuan.applicants.formio import form_pairs
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.files import sample_file
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker

pytestmark = pytest.mark.e2e
GZ = read_preset("presets/gz-dianshu-2025.yaml")


def _fill_form(page, pairs):
    """Type every answer into the rendered form by field name, the way a person would."""
    for name, value in pairs:
        if name == "_form_present":
            continue
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind in {"radio", "checkbox"}:
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.first.select_option(value)
        else:
            field.first.fill(value)


def test_new_applicant_journey(page, server, tmp_path):
    code = credit_code(random.Random(424242), "广州")
    # 1. sign up and register the organisation (a mistyped code is refused first)
    page.goto(server + "/apply/signup/")
    page.fill("[name=username]", "newbank")
    page.fill("[name=display_name]", "李晓明")
    page.fill("[name=email]", "li@newbank.example.cn")
    page.fill("[name=password]", "Xin-Shen-Bao-2025")
    page.click("button[type=submit]")
    page.goto(server + "/apply/organisations/new/")
    page.fill("[name=name]", "广州新申数字银行股份有限公司")
    page.fill("[name=credit_code]", code[:-1] + ("0" if code[-1] != "0" else "1"))
    page.select_option("[name=unit_type]", "银行")
    page.fill("[name=registered_region]", "广东省广州市")
    page.fill("[name=office_region]", "广东省广州市")
    page.fill("[name=contact_name]", "李晓明")
    page.fill("[name=contact_title]", "金融科技部 总经理")
    page.fill("[name=contact_mobile]", "13800138000")
    page.fill("[name=contact_email]", "li@newbank.example.cn")
    page.click("button[type=submit]")
    assert "校验位不正确" in page.inner_text("main")
    assert page.input_value("[name=name]") == "广州新申数字银行股份有限公司"  # the rest of the form is kept
    page.fill("[name=credit_code]", code)
    page.click("button[type=submit]")
    assert "已登记单位" in page.inner_text("main")

    # 2. start a draft on the open campaign
    page.click("a[href='/apply/new/gz-dianshu-2025/']")
    page.click("button[type=submit]")
    page.wait_for_url("**/edit/")
    app_url = page.url.rsplit("/edit/", 1)[0]

    # 3. the live counter refuses an over-long 案例简介 (200 字)
    intro = next(f for f in GZ.form.fields("application") if f.label == "案例简介")
    page.fill(f"[name='a-{intro.key}']", "数" * 205)
    counter = page.locator(f"[name='a-{intro.key}'] + .char-counter")
    assert "205" in counter.inner_text() and "over" in counter.get_attribute("class")

    # 4. fill every field, save, and see nothing typed is lost
    faker = TextFaker(8)
    filler = AnswerFaker(faker, GZ, GZ.tracks[1].key, [code], faker.topic())
    title = "基于隐私计算的普惠信贷风控应用"
    answers = filler.application(title)
    unit = filler.unit("广州新申数字银行股份有限公司", code)
    _fill_form(page, form_pairs(GZ, answers, [unit], [code]))
    page.click("button[name=_save]")
    assert page.input_value(f"[name='a-{intro.key}']") == answers[intro.key]

    # 5. attach the required files
    for rule in GZ.attachments:
        if rule.required:
            name, data = sample_file(rule)
            path = tmp_path / name
            path.write_bytes(data)
            page.locator(f"input[data-attachment='{rule.key}']").set_input_files(str(path))
            page.locator(f"input[data-attachment='{rule.key}']").locator("xpath=..").locator("button").click()
            assert "已上传" in page.inner_text(".messages")
    assert "可以提交" in page.inner_text("#blocking")

    # 6. submit and download the watermarked PDF
    page.click("button.primary")
    page.wait_for_url(app_url + "/")
    assert "已提交" in page.inner_text("main")
    with page.expect_download() as info:
        page.click("text=带水印申报书 PDF")
    pdf = tmp_path / "application.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # 7. render page 1 and check the case name and the watermark
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    assert title in compact
    number = page.inner_text("dl.kv dd").strip()
    assert number in compact  # the watermark carries the application number
