"""Upload write paths respect the application's state, quotas and expiry, clean up after themselves, and name a
database outage for what it is (regressions for findings 3, 4, 11 and 15 of the security review)."""

import datetime as dt
import json
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationUnit, PendingUpload
from jinxuan.applicants.quotas import application_quota
from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.applicants.submission import submit
from jinxuan.campaigns.schedule import reschedule
from jinxuan.demo.files import tiny_pdf
from tests.factories import complete
from tests.security.upload_support import bearer

pytestmark = pytest.mark.django_db

KEY = "supporting_evidence"
MAX = 20 * 1024 * 1024  # the gz preset's limit for one file


@pytest.fixture
def logged_in(client, draft, applicant, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    client.force_login(applicant[0])
    return client, draft


def _start(client, app, data=None, size=None, key=KEY):
    return client.post(f"/apply/{app.pk}/uploads/", {"key": key, "filename": "佐证材料.pdf",
                                                      "size": size or len(data)})


def _send_all(client, app, data) -> str:
    started = _start(client, app, data)
    assert started.status_code == 201, started.content.decode()
    url = f"/apply/{app.pk}/uploads/{started.json()['upload_id']}/"
    assert client.put(f"{url}?offset=0", data, content_type="application/octet-stream").status_code == 200
    return url


def _evidence() -> bytes:
    return tiny_pdf("evidence") + b"%" + b"1" * 10_000


# -- finding 3: a resumable upload cannot be finished once the application is locked ----------------------------

def test_finish_after_formal_review_started_is_refused(logged_in, settings):
    client, app = logged_in
    complete(app)
    url = _send_all(client, app, _evidence())  # started while the application could still be changed
    submit(app)
    transition(app, State.FORMAL_REVIEW)
    before = set(app.attachments.values_list("pk", flat=True))
    refused = client.post(f"{url}finish/", {"key": KEY})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "申报当前状态为“形式审核中”，已不能再更改申报材料"
    assert set(app.attachments.values_list("pk", flat=True)) == before  # nothing reaches the organiser's view
    assert not PendingUpload.objects.exists()
    assert not [p for p in Path(settings.UPLOAD_CHUNK_DIR).rglob("*") if p.is_file()]


def test_finish_after_formal_review_passed_is_refused(logged_in):
    client, app = logged_in
    complete(app)
    url = _send_all(client, app, _evidence())
    submit(app)
    transition(app, State.FORMAL_REVIEW)
    transition(app, State.ACCEPTED)
    refused = client.post(f"{url}finish/", {"key": KEY})
    assert refused.status_code == 409 and "形式审核通过" in refused.json()["detail"]
    assert not app.attachments.filter(key=KEY).exists()


def test_pieces_and_finish_after_the_deadline_are_refused(logged_in):
    client, app = logged_in
    data = _evidence()
    started = _start(client, app, data)
    url = f"/apply/{app.pk}/uploads/{started.json()['upload_id']}/"
    assert client.put(f"{url}?offset=0", data[:5000], content_type="application/octet-stream").status_code == 200
    now = timezone.now()
    reschedule(app.campaign, now - dt.timedelta(days=3), now - dt.timedelta(minutes=1))
    piece = client.put(f"{url}?offset=5000", data[5000:], content_type="application/octet-stream")
    assert piece.status_code == 409 and "截止" in piece.json()["detail"]
    finish = client.post(f"{url}finish/", {"key": KEY})
    assert finish.status_code == 409 and "截止，不能再更改申报材料" in finish.json()["detail"]
    assert not app.attachments.exists()
    assert _start(client, app, data).status_code == 409


def test_the_state_is_checked_when_the_file_is_written(draft):
    """A request that saw an editable application must not add a file once another has locked it."""
    from jinxuan.applicants.attachments import NotEditable, store_upload

    complete(draft)
    seen = Application.objects.get(pk=draft.pk)  # loaded while still a draft
    submit(draft)
    transition(draft, State.FORMAL_REVIEW)
    with pytest.raises(NotEditable) as refused:
        store_upload(seen, KEY, SimpleUploadedFile("佐证.pdf", _evidence()))
    assert refused.value.status == 409 and "形式审核中" in refused.value.problems[0]
    assert not draft.attachments.filter(key=KEY).exists()


def test_api_and_page_uploads_are_refused_after_formal_review_passed(client, draft, applicant):
    complete(draft)
    submit(draft)
    transition(draft, State.FORMAL_REVIEW)
    transition(draft, State.ACCEPTED)
    api = client.post(f"/api/v1/applications/{draft.pk}/attachments",
                      {"key": KEY, "file": SimpleUploadedFile("a.pdf", _evidence())}, **bearer(applicant[0]))
    assert api.status_code == 409 and "形式审核通过" in api.json()["detail"]
    client.force_login(applicant[0])
    page = client.post(f"/apply/{draft.pk}/attachments/", {"key": KEY, "file": SimpleUploadedFile("a.pdf", _evidence())},
                       follow=True)
    assert "已不能再更改申报材料" in page.content.decode()
    assert not draft.attachments.filter(key=KEY).exists()


# -- finding 4: quotas, reservations and expiry ----------------------------------------------------------------

def test_reservations_stop_at_the_application_quota(logged_in):
    client, app = logged_in
    quota = application_quota(app.campaign.spec)
    assert quota == int(23 * MAX * 1.5)  # 3 single files and 20 pieces of evidence, each ≤ 20 MB, with 50 % margin
    accepted = 0
    for _ in range(100):
        started = _start(client, app, size=MAX)
        if started.status_code != 201:
            break
        accepted += 1
    assert accepted == quota // MAX  # 34, where 300 used to be reserved in seconds
    assert started.status_code == 409
    assert "本申报的附件总量已达上限" in started.json()["detail"] and "未完成的上传" in started.json()["detail"]
    assert PendingUpload.objects.filter(application=app).count() == accepted


def test_a_users_reservations_are_bounded_across_applications(logged_in, applicant):
    client, app = logged_in
    while _start(client, app, size=MAX).status_code == 201:
        pass
    second = Application.objects.create(campaign=app.campaign, track=app.track, title="（未命名案例）",
                                        created_by=applicant[0])
    ApplicationUnit.objects.create(application=second, organisation=applicant[1], is_lead=True, position=0)
    refused = _start(client, second, size=MAX)
    assert refused.status_code == 409 and "您未完成的上传已占用" in refused.json()["detail"]


def test_cancelling_releases_the_reservation(logged_in, settings):
    client, app = logged_in
    upload = _start(client, app, size=MAX).json()["upload_id"]
    assert client.delete(f"/apply/{app.pk}/uploads/{upload}/").status_code == 200
    assert not PendingUpload.objects.exists()
    assert client.get(f"/apply/{app.pk}/uploads/{upload}/").status_code == 404
    assert not [p for p in Path(settings.UPLOAD_CHUNK_DIR).rglob("*") if p.is_file()]


def test_an_unfinished_upload_expires_after_a_day_and_is_purged(logged_in, settings):
    client, app = logged_in
    data = _evidence()
    upload = _start(client, app, data).json()["upload_id"]
    url = f"/apply/{app.pk}/uploads/{upload}/"
    client.put(f"{url}?offset=0", data[:5000], content_type="application/octet-stream")
    row = PendingUpload.objects.get()
    assert dt.timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= dt.timedelta(hours=24)
    PendingUpload.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    gone = client.put(f"{url}?offset=5000", data[5000:], content_type="application/octet-stream")
    assert gone.status_code == 404 and "已过期" in gone.json()["detail"]
    assert client.post(f"{url}finish/", {"key": KEY}).status_code == 404
    out = StringIO()
    call_command("uploads", "purge", stdout=out)
    assert json.loads(out.getvalue())["expired"] == 1
    assert not PendingUpload.objects.exists()
    assert not [p for p in Path(settings.UPLOAD_CHUNK_DIR).rglob("*") if p.is_file()]


# -- finding 11: interrupted writes and leftovers ---------------------------------------------------------------

def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_purge_removes_orphans_and_stale_temporary_files(logged_in, settings, tmp_path, monkeypatch):
    from jinxuan.applicants import purge

    client, app = logged_in
    monkeypatch.setattr(purge.tempfile, "gettempdir", lambda: str(tmp_path / "system-tmp"))
    (tmp_path / "system-tmp").mkdir()
    live = _start(client, app, size=1000).json()["upload_id"]
    stored = client.post(f"/apply/{app.pk}/attachments/",
                         {"key": KEY, "file": SimpleUploadedFile("佐证.pdf", _evidence())})
    assert stored.status_code == 302 and app.attachments.count() == 1
    chunks = Path(settings.UPLOAD_CHUNK_DIR) / str(app.pk)
    media = Path(settings.MEDIA_ROOT)
    folder = media / "attachments" / str(app.campaign_id) / str(app.pk)
    leftovers = {
        "piece": chunks / ("A" * 32 + ".part"),  # written by a server killed before it recorded the upload
        "meta": chunks / ("A" * 32 + ".json"),
        "file": folder / "0123456789abcdef-orphan.pdf",  # stored, but its row was never committed
        "partial": folder / ".partial-0011223344556677-half.pdf",  # a write cut short
        "spooled": Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpab12cd.upload.pdf",
        "old spooled": tmp_path / "system-tmp" / "tmpzz99.upload.pdf",
    }
    for path in leftovers.values():
        path.write_bytes(b"left behind")
        _age(path, 25)
    fresh = folder / "fedcba9876543210-fresh.pdf"  # may belong to a request still under way
    fresh.write_bytes(b"in flight")
    for path in chunks.iterdir():
        if path.name.startswith(live):
            _age(path, 25)  # old files, but of an upload that has not expired
    out = StringIO()
    call_command("uploads", "purge", stdout=out)
    done = json.loads(out.getvalue())
    assert done["orphaned_pieces"] == 1 and done["orphaned_files"] == 1 and done["stale_partials"] == 1
    assert done["stale_spooled"] == 2
    assert [name for name, path in leftovers.items() if path.exists()] == []
    assert fresh.exists() and Path(app.attachments.get().file.path).exists()
    assert client.get(f"/apply/{app.pk}/uploads/{live}/").json() == {"offset": 0}


def test_a_write_cut_short_leaves_no_file_under_its_name(settings):
    from django.core.files.storage import storages

    class Interrupted(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"%PDF-1.4 first half"
            raise OSError(5, "Input/output error")

    store = storages["default"]
    with pytest.raises(OSError):
        store.save("attachments/1/2/report.pdf", Interrupted(b"x" * 100, name="report.pdf"))
    folder = Path(settings.MEDIA_ROOT) / "attachments" / "1" / "2"
    assert not store.exists("attachments/1/2/report.pdf")
    assert not [p.name for p in folder.iterdir()] if folder.exists() else True
    store.save("attachments/1/2/report.pdf", ContentFile(b"%PDF-1.4 whole"))
    assert (folder / "report.pdf").read_bytes() == b"%PDF-1.4 whole"
    again = store.save("attachments/1/2/report.pdf", ContentFile(b"%PDF-1.4 other"))
    assert again != "attachments/1/2/report.pdf" and (folder / "report.pdf").read_bytes() == b"%PDF-1.4 whole"


def test_the_worker_task_purges(logged_in):
    from jinxuan.applicants.tasks import purge_uploads_task

    client, app = logged_in
    _start(client, app, size=1000)
    PendingUpload.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    result = purge_uploads_task.enqueue()
    assert result.return_value["expired"] == 1 and not PendingUpload.objects.exists()


# -- finding 15: a database outage is "busy", not "storage full" ----------------------------------------------

@pytest.fixture
def outage(monkeypatch):
    """Every query fails as when PostgreSQL restarts; `outage.end()` brings the database back."""
    from django.db.backends import utils

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    class Outage:
        def begin(self):
            monkeypatch.setattr(utils.CursorWrapper, "execute", down)

        def end(self):
            monkeypatch.undo()

    return Outage()


def _busy(response) -> bool:
    json_answer = response["Content-Type"].startswith("application/json")
    body = response.json()["detail"] if json_answer else response.content.decode()
    return response.status_code == 503 and "服务繁忙" in body and "已保存的内容不受影响" in body and "存储空间" not in body


def test_an_outage_during_a_resumable_upload_is_busy_and_loses_nothing(logged_in, outage):
    client, app = logged_in
    client.raise_request_exception = False
    data = _evidence()
    upload = _start(client, app, data).json()["upload_id"]
    url = f"/apply/{app.pk}/uploads/{upload}/"
    assert client.put(f"{url}?offset=0", data[:5000], content_type="application/octet-stream").status_code == 200
    outage.begin()
    assert _busy(client.put(f"{url}?offset=5000", data[5000:], content_type="application/octet-stream"))
    assert _busy(client.post(f"{url}finish/", {"key": KEY}))
    assert _busy(_start(client, app, data))
    outage.end()
    assert client.get(url).json() == {"offset": 5000}  # what was received before the outage is still there
    client.put(f"{url}?offset=5000", data[5000:], content_type="application/octet-stream")
    assert client.post(f"{url}finish/", {"key": KEY}).status_code == 201


def test_an_outage_while_finishing_keeps_the_upload_for_a_retry(logged_in, monkeypatch):
    from jinxuan.applicants import attachments

    client, app = logged_in
    client.raise_request_exception = False
    url = _send_all(client, app, _evidence())

    def failing(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(attachments.quotas, "check_application", failing)
    assert _busy(client.post(f"{url}finish/", {"key": KEY}))
    monkeypatch.undo()
    assert client.post(f"{url}finish/", {"key": KEY}).status_code == 201


def test_an_outage_during_whole_file_uploads_is_busy(logged_in, applicant, outage):
    client, app = logged_in
    client.raise_request_exception = False
    auth = bearer(applicant[0])
    outage.begin()
    page = client.post(f"/apply/{app.pk}/attachments/", {"key": KEY, "file": SimpleUploadedFile("a.pdf", _evidence())})
    api = client.post(f"/api/v1/applications/{app.pk}/attachments",
                      {"key": KEY, "file": SimpleUploadedFile("a.pdf", _evidence())}, **auth)
    outage.end()
    assert _busy(page) and "<html" in page.content.decode().lower()
    assert _busy(api) and api.json()["detail"].startswith("服务繁忙")
    assert not app.attachments.exists()


def test_the_worker_repeats_the_purge_and_a_restart_queues_no_second_one(settings):
    from django_tasks_db.models import DBTaskResult

    from jinxuan.applicants.tasks import purge_uploads_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as under deploy/start.sh
    for _ in range(2):  # two starts of the service
        call_command("uploads", "purge", "--every", "3600", stdout=StringIO())
    queued = DBTaskResult.objects.get(task_path=purge_uploads_task.module_path, status="READY")
    assert queued.args_kwargs["args"] == [3600]
    queued.delete()
    purge_uploads_task.call(3600)  # what the worker runs: it purges, then queues the next run an hour later
    following = DBTaskResult.objects.get(task_path=purge_uploads_task.module_path, status="READY")
    assert following.run_after > timezone.now() + dt.timedelta(minutes=59)
