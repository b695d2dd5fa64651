"""Shared by benchmarks and the browser tests: a fresh PostgreSQL database and a gunicorn server on loopback."""

import socket
import subprocess
import sys
import time
import urllib.request


def fresh_database(base_url: str, name: str) -> tuple[str, callable]:
    """Create database `name` beside the one `base_url` names; return its URL and a function that drops it."""
    import psycopg

    def run(sql):
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name, lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, workers: int = 2, threads: int = 8, timeout: int = 60) -> tuple[str, subprocess.Popen]:
    """Start gunicorn on a free loopback port and wait until /healthz answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "jinxuan.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
                             "--threads", str(threads), "--timeout", str(timeout)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return url, proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("服务器未能启动")
