"""Attachments in an S3-compatible object store (moto's server on 127.0.0.1): upload, resumable upload,
permission-checked download (streamed or a short signed link), and the storage settings read from the environment."""

import hashlib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jinxuan.demo.files import tiny_pdf
from jinxuan.storage.config import LOCAL_BACKEND, S3_BACKEND, default_storage, link_seconds
from tests.helpers.s3 import objects
from tests.security.upload_support import applicant_with_organisation, bearer, new_draft, open_for_submissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(campaigns, make_user):
    user, org = applicant_with_organisation(make_user, "s3_applicant", seed=21)
    return new_draft(open_for_submissions(campaigns["gz-dianshu-2025"]), user, org), user


@pytest.fixture
def other(make_user):
    return applicant_with_organisation(make_user, "s3_other", seed=22)[0]


def test_settings_come_from_the_environment_only():
    assert default_storage({}) == {"BACKEND": LOCAL_BACKEND}
    config = default_storage({"S3_BUCKET": "cases", "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
                              "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s"})
    options = config["OPTIONS"]
    assert config["BACKEND"] == S3_BACKEND
    assert (options["bucket_name"], options["endpoint_url"], options["access_key"], options["secret_key"]) == \
        ("cases", "http://127.0.0.1:9000", "k", "s")
    assert options["region_name"] == "us-east-1" and options["addressing_style"] == "path"
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert options["querystring_expire"] == 60
    assert default_storage({"S3_BUCKET": "b", "S3_REGION": "cn-north-1", "S3_ADDRESSING_STYLE": "virtual"})[
        "OPTIONS"]["region_name"] == "cn-north-1"
    assert link_seconds({"ATTACHMENT_LINK_SECONDS": "3600"}) == 60  # never longer than a minute
    assert link_seconds({"ATTACHMENT_LINK_SECONDS": "15"}) == 15


