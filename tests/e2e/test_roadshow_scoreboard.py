"""The roadshow scoreboard on a projector updates without a reload when a judge signs off on a phone.

The demo server's gz-dianshu-2025 takes applications (other journeys use it), so this test loads the same
preset under another slug and brings it to the roadshow through the real services, inside the server's database."""

import subprocess
import sys

import pytest

from tests.roadshow.scenario import PASSWORD

pytestmark = pytest.mark.e2e
SLUG = "gz-roadshow-e2e"
PREPARE = f"""
from tests.roadshow.scenario import gz_copy, judges, roadshow_ready
from jinxuan.roadshow import services
c = gz_copy({SLUG!r})
roadshow_ready(c)
judges(c, 3, prefix='e2ejudge')
slots = services.build_schedule(c)
slot = services.end_presentation(services.start(slots[0]))
panel = services.panel(c)
services.sign_off(slot, panel[0], {{'score': '81'}})
services.sign_off(slot, panel[1], {{'score': '88'}})
print(slot.application.title)
"""


@pytest.fixture(scope="module")
def prepared(server, server_env):
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", PREPARE], env=server_env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_board_updates_when_a_judge_signs_on_a_phone(browser, server, prepared):
    title = prepared
    projector = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
    board = projector.new_page()
    board.goto(f"{server}/roadshow/{SLUG}/board/")
    assert board.locator("#results-body tr").count() == 0
    assert title in board.inner_text("#current") and "评分中" in board.inner_text("#current")
    board.evaluate("window.__notReloaded = true")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN")
    judge = phone.new_page()
    judge.goto(f"{server}/accounts/login/?next=/roadshow/{SLUG}/judge/")
    judge.fill("input[name=username]", "e2ejudge3")
    judge.fill("input[name=password]", PASSWORD)
    judge.click("main button[type=submit]")
    judge.wait_for_url(f"**/roadshow/{SLUG}/judge/")
    assert "评委03" in judge.inner_text("main") and title in judge.inner_text("#slot-title")
    assert judge.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on the phone
    judge.fill("input[name=score]", "90")
    judge.click("#review-button")
    assert "90 分" in judge.inner_text("#confirm-total")
    judge.click("#sign-button")
    judge.wait_for_url(f"**/roadshow/{SLUG}/judge/")
    assert "已签署第 1 场评分：90 分" in judge.inner_text(".messages")

    board.wait_for_selector("#results-body tr", timeout=15000)  # polled, not reloaded
    assert board.evaluate("window.__notReloaded") is True
    row = board.inner_text("#results-body tr")
    assert title in row and "评委01 81" in row and "评委02 88" in row and "评委03 90" in row
    assert board.inner_text("#results-body tr td:last-child") == "88"  # 81 and 90 dropped, 88 kept
    assert board.locator("#results-body .score.dropped").count() == 2
    assert title in board.inner_text("#ranking-body")
    phone.close()
    projector.close()
