"""An applicant makes every kind of mistake on the 申报书, loses nothing, fixes each through the error summary
and submits (gz-dianshu-2025, Chromium against a live server)."""

import random

import pytest

from jinxuan.applicants.formio import form_pairs
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.files import sample_file
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker

from .test_applicant_journey import _fill_form

pytestmark = pytest.mark.e2e
GZ = read_preset("presets/gz-dianshu-2025.yaml")
SHOTS = "/work/shots/applyform"

COVERED_BY_BAR = """() => {
  const el = document.activeElement, bar = document.querySelector('.savebar');
  if (!el || el === document.body || !bar || bar.contains(el)) return null;
  const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
  const barShown = b.top < window.innerHeight && b.bottom > 0;
  const hidden = barShown && r.bottom > b.top + 1 && r.top < b.bottom - 1 && r.height > 0;
  return {hidden, id: el.id || el.name || el.tagName, top: r.top, bottom: r.bottom, bar: b.top};
}"""


def _sign_up_with_organisation(page, server, code):
    page.goto(server + "/apply/signup/")
    page.fill("[name=username]", "errorsbank")
    page.fill("[name=display_name]", "陈思远")
    page.fill("[name=email]", "chen@errorsbank.example.cn")
    page.fill("[name=password]", "Cuo-Wu-Ti-Shi-2025")
    page.click("button[type=submit]")
    page.goto(server + "/apply/organisations/new/")
    page.fill("[name=name]", "广州纠错数字科技有限公司")
    page.fill("[name=credit_code]", code)
    page.select_option("[name=unit_type]", "科技企业")
    page.fill("[name=registered_region]", "广东省广州市")
    page.fill("[name=office_region]", "广东省广州市")
    page.fill("[name=contact_name]", "陈思远")
    page.fill("[name=contact_title]", "产品部 经理")
    page.fill("[name=contact_mobile]", "13800138001")
    page.fill("[name=contact_email]", "chen@errorsbank.example.cn")
    page.click("button[type=submit]")
    assert "已登记单位" in page.inner_text("main")


def _wait_saved(page):
    page.wait_for_function("() => (document.getElementById('autosave-status') || {}).textContent.includes('已自动保存')")


def _tab_through(page, limit=700) -> tuple[int, list]:
    """Tab through every stop of the page; the focused element must never be under the sticky save bar."""
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement && document.activeElement.blur(); }")
    page.locator("h1").click()
    covered, stops, first = [], 0, None
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(COVERED_BY_BAR)
        if state is None:
            continue
        if first is None:
            first = state["id"]
        elif state["id"] == first and stops > 20:
            break
        stops += 1
        if state["hidden"]:
            covered.append(state)
    return stops, covered


