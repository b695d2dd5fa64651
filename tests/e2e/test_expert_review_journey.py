"""An expert scores an assigned application in Chromium; the blind page shows no identity field."""

import subprocess
import sys

import pytest

from .test_formal_review_journey import login

pytestmark = pytest.mark.e2e
SLUG = "xinhua-nqp-2025"  # expert review under way in the demo (gz has closed it)


def test_expert_scores_in_the_browser(page, server, server_env):
    script = (
        "from jinxuan.review.models import Assignment, Review\n"
        "a = Assignment.objects.filter(campaign__slug='xinhua-nqp-2025').exclude(review__state='submitted')"
        ".select_related('expert__user', 'application').order_by('pk').first()\n"
        "lead = a.application.units.get(is_lead=True).organisation\n"
        "print(a.expert.user.username, a.application_id, lead.credit_code, sep='|')\n"
        "print(lead.name)"
    )
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=server_env,
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()
    username, app_id, code = out[-2].split("|")
    lead_name = out[-1]

    login(page, server, username)
    page.goto(f"{server}/review/{SLUG}/")
    page.click(f"a[href='/review/{SLUG}/{app_id}/']")
    body = page.inner_text("#application")
    assert "盲评" in page.inner_text("main")
    assert lead_name not in page.content() and code not in page.content()
    for label in ("统一社会信用代码", "联系人", "负责人", "手机"):
        assert label not in body
    inputs = page.locator("#score-form input[type=number]")
    assert inputs.count() > 0
    for i in range(inputs.count()):
        inputs.nth(i).fill(str(70 + i % 20))
    page.fill("#score-form textarea >> nth=0", "创新点清晰，数据支撑充分。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#score-form button[value=submit]")
    page.wait_for_url(f"{server}/review/{SLUG}/")
    assert "评分已提交" in page.inner_text(".messages")
    row = page.locator("tr", has=page.locator(f"a[href='/review/{SLUG}/{app_id}/']"))
    assert "已提交" in row.inner_text()
