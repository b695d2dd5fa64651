"""A real server process on its own SQLite database, and Debian's Chromium driven by Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_postgres(url: str) -> tuple[str, callable]:
    """A new database beside the one DATABASE_URL names, so the server process sees real PostgreSQL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = f"jinxuan_e2e_{os.getpid()}"

    def run(sql):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JINXUAN_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="jinxuan.settings")
    cleanup = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], cleanup = _fresh_postgres(os.environ["DATABASE_URL"])
    yield env
    if cleanup:
        cleanup()


@pytest.fixture(scope="session")
def server(server_env):
    env = server_env
    cli = [sys.executable, "-m", "jinxuan.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "demo", "--per-campaign", "7"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([*cli, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("测试服务器未能启动")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


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
    yield page
    context.close()