def test_applicant_errors_are_helpful_and_nothing_is_lost(page, server, tmp_path):
    code = credit_code(random.Random(777), "广州")
    _sign_up_with_organisation(page, server, code)
    track = GZ.tracks[2]

    # 1. start with a track: it is preselected in the form; a fresh form shows no error at all
    page.goto(server + "/apply/new/gz-dianshu-2025/")
    page.check(f"input[name=track][value='{track.key}']")
    page.click("button[type=submit]")
    page.wait_for_url("**/edit/")
    edit_url = page.url
    assert page.is_checked(f"input[name='a-track'][value='{track.key}']")
    assert page.locator(".field-error").count() == 0 and page.locator(".error-summary").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0

    # 2. the sticky save bar never hides the focused field
    page.set_viewport_size({"width": 1280, "height": 800})
    stops, covered = _tab_through(page)
    assert stops > 100 and covered == [], covered[:5]

    # 3. mistakes at the fields: shown once the field is left, not while typing into others
    page.fill("[name='a-case_name']", "基于XPay的跨境支付应用")
    page.fill("[name='a-case_brief']", "数" * 230)
    page.fill("[name='a-rnd_cost']", "约五百万")
    page.fill("[name='u0-uscc']", code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert page.locator(".field-error").count() == 0  # the last field is still being typed in
    page.locator("[name='a-case_name']").focus()
    _wait_saved(page)
    page.wait_for_selector("#err-a-case_brief .field-error")
    assert "限 200 字以内" in page.inner_text("#err-a-case_brief")
    assert "应填写数字" in page.inner_text("#err-a-rnd_cost")
    page.wait_for_selector("#err-u0-uscc .field-error")
    assert "校验位" in page.inner_text("#err-u0-uscc")
    assert page.get_attribute("[name='a-case_brief']", "aria-describedby") == "err-a-case_brief"
    assert page.locator("#err-a-innovation_points .field-error").count() == 0  # untouched required field: quiet

    def kept():
        assert page.input_value("[name='a-case_name']") == "基于XPay的跨境支付应用"
        assert page.input_value("[name='a-case_brief']") == "数" * 230
        assert page.input_value("[name='a-rnd_cost']") == "约五百万"
        assert page.is_checked(f"input[name='a-track'][value='{track.key}']")

    # 4. a file of the wrong type: refused in its row, the page keeps everything typed
    page.fill("[name='a-innovation_points']", "未保存就上传的文字")
    bad = tmp_path / "营业执照.exe"
    bad.write_bytes(b"MZ\x90\x00 this is not a licence")
    page.set_input_files("#file-business_licence", str(bad))
    page.click("button[name=_upload][value=business_licence]")
    page.wait_for_selector("#err-file-business_licence")
    assert "营业执照" in page.inner_text("#err-file-business_licence")
    kept()
    assert page.input_value("[name='a-innovation_points']") == "未保存就上传的文字"

    # 5. a joint unit with a mistyped code: refused beside the fields, both typed values kept
    page.fill("#joint-name", "广州联合金融科技有限公司")
    page.fill("#joint-credit_code", "91440101MA5ABCDE1X")
    page.click("button[name=_joint]")
    page.wait_for_selector("#err-joint-credit_code")
    assert page.input_value("#joint-name") == "广州联合金融科技有限公司"
    assert page.input_value("#joint-credit_code") == "91440101MA5ABCDE1X"
    kept()
    page.fill("#joint-name", "")
    page.fill("#joint-credit_code", "")

    # 6. 检查申报书: the formal-review rules as advice, with a link to the case name
    page.click("button[name=_precheck]")
    page.wait_for_selector("#advice")
    advice = page.inner_text("#advice")
    assert "案例名称规范" in advice and "XPay" in advice
    page.screenshot(path=f"{SHOTS}/advice.png", full_page=False)
    page.locator("#advice a[data-focus='a-case_name']").click()
    assert page.evaluate("document.activeElement.id") == "a-case_name"
    kept()

    # 7. submit the incomplete form: one summary, grouped by section, focused; nothing lost
    page.click("button.primary")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.url.rstrip("/").endswith("/submit")
    kept()
    groups = page.locator("#error-summary h3").all_inner_texts()
    assert groups[0].startswith("案例信息摘要表") and any(g.startswith("附件") for g in groups)
    summary_box = page.locator("#error-summary").bounding_box()
    assert summary_box["height"] < 1600
    page.screenshot(path=f"{SHOTS}/summary.png", full_page=False)
    links = page.locator("#error-summary a[data-focus]")
    targets = [links.nth(i).get_attribute("data-focus") for i in range(links.count())]
    assert len(targets) > 20
    # every link focuses its field
    for i, target in enumerate(targets):
        links.nth(i).click()
        focused = page.evaluate("document.activeElement.id")
        inside = page.evaluate("t => { const e = document.getElementById(t); return !!e && (e === document.activeElement"
                               " || e.contains(document.activeElement)); }", target)
        assert focused == target or inside, (target, focused)
        state = page.evaluate(COVERED_BY_BAR)
        assert state is None or not state["hidden"], state

    # 8. fix the typed mistakes through their links
    def fix(target, value):
        page.locator(f"#error-summary a[data-focus='{target}']").first.click()
        assert page.evaluate("document.activeElement.id") == target
        page.keyboard.press("Control+A")
        page.keyboard.type(value)

    good_title = "隐私计算赋能跨境支付便利化应用"
    assert "a-case_name" not in targets  # the case-name rule is advice, not a submission requirement
    page.fill("[name='a-case_name']", good_title)
    fix("a-case_brief", "以隐私计算连接银行与外贸企业数据，为中小外贸企业提供跨境收付款便利化服务。")
    fix("a-rnd_cost", "520")
    fix("u0-uscc", code)

    # 9. complete everything else the way a person would, attach the files, submit
    faker = TextFaker(12)
    filler = AnswerFaker(faker, GZ, track.key, [code], faker.topic())
    answers = filler.application(good_title)
    unit = filler.unit("广州纠错数字科技有限公司", code)
    _fill_form(page, [(n, v) for n, v in form_pairs(GZ, answers, [unit], [code])
                      if n not in {"a-case_name", "a-case_brief", "a-rnd_cost", "u0-uscc"}])
    page.click("button[name=_save]")
    page.wait_for_url(edit_url + "*")
    assert page.input_value("[name='a-case_name']") == good_title
    assert page.input_value("[name='a-rnd_cost']") == "520"
    for rule in GZ.attachments:
        if rule.required:
            name, data = sample_file(rule)
            path = tmp_path / name
            path.write_bytes(data)
            page.set_input_files(f"#file-{rule.key}", str(path))
            page.click(f"button[name=_upload][value={rule.key}]")
            assert "已上传" in page.inner_text(".messages")
    assert "可以提交" in page.inner_text("#blocking")
    with page.expect_navigation(timeout=120_000):
        page.click("button.primary", no_wait_after=True)
    print("after submit:", page.url)
    assert "已提交" in page.inner_text("main")
    assert "申报进程" in page.inner_text("#timeline")
    page.screenshot(path=f"{SHOTS}/timeline.png", full_page=False)
