"""A formal reviewer works through a queue of 30 applications in Chromium: opens the first from the filtered list,
reads it in place (sections, a PDF previewed in the page), moves with the keyboard and the buttons with the
filters kept, passes 25 in one bulk action and asks the other 5 for a correction; every application then has its
own audited decision.

The queue is built in a database of this module's own (its own server), so the demo the other browser tests share
is not changed."""

import datetime as dt
import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from bench.support import fresh_database, serve

pytestmark = pytest.mark.e2e
PASSWORD = "jinxuan-demo-2025"
SLUG = "gz-dianshu-2025"
REVIEWER = "queue_reviewer"
COUNT = 30


def build() -> None:
    """The campaign open for formal review, a formal reviewer and 30 submitted applications without blocking
    findings (run inside the server's database: `jinxuan shell -c`)."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from jinxuan.accounts.models import Role, RoleAssignment, User
    from jinxuan.applicants.models import Organisation
    from jinxuan.campaigns.schedule import reschedule
    from jinxuan.demo.population import credit_code, load_presets
    from jinxuan.formalreview.services import run_screening
    from tests.factories import submitted_application

    campaign = {c.slug: c for c in load_presets()}[SLUG]
    now = timezone.now()
    reschedule(campaign, now - dt.timedelta(days=20), now + dt.timedelta(days=20))
    user = User.objects.create(username=REVIEWER, email=f"{REVIEWER}@example.cn", password=make_password(PASSWORD),
                               email_verified_at=now, display_name="形式审核员")
    RoleAssignment.objects.create(user=user, role=Role.FORMAL_REVIEWER, campaign=campaign)
    rng = random.Random(5)
    orgs = [Organisation.objects.create(name=f"广州队列测试{n}号数字科技有限公司", credit_code=credit_code(rng, "广州"),
                                        verified_at=now) for n in range(6)]
    made, n = 0, 0
    while made < COUNT:
        app = submitted_application(campaign, orgs[n % len(orgs)], n)
        n += 1
        if run_screening(app).blocking:  # the faker may break a rule: the queue is of applications one may pass
            app.delete()
            continue
        made += 1


def _state(env) -> dict:
    script = ("import json\n"
              "from jinxuan.applicants.models import Application\n"
              "from jinxuan.audit.models import AuditEvent\n"
              f"apps = Application.objects.filter(campaign__slug='{SLUG}')\n"
              "events = AuditEvent.objects.filter(action='formal.decision')\n"
              "from jinxuan.accounts.models import User\n"
              "print(json.dumps({'states': {str(a.pk): a.state for a in apps},"
              f" 'reviewer': User.objects.get(username='{REVIEWER}').pk,"
              " 'events': [[e.object_id, e.after.get('decision'), e.after.get('batch'), e.actor_id]"
              " for e in events]}))")
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def queue_server(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JINXUAN_DATA_DIR=str(tmp_path_factory.mktemp("reader-e2e")), DJANGO_SETTINGS_MODULE="jinxuan.settings")
    cleanup = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], cleanup = fresh_database(os.environ["DATABASE_URL"], f"jinxuan_e2e_reader_{os.getpid()}")
    cli = [sys.executable, "-m", "jinxuan.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "shell", "-c", "from tests.e2e.test_reader_journey import build; build()"], env=env,
                   check=True, capture_output=True)
    url, proc = serve(env, workers=2, threads=4)
    yield url, env
    proc.terminate()
    proc.wait(timeout=10)
    if cleanup:
        cleanup()


def _shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def test_a_formal_reviewer_works_through_a_queue_of_30(page, queue_server):
    server, env = queue_server
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", REVIEWER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.on("dialog", lambda dialog: dialog.accept())

    # the filtered list: 30 applications, 25 on the first page
    page.goto(f"{server}/manage/formal/{SLUG}/")
    page.select_option("select[name=state]", "submitted")
    page.click("form[role=search] button[type=submit]")
    assert "state=submitted" in page.url
    assert f"共 {COUNT} 份符合筛选条件" in page.inner_text("main")
    assert page.locator("table.queue tbody input[name=selected]").count() == 25
    _shot(page, "queue")

    # the first application, read in place
    page.click("table.queue tbody tr:first-child td:nth-child(3) a")
    assert page.url.startswith(f"{server}/read/{SLUG}/")
    first = page.url
    headings = page.locator(".reader-section h2").all_inner_texts()
    assert headings[0].startswith("一、案例信息摘要表") and any(h.startswith("三、申报案例说明") for h in headings)
    assert page.locator("table").count() >= 2  # the indicator table and the contacts, as tables
    frame = page.locator("iframe.pdf-preview").first
    preview = page.request.get(server + frame.get_attribute("src"))
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline")
    assert "第 1 / 30 份" in page.inner_text(".reader-nav")
    _shot(page, "reader")

    # next with the keyboard, with the button, back with the arrow; the list's filter travels along
    page.keyboard.press("j")
    page.wait_for_url(lambda url: url != first)
    assert "第 2 / 30 份" in page.inner_text(".reader-nav")
    assert parse_qs(urlparse(page.url).query)["from"] == ["state=submitted"]
    second = page.url
    page.click(".reader-nav a[rel=next]")
    page.wait_for_url(lambda url: url != second)
    assert "第 3 / 30 份" in page.inner_text(".reader-nav")
    page.fill("textarea[name=reason]", "jk")  # typing in a field moves nowhere
    assert "第 3 / 30 份" in page.inner_text(".reader-nav")
    page.locator("h1").click()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(second)
    assert "第 2 / 30 份" in page.inner_text(".reader-nav")

    # back to the list, its filter kept: pass the first page's 25 at once
    page.click(".reader-nav >> text=返回形式审核列表")
    assert "state=submitted" in page.url
    page.check("#select-all")
    assert page.locator("table.queue tbody input[name=selected]:checked").count() == 25
    page.fill(".queue-bulk textarea[name=reason]", "材料齐全，形式审核通过")
    page.click("button[value=pass]")
    assert "已通过 25 份申报" in page.inner_text(".messages")
    assert "共 5 份符合筛选条件" in page.inner_text("main")

    # the other 5: a correction with one reason and a deadline
    page.check("#select-all")
    page.fill(".queue-bulk textarea[name=reason]", "请补充近三年服务客户数量")
    page.fill("input[name=due]", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    page.click("button[value=correction]")
    assert "已要求补正 5 份申报" in page.inner_text(".messages")
    assert "没有符合筛选条件的申报" in page.inner_text("main")

    state = _state(env)
    states = list(state["states"].values())
    assert states.count("accepted") == 25 and states.count("needs_correction") == 5
    events = state["events"]
    assert sorted(e[0] for e in events) == sorted(state["states"])  # one decision per application
    assert all(e[3] == state["reviewer"] for e in events)
    passes = {e[2] for e in events if e[1] == "pass"}
    corrections = {e[2] for e in events if e[1] == "correction"}
    assert len(passes) == 1 and len(corrections) == 1 and passes != corrections  # two bulk actions
