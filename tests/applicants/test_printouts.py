"""Print-outs of a submitted version are rendered once, stored with their hash and served from storage;
drafts are rendered on demand; who may download is unchanged."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from jinxuan.applicants import printing
from jinxuan.applicants.models import Membership, Organisation, PrintOut
from jinxuan.applicants.submission import save_draft, submit
from jinxuan.formalreview.models import VersionAnalysis
from tests.factories import complete

pytestmark = pytest.mark.django_db


class Spy:
    """Counts the calls of a renderer and returns distinct fake documents (rendering itself is tested elsewhere)."""

    def __init__(self, prefix: bytes):
        self.prefix, self.calls = prefix, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.prefix + b" render %d" % self.calls


@pytest.fixture
def renders(monkeypatch):
    spies = {name: Spy(prefix) for name, prefix in (("application_pdf", b"%PDF-1.7"), ("commitment_pdf", b"%PDF-1.7 c"),
                                                    ("commitment_docx", b"PK docx c"),
                                                    ("case_description_docx", b"PK docx case"))}
    for name, spy in spies.items():
        monkeypatch.setattr(printing, name, spy)
    return spies


@pytest.fixture
def submitted(draft, applicant):
    user, _ = applicant
    complete(draft)
    version = submit(draft, actor=user)
    return draft, version, user


def _pdf_url(app, version):
    return reverse("apply:print_pdf", args=[app.pk, version.number])


def test_second_download_is_served_from_storage(client, submitted, renders):
    app, version, user = submitted
    client.force_login(user)
    first = client.get(_pdf_url(app, version))
    second = client.get(_pdf_url(app, version))
    assert first.status_code == second.status_code == 200
    assert renders["application_pdf"].calls == 1
    assert first.content == second.content == b"%PDF-1.7 render 1"
    row = PrintOut.objects.get(version=version, kind="application.pdf")
    with default_storage.open(row.name, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == row.sha256 == hashlib.sha256(first.content).hexdigest()


def test_missing_file_is_rendered_and_stored_again(client, submitted, renders):
    app, version, user = submitted
    client.force_login(user)
    client.get(_pdf_url(app, version))
    row = PrintOut.objects.get(version=version, kind="application.pdf")
    default_storage.delete(row.name)
    again = client.get(_pdf_url(app, version))
    assert renders["application_pdf"].calls == 2 and again.content == b"%PDF-1.7 render 2"
    row.refresh_from_db()
    assert default_storage.exists(row.name) and row.sha256 == hashlib.sha256(again.content).hexdigest()
    client.get(_pdf_url(app, version))
    assert renders["application_pdf"].calls == 2


def test_altered_file_is_not_served(client, submitted, renders):
    app, version, user = submitted
    client.force_login(user)
    client.get(_pdf_url(app, version))
    row = PrintOut.objects.get(version=version, kind="application.pdf")
    default_storage.delete(row.name)
    default_storage.save(row.name, ContentFile(b"%PDF-1.7 altered"))
    again = client.get(_pdf_url(app, version))
    assert again.content == b"%PDF-1.7 render 2" and renders["application_pdf"].calls == 2
    row.refresh_from_db()
    with default_storage.open(row.name, "rb") as fh:
        assert fh.read() == b"%PDF-1.7 render 2"


def test_masked_and_full_copies_are_kept_apart(client, submitted, renders, make_user, campaigns):
    app, version, user = submitted
    organiser = make_user("organiser1", "organiser", campaign=app.campaign)
    client.force_login(user)
    own = client.get(_pdf_url(app, version)).content
    client.force_login(organiser)
    theirs = client.get(_pdf_url(app, version)).content
    assert own != theirs and renders["application_pdf"].calls == 2
    assert set(PrintOut.objects.filter(version=version).values_list("kind", flat=True)) == {
        "application.pdf", "application-masked.pdf"}
    client.get(_pdf_url(app, version))
    assert renders["application_pdf"].calls == 2


def test_permissions_on_the_download_are_unchanged(client, submitted, renders, make_user):
    app, version, user = submitted
    url = _pdf_url(app, version)
    outsider = make_user("outsider")
    other = Organisation.objects.create(name="另一家单位", credit_code="91440101MA5OTHER1X")
    Membership.objects.create(user=outsider, organisation=other, is_admin=True)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    client.force_login(outsider)
    before = client.get(url)
    client.force_login(user)
    assert client.get(url).status_code == 200  # now stored
    client.force_login(outsider)
    after = client.get(url)
    assert before.status_code == after.status_code and after.status_code in (403, 404)
    assert b"render" not in after.content
    client.logout()
    assert client.get(url).status_code == 302
    assert renders["application_pdf"].calls == 1


def test_drafts_are_rendered_every_time(client, draft, applicant, renders):
    user, _ = applicant
    client.force_login(user)
    url = reverse("apply:commitment", args=[draft.pk, "pdf"])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert renders["commitment_pdf"].calls == 2
    assert not PrintOut.objects.exists()


def test_case_description_of_a_changed_draft_is_not_stored(client, submitted, renders):
    app, version, user = submitted
    client.force_login(user)
    url = reverse("apply:case_docx", args=[app.pk])
    client.get(url)
    client.get(url)
    assert renders["case_description_docx"].calls == 1  # the live answers are the submitted version's
    outline = next(f for f in app.campaign.spec.form.fields("application") if f.type == "outline")
    answers = {outline.key: {**app.answers[outline.key], outline.sections[0].key: "改写后的摘要。"}}
    save_draft(app, answers, {}, actor=user)
    changed = client.get(url)
    client.get(url)
    assert renders["case_description_docx"].calls == 3
    row = PrintOut.objects.get(version=version, kind="case.docx")
    with default_storage.open(row.name, "rb") as fh:
        assert fh.read() == b"PK docx case render 1" != changed.content


def test_commitment_is_rendered_again_when_the_organisation_is_renamed(client, submitted, renders, applicant):
    app, version, user = submitted
    _, org = applicant
    client.force_login(user)
    url = reverse("apply:commitment", args=[app.pk, "pdf"])
    client.get(url)
    client.get(url)
    assert renders["commitment_pdf"].calls == 1
    Organisation.objects.filter(pk=org.pk).update(name="广州示例数字科技股份有限公司")
    client.get(url)
    assert renders["commitment_pdf"].calls == 2


def test_submit_prepares_printouts_and_analysis_in_the_background(draft, applicant, renders,
                                                                  django_capture_on_commit_callbacks, client):
    user, _ = applicant
    complete(draft)
    with django_capture_on_commit_callbacks(execute=True):
        version = submit(draft, actor=user, base_url="http://testserver")
    kinds = set(PrintOut.objects.filter(version=version).values_list("kind", flat=True))
    assert kinds == {"application.pdf", "application-masked.pdf", "case.docx", "commitment.pdf", "commitment.docx"}
    assert renders["application_pdf"].calls == 2
    assert VersionAnalysis.objects.filter(version=version).exists()
    assert draft.screenings.filter(version_number=version.number).exists()
    client.force_login(user)
    response = client.get(_pdf_url(draft, version))  # the link printed at submission is the one of this request
    assert response.content == b"%PDF-1.7 render 1" and renders["application_pdf"].calls == 2


def test_real_pdf_is_stored_once_and_served_identically(client, submitted):
    app, version, user = submitted
    client.force_login(user)
    first = client.get(_pdf_url(app, version)).content
    assert first.startswith(b"%PDF")
    second = client.get(_pdf_url(app, version)).content
    assert second == first


def test_a_storage_failure_still_serves_the_document(client, submitted, renders, monkeypatch):
    app, version, user = submitted

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", refuse)
    client.force_login(user)
    response = client.get(_pdf_url(app, version))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 render 1"
    assert not PrintOut.objects.filter(version=version).exists()


def _store_down(*args, **kwargs):
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")  # not an OSError


def test_an_object_store_that_does_not_answer_still_serves_the_document(client, submitted, renders, monkeypatch):
    app, version, user = submitted
    client.force_login(user)
    monkeypatch.setattr(default_storage, "save", _store_down)
    response = client.get(_pdf_url(app, version))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 render 1"
    assert not PrintOut.objects.filter(version=version).exists()


def test_a_stored_printout_the_store_cannot_read_is_rendered_again(client, submitted, renders, monkeypatch):
    app, version, user = submitted
    client.force_login(user)
    assert client.get(_pdf_url(app, version)).content == b"%PDF-1.7 render 1"  # stored
    monkeypatch.setattr(default_storage, "open", _store_down)
    response = client.get(_pdf_url(app, version))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 render 2"


def test_the_background_rendering_is_tried_again_when_the_store_is_down(submitted, renders, settings, monkeypatch):
    import datetime as dt

    from botocore.exceptions import EndpointConnectionError
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from jinxuan.applicants.tasks import PRINTOUT_RETRIES, prepare_printouts

    _, version, _ = submitted
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the worker's, as in deploy/
    monkeypatch.setattr(default_storage, "save", _store_down)
    with pytest.raises(EndpointConnectionError):  # the task fails (logged by the worker) ...
        prepare_printouts.call(version.pk, "http://testserver")
    queued = DBTaskResult.objects.get(task_path=prepare_printouts.module_path, status="READY")  # ... and comes back
    assert queued.args_kwargs["args"] == [version.pk, "http://testserver", 1]
    assert queued.run_after > timezone.now() + dt.timedelta(seconds=50)
    queued.delete()
    with pytest.raises(EndpointConnectionError):  # the last try queues no other
        prepare_printouts.call(version.pk, "http://testserver", PRINTOUT_RETRIES)
    assert not DBTaskResult.objects.filter(task_path=prepare_printouts.module_path).exists()
    monkeypatch.undo()
    prepare_printouts.call(version.pk, "http://testserver")  # the store is back: stored
    assert PrintOut.objects.filter(version=version, kind="application.pdf").exists()
