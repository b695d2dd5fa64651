"""Browser journeys on the live server: public visitor, organiser, applicant, lockout."""

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "jinxuan-demo-2025"


def login(page, server, username, password=PASSWORD):
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_public_visitor_sees_the_three_calls_and_the_past_edition(page, server):
    page.goto(server + "/")
    cards = page.locator("article.card")
    assert cards.count() == 4  # the three presets and the demo's finished 2024 edition
    assert "点数成金2024" in page.inner_text("main") or "2024年" in page.inner_text("main")
    page.goto(server + "/campaigns/gz-dianshu-2025/")
    assert "评审流程" in page.content() and "路演答辩" in page.inner_text("ol.pipeline")
    page.goto(server + "/campaigns/gz-dianshu-2024/")
    page.click("text=评选结果")
    assert page.url.endswith("/results/gz-dianshu-2024/") and "入围" in page.inner_text("main")
    page.goto(server + "/manage/")
    assert "/accounts/login/" in page.url


def test_organiser_opens_a_campaign_dashboard(page, server, tmp_path):
    login(page, server, "organiser")
    page.wait_for_url("**/workspace/")  # the to-do list is every role's landing page
    assert "待形式审核的申报" in page.inner_text("#todo")
    page.goto(server + "/manage/")
    assert page.locator("tbody tr").count() == 4
    page.click("text=点数成金2025")
    page.wait_for_url("**/manage/gz-dianshu-2025/")
    assert "各状态申报数" in page.inner_text("#state-counts")
    assert page.locator("ol.pipeline li").count() == 9
    # htmx refresh of the counts fragment keeps the numbers in place
    page.evaluate("htmx.trigger('#state-counts', 'every 30s')")
    page.wait_for_timeout(300)
    assert "待补正" in page.inner_text("#state-counts")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_applicant_sees_own_applications(page, server):
    login(page, server, "applicant2")
    page.wait_for_url("**/workspace/")
    assert "本单位的申报" in page.content()
    assert page.locator("table tbody tr").count() >= 1
    page.goto(server + "/manage/gz-dianshu-2025/")
    assert "页面不存在" in page.content()


def test_repeated_failures_lock_the_account(page, server):
    for _ in range(5):
        login(page, server, "expert6", "wrong-password")
    login(page, server, "expert6")
    assert "锁定" in page.content()
