"""Issue 18 in Chromium: an expert seat by e-mail invitation, and a joint unit only by its owner's consent."""

import re
import subprocess
import sys

import pytest

from .test_formal_review_journey import login

pytestmark = pytest.mark.e2e
REVIEW = "xinhua-nqp-2025"  # expert review under way in the demo
APPLY = "gz-dianshu-2025"  # open for applications in the demo


def shell(env, script: str) -> list[str]:
    return subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=env,
                          capture_output=True, text=True, check=True).stdout.strip().splitlines()


def _context_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    return context, context.new_page()


def test_expert_invited_by_email_sets_a_password_and_an_impostor_gains_nothing(page, browser, server, server_env):
    email = "zhou.expert@e2e.example.cn"
    # someone signs up first with the expert's address (they cannot open the expert's mail)
    impostor_context, impostor = _context_page(browser)
    impostor.goto(server + "/apply/signup/")
    impostor.fill("[name=username]", "zhou_impostor")
    impostor.fill("[name=display_name]", "周专家")
    impostor.fill("[name=email]", email)
    impostor.fill("[name=password]", "Mao-Chong-Zhe-2025")
    impostor.click("button[type=submit]")
    impostor.wait_for_url("**/apply/")

    # the organiser adds the expert to the pool by address: an invitation, no seat yet
    login(page, server, "organiser")
    page.goto(f"{server}/manage/review/{REVIEW}/experts/")
    form = page.locator("form:has(input[name=action][value=add])")
    form.locator("[name=name]").fill("周专家")
    form.locator("[name=email]").fill(email)
    form.locator("[name=load]").fill("8")
    form.locator("button[type=submit]").click()
    assert "已发送专家邀请" in page.inner_text(".messages")
    assert "待接受" in page.inner_text("#invitations")

    impostor.goto(f"{server}/review/{REVIEW}/")
    assert "页面不存在" in impostor.content()

    # the expert reads the mail and sets a password through the invitation
    body = "\n".join(shell(server_env, "from jinxuan.notifications.models import OutboxMessage; "
                                       f"print(OutboxMessage.objects.filter(event='seat_invited', to='{email}')"
                                       ".latest('pk').body)"))
    path = re.search(r"/accounts/invitations/[^/\s]+/", body).group(0)
    expert_context, expert = _context_page(browser)
    expert.goto(server + path)
    assert "邀请您担任评审专家" in expert.inner_text("main")
    expert.fill("[name=username]", "zhou_expert")
    expert.fill("[name=password]", "Zhou-Zhuan-Jia-2025")
    expert.fill("[name=password2]", "Zhou-Zhuan-Jia-2025")
    expert.click("button:has-text('设置密码并接受邀请')")
    expert.wait_for_url(f"**/review/{REVIEW}/")
    assert "您已接受邀请" in expert.inner_text(".messages")

    # the link works once; the organiser sees who accepted; the impostor still has nothing
    expert.goto(server + path)
    assert "已被接受" in expert.content()
    page.reload()
    assert "已接受" in page.inner_text("#invitations") and "周专家" in page.inner_text("table")
    impostor.goto(f"{server}/review/{REVIEW}/")
    assert "页面不存在" in impostor.content()
    impostor.goto(server + path)
    assert "已被接受" in impostor.content()
    assert shell(server_env, "from jinxuan.accounts.models import RoleAssignment; "
                             "print(RoleAssignment.objects.filter(user__username='zhou_impostor').count())")[-1] == "0"
    impostor_context.close()
    expert_context.close()


def test_joint_unit_needs_the_consent_of_its_verified_administrator(page, browser, server, server_env):
    # B: applicant2's verified organisation, with one more (non-administrator) member
    out = shell(server_env, (
        "from django.utils import timezone\n"
        "from jinxuan.accounts.models import User\n"
        "from jinxuan.applicants.models import Membership\n"
        "from jinxuan.demo.population import _demo_password_hash\n"
        "admin = User.objects.get(username='applicant2')\n"
        "org = admin.organisation_memberships.get(is_admin=True).organisation\n"
        "member, _ = User.objects.get_or_create(username='b_colleague', defaults={'email': 'b.colleague@e2e.example.cn',"
        " 'password': _demo_password_hash(), 'email_verified_at': timezone.now()})\n"
        "Membership.objects.get_or_create(user=member, organisation=org)\n"
        "print(org.credit_code, org.is_verified, sep='|')\n"
        "print(org.name)"))
    code, verified = out[-2].split("|")
    b_name = out[-1]
    assert verified == "True"

    # A starts a draft and names B as a joint unit
    login(page, server, "applicant1")
    page.goto(f"{server}/apply/new/{APPLY}/")
    page.click("button[type=submit]")
    page.wait_for_url("**/edit/")
    app_path = page.url.split(server, 1)[1].rsplit("edit/", 1)[0]
    page.fill("#joint-name", "随手填写的名称")
    page.fill("#joint-credit_code", code)
    page.click("button[name=_joint]")
    assert "联合申报确认请求" in page.inner_text(".messages")

    # before consent B's member gets nothing
    member_context, member = _context_page(browser)
    login(member, server, "b_colleague")
    member.goto(server + app_path)
    assert "页面不存在" in member.content()

    # B's administrator sees the request and accepts
    admin_context, admin = _context_page(browser)
    login(admin, server, "applicant2")
    admin.goto(server + "/apply/")
    assert "待确认的联合申报" in admin.inner_text("#joint-requests")
    admin.click("#joint-requests a:has-text('前往确认')")
    row = admin.locator("#joint-requests tr", has_text="（未命名案例）").last
    row.locator("button[value=accept]").click()
    assert "已确认参与联合申报" in admin.inner_text(".messages")

    # only now does B's member see the application, under B's verified name
    member.goto(server + app_path)
    assert "页面不存在" not in member.content()
    assert b_name in member.inner_text("main")
    member_context.close()
    admin_context.close()
