"""The production topology of deploy/ starts with one command, serves static files from nginx, survives the loss of
an application server, and shows a Chinese page (not a stack trace) when no application server answers."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.support import free_port, fresh_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _get(url: str, timeout: float = 10) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)
    except (urllib.error.URLError, TimeoutError) as e:  # no answer at all: status 0
        return 0, str(e), {}


def _status(ctl, program: str) -> str:
    out = subprocess.run([*ctl, "status", program], capture_output=True, text=True).stdout
    return out.split()[1] if out.split() else ""


def _pid(ctl, program: str) -> int:
    return int(subprocess.run([*ctl, "pid", program], capture_output=True, text=True).stdout.strip() or 0)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    if not os.path.exists("/usr/sbin/nginx"):
        pytest.fail("生产拓扑测试需要 nginx：apt-get install nginx")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/test"
    db_url, drop = fresh_database(base, f"jinxuan_topology_{os.getpid()}")
    # Outside pytest's temporary folders (mode 700, pruned by concurrent runs): nginx workers (www-data when
    # started as root) must reach the static files.
    run = Path(tempfile.mkdtemp(prefix="jinxuan-deploy-", dir="/tmp"))
    run.chmod(0o755)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "JINXUAN_RUN_DIR": str(run), "JINXUAN_PORT": str(port),
           "APP_BASE_PORT": str(free_port()), "APP_WORKERS": "1", "APP_THREADS": "4",
           "JINXUAN_DATA_DIR": str(run / "data"), "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
           "CACHE_KEY_PREFIX": f"topology{os.getpid()}"}
    env["APP_BASE_PORT"] = str(_two_free_ports())
    started = subprocess.run([str(ROOT / "deploy/start.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr[-2000:]
    ctl = [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(run / "supervisord.conf")]
    if not shutil.which(ctl[0]):
        ctl[0] = "supervisorctl"
    yield f"http://127.0.0.1:{port}", ctl, run
    subprocess.run([str(ROOT / "deploy/stop.sh")], env=env, capture_output=True, timeout=60)
    drop()
    shutil.rmtree(run, ignore_errors=True)


def _two_free_ports() -> int:
    import socket

    for _ in range(50):
        first = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", first + 1))
                return first
            except OSError:
                continue
    raise RuntimeError("找不到两个相邻的空闲端口")


def test_starts_and_serves_static_from_nginx(topology):
    url, ctl, run = topology
    programs = ("app1", "app2", "worker", "library", "nginx")
    assert {p: _status(ctl, p) for p in programs} == dict.fromkeys(programs, "RUNNING")
    status, body, _ = _get(url + "/readyz")
    assert status == 200 and '"ok"' in body
    assert json.loads(body)["library_index"]["behind"] == 0  # the library process keeps this host's index current
    status, body, headers = _get(url + "/static/jinxuan/draft.js")
    assert status == 200 and body
    assert "Expires" in headers  # set by nginx's `expires`, not by the application
    deadline = time.monotonic() + 10  # nginx writes the access line just after the response
    while time.monotonic() < deadline and "/static/jinxuan/draft.js" not in (run / "log" / "nginx-access.log").read_text():
        time.sleep(0.2)
    log = (run / "log" / "nginx-access.log").read_text()
    assert '"uri":"/static/jinxuan/draft.js"' in log and '"upstream":""' in log  # never reached an app server


def test_survives_kill_of_one_app_server_and_restarts_it(topology):
    url, ctl, _ = topology
    victim = _pid(ctl, "app1")
    os.kill(victim, signal.SIGKILL)
    answers = [_get(url + "/readyz", timeout=60) for _ in range(30)]
    # every request is answered: by the surviving server, or (while the killed one's orphaned workers wind down)
    # with the Chinese "service unavailable" page — never silence, never a stack trace
    assert all(status == 200 or (status == 502 and "服务暂时不可用" in body) for status, body, _ in answers), \
        [status for status, _, _ in answers]
    assert sum(status == 200 for status, _, _ in answers) >= 25
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _status(ctl, "app1") == "RUNNING" and _pid(ctl, "app1") not in (0, victim):
            break
        time.sleep(0.5)
    else:
        pytest.fail("app1 未被自动重启")
    assert [_get(url + "/readyz")[0] for _ in range(10)] == [200] * 10  # recovered


def test_chinese_error_page_when_no_app_server_answers(topology):
    url, ctl, _ = topology
    subprocess.run([*ctl, "stop", "app1", "app2"], capture_output=True, check=True)
    try:
        status, body, headers = _get(url + "/")
        assert status == 502
        assert "服务暂时不可用" in body and "Traceback" not in body
    finally:
        subprocess.run([*ctl, "start", "app1", "app2"], capture_output=True, check=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _get(url + "/readyz")[0] != 200:
        time.sleep(0.5)
    assert _get(url + "/readyz")[0] == 200
