"""Shared by benchmarks and the browser tests: a fresh PostgreSQL database, a gunicorn server on loopback,
percentiles, the load generators' HTTP/1.1 response reader, the machine's description and result files."""

import base64
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


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


# ------------------------------------------------------------------------------------------------ figures


def percentile(values, q: float):
    """The q-quantile (0..1) of values, interpolated between the two nearest ranks; None when empty."""
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def latency_ms(seconds: list[float], digits: int = 1) -> dict:
    """p50/p95/p99/max/mean of durations given in seconds, in milliseconds."""
    seconds = sorted(seconds)
    out = {q: percentile(seconds, p) for q, p in (("p50", .5), ("p95", .95), ("p99", .99))}
    out["max"] = seconds[-1] if seconds else None
    out["mean"] = sum(seconds) / len(seconds) if seconds else None
    return {k: (round(v * 1000, digits) if v is not None else None) for k, v in out.items()}


def machine() -> dict:
    mem = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            mem[key] = int(value.split()[0])
    return {"platform": platform.platform(), "nproc": os.cpu_count(), "python": platform.python_version(),
            "memory_gib": round(mem["MemTotal"] / 1024 / 1024, 1),
            "memory_available_gib": round(mem.get("MemAvailable", 0) / 1024 / 1024, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def write_result(name: str, result: dict, summary_md: str | None = None, sep: str = "_") -> tuple[Path, Path | None]:
    """bench/results/<name><sep><date>.json, and .md beside it when a summary for people is given."""
    day = result.get("date", dt.datetime.now(dt.UTC).isoformat())[:10]
    json_path = RESULTS / f"{name}{sep}{day}.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path = None
    if summary_md is not None:
        md_path = json_path.with_suffix(".md")
        md_path.write_text(summary_md.rstrip() + "\n", encoding="utf-8")
    return json_path, md_path


# ------------------------------------------------------------------------------------------------ HTTP answers

_decoded: dict[bytes, tuple[int, str] | None] = {}


def message_of(cookie_value: bytes) -> tuple[int, str] | None:
    """(level, text) of the first message in Django's signed `messages` cookie (read, not verified; remembered:
    a load run sees the same few messages again and again)."""
    payload = cookie_value.rsplit(b":", 2)[0]
    if payload in _decoded:
        return _decoded[payload]
    found = None
    try:
        compressed = payload.startswith(b".")
        raw = payload.lstrip(b".")
        data = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
        messages = json.loads(zlib.decompress(data) if compressed else data)
        if messages:
            found = (int(messages[0][2]), str(messages[0][3]))
    except (ValueError, IndexError, TypeError, zlib.error):
        found = (0, "unreadable messages cookie")
    _decoded[payload] = found
    return found


async def read_response(reader) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 answer from an asyncio stream: (status, headers, body). headers holds what the load generators
    judge by: `length`, `location`, `type`, `message` (the messages cookie, decoded), `close`, `chunked`."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers: dict = {"length": None}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            headers["length"] = int(value)
        elif name == b"location":
            headers["location"] = value.decode()
        elif name == b"content-type":
            headers["type"] = value.decode()
        elif name == b"set-cookie" and value.startswith(b"messages="):
            headers["message"] = message_of(value[len(b"messages="):].split(b";", 1)[0].strip(b'"'))
        elif name == b"connection":
            headers["close"] = value.lower() == b"close"
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            headers["chunked"] = True
    if headers.get("chunked"):
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += (await reader.readexactly(size + 2))[:size]  # the data, then its CRLF
            if size == 0:  # no trailers are expected: the last chunk's CRLF ends the body
                break
    else:
        body = await reader.readexactly(headers["length"]) if headers["length"] else b""
    return status, headers, body
