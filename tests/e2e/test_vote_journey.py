"""The public vote against the live server: a voter verifies by SMS code and votes on a phone; 100 parallel votes
by one voter for one application on one day count once; a scanner following a shared link casts nothing.

No demo campaign is voting today (点数成金2025 takes applications), so the module loads the reference preset under
another slug and brings it to an open vote through the real services, inside the server's database."""

import concurrent.futures as cf
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.e2e
SLUG = "gz-vote-e2e"
PREPARE = f"""
from tests.roadshow.scenario import gz_copy, vote_open
vote_open(gz_copy({SLUG!r}))
"""


def shell(env, script: str) -> list[str]:
    return subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=env,
                          capture_output=True, text=True, check=True).stdout.split()


@pytest.fixture(scope="module")
def voting(server, server_env):
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", PREPARE], env=server_env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return SLUG


def test_voter_verifies_and_votes_on_a_phone(browser, server, server_env, voting):
    app_id = int(shell(server_env, "from jinxuan.voting.services import entrants; from jinxuan.campaigns.models "
                       f"import Campaign; print(entrants(Campaign.objects.get(slug={SLUG!r})).first().pk)")[-1])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/vote/{SLUG}/")
    page.click(f"a[href='/vote/{SLUG}/{app_id}/'] >> nth=0")
    before = int(page.inner_text("#votes"))
    page.click("#vote-button")
    page.wait_for_url("**/vote/verify/**")
    page.fill("input[name=phone]", "13712345678")
    page.click("button[value=send]")
    assert "验证码已发送" in page.inner_text(".messages")
    code = shell(server_env, "from jinxuan.voting.models import SmsMessage; "
                 "print(SmsMessage.objects.filter(phone='13712345678').first().body.split('验证码为 ')[1][:6])")[-1]
    page.fill("input[name=code]", code)
    page.click("button[value=verify]")
    page.wait_for_url(f"**/vote/{SLUG}/{app_id}/")
    page.click("#vote-button")
    page.click("#confirm-button")
    page.wait_for_url(f"**/vote/{SLUG}/{app_id}/")
    assert "投票成功" in page.inner_text(".messages")
    stored = shell(server_env, "from jinxuan.voting.models import Vote; "
                   f"print(Vote.objects.filter(application_id={app_id}, voter__phone='13712345678').count())")
    assert stored[-1] == "1"
    assert int(page.inner_text("#votes")) >= before  # the public count may lag by the display delay
    context.close()


def test_hundred_parallel_votes_count_once_and_scanners_cast_nothing(server, server_env, voting):
    out = shell(server_env, (
        "from django.core import signing; from django.utils import timezone; "
        "from jinxuan.voting.models import Voter; from jinxuan.voting.services import entrants; "
        "from jinxuan.campaigns.models import Campaign; "
        "v = Voter.objects.create(phone='13600000001', verified_at=timezone.now()); "
        f"a = entrants(Campaign.objects.get(slug={SLUG!r})).last(); "
        "print(a.pk, signing.get_cookie_signer(salt='jx_voter' + 'voter').sign(str(v.pk)))"))
    app_id, cookie = out[-2], out[-1]
    url = f"{server}/vote/{SLUG}/{app_id}/confirm/"
    # a link scanner (GET, HEAD) on the vote URLs casts nothing
    for target in (url, f"{server}/vote/{SLUG}/{app_id}/"):
        for method in ("GET", "HEAD"):
            urllib.request.urlopen(urllib.request.Request(target, method=method,
                                                          headers={"Cookie": f"jx_voter={cookie}"}), timeout=30)
    body = urllib.parse.urlencode({"confirmed": "1", "csrfmiddlewaretoken": "a" * 32}).encode()
    headers = {"Cookie": f"jx_voter={cookie}; csrftoken={'a' * 32}", "Referer": f"{server}/",
               "Content-Type": "application/x-www-form-urlencoded"}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def vote(_):
        try:
            return opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=60).status
        except urllib.error.HTTPError as exc:
            return exc.code

    counted = shell(server_env, f"from jinxuan.voting.models import Vote; print(Vote.objects.filter("
                    f"application_id={app_id}, voter__phone='13600000001').count())")
    assert counted[-1] == "0"
    with cf.ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(vote, range(100)))
    assert set(statuses) == {302}, statuses
    counted = shell(server_env, f"from jinxuan.voting.models import Vote; print(Vote.objects.filter("
                    f"application_id={app_id}, voter__phone='13600000001').count())")
    assert counted[-1] == "1"
