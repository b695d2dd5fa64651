"""Shared by the load and fault benchmarks: a private PostgreSQL cluster and Redis server on free ports (never the
shared ones), a small tmpfs for uploads, optionally an S3 object store (moto's server mode) for attachments and
print-outs, the production topology of deploy/ (nginx → gunicorn servers under supervisord, the task worker)
started on them, and the figures every benchmark records.

Everything listens on loopback only. Each piece can be restarted or broken on purpose (bench/faults.py).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")

# ------------------------------------------------------------------------------------------------ figures


UNAVAILABLE_MARK = "服务暂时不可用"  # deploy/pages/_unavailable.html (nginx, no application server answers)
SERVER_ERROR_MARK = "服务暂时出错"  # jinxuan.dashboard.errors.server_error (an exception in the application)
STACK_MARKS = ("Traceback (most recent call last)", 'File "/', "django.db.utils.", "Exception Value:")


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def classify(status: int | str, body: bytes | str, content_type: str = "") -> str:
    """What a user sees in an answer that is not the success: the kind of error page or message.

    `chinese_unavailable_page` (nginx's page), `chinese_error_page` (the application's 500 page), `chinese_json`
    (an API answer with a Chinese `detail`), `chinese_other`, `stack_trace`, `not_chinese`, or `no_answer` when
    the connection failed (status is then an exception name)."""
    if not isinstance(status, int):
        return "no_answer"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if any(mark in text for mark in STACK_MARKS):
        return "stack_trace"
    if UNAVAILABLE_MARK in text:
        return "chinese_unavailable_page"
    if SERVER_ERROR_MARK in text:
        return "chinese_error_page"
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            detail = str(json.loads(text).get("detail", ""))
        except (ValueError, AttributeError):
            detail = ""
        if has_chinese(detail):
            return "chinese_json"
    return "chinese_other" if has_chinese(text) else "not_chinese"


# ------------------------------------------------------------------------------------------------ ports


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` adjacent free loopback ports."""
    for _ in range(100):
        first = free_port()
        socks = []
        try:
            for k in range(1, count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", first + k))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("找不到相邻的空闲端口")


def wait_port(port: int, up: bool = True, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            reachable = s.connect_ex(("127.0.0.1", port)) == 0
        if reachable == up:
            return True
        time.sleep(0.1)
    return False


# ------------------------------------------------------------------------------------------------ PostgreSQL


class PrivatePostgres:
    """A PostgreSQL 15 cluster of its own (initdb in a temporary folder, owned by `postgres` when run as root),
    listening on a free loopback port; fsync stays on, so an immediate stop is a crash that loses nothing committed."""

    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.data, self.sock, self.log = self.dir / "data", self.dir / "sock", self.dir / "postgres.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *argv, check=True) -> subprocess.CompletedProcess:
        argv = [str(a) for a in argv]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=180)

    def init(self) -> PrivatePostgres:
        self.dir.mkdir(parents=True)
        self.sock.mkdir()
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        return self.start()

    def start(self) -> PrivatePostgres:
        opts = (f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                f"-c shared_buffers=128MB")
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "120", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "120", "stop", check=False)

    def running(self) -> bool:
        return self._run(PG_BIN / "pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.url()) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]


# ------------------------------------------------------------------------------------------------ Redis


class PrivateRedis:
    """A redis-server of its own on a free loopback port, with an append-only file (every second) in the temporary
    folder: a graceful restart (SHUTDOWN SAVE) keeps the counters, a kill -9 may lose the last second."""

    def __init__(self, base: Path):
        self.dir = base / "redis"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port, True, 30):
            raise RuntimeError("私有 Redis 未能启动")
        return self

    def stop(self, graceful: bool = True) -> None:
        if self.proc is None:
            return
        if graceful:
            subprocess.run(["redis-cli", "-p", str(self.port), "SHUTDOWN", "SAVE"], capture_output=True, timeout=30)
        else:
            self.proc.send_signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        wait_port(self.port, False, 10)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# ------------------------------------------------------------------------------------------------ upload disk