def test_whole_file_upload_is_stored_in_the_bucket(client, draft, object_store, settings):
    app, user = draft
    client.force_login(user)
    data = tiny_pdf("licence")
    response = client.post(f"/apply/{app.pk}/attachments/",
                           {"key": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", data)})
    assert response.status_code == 302
    stored = app.attachments.get()
    in_bucket = objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"])
    assert in_bucket == {stored.file.name: data}
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]  # nothing on the local disk


def test_api_upload_is_stored_in_the_bucket(client, draft, object_store):
    app, user = draft
    data = tiny_pdf("API")
    response = client.post(f"/api/v1/applications/{app.pk}/attachments",
                            {"key": "business_licence", "file": SimpleUploadedFile("licence.pdf", data)}, **bearer(user))
    assert response.status_code == 201, response.content
    assert list(objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"]).values()) == [data]


def test_resumable_upload_assembles_into_the_bucket(client, draft, object_store, settings):
    app, user = draft
    client.force_login(user)
    data = tiny_pdf("proposal") + b"%" + b"0" * 150_000
    base = f"/apply/{app.pk}/uploads/"
    started = client.post(base, {"key": "proposal", "filename": "申报方案.pdf", "size": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest()})
    assert started.status_code == 201, started.content
    url = f"{base}{started.json()['upload_id']}/"
    for offset in range(0, len(data), 60_000):
        piece = client.put(f"{url}?offset={offset}", data[offset:offset + 60_000], content_type="application/octet-stream")
        assert piece.status_code == 200, piece.content
    done = client.post(f"{url}finish/", {"key": "proposal"})
    assert done.status_code == 201, done.content.decode()
    stored = app.attachments.get()
    assert objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"]) == {stored.file.name: data}
    assert not [p for p in Path(settings.UPLOAD_CHUNK_DIR).rglob("*") if p.is_file()]  # the pieces are gone
    assert not app.pending_uploads.exists()  # and so is the reservation


def test_stored_object_is_checked_by_its_hash(draft, object_store, monkeypatch):
    """An object that does not read back as the bytes that were checked is removed, and nothing is recorded."""
    from jinxuan.applicants import attachments

    app, _ = draft
    monkeypatch.setattr(attachments, "sha256_of", lambda storage, name: "0" * 64)
    with pytest.raises(attachments.StorageUnavailable) as refused:
        attachments.store_upload(app, "business_licence", SimpleUploadedFile("licence.pdf", tiny_pdf()))
    assert "校验不一致" in refused.value.problems[0]
    assert not app.attachments.exists()
    assert objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"]) == {}


def _upload(client, app, user, data):
    client.force_login(user)
    client.post(f"/apply/{app.pk}/attachments/", {"key": "business_licence", "file": SimpleUploadedFile("执照.pdf", data)})
    return app.attachments.get()


def test_streamed_download_checks_permission_first(client, draft, other, object_store):
    app, user = draft
    data = tiny_pdf("download")
    stored = _upload(client, app, user, data)
    url = f"/apply/{app.pk}/attachments/{stored.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/octet-stream" and response["X-Content-Type-Options"] == "nosniff"
    client.force_login(other)
    assert client.get(url).status_code == 404  # another applicant learns nothing, not even that it exists


def test_redirect_download_is_a_signed_link_of_at_most_a_minute(client, draft, other, object_store, settings):
    settings.ATTACHMENT_DOWNLOAD = "redirect"
    app, user = draft
    data = tiny_pdf("link")
    stored = _upload(client, app, user, data)
    url = f"/apply/{app.pk}/attachments/{stored.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(object_store["S3_ENDPOINT_URL"] + "/" + object_store["S3_BUCKET"] + "/")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert int(query["X-Amz-Expires"][0]) <= 60
    assert query["response-content-type"] == ["application/octet-stream"]
    with urllib.request.urlopen(link, timeout=10) as fetched:  # noqa: S310 - the test's own server on 127.0.0.1
        assert fetched.read() == data
    unsigned = link.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError):  # the object itself is private
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_compendium_imports_wait_in_the_bucket_between_preview_and_confirm(campaigns, make_user, object_store):
    """A preview on one host and the confirmation on another find the same uploaded file."""
    from django.http import Http404

    from jinxuan.library import compendium_views as compendium

    gz, organiser = campaigns["gz-dianshu-2025"], make_user("s3_organiser")
    token = compendium.save_pending(gz, organiser, "案例集.txt", "一等奖\n".encode(), "")
    in_bucket = objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"])
    assert sorted(in_bucket) == [f"compendium-pending/{token}/meta.json", f"compendium-pending/{token}/upload.bin"]
    assert compendium.pending_tokens() == [token]
    meta, data = compendium.load_pending(gz, organiser, token)
    assert data == "一等奖\n".encode() and meta["filename"] == "案例集.txt"
    with pytest.raises(Http404):
        compendium.load_pending(gz, make_user("s3_someone_else"), token)
    compendium.drop_pending(token)
    assert objects(object_store["S3_ENDPOINT_URL"], object_store["S3_BUCKET"]) == {}


def test_readiness_reports_an_unreachable_bucket(object_store, settings):
    from jinxuan.storage.files import storage_problem

    assert storage_problem() is None
    missing = {**object_store, "S3_BUCKET": "jinxuan-no-such-bucket"}
    settings.STORAGES = {**settings.STORAGES, "default": default_storage(missing)}
    assert storage_problem().startswith("对象存储不可用（存储桶 jinxuan-no-such-bucket）")


def test_purge_removes_orphaned_objects_and_abandoned_multipart_uploads(draft, object_store):
    import datetime as dt

    from django.utils import timezone

    from jinxuan.applicants.attachments import store_upload
    from jinxuan.applicants.purge import purge_uploads
    from tests.helpers.s3 import s3_client

    app, _ = draft
    kept = store_upload(app, "business_licence", SimpleUploadedFile("licence.pdf", tiny_pdf("kept")))
    client = s3_client(object_store["S3_ENDPOINT_URL"])
    bucket = object_store["S3_BUCKET"]
    orphan = f"attachments/{app.campaign_id}/{app.pk}/0011223344556677-orphan.pdf"  # its row was never committed
    client.put_object(Bucket=bucket, Key=orphan, Body=b"%PDF-1.4 orphan")
    assert purge_uploads()["orphaned_files"] == 0  # young objects may belong to a request under way
    client.create_multipart_upload(Bucket=bucket, Key=f"attachments/{app.campaign_id}/{app.pk}/big.pdf")
    done = purge_uploads(now=timezone.now() + dt.timedelta(hours=25))
    assert done["orphaned_files"] == 1 and done["abandoned_multipart"] == 1
    assert list(objects(object_store["S3_ENDPOINT_URL"], bucket)) == [kept.file.name]
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
