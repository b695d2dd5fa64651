"""A real server process (gunicorn) on a database of its own: SQLite, or a fresh PostgreSQL one when DATABASE_URL is set."""

import os
import subprocess
import sys

import pytest

from bench.support import fresh_database, serve


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JINXUAN_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="jinxuan.settings")
    cleanup = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], cleanup = fresh_database(os.environ["DATABASE_URL"], f"jinxuan_e2e_{os.getpid()}")
    yield env
    if cleanup:
        cleanup()


@pytest.fixture(scope="session")
def server(server_env):
    env = server_env
    cli = [sys.executable, "-m", "jinxuan.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "demo", "--per-campaign", "7"], env=env, check=True, capture_output=True)
    url, proc = serve(env, workers=2, threads=8)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
