"""The malicious upload corpus (tests/security/corpus.py) through every upload entry point.

Each file must be refused with a Chinese message, or accepted only neutralised: stored inside MEDIA_ROOT under a
path the server chose, its shown name sanitised, and served only as an `attachment` with `nosniff` and
`application/octet-stream`. No request may take more than a bounded amount of memory (traced by tracemalloc), and
no archive member of a zip bomb may be inflated (every byte read out of a zip member is counted).
"""

from __future__ import annotations

import html
import re
import tracemalloc
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from jinxuan.applicants.uploads import safe_filename

from . import corpus
from .upload_support import applicant_with_organisation, bearer, new_draft, open_for_submissions

pytestmark = pytest.mark.django_db

BOUNDARY = "jinxuan-security-corpus-boundary"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MEMORY_BASE = 48 * 1024 * 1024  # what one request may allocate beyond a few copies of the upload itself
INFLATE_LIMIT = 2 * 1024 * 1024  # bytes that may be read out of zip members while checking one file
# The page sends 4 MB pieces (upload_views.CHUNK_SIZE), but Django refuses any body over
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) before the view runs: see test_chunked_upload_takes_its_own_pieces.
CHUNK = 2 * 1024 * 1024
KEY = "supporting_evidence"  # gz: pdf, jpg, png, docx; 20 MB; up to 20 files


def multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> bytes:
    """A multipart body carrying `filename` exactly as given (Django's test client would strip directories)."""
    out = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in
           fields.items()]
    out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
               f'filename="{filename.replace(chr(34), "%22")}"\r\nContent-Type: application/octet-stream\r\n\r\n'
               .encode() + data + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def post_file(client, url, fields, file_field, sample, data, **extra):
    return client.post(url, data=multipart(fields, file_field, sample.filename, data),
                       content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra)


@dataclass
class Outcome:
    accepted: bool
    messages: list[str] = field(default_factory=list)
    stored: object = None  # the model row holding the accepted file
    download: object = None  # a callable returning the download response


class InflateSpy:
    """Counts the bytes read out of zip members (zipfile is what python-docx, openpyxl and our checks use)."""

    def __init__(self, monkeypatch):
        self.total = 0
        for name in ("read", "read1"):
            original = getattr(zipfile.ZipExtFile, name)

            def counting(this, *args, _original=original, **kwargs):
                data = _original(this, *args, **kwargs)
                self.total += len(data)
                return data

            monkeypatch.setattr(zipfile.ZipExtFile, name, counting)


