"""The logic of the load and fault benchmarks (bench/deadline_spike.py, vote_flood.py, faults.py, topology.py) at a
small scale, without starting the topology: the client's own content hash, the vote traffic plan, how answers are
read and judged, fault windows, and the Chinese 存储空间不足 answer when the upload disk is full."""

import asyncio
import errno
import hashlib
import os
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bench import faults as F
from bench.deadline_spike import expected_hash
from bench.support import latency_ms, message_of, percentile, read_response
from bench.topology import ROOT, UploadDisk, classify
from bench.vote_flood import Request, explained_over_limit, judge, lanes, plan
from jinxuan.demo.files import tiny_jpg, tiny_pdf

# ------------------------------------------------------------------------------------------------ figures, answers


def test_percentiles_interpolate_and_latency_is_in_ms():
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([], 0.5) is None
    lat = latency_ms([0.010, 0.020, 0.030, 0.040, 1.0])
    assert lat["p50"] == 30.0 and lat["max"] == 1000.0 and lat["p99"] > lat["p95"] > lat["p50"]


def test_classify_tells_the_chinese_pages_from_stack_traces(rf):
    from jinxuan.dashboard.errors import server_error

    unavailable = (ROOT / "deploy/pages/_unavailable.html").read_bytes()
    assert classify(502, unavailable, "text/html") == "chinese_unavailable_page"
    page = server_error(rf.get("/")).content
    assert classify(500, page, "text/html; charset=utf-8") == "chinese_error_page"
    assert classify(400, '{"detail": "营业执照：存储空间不足"}'.encode(), "application/json") == "chinese_json"
    assert classify(500, b"Traceback (most recent call last):\n  File \"/x.py\"", "text/plain") == "stack_trace"
    assert classify(500, b"Internal Server Error", "text/plain") == "not_chinese"
    assert classify("ConnectError", b"") == "no_answer"


