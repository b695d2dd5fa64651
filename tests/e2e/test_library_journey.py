"""The public case library in a browser: search in Chinese, narrow by a facet, open a case; the private fields of
a published application (a winner of the demo's past edition, published again with private text) appear on no
page."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e
CANARY = "私密金丝雀E2E7"

SEED = f"""
from jinxuan.applicants.models import Application
from jinxuan.library.services import publish_application
app = Application.objects.filter(campaign__slug='gz-dianshu-2024', state='awarded').order_by('pk').first()
app.answers = {{**app.answers, 'case_brief': '以普惠金融服务小微企业，智能风控覆盖贷前贷后。',
               'business_plan': '内部方案{CANARY}', 'technical_plan': '技术细节{CANARY}'}}
app.save()
unit = app.units.first()
unit.answers = {{**unit.answers, 'unit_profile': '单位简介{CANARY}'}}
unit.save()
case = publish_application(app, tier='入围案例')
print(case.pk)
"""


@pytest.fixture(scope="module")
def published(server, server_env):
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", SEED], env=server_env,
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[-1])


def test_search_narrow_and_open_a_case(page, server, published):
    seen = []
    page.goto(f"{server}/")
    page.click("nav >> text=案例库")
    page.wait_for_url("**/library/")
    seen.append(page.content())
    page.fill("input[name=q]", "普惠")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/library/?q=*")
    total = int(page.inner_text("#lib-total"))
    assert total >= 2
    assert page.locator(".lib-hit mark", has_text="普惠").count() >= 1
    seen.append(page.content())

    facet = page.locator(".facet[data-kind=track] li").first
    count = int(facet.locator(".n").inner_text())
    facet.locator("a").click()
    page.wait_for_url("**track=*")
    assert int(page.inner_text("#lib-total")) == count <= total
    assert page.locator(".facet[data-kind=track] a.on").count() == 1
    seen.append(page.content())

    # a hit whose excerpt (drawn from its body) shows the term; a title-only match has nothing to mark in the body
    in_body = page.locator(".lib-hit").filter(has=page.locator(".lib-snippet mark", has_text="普惠"))
    assert in_body.count() >= 1
    first = in_body.first.locator("a.lib-title")
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/library/*/?q=*")
    assert page.inner_text("h1") == title
    assert page.locator("article.lib-body mark", has_text="普惠").count() >= 1
    seen.append(page.content())

    page.goto(f"{server}/library/{published}/")
    assert "小微企业" in page.inner_text("article.lib-body")
    seen.append(page.content())
    for path in ["/library/feed.json?q=%E6%99%AE%E6%83%A0", "/library/featured/", "/library/?q=%E9%A3%8E%E6%8E%A7"]:
        page.goto(server + path)
        seen.append(page.content())
    assert all(CANARY not in html for html in seen)
    assert any("入围案例" in html for html in seen)