class UploadDisk:
    """A small tmpfs for the data folder (uploads), so that 'disk full' can be caused and undone; needs root.
    Without root the folder is an ordinary one and `fill` is refused."""

    def __init__(self, base: Path, size_mb: int):
        self.path, self.size_mb = base / "data", size_mb
        self.filler = self.path / ".bench-filler"
        self.mounted = False

    def mount(self) -> UploadDisk:
        self.path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m,mode=0755", "tmpfs",
                            str(self.path)], check=True, capture_output=True)
            self.mounted = True
        return self

    def free_bytes(self) -> int:
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def fill(self) -> int:
        """Fill the disk to the last byte; returns the bytes written."""
        if not self.mounted:
            raise RuntimeError("需要 root 权限挂载 tmpfs 才能模拟磁盘写满")
        written = 0
        block = b"\0" * (1 << 20)
        with open(self.filler, "wb", buffering=0) as fh:
            for size in (1 << 20, 4096, 1):
                chunk = block[:size]
                while True:
                    try:
                        written += fh.write(chunk)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def release(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.mounted = False


# ------------------------------------------------------------------------------------------------ object store


class PrivateObjectStore:
    """An S3 object store of its own: moto's server mode on a free loopback port, holding one bucket.

    The hosts reach it through a front (socat, one process per connection) on another free port, the endpoint in
    S3_ENDPOINT_URL. `stop` kills the front and every connection through it, so the store is gone for the hosts
    (connections refused or reset) while moto keeps its objects in memory, as a real store keeps them on its disks
    across a restart; `start` opens the front again on the same port. Without socat the hosts talk to moto
    directly and the store cannot be stopped (moto's objects live only in its process)."""

    KEYS = {"S3_ACCESS_KEY_ID": "jinxuan-bench", "S3_SECRET_ACCESS_KEY": "jinxuan-bench-secret"}

    def __init__(self, base: Path, bucket: str = "jinxuan-bench"):
        self.dir = base / "s3"
        self.bucket = bucket
        self.inner_port = free_port()
        self.socat = shutil.which("socat")
        self.port = free_port() if self.socat else self.inner_port
        self.moto: subprocess.Popen | None = None
        self.front: subprocess.Popen | None = None

    @property
    def inner_url(self) -> str:
        """moto itself, for the benchmark's own checks (never through the front)."""
        return f"http://127.0.0.1:{self.inner_port}"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> PrivateObjectStore:
        self.dir.mkdir(parents=True, exist_ok=True)
        moto = ROOT / ".venv/bin/moto_server"
        argv = [str(moto)] if moto.exists() else [shutil.which("moto_server") or "moto_server"]
        with open(self.dir / "moto.log", "ab") as log:
            self.moto = subprocess.Popen([*argv, "-H", "127.0.0.1", "-p", str(self.inner_port)],
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_port(self.inner_port, True, 60):
            raise RuntimeError("私有对象存储（moto）未能启动")
        self.client().create_bucket(Bucket=self.bucket)
        return self.start()

    def start(self) -> PrivateObjectStore:
        if not self.socat or self.front is not None:
            return self
        self.front = subprocess.Popen(
            [self.socat, f"TCP-LISTEN:{self.port},bind=127.0.0.1,reuseaddr,fork,backlog=1024",
             f"TCP:127.0.0.1:{self.inner_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if not wait_port(self.port, True, 30):
            raise RuntimeError("对象存储的入口（socat）未能启动")
        return self

    def stop(self) -> None:
        """The store goes away for the hosts: the front and every open connection through it are killed."""
        if self.front is None:
            if not self.socat:
                raise RuntimeError("需要 socat 才能模拟对象存储停机（apt-get install socat）")
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.front.pid, signal.SIGKILL)
        self.front.wait()
        self.front = None
        wait_port(self.port, False, 10)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        if self.moto is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.moto.pid, signal.SIGTERM)
            try:
                self.moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.moto.pid, signal.SIGKILL)
                self.moto.wait()
            self.moto = None

    def env(self) -> dict:
        return {"S3_ENDPOINT_URL": self.endpoint, "S3_BUCKET": self.bucket, "S3_REGION": "us-east-1",
                "S3_ADDRESSING_STYLE": "path", **self.KEYS}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.inner_url, region_name="us-east-1",
                            aws_access_key_id=self.KEYS["S3_ACCESS_KEY_ID"],
                            aws_secret_access_key=self.KEYS["S3_SECRET_ACCESS_KEY"])

    def version(self) -> str:
        from importlib.metadata import version

        return f"moto {version('moto')} (server mode)" + (" behind socat" if self.socat else "")


# ------------------------------------------------------------------------------------------------ topology


