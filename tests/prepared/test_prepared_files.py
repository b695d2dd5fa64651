"""Large files are built in the background: the request answers with a progress page, the file is fetched by the
person who asked, a failure is said in Chinese, old files are purged."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.library import compendium_files
from jinxuan.library.models import Case
from jinxuan.prepared import services as prepared
from jinxuan.prepared.models import PreparedFile
from jinxuan.voting import export as vote_export
from jinxuan.voting import services
from jinxuan.voting.models import Voter

pytestmark = pytest.mark.django_db


HEADER = tuple(h for h, _ in vote_export.vote_lists.VOTE_COLUMNS[:2])


@pytest.fixture
def three_votes(gz, vote_open, vote_cache_cleared):
    for i in range(3):
        voter = Voter.objects.create(phone=f"1393333{i:04d}", verified_at=timezone.now())
        services.cast(gz, vote_open[i].pk, voter)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """GET an export; the build queued when its transaction commits runs (the in-process task backend)."""

    def get(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url, data or {})
        assert response.status_code == 302 and "/manage/files/" in response["Location"]
        return response["Location"]

    return get


def test_a_large_vote_export_is_built_in_the_background_and_fetched(client, gz, three_votes, organiser, ask,
                                                                    monkeypatch):
    monkeypatch.setattr(vote_export, "PREPARE_ABOVE", 2)
    client.force_login(organiser)
    status = ask(reverse("vote_manage:export", args=[gz.slug]))
    page = client.get(status).content.decode()
    made = PreparedFile.objects.get()
    assert made.state == PreparedFile.DONE and (made.done, made.total) == (3, 3) and made.requested_by == organiser
    assert "已生成（共 3 张票" in page and "仅您本人可下载" in page and 'http-equiv="refresh"' not in page
    assert reverse("vote_manage:overview", args=[gz.slug]) in page  # the way back
    body = b"".join(client.get(reverse("prepared:download", args=[made.token])).streaming_content)
    rows = list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == HEADER and len(rows) == 4 and all(r[0] for r in rows[1:])


def test_the_filters_of_the_list_are_kept(client, gz, vote_open, three_votes, organiser, ask, monkeypatch):
    monkeypatch.setattr(vote_export, "PREPARE_ABOVE", 0)
    client.force_login(organiser)
    status = ask(reverse("vote_manage:export", args=[gz.slug]), {"case": vote_open[0].pk})
    assert "共 1 张票" in client.get(status).content.decode()
    assert PreparedFile.objects.get().params == {"case": [str(vote_open[0].pk)]}


def test_only_the_one_who_asked_may_see_or_fetch_it(client, gz, three_votes, organiser, make_user, ask,
                                                    monkeypatch):
    monkeypatch.setattr(vote_export, "PREPARE_ABOVE", 0)
    client.force_login(organiser)
    status = ask(reverse("vote_manage:export", args=[gz.slug]))
    made = PreparedFile.objects.get()
    guidance = make_user("guide1", Role.GUIDANCE, campaign=gz)  # may export votes too, but did not ask for this
    client.force_login(guidance)
    assert client.get(status).status_code == 404
    assert client.get(reverse("prepared:download", args=[made.token])).status_code == 404
    RoleAssignment.objects.filter(user=organiser).delete()  # the one who asked lost the right to the votes
    client.force_login(organiser)
    assert client.get(status).status_code == 404


def test_a_second_click_while_it_is_built_asks_for_nothing_new(gz, organiser):
    queued = PreparedFile.objects.create(campaign=gz, kind="votes", requested_by=organiser, params={"q": ["x"]})
    assert prepared.request_file(gz, organiser, "votes", {"q": ["x"]}) == queued
    assert PreparedFile.objects.count() == 1


def test_a_failed_build_is_said_in_chinese_and_offers_no_download(client, gz, three_votes, organiser, ask,
                                                                  monkeypatch):
    monkeypatch.setattr(vote_export, "PREPARE_ABOVE", 0)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(vote_export, "workbook", broken)
    client.force_login(organiser)
    page = client.get(ask(reverse("vote_manage:export", args=[gz.slug]))).content.decode()
    made = PreparedFile.objects.get()
    assert made.state == PreparedFile.FAILED and "生成文件时出错" in page and "disk full" not in page
    assert client.get(reverse("prepared:download", args=[made.token])).status_code == 404


def test_files_older_than_a_day_are_purged(gz, organiser):
    from django.core.files.base import ContentFile

    old = PreparedFile.objects.create(campaign=gz, kind="votes", requested_by=organiser, state=PreparedFile.DONE)
    old.file.save("old.xlsx", ContentFile(b"PK old"))
    PreparedFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    fresh = PreparedFile.objects.create(campaign=gz, kind="votes", requested_by=organiser)
    storage, name = old.file.storage, old.file.name
    assert prepared.purge_expired() == 1
    assert list(PreparedFile.objects.all()) == [fresh] and not storage.exists(name)


def test_a_large_compendium_is_built_in_the_background(client, gz, organiser, ask, monkeypatch):
    monkeypatch.setattr(compendium_files, "PREPARE_ABOVE", 1)
    for i in range(2):
        Case.objects.create(campaign=gz, year=gz.year, title=f"后台汇编案例{i}", organisations=["某银行"],
                            paragraphs=["案例正文。"])
    client.force_login(organiser)
    page = client.get(ask(reverse("compendium:pdf", args=[gz.slug]))).content.decode()
    made = PreparedFile.objects.get()
    assert made.kind == "compendium-pdf" and made.state == PreparedFile.DONE and "共 2 个案例" in page
    body = b"".join(client.get(reverse("prepared:download", args=[made.token])).streaming_content)
    assert body.startswith(b"%PDF")
