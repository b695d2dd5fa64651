"""A real server process on its own SQLite database, and Debian's Chromium driven by Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


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
    # gunicorn, as in production: several processes and a real listen backlog
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "jinxuan.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
                             "--threads", "8", "--timeout", "60"], env=env,
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