class Topology:
    """deploy/start.sh against the private services: nginx on a free port → APP_SERVERS gunicorn servers, the task
    worker; `stop` runs deploy/stop.sh. Supervisor restarts any process that dies."""

    def __init__(self, base: Path, db_url: str, redis_url: str, data_dir: Path, servers: int = 2, workers: int = 2,
                 threads: int = 4, prefix: str = "bench", extra_env: dict | None = None):
        self.run_dir = base / "deploy"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "JINXUAN_DATA_DIR": str(data_dir),
                    "JINXUAN_RUN_DIR": str(self.run_dir), "JINXUAN_PORT": str(self.port),
                    "APP_BASE_PORT": str(free_ports(servers)), "APP_SERVERS": str(servers),
                    "APP_WORKERS": str(workers), "APP_THREADS": str(threads), "CACHE_KEY_PREFIX": prefix,
                    "SKIP_MIGRATE": "1", "LOG_LEVEL": "WARNING", **(extra_env or {})}
        self.env.pop("SECRET_KEY", None)  # the key in the data folder, shared with the benchmark process
        self.url = f"http://127.0.0.1:{self.port}"
        self.servers = servers
        ctl = ROOT / ".venv/bin/supervisorctl"
        self.ctl = [str(ctl) if ctl.exists() else "supervisorctl", "-c", str(self.run_dir / "supervisord.conf")]

    def start(self) -> Topology:
        done = subprocess.run([str(ROOT / "deploy/start.sh")], env=self.env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise RuntimeError("生产拓扑未能启动：" + done.stderr[-2000:])
        return self

    def stop(self) -> None:
        subprocess.run([str(ROOT / "deploy/stop.sh")], env=self.env, capture_output=True, timeout=120)

    def status(self, program: str) -> str:
        out = subprocess.run([*self.ctl, "status", program], capture_output=True, text=True).stdout.split()
        return out[1] if len(out) > 1 else ""

    def pid(self, program: str) -> int:
        out = subprocess.run([*self.ctl, "pid", program], capture_output=True, text=True).stdout.strip()
        return int(out) if out.isdigit() else 0

    def kill9(self, program: str) -> int:
        victim = self.pid(program)
        if victim:
            os.kill(victim, signal.SIGKILL)
        return victim

    def wait_restarted(self, program: str, old_pid: int, timeout: float = 120) -> float | None:
        """Seconds until `program` runs again under a new pid (None: not within `timeout`)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.status(program) == "RUNNING" and self.pid(program) not in (0, old_pid):
                return round(time.monotonic() - start, 2)
            time.sleep(0.2)
        return None

    def ready(self) -> int:
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0

    def wait_ready(self, timeout: float = 120) -> float | None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.ready() == 200:
                return round(time.monotonic() - start, 2)
            time.sleep(0.25)
        return None


class Services:
    """Everything a benchmark run needs, torn down in reverse on `close` (also after a failure)."""

    def __init__(self, name: str, upload_mb: int = 512, object_store: bool = False):
        self.base = Path(tempfile.mkdtemp(prefix=f"jinxuan-{name}-", dir="/tmp"))
        self.base.chmod(0o755)  # nginx workers (www-data when started as root) and postgres must traverse it
        self.pg = PrivatePostgres(self.base)
        self.redis = PrivateRedis(self.base)
        self.disk = UploadDisk(self.base, upload_mb)
        self.store = PrivateObjectStore(self.base) if object_store else None
        self.topology: Topology | None = None
        self.db_url = ""

    def start_backends(self, database: str = "jinxuan") -> Services:
        self.pg.init()
        self.db_url = self.pg.create_database(database)
        self.redis.start()
        self.disk.mount()
        if self.store:
            self.store.launch()
        return self

    def storage_env(self) -> dict:
        """The S3_* variables of the object store (none: files in the data folder)."""
        return self.store.env() if self.store else {}

    def django_env(self, prefix: str) -> dict:
        return {"DATABASE_URL": self.db_url, "REDIS_URL": self.redis.url(), "JINXUAN_DATA_DIR": str(self.disk.path),
                "CACHE_KEY_PREFIX": prefix, "DJANGO_SETTINGS_MODULE": "jinxuan.settings", **self.storage_env()}

    def start_topology(self, servers: int, workers: int, threads: int, prefix: str) -> Topology:
        self.topology = Topology(self.base, self.db_url, self.redis.url(), self.disk.path, servers, workers,
                                 threads, prefix, self.storage_env()).start()
        return self.topology

    def close(self) -> None:
        if self.topology:
            self.topology.stop()
            keep = os.environ.get("JINXUAN_BENCH_KEEP_LOGS")  # a folder to copy the run's logs to, for diagnosis
            if keep:
                shutil.copytree(self.topology.run_dir / "log", Path(keep) / self.base.name, dirs_exist_ok=True)
        self.redis.stop(graceful=False)
        self.pg.stop("immediate")
        if self.store:
            self.store.close()
        self.disk.unmount()
        shutil.rmtree(self.base, ignore_errors=True)