def _run(entry, samples, corpus_files, monkeypatch, tmp_path, within_limits=frozenset()) -> list[str]:
    """Every sample through `entry(sample, data) -> Outcome`; returns the failures, one line each.

    `within_limits`: ids of samples this entry point may accept (e.g. "huge" where the limit is 100 MB).
    """
    media = Path(settings.MEDIA_ROOT).resolve()
    outside_before = _files_outside(tmp_path)
    spy = InflateSpy(monkeypatch)
    empty = next(s for s in corpus.SAMPLES if s.id == "empty")
    entry(empty, b"")  # warm up (imports, templates, URL resolver), so the traced peak is the request's own
    failures = []
    for sample in samples:
        data = corpus_files[sample.id].read_bytes()
        spy.total = 0
        tracemalloc.start()
        try:
            outcome = entry(sample, data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        where = f"{sample.id} ({sample.filename[:40]!r})"
        if peak > MEMORY_BASE + 4 * len(data):
            failures.append(f"{where}: 请求占用内存 {peak // 2**20} MB，超出上限")
        if sample.zip_bomb and spy.total > INFLATE_LIMIT:
            failures.append(f"{where}: 检查时解压了 {spy.total // 2**20} MB（应只读目录）")
        if outcome.accepted:
            if sample.refuse and sample.id not in within_limits:
                failures.append(f"{where}: 危险文件被接受")
                continue
            failures.extend(f"{where}: {p}" for p in _neutralised(outcome, sample, media))
        elif not outcome.messages or not all(CHINESE.search(m) for m in outcome.messages):
            failures.append(f"{where}: 拒绝时没有中文说明：{outcome.messages!r}")
    new_outside = _files_outside(tmp_path) - outside_before
    if new_outside:
        failures.append(f"MEDIA_ROOT 之外写入了文件：{sorted(new_outside)}")
    for traversal in (Path("/etc/passwd.pdf"), Path("/etc/cron.d/job.pdf"), media.parent / "etc"):
        if traversal.exists():
            failures.append(f"路径穿越写出了 {traversal}")
    return failures


def _files_outside(tmp_path: Path) -> set[str]:
    keep = {Path(settings.MEDIA_ROOT).resolve(), Path(settings.UPLOAD_CHUNK_DIR).resolve()}
    found = set()
    for path in tmp_path.rglob("*"):
        resolved = path.resolve()
        if path.is_file() and not any(resolved.is_relative_to(k) for k in keep):
            found.add(str(path.relative_to(tmp_path)))
    return found


def _neutralised(outcome: Outcome, sample, media: Path) -> list[str]:
    problems = []
    stored = outcome.stored
    name = getattr(stored, "evidence_name", None) or getattr(stored, "name", "")
    file = getattr(stored, "file", None) or getattr(stored, "evidence", None)
    path = Path(file.path).resolve()
    if not path.is_relative_to(media):
        problems.append(f"文件存到了 MEDIA_ROOT 之外：{path}")
    if len(path.name.encode()) > 255:
        problems.append("存储文件名超过 255 字节")
    if name and (name != safe_filename(sample.filename) or re.search(r"[/\\]|\.\.", name)
                 or any(unicodedata.category(ch).startswith("C") for ch in name)):
        problems.append(f"显示的文件名未净化：{name!r}")
    response = outcome.download()
    if response.status_code != 200:
        problems.append(f"下载返回 {response.status_code}")
        return problems
    disposition = response["Content-Disposition"]
    if not disposition.startswith("attachment"):
        problems.append(f"下载不是附件：{disposition}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("下载缺少 X-Content-Type-Options: nosniff")
    if response["Content-Type"] != "application/octet-stream":
        problems.append(f"下载的 Content-Type 为 {response['Content-Type']}")
    if "/" in disposition.split("filename", 1)[-1].replace("\\/", ""):
        problems.append(f"下载文件名含路径：{disposition}")
    return problems


def _messages(response) -> list[str]:
    """The error messages, and the refusals shown in place beside an upload (the page is re-shown, not left)."""
    said = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if response.get("Content-Type", "").startswith("text/html"):
        for block in re.findall(r'<div class="field-error" id="err-file-[^"]+" role="alert">(.*?)</div>',
                                response.content.decode(), re.S):
            said += [html.unescape(m) for m in re.findall(r"<p>(.*?)</p>", block, re.S)]
    return said


# ---------------------------------------------------------------------------------------------- applicants


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory):
    """Sample id → path of every corpus file, built once per run."""
    return corpus.build(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def applicant(make_user):
    return applicant_with_organisation(make_user, "sec_applicant")


@pytest.fixture
def draft(campaigns, applicant):
    return new_draft(open_for_submissions(campaigns["gz-dianshu-2025"]), *applicant)


@pytest.fixture
def applicant_client(client, draft, applicant):
    client.force_login(applicant[0])
    return client, draft


def test_applicant_whole_file_upload(applicant_client, corpus_files, monkeypatch, tmp_path):
    client, app = applicant_client

    def entry(sample, data):
        before = set(app.attachments.values_list("pk", flat=True))
        response = post_file(client, f"/apply/{app.pk}/attachments/", {"key": KEY}, "file", sample, data)
        added = app.attachments.exclude(pk__in=before).first()
        if added is None:
            return Outcome(False, _messages(response))
        return Outcome(True, stored=added, download=lambda: client.get(f"/apply/{app.pk}/attachments/{added.pk}/"))

    failures = _run(entry, corpus.SAMPLES, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)
    assert app.attachments.count() >= 5  # the harmless-content samples did get through


def test_applicant_chunked_upload(applicant_client, corpus_files, monkeypatch, tmp_path):
    client, app = applicant_client
    base = f"/apply/{app.pk}/uploads/"

    def entry(sample, data):
        started = client.post(base, {"key": KEY, "filename": sample.filename, "size": len(data)})
        if started.status_code != 201:
            return Outcome(False, [started.json()["detail"]])
        url = f"{base}{started.json()['upload_id']}/"
        for offset in range(0, len(data), CHUNK):
            piece = client.put(f"{url}?offset={offset}", data[offset:offset + CHUNK],
                               content_type="application/octet-stream")
            assert piece.status_code == 200, piece.content
        done = client.post(f"{url}finish/", {"key": KEY})
        if done.status_code != 201:
            return Outcome(False, done.json()["problems"])
        added = app.attachments.get(sha256=done.json()["sha256"])
        return Outcome(True, stored=added, download=lambda: client.get(f"/apply/{app.pk}/attachments/{added.pk}/"))

    failures = _run(entry, corpus.SAMPLES, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)
    assert app.attachments.count() >= 5
    leftovers = [p.name for p in Path(settings.UPLOAD_CHUNK_DIR).rglob("*") if p.is_file()]
    assert leftovers == [], leftovers  # every finished or refused upload was discarded


def test_chunked_upload_cannot_outgrow_its_declared_size(applicant_client):
    client, app = applicant_client
    base = f"/apply/{app.pk}/uploads/"
    upload = client.post(base, {"key": KEY, "filename": "小文件.pdf", "size": 1000}).json()["upload_id"]
    response = client.put(f"{base}{upload}/?offset=0", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    assert response.status_code == 409 and "超出声明的文件大小" in response.json()["detail"]
    assert client.get(f"{base}{upload}/").json() == {"offset": 0}


def test_chunked_upload_takes_its_own_pieces(applicant_client):
    from jinxuan.applicants.upload_views import CHUNK_SIZE

    client, app = applicant_client
    base = f"/apply/{app.pk}/uploads/"
    data = corpus.pdf("chunk") + b"%" + b"0" * CHUNK_SIZE
    upload = client.post(base, {"key": KEY, "filename": "扫描件.pdf", "size": len(data)}).json()["upload_id"]
    piece = client.put(f"{base}{upload}/?offset=0", data[:CHUNK_SIZE], content_type="application/octet-stream")
    assert piece.status_code == 200, piece.content[:200]


def test_part_headers_over_1kb_are_refused_before_any_code_runs(applicant_client):
    """A file name of ~1,000 bytes makes the part's headers exceed Django's 1 KB: a 400, nothing stored."""
    client, app = applicant_client
    sample = corpus.Sample("name-1kb", "b" * 1000 + ".pdf", corpus.pdf, refuse=False)
    response = post_file(client, f"/apply/{app.pk}/attachments/", {"key": KEY}, "file", sample, corpus.pdf("1kb"))
    assert response.status_code == 400 and not app.attachments.exists()
    assert "请求无效" in response.content.decode()  # the Chinese error page, not Django's "Bad Request"


def test_applicant_api_upload(draft, applicant, client, corpus_files, monkeypatch, tmp_path):
    auth = bearer(applicant[0])
    session = client
    session.force_login(applicant[0])

    def entry(sample, data):
        response = post_file(client, f"/api/v1/applications/{draft.pk}/attachments", {"key": KEY}, "file", sample,
                             data, **auth)
        if response.status_code != 201:
            assert response.status_code in {400, 422}, (response.status_code, response.content[:200])
            return Outcome(False, [response.json()["detail"]])
        added = draft.attachments.get(pk=response.json()["id"])
        assert response.json()["name"] == added.name
        return Outcome(True, stored=added,
                       download=lambda: session.get(f"/apply/{draft.pk}/attachments/{added.pk}/"))

    failures = _run(entry, corpus.SAMPLES, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)
    assert draft.attachments.count() >= 5


# ---------------------------------------------------------------------------------------------- inspection


@pytest.fixture
def inspection_record(campaigns, make_user):
    from jinxuan.inspection import services
    from tests.factories import make_pipeline_apps, roadshow_run

    gz = campaigns["gz-dianshu-2025"]
    organiser = make_user("sec_insp_org", "organiser", campaign=gz)
    inspector = make_user("sec_inspector", "inspector", campaign=gz)
    apps = make_pipeline_apps(gz, 4)
    roadshow_run(gz, apps)
    _, seed = services.commit(gz, actor=organiser)
    draw = services.reveal_and_draw(gz, seed, actor=organiser)
    record = draw.inspections.order_by("application_id").first()
    services.assign(record, [inspector])
    return record, inspector


def test_inspection_evidence_upload(client, inspection_record, corpus_files, monkeypatch, tmp_path):
    record, inspector = inspection_record
    client.force_login(inspector)
    base = f"/inspection/{record.campaign.slug}/{record.application_id}/evidence/"

    def entry(sample, data):
        before = set(record.evidence.values_list("pk", flat=True))
        response = post_file(client, base, {"note": "现场"}, "file", sample, data)
        added = record.evidence.exclude(pk__in=before).first()
        if added is None:
            return Outcome(False, _messages(response))
        return Outcome(True, stored=added, download=lambda: client.get(f"{base}{added.pk}/"))

    samples = [s for s in corpus.SAMPLES if s.id != "name-overlong-cjk"]  # see the next test
    failures = _run(entry, samples, corpus_files, monkeypatch, tmp_path, within_limits={"huge"})  # 100 MB there
    assert not failures, "\n".join(failures)
    assert record.evidence.count() >= 5


def test_inspection_evidence_with_an_overlong_chinese_name(client, inspection_record, corpus_files):
    record, inspector = inspection_record
    client.force_login(inspector)
    sample = next(s for s in corpus.SAMPLES if s.id == "name-overlong-cjk")
    response = post_file(client, f"/inspection/{record.campaign.slug}/{record.application_id}/evidence/",
                         {"note": ""}, "file", sample, corpus_files[sample.id].read_bytes())
    assert response.status_code == 302 and record.evidence.count() == 1


# ---------------------------------------------------------------------------------------------- publicity


@pytest.fixture
def publicity_open(campaigns, make_user, monkeypatch):
    from decimal import Decimal

    from jinxuan.applicants.states import State
    from jinxuan.publicity import services
    from tests.factories import inspected_run, publicity_entrant

    gz = campaigns["gz-dianshu-2025"]
    organiser = make_user("sec_pub_org", "organiser", campaign=gz)
    made = [publicity_entrant(gz, n, State.IN_STAGE if n <= 2 else State.ELIMINATED) for n in range(1, 5)]
    inspected_run(gz, "composite", "composite", [(a, i, Decimal(95) - i, i <= 2, {}) for i, a in enumerate(made, 1)])
    inspected_run(gz, "roadshow", "roadshow", [(a, i, Decimal(90) - i, True, {}) for i, a in enumerate(made[:2], 1)])
    inspected_run(gz, "site_inspection", "site_inspection", [(a, i, None, True, {}) for i, a in enumerate(made[:2], 1)])
    start = dt_date(2026, 9, 30)
    monkeypatch.setattr(services, "local_today", lambda: start)
    monkeypatch.setattr(services, "ATTEMPTS_PER_IP_HOUR", 10_000)
    monkeypatch.setattr(services, "FILINGS_PER_CONTACT_DAY", 10_000)
    monkeypatch.setattr(services, "RATE_PREFIX", f"objection-security-{id(gz)}")
    services.open_publicity(gz, start, actor=organiser)
    return gz, made[0], organiser


def dt_date(*args):
    import datetime

    return datetime.date(*args)


def test_publicity_objection_evidence(client, publicity_open, corpus_files, monkeypatch, tmp_path):
    from jinxuan.publicity.models import Objection

    gz, target, organiser = publicity_open
    staff = type(client)()
    staff.force_login(organiser)
    form = {"application": str(target.pk), "name": "李某", "contact": "lee@example.cn",
            "text": "该案例与另一单位的公开案例高度重复，附比对材料。"}

    def entry(sample, data):
        before = set(Objection.objects.values_list("pk", flat=True))
        response = post_file(client, f"/publicity/{gz.slug}/objection/", form, "evidence", sample, data)
        added = Objection.objects.exclude(pk__in=before).first()
        if added is None:
            assert response.status_code == 400, response.status_code
            return Outcome(False, list(response.context["problems"]))
        return Outcome(True, stored=added,
                       download=lambda: staff.get(f"/manage/publicity/{gz.slug}/objections/{added.pk}/evidence/"))

    failures = _run(entry, corpus.SAMPLES, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)
    assert Objection.objects.exclude(evidence="").count() >= 5


# ---------------------------------------------------------------------------------------------- compendium import

# The compendium import parses .docx with python-docx, which reads every part into memory, without the zip checks
# of jinxuan.applicants.uploads; these archives get through (the bomb is inflated: ~140 MB for a 100 KB file).
COMPENDIUM_UNGUARDED = {"docx-zip-bomb", "docx-many-entries", "docx-nested-zip", "docx-external-template",
                        "docx-external-ole"}
ARCHIVES = [s for s in corpus.SAMPLES if s.zip_bomb or s.id in {"huge", "empty", "html-as-docx", "svg-as-docx"}]


def _compendium_entry(client, gz):
    def entry(sample, data):
        response = post_file(client, f"/manage/library/{gz.slug}/import/", {"track": ""}, "file", sample, data)
        if response.status_code == 302:
            return Outcome(True)
        assert response.status_code == 400, response.status_code
        return Outcome(False, [response.context["error"]])

    return entry


@pytest.fixture
def library_client(client, campaigns, make_user):
    gz = campaigns["gz-dianshu-2025"]
    client.force_login(make_user("sec_library", "organiser", campaign=gz))
    return client, gz


def test_compendium_import_refuses_bad_archives(library_client, corpus_files, monkeypatch, tmp_path):
    samples = [s for s in ARCHIVES if s.id not in COMPENDIUM_UNGUARDED]
    failures = _run(_compendium_entry(*library_client), samples, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("sample_id", sorted(COMPENDIUM_UNGUARDED))
def test_compendium_import_refuses_zip_bombs(library_client, corpus_files, monkeypatch, tmp_path, sample_id):
    samples = [s for s in ARCHIVES if s.id == sample_id]
    failures = _run(_compendium_entry(*library_client), samples, corpus_files, monkeypatch, tmp_path)
    assert not failures, "\n".join(failures)
