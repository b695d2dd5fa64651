"""An organiser appoints five roadshow judges by invitation (five new people accept the links from the outbox),
marks two district recommendations on the page (with the letters), computes the composite and runs the roadshow
with all five judges scoring every presentation: each score is the mean without the highest and the lowest, and
the two recommended cases, ranked below the cut, are in the roadshow.

The demo server's gz-dianshu-2025 stays in its public vote (other journeys use it): the campaign is a copy of the
preset under another slug, brought to the end of its vote inside the server's database."""

import json
import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest

from jinxuan.demo.files import tiny_pdf
from tests.roadshow.scenario import PASSWORD

pytestmark = pytest.mark.e2e
SLUG = "gz-people-e2e"
JUDGES = [(f"人员评委{i}", f"people.judge{i}@example.cn") for i in range(1, 6)]
OFFSETS = (0, 12, 7, 20, 3)  # judge k scores base + OFFSETS[k]: the highest and the lowest are dropped


def _shell(env, code: str) -> str:
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", code], env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def prepared(server, server_env):
    return json.loads(_shell(server_env, "from tests.recommendations.scenario import before_composite\n"
                                         f"print(before_composite({SLUG!r}))"))


def _login(context, server, username, next_url):
    page = context.new_page()
    page.goto(f"{server}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{next_url}")
    return page


def _goto(page, url):
    """The control page reloads itself when the session's state changes (roadshow/live.js): a navigation begun
    just then is aborted by that reload; go again."""
    from playwright.sync_api import Error

    for attempt in range(5):
        try:
            page.goto(url)
            return
        except Error as e:
            if "ERR_ABORTED" not in str(e) or attempt == 4:
                raise
            page.wait_for_timeout(300)


def _open(page, url):
    """The judge page reloads itself when the slot changes: a navigation may be overtaken by that reload."""
    from playwright.sync_api import Error

    for _ in range(5):
        try:
            page.goto(url)
            page.wait_for_selector("input[name=score]")
            return
        except Error:
            page.wait_for_timeout(500)
    raise AssertionError(f"the judge page did not settle: {url}")


def _shot(page, name):
    """With SHOTS_DIR set, keep a full-page picture of the step (for a person to look at)."""
    if os.environ.get("SHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["SHOTS_DIR"], f"{name}.png"), full_page=True)


def _trimmed(scores) -> Decimal:
    kept = sorted(scores)[1:-1]
    return (Decimal(sum(kept)) / len(kept)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_organiser_appoints_five_judges_marks_two_recommendations_and_runs_the_roadshow(
        browser, server, server_env, prepared, tmp_path):
    office = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    org = _login(office, server, prepared["organiser"], f"/accounts/seats/{SLUG}/")
    org.on("dialog", lambda dialog: dialog.accept())

    # 人员: five judges in one bulk invitation
    org.select_option("#invite-bulk select[name=role]", "roadshow_judge")
    org.fill("#invite-bulk textarea[name=people]", "\n".join(f"{n} {e}" for n, e in JUDGES))
    org.click("#invite-bulk button[type=submit]")
    assert "已发送 5 份邀请" in org.inner_text(".messages")
    judges_section = org.inner_text("#people-2")
    assert "路演评委" in judges_section and judges_section.count("已邀请") == 5

    # each judge opens the link in the mail (the outbox) and sets a password: five new people
    bodies = json.loads(_shell(server_env, "import json\nfrom jinxuan.notifications.models import OutboxMessage\n"
                                           f"print(json.dumps({{e: OutboxMessage.objects.filter(to__iexact=e)"
                                           f".latest('pk').body for e in {[e for _, e in JUDGES]!r}}}))"))
    phones = []
    for i, (name, email) in enumerate(JUDGES, start=1):
        link = re.search(r"https?://\S+/accounts/invitations/[^/\s]+/", bodies[email]).group(0)
        phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        page = phone.new_page()
        page.goto(re.sub(r"^https?://[^/]+", server, link))
        assert "路演评委" in page.inner_text("main")
        page.fill("input[name=username]", f"people_judge{i}")
        assert page.input_value("input[name=display_name]") == name
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "账户已创建" in page.inner_text(".messages")
        phones.append(page)
    org.goto(f"{server}/accounts/seats/{SLUG}/")
    judges_section = org.inner_text("#people-2")
    assert judges_section.count("已接受") == 5 and "在任 5 人" in judges_section
    _shot(org, "people")

    # 区级推荐: the two cases with the lowest expert scores, each with its letter
    letter = tmp_path / "区推荐函.pdf"
    letter.write_bytes(tiny_pdf("district letter"))
    recommended = prepared["apps"][:2]
    org.goto(f"{server}/manage/recommendations/{SLUG}/")
    for (number, _title), district in zip(recommended, ("天河区", "黄埔区"), strict=True):
        org.fill("#recommend-form input[name=number]", number)
        org.select_option("#recommend-form select[name=district]", district)
        org.set_input_files("#recommend-form input[name=letter]", str(letter))
        org.click("#recommend-form button[type=submit]")
        assert f"已登记 {number}" in org.inner_text(".messages")
    table = org.inner_text("#recommendations")
    assert all(title in table for _, title in recommended) and table.count("区推荐函.pdf") == 2
    _shot(org, "recommendations")

    # the vote has ended: compute the composite; 30 % of 6 → 1 by merit, the two recommended cases directly
    org.goto(f"{server}/manage/vote/{SLUG}/")
    org.click("#composite button[type=submit]")
    org.wait_for_selector("#composite table")

    # 路演答辩: the five judges are on the panel (seated when they accepted); every case is scored by all five
    org.goto(f"{server}/manage/roadshow/{SLUG}/")
    org.click("#build-button")
    org.wait_for_selector("#next-button")
    schedule = org.inner_text("main")
    for _, title in recommended:
        assert title in schedule
    assert org.locator("text=区级推荐").count() >= 2
    slots = org.locator("tr[class^=slot-]").count()
    assert slots == 3
    given = {}
    for s in range(slots):
        org.click("#next-button")
        org.click("#end-button")
        org.wait_for_selector("#next-button, #close-button")
        base = 60 + 4 * s
        for k, page in enumerate(phones):
            _open(page, f"{server}/roadshow/{SLUG}/judge/")
            title = page.inner_text("#slot-title")
            page.fill("input[name=score]", str(base + OFFSETS[k]))
            page.click("#review-button")
            page.click("#sign-button")
            page.wait_for_selector(".messages")
            assert "已签署" in page.inner_text(".messages")
        given[title.strip()] = [base + o for o in OFFSETS]
        _goto(org, f"{server}/manage/roadshow/{SLUG}/")
    org.click("#close-button")
    org.wait_for_selector("text=结果已确定")
    _shot(org, "roadshow-result")

    results = json.loads(_shell(server_env, "import json\nfrom jinxuan.pipeline import runtime\n"
                                            "from jinxuan.applicants.models import Application\n"
                                            f"from jinxuan.campaigns.models import Campaign\nc = Campaign.objects.get(slug={SLUG!r})\n"
                                            "run = runtime.final_run(c, 'roadshow')\n"
                                            "t = dict(Application.objects.filter(campaign=c).values_list('pk', 'title'))\n"
                                            "print(json.dumps({t[e['application_id']]: e['score'] for e in run.result['entries']},"
                                            " ensure_ascii=False))"))
    assert {t for t in results} >= {title for _, title in recommended}
    for slot_title, scores in given.items():
        title = next(t for t in results if t in slot_title)
        assert Decimal(str(results[title])).quantize(Decimal("0.01")) == _trimmed(scores)
    office.close()
    for page in phones:
        page.context.close()
