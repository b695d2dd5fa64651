"""An organiser takes a submitted application through 退回补正 → corrected by the applicant → 通过, in Chromium."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "jinxuan-demo-2025"


def login(page, server, username):
    page.context.clear_cookies()
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_correction_loop_in_the_browser(page, server, server_env):
    script = ("from jinxuan.applicants.models import Application; "
              "a = Application.objects.filter(campaign__slug='gz-dianshu-2025', state='submitted').order_by('pk').first(); "
              "print(a.pk, a.units.get(is_lead=True).organisation.memberships.first().user.username)")
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=server_env,
                         capture_output=True, text=True, check=True).stdout.split()
    app_id, owner = int(out[-2]), out[-1]

    login(page, server, "organiser")
    page.goto(f"{server}/manage/formal/gz-dianshu-2025/")
    page.click(f"a[href^='/read/gz-dianshu-2025/{app_id}/']")  # the queue opens the application reader
    page.check("input[name=decision][value=correction]")
    page.fill("textarea[name=reason]", "请在案例简介中补充服务客户数量")
    page.click("text=提交结论")
    assert "已记录审核结论" in page.inner_text(".messages")

    login(page, server, owner)
    page.goto(f"{server}/apply/{app_id}/")
    assert "请在案例简介中补充服务客户数量" in page.inner_text("main")
    page.click("text=修改并重新提交")
    intro = page.locator("textarea[name^='a-'][data-max-chars='200']").first
    intro.fill("本案例累计服务小微企业1200家，" + intro.input_value()[:150])
    page.click("button[name=_save]")
    page.click("button.primary")
    assert "已提交（第 2 版）" in page.inner_text(".messages")

    login(page, server, "organiser")
    page.goto(f"{server}/manage/formal/gz-dianshu-2025/{app_id}/")
    assert "与上一版的差异" in page.inner_text("main")
    assert "1200" in page.inner_text("table.diff")
    page.check("input[name=decision][value=pass]")
    if page.locator("textarea[name=override_reason]").count():
        page.fill("textarea[name=override_reason]", "经人工核对，提示问题不影响形式审核")
    page.click("text=提交结论")
    assert "已记录审核结论" in page.inner_text(".messages")
    page.goto(f"{server}/apply/{app_id}/")
    assert "形式审核通过" in page.inner_text("main")