def _messages_cookie(level: int, text: str) -> bytes:
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(level, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies["messages"].value.encode()


def test_vote_answers_are_judged_from_djangos_message_cookie():
    ok = {"message": message_of(_messages_cookie(25, "投票成功，感谢参与")), "location": "/vote/x/5/"}
    assert judge(302, ok, b"") == ("acknowledged", "ok")
    refused = {"message": message_of(_messages_cookie(40, "您今天已为该案例投过票，明天可再投"))}
    assert refused["message"] == (40, "您今天已为该案例投过票，明天可再投")
    assert judge(302, refused, b"") == ("refused", "ok")
    unavailable = (ROOT / "deploy/pages/_unavailable.html").read_bytes()
    assert judge(502, {"type": "text/html"}, unavailable) == ("status 502", "chinese_unavailable_page")
    assert judge(302, {"location": "/vote/verify/"}, b"")[1] == "not_chinese"  # a redirect without a message


def test_raw_responses_are_read_with_length_and_chunked():
    async def read(raw: bytes):
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        first = await read_response(reader)
        second = await read_response(reader)
        return first, second

    raw = (b"HTTP/1.1 302 Found\r\nLocation: /vote/a/1/\r\nContent-Length: 0\r\n\r\n"
           b"HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
           b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    # in a thread of its own: a browser test earlier in this process leaves Playwright's event loop running here
    with ThreadPoolExecutor(1) as pool:
        (s1, h1, b1), (s2, h2, b2) = pool.submit(asyncio.run, read(raw)).result()
    assert (s1, h1["location"], b1) == (302, "/vote/a/1/", b"")
    assert (s2, b2, h2["close"]) == (502, b"hello world", True)


# ------------------------------------------------------------------------------------------------ vote plan


def test_vote_plan_has_the_asked_shares_and_respects_the_limit_per_voter():
    apps, limit = [11, 12, 13, 14, 15], 3
    groups, sequences = plan(2000, apps, limit, over=0.10, fraud=0.05, seed=4)
    requests = [r for s in sequences for r in s]
    assert len(requests) == 2000
    kinds = Counter(r.expect for r in requests)
    assert kinds["repeat"] + kinds["daily_cap"] == 200 and kinds["repeat"] > 0 and kinds["daily_cap"] > 0
    assert sum(1 for r in requests if r.group == "fraud") == 100
    for v, seq in enumerate(sequences):
        valid = [r.app for r in seq if r.expect == "valid"]
        assert len(valid) == len(set(valid)) <= limit and all(r.voter == v for r in seq)
        first_over = next((i for i, r in enumerate(seq) if r.expect != "valid"), len(seq))
        assert all(r.expect != "valid" for r in seq[first_over:])  # valid votes come first
        for r in seq[first_over:]:
            assert (r.app in valid) == (r.expect == "repeat")
            assert r.expect != "daily_cap" or len(valid) == limit
    with pytest.raises(ValueError):
        plan(100, apps, 5)  # a limit the finalists cannot exceed produces no over-limit traffic


def test_lanes_keep_each_voters_order_and_put_the_script_on_one_connection():
    groups, sequences = plan(600, [1, 2, 3, 4, 5], 3, seed=9)
    split = lanes(groups, sequences, 7)
    assert len(split) == 7
    assert Counter(r for lane in split for r in lane) == Counter(r for s in sequences for r in s)
    for lane in split:
        seen: dict[int, list[Request]] = {}
        for r in lane:
            seen.setdefault(r.voter, []).append(r)
        for v, rs in seen.items():
            assert rs == sequences[v]  # one voter, one lane, in order
    assert {r.voter for r in split[0] if r.group == "fraud"} == {v for v, g in enumerate(groups) if g == "fraud"}


def test_an_over_limit_vote_is_excused_only_after_an_earlier_failure():
    def rec(voter, app, expect, outcome):
        return {"req": Request(voter, app, expect, "over"), "outcome": outcome}

    records = [rec(1, 10, "valid", "acknowledged"), rec(1, 11, "valid", "status 500"),
               rec(1, 12, "valid", "acknowledged"),
               rec(2, 10, "valid", "acknowledged"), rec(2, 11, "valid", "acknowledged"),
               rec(2, 12, "valid", "acknowledged"),
               rec(1, 13, "daily_cap", "acknowledged"),  # only 2 acknowledged before: within the limit
               rec(1, 11, "repeat", "acknowledged"),  # its first vote failed; but now the fourth: a violation
               rec(2, 13, "daily_cap", "acknowledged"),  # a violation
               rec(2, 10, "repeat", "refused")]
    excused = explained_over_limit(records, limit=3)
    assert excused == {id(records[6])}


# ------------------------------------------------------------------------------------------------ faults


def test_fault_schedule_spreads_faults_and_rejects_unknown_kinds():
    faults = F.schedule(["kill_app", "redis", "postgres"], 40, outage=3)
    assert [f.at for f in faults] == [10.0, 20.0, 30.0] and all(f.outage == 3 for f in faults)
    with pytest.raises(ValueError, match="未知的故障类型"):
        F.schedule(["kill_app", "meteor"], 10)


def test_fault_windows_count_what_users_saw_during_each_fault():
    fault = F.Fault("postgres", 5, 2, started=100.0, ended=102.0, recovered=103.0)
    later = F.Fault("disk", 9, 2, started=200.0, ended=202.0, recovered=202.5)
    records = [{"start": 99.0, "status": 200, "seen": "ok"},
               {"start": 100.5, "status": 500, "seen": "chinese_error_page", "text": "服务暂时出错"},
               {"start": 101.0, "status": 502, "seen": "chinese_unavailable_page"},
               {"start": 104.0, "status": 200, "seen": "ok"},
               {"start": 108.0, "status": 200, "seen": "ok"}]
    (pg, disk) = F.window_report([fault, later], records, settle=2.0)
    assert pg["requests"] == 3 and pg["not_ok"] == 2 and pg["stack_traces"] == 0
    assert pg["status_codes"] == {"500": 1, "502": 1, "200": 1}
    assert {e["seen"] for e in pg["examples"]} == {"chinese_error_page", "chinese_unavailable_page"}
    assert disk["requests"] == 0


def test_the_store_fault_needs_the_object_store():
    with pytest.raises(ValueError, match="对象存储"):
        F.schedule(["kill_app", "store"], 10)
    assert [f.kind for f in F.schedule(["kill_app", "store"], 10, object_store=True)] == ["kill_app", "store"]


def test_fault_windows_go_by_the_answer_and_count_a_request_once():
    store = F.Fault("store", 5, 5, started=100.0, ended=105.0, recovered=130.0)
    disk = F.Fault("disk", 9, 5, started=131.0, ended=136.0, recovered=136.5)
    records = [{"start": 90.0, "end": 101.0, "status": 503, "seen": "chinese_json"},  # queued, met the outage
               {"start": 101.0, "end": 131.5, "status": 201, "seen": "ok"},  # answered once the disk fault began
               {"start": 95.0, "end": 99.0, "status": 201, "seen": "ok"}]
    (in_store, in_disk) = F.window_report([store, disk], records, settle=2.0)
    assert (in_store["requests"], in_store["status_codes"]) == (1, {"503": 1})
    assert (in_disk["requests"], in_disk["status_codes"]) == (1, {"201": 1})


def test_the_object_store_reaches_every_host_as_the_s3_settings(tmp_path):
    from bench.topology import Services
    from jinxuan.storage.config import S3_BACKEND, default_storage

    services = Services.__new__(Services)  # no servers started
    services.db_url, services.store = "postgres://x", None
    services.redis = type("R", (), {"url": lambda self: "redis://x"})()
    services.disk = UploadDisk(tmp_path, 1)
    assert "S3_BUCKET" not in services.django_env("p")
    from bench.topology import PrivateObjectStore

    services.store = PrivateObjectStore(tmp_path)
    env = services.django_env("p")
    config = default_storage(env)
    assert config["BACKEND"] == S3_BACKEND
    assert config["OPTIONS"]["endpoint_url"] == services.store.endpoint.rstrip("/")
    assert config["OPTIONS"]["bucket_name"] == services.store.bucket and config["OPTIONS"]["access_key"]


# ------------------------------------------------------------------------------------------------ DB-backed


@pytest.fixture
def bench_applicant(db):
    from bench.fixtures import prepare_applicants
    from jinxuan.applicants.models import Application

    (pk, token), = prepare_applicants(1)
    return Application.objects.select_related("campaign", "track").get(pk=pk)


def test_client_hash_equals_the_stored_versions_hash(bench_applicant):
    from jinxuan.applicants.attachments import store_upload
    from jinxuan.applicants.submission import save_draft, submit

    app = bench_applicant
    field = next(f.key for f in app.campaign.spec.form.fields("application") if f.label == "案例名称")
    title = app.title[:15] + "（定稿）"
    save_draft(app, {field: title}, {})
    files = {"business_licence": ("licence.jpg", tiny_jpg()), "commitment_letter": ("commitment.pdf", tiny_pdf()),
             "proposal": ("proposal.pdf", tiny_pdf() + b"%2")}
    sent = []
    for key, (name, data) in files.items():
        item = store_upload(app, key, SimpleUploadedFile(name, data))
        sent.append({"key": key, "name": item.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    app.refresh_from_db()
    answers = {**app.answers}
    units = [{"credit_code": u.organisation.credit_code, "is_lead": u.is_lead, "answers": u.answers}
             for u in app.units.select_related("organisation").order_by("position")]
    version = submit(app)
    assert expected_hash(title, app.track.key, answers, units, sent) == version.content_hash
    sent[0] = {**sent[0], "size": sent[0]["size"] + 1}
    assert expected_hash(title, app.track.key, answers, units, sent) != version.content_hash


class FakeStore:
    """The benchmark's object store as `check_store` sees it: a bucket answered by a boto3-like client."""

    bucket, endpoint = "b", "http://127.0.0.1:1"

    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects

    def client(self):
        from botocore.exceptions import ClientError

        store = self

        class Body:
            def __init__(self, data):
                self.data = data

            def read(self):
                return self.data

        class Client:
            def get_object(self, Bucket, Key):  # noqa: N803 - boto3's names
                if Key not in store.objects:
                    raise ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")
                return {"Body": Body(store.objects[Key])}

            def get_paginator(self, _name):
                return type("P", (), {"paginate": lambda _self, Bucket: [
                    {"Contents": [{"Key": k} for k in store.objects]}]})()

        return Client()


def test_the_object_store_check_reads_every_acknowledged_attachment_back(bench_applicant):
    from bench.deadline_spike import check_store
    from jinxuan.applicants.attachments import store_upload

    data = tiny_jpg()
    item = store_upload(bench_applicant, "business_licence", SimpleUploadedFile("licence.jpg", data))
    sha = hashlib.sha256(data).hexdigest()
    result = {"id": bench_applicant.pk, "state": "acknowledged",
              "files": [{"key": "business_licence", "sha256": sha, "size": len(data)}]}
    good = check_store([result], FakeStore({item.file.name: data, "attachments/orphan.jpg": b"x"}))
    assert good["ok"] and good["attachments_checked_in_store"] == 1
    assert good["unreferenced_attachment_objects"] == 1
    assert not check_store([result], FakeStore({}))["ok"]  # missing from the store
    altered = check_store([result], FakeStore({item.file.name: data + b"!"}))
    assert not altered["ok"] and altered["attachments_hash_differs_in_store"] == 1
    other = {**result, "files": [{"key": "business_licence", "sha256": "0" * 64, "size": 1}]}
    assert check_store([other], FakeStore({item.file.name: data}))["attachments_without_row"] == 1


def _full_disk_error(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_upload_disk_answers_in_chinese_and_stores_nothing(bench_applicant, settings, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from jinxuan.applicants.attachments import StorageFull, UploadRefused, store_upload

    media = Path(settings.MEDIA_ROOT)

    def partial_write(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8 half")  # what a write cut short leaves behind
        _full_disk_error()

    monkeypatch.setattr(FileSystemStorage, "_save", partial_write)
    with pytest.raises(StorageFull) as refused:
        store_upload(bench_applicant, "business_licence", SimpleUploadedFile("licence.jpg", tiny_jpg()))
    assert isinstance(refused.value, UploadRefused)
    assert refused.value.problems == ["营业执照：存储空间不足，附件暂未保存，请稍后重试（已保存的内容不受影响）"]
    assert not bench_applicant.attachments.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]  # the partial file was removed
    monkeypatch.setattr(FileSystemStorage, "_save", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "x")))
    with pytest.raises(PermissionError):  # other errors are not disguised as a full disk
        store_upload(bench_applicant, "business_licence", SimpleUploadedFile("licence.jpg", tiny_jpg()))


def test_api_upload_on_a_full_disk_is_a_chinese_message_not_a_stack_trace(bench_applicant, client, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from jinxuan.accounts.models import ApiToken

    user = bench_applicant.units.get().organisation.memberships.get().user
    token = ApiToken.issue(user, "test")[1]
    monkeypatch.setattr(FileSystemStorage, "_save", _full_disk_error)
    answer = client.post(f"/api/v1/applications/{bench_applicant.pk}/attachments",
                         {"key": "business_licence", "file": SimpleUploadedFile("licence.jpg", tiny_jpg())},
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 507  # the server's problem, worth retrying; not "your file is bad"
    assert "存储空间不足" in answer.json()["detail"] and classify(507, answer.content, answer["Content-Type"]) == \
        "chinese_json"
    assert not bench_applicant.attachments.exists()
    monkeypatch.undo()
    stored = client.post(f"/api/v1/applications/{bench_applicant.pk}/attachments",
                         {"key": "business_licence", "file": SimpleUploadedFile("licence.jpg", tiny_jpg())},
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert stored.status_code == 201  # space again: the same upload goes through


def test_chunk_on_a_full_disk_answers_507_with_the_offset_to_resume_from(bench_applicant, client, monkeypatch):
    from jinxuan.applicants import chunked

    user = bench_applicant.units.get().organisation.memberships.get().user
    client.force_login(user)
    data = tiny_pdf() + b"%" + b"0" * 5000
    base = f"/apply/{bench_applicant.pk}/uploads/"
    upload = client.post(base, {"key": "business_licence", "filename": "营业执照.pdf", "size": len(data)}).json()
    url = f"{base}{upload['upload_id']}/"
    assert client.put(f"{url}?offset=0", data[:1000], content_type="application/octet-stream").json() == \
        {"offset": 1000}
    real_write = os.write
    monkeypatch.setattr(chunked.os, "write", _full_disk_error)
    full = client.put(f"{url}?offset=1000", data[1000:], content_type="application/octet-stream")
    assert full.status_code == 507 and full.json()["offset"] == 1000 and "存储空间不足" in full.json()["detail"]
    monkeypatch.setattr(chunked.os, "write", real_write)
    assert client.put(f"{url}?offset=1000", data[1000:], content_type="application/octet-stream").json() == \
        {"offset": len(data)}


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_upload_disk_fills_to_the_last_byte_and_recovers(bench_applicant, settings, tmp_path):
    from jinxuan.applicants.attachments import StorageFull, store_upload

    disk = UploadDisk(tmp_path, size_mb=2).mount()
    try:
        settings.MEDIA_ROOT = disk.path / "media"
        written = disk.fill()
        assert written > 1_900_000 and disk.free_bytes() == 0
        with pytest.raises(StorageFull):  # a real ENOSPC from the kernel
            store_upload(bench_applicant, "business_licence", SimpleUploadedFile("licence.jpg", tiny_jpg()))
        disk.release()
        assert disk.free_bytes() > 1_900_000
        assert store_upload(bench_applicant, "business_licence", SimpleUploadedFile("licence.jpg", tiny_jpg())).pk
    finally:
        disk.unmount()
    assert subprocess.run(["mountpoint", "-q", str(disk.path)]).returncode != 0
