"""50 concurrent submits of one application, through the live server (PostgreSQL in CI): one version."""

import concurrent.futures as cf
import json
import subprocess
import sys
import urllib.request
import uuid

import pytest

from jinxuan.demo.files import tiny_docx, tiny_jpg, tiny_pdf

pytestmark = pytest.mark.e2e


def _request(url, token, body: bytes, content_type="application/json"):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _multipart(key, filename, data):
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\n{key}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n').encode() + data
    return body + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_fifty_concurrent_submits_make_one_version(server, server_env):
    script = "from bench.fixtures import prepare_applicants; app, token = prepare_applicants(1, seed=77)[0]; print(app, token)"
    out = subprocess.run([sys.executable, "-m", "jinxuan.cli", "shell", "-c", script], env=server_env,
                         capture_output=True, text=True, check=True).stdout.split()
    app_id, token = int(out[-2]), out[-1]
    for key, name, data in (("business_licence", "执照.pdf", tiny_pdf()), ("commitment_letter", "承诺函.jpg", tiny_jpg()),
                            ("proposal", "方案书.docx", tiny_docx())):
        body, ctype = _multipart(key, name, data)
        status, payload = _request(f"{server}/api/v1/applications/{app_id}/attachments", token, body, ctype)
        assert status == 201, payload

    def submit(i):
        return _request(f"{server}/api/v1/applications/{app_id}/submit", token,
                        json.dumps({"idempotency_key": f"client-{i}"}).encode())

    with cf.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(submit, range(50)))
    assert [status for status, _ in results] == [200] * 50
    assert len({payload["content_hash"] for _, payload in results}) == 1
    assert {payload["number"] for _, payload in results} == {1}
    versions = urllib.request.urlopen(urllib.request.Request(f"{server}/api/v1/applications/{app_id}/versions",
                                                             headers={"Authorization": f"Bearer {token}"}))
    assert len(json.loads(versions.read())) == 1
