import os

import pytest
from django.conf import settings

# Fixtures shared across packages (pytest reads pytest_plugins in the root conftest only).
pytest_plugins = ["tests.fixtures.applicants", "tests.fixtures.library", "tests.fixtures.reader", "tests.fixtures.review",
                  "tests.fixtures.voting"]


@pytest.fixture(scope="session", autouse=True)
def _cache_per_worker():
    """Parallel workers share one Redis: each keeps its keys under its own prefix (and `cache.clear()` clears only
    those, jinxuan/ops/cache.py), as each has its own test database."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker_id:
        yield
        return
    from django.test.utils import override_settings

    caches = {name: {**conf, "KEY_PREFIX": f"{conf.get('KEY_PREFIX', '')}-{worker_id}"}
              for name, conf in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2 as in production, at its lowest cost: the production parameters (100 MB, two passes) take some
    100 ms per hash, and the tests create thousands of accounts. A hash still starts with "argon2"; one made
    here verifies under the production hasher (argon2 keeps its parameters in the hash)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.helpers.hashers.CheapArgon2PasswordHasher",
                                             *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def _nothing_kept_in_process():
    """Values a process keeps in memory (campaigns/kept.py) are keyed by ids, and a rolled-back test database may
    hand the same ids to the next test: each test starts with none."""
    from jinxuan.campaigns.kept import forget_in_process

    forget_in_process()
    yield
    forget_in_process()


@pytest.fixture(autouse=True)
def _isolated_files(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_CHUNK_DIR = tmp_path / "chunks"
    settings.LIBRARY_INDEX_DIR = tmp_path / "library-index"  # the search index follows the test database
    settings.TEXT_INDEX_DIR = tmp_path / "text-index"  # the saved corpus index too


@pytest.fixture
def campaigns(db):
    from jinxuan.demo.population import load_presets

    return {c.slug: c for c in load_presets()}


@pytest.fixture
def make_user(db):
    from jinxuan.accounts.models import RoleAssignment, User

    def make(username, *roles, campaign=None, password="s3cret-Passw0rd!", verified=True):
        from django.utils import timezone

        user = User.objects.create_user(username=username, password=password, email=f"{username}@example.cn",
                                        email_verified_at=timezone.now() if verified else None)
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role, campaign=campaign)
        return user

    return make


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event loop running in the
    thread while it lives, and Django then refuses every database call of the tests that follow on the same worker
    (SynchronousOnlyOperation) — with one file per worker, browser and database tests share workers."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("浏览器测试需要 Debian 的 chromium：apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked = []  # anything the Content-Security-Policy blocked is a bug of the page
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert blocked == [], blocked
