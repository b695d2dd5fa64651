"""WCAG 2.1 A and AA on every page of the route walker, as each demo role, in a real Chromium, checked by axe-core.

The pages are those of tests/pages/walk.py (the routes of the permission matrix's walker, seeded with every demo
campaign and followed through each role's own links), one URL per route and role, on the e2e server's demo data.
axe-core is vendored from npm (tests/e2e/vendor/axe-core, checksum checked here), never loaded from a CDN. A failure
names the role, the route, the URL, the rule and every offending element.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pages.walk import ROLES, role_name, walk

pytestmark = pytest.mark.e2e
PASSWORD = "jinxuan-demo-2025"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01"  # axe-core 4.11.0
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || '').split('\\n').slice(1, 3).join(' ').slice(0, 200)}))}));
}"""


def _axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "tests/e2e/vendor/axe-core/axe.min.js is not the pinned release"
    return data.decode()


@pytest.fixture(scope="module")
def slugs(server, server_env):
    code = "import django;django.setup();from jinxuan.campaigns.models import Campaign as C;" \
           "print(' '.join(C.objects.values_list('slug', flat=True)))"
    out = subprocess.run([sys.executable, "-c", code], env=server_env, check=True, capture_output=True, text=True)
    return out.stdout.split()


def _violations(page, source: str) -> list[dict]:
    page.evaluate(source)
    return page.evaluate(RUN, TAGS)


def _login(page, server, username):
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def test_every_page_as_every_role_meets_wcag_21_aa(browser, server, slugs):
    source = _axe_source()
    problems, checked = [], 0
    for role in ROLES:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page = context.new_page()
        if role:
            _login(page, server, role)

        def fetch(url, context=context):
            response = context.request.get(server + url, max_redirects=0)
            content_type = response.headers.get("content-type", "")
            return response.status, content_type, response.text() if "text/html" in content_type else ""

        for visited in walk(role, fetch, slugs, per_route=1):
            page.goto(server + visited.url)
            checked += 1
            for v in _violations(page, source):
                elements = "; ".join(f"{n['target']} {n['html']!r} {n['summary']}".strip() for n in v["nodes"][:6])
                more = f" (+{len(v['nodes']) - 6} more)" if len(v["nodes"]) > 6 else ""
                problems.append(f"{role_name(role)} · {visited.route} · {visited.url}: {v['id']} ({v['impact']}: "
                                f"{v['help']}) on {len(v['nodes'])} element(s): {elements}{more}")
        context.close()
    assert checked >= 100, f"only {checked} pages walked"
    assert not problems, f"{len(problems)} WCAG 2.1 A/AA violations on {checked} pages:\n" + "\n".join(problems)


def test_axe_finds_a_violation_when_there_is_one(browser, server):
    """The checker itself: an unlabeled field and grey-on-grey text must be reported."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(server + "/healthz")
    page.set_content('<html lang="zh-CN"><head><title>测试</title></head><body><main><h1>测试</h1>'
                     '<input type="text" name="x"><p style="color:#999;background:#aaa">低对比度文字</p></main></body></html>')
    found = {v["id"] for v in _violations(page, _axe_source())}
    context.close()
    assert {"label", "color-contrast"} <= found, json.dumps(sorted(found))
