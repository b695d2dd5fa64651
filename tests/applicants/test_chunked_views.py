"""Resumable chunked upload endpoints: pieces, a resume after an out-of-step piece, checks on finish."""

import pytest

from jinxuan.demo.files import tiny_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, draft, applicant, settings, tmp_path):
    settings.UPLOAD_CHUNK_DIR = tmp_path / "chunks"
    client.force_login(applicant[0])
    return client, draft


def test_upload_in_pieces_with_a_resume(logged_in):
    client, app = logged_in
    data = tiny_pdf() + b"%" + b"0" * 200_000  # a PDF padded to span several pieces
    base = f"/apply/{app.pk}/uploads/"
    started = client.post(base, {"key": "business_licence", "filename": "营业执照.pdf", "size": len(data)}).json()
    upload = started["upload_id"]
    url = f"{base}{upload}/"
    assert client.put(f"{url}?offset=0", data[:100_000], content_type="application/octet-stream").json() == {"offset": 100_000}
    stale = client.put(f"{url}?offset=0", data[:100_000], content_type="application/octet-stream")  # a retried piece
    assert stale.status_code == 409 and stale.json()["offset"] == 100_000
    assert client.get(url).json() == {"offset": 100_000}
    client.put(f"{url}?offset=100000", data[100_000:], content_type="application/octet-stream")
    done = client.post(f"{url}finish/", {"key": "business_licence", "issuer": "市场监督管理局"})
    assert done.status_code == 201, done.content.decode()
    stored = app.attachments.get()
    assert stored.size == len(data) and stored.issuer == "市场监督管理局" and stored.name == "营业执照.pdf"


def test_finish_refuses_a_disguised_file(logged_in):
    client, app = logged_in
    data = b"<html><script>alert(1)</script></html>"
    upload = client.post(f"/apply/{app.pk}/uploads/", {"key": "business_licence", "filename": "x.pdf", "size": len(data)}).json()["upload_id"]
    client.put(f"/apply/{app.pk}/uploads/{upload}/?offset=0", data, content_type="application/octet-stream")
    refused = client.post(f"/apply/{app.pk}/uploads/{upload}/finish/", {"key": "business_licence"})
    assert refused.status_code == 400 and refused.json()["problems"][0].startswith("营业执照：")
    assert not app.attachments.exists()


def test_oversize_and_unknown_key_are_refused_up_front(logged_in):
    client, app = logged_in
    too_big = client.post(f"/apply/{app.pk}/uploads/", {"key": "business_licence", "filename": "a.pdf", "size": 10**10})
    assert too_big.status_code == 400 and "超过上限" in too_big.json()["detail"]
    unknown = client.post(f"/apply/{app.pk}/uploads/", {"key": "nope", "filename": "a.pdf", "size": 10})
    assert unknown.status_code == 400 and "未知的材料类型" in unknown.json()["detail"]


def test_a_forged_upload_id_is_not_found(logged_in):
    client, app = logged_in
    assert client.get(f"/apply/{app.pk}/uploads/..%2F..%2Fetc/").status_code in {400, 404}
    assert client.get(f"/apply/{app.pk}/uploads/{'A' * 32}/").status_code == 404
