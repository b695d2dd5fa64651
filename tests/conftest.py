import os
from pathlib import Path

import pytest
from django.conf import settings

PRESETS = sorted(Path(settings.PRESET_DIR).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _isolated_files(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_CHUNK_DIR = tmp_path / "chunks"
    settings.LIBRARY_INDEX_DIR = tmp_path / "library-index"  # the search index follows the test database


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


@pytest.fixture(scope="session")
def browser():
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
