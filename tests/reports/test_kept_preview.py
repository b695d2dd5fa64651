"""An open stage's preview is computed once and kept until what it reads changes; a stage's table is paged."""

import pytest
from django.urls import reverse

from jinxuan.applicants.states import State
from jinxuan.formalreview import registration as formal_registration
from jinxuan.formalreview.services import decide
from jinxuan.pipeline import runtime
from jinxuan.reports import views
from tests.factories import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    """Counts the computations of the formal review's preview behind the stage pages."""
    calls = []
    real = formal_registration.preview_formal

    def spy(campaign):
        calls.append(campaign.pk)
        return real(campaign)

    monkeypatch.setattr(formal_registration, "preview_formal", spy)
    return calls


def test_the_preview_is_kept_until_a_decision_changes_what_it_reads(client, gz, orgs, organiser, counted):
    apps = [make_application(gz, org, n, state=State.SUBMITTED) for n, org in enumerate(orgs[:3])]
    runtime.open_stage(gz, runtime.stage_of(gz, "formal_review"), actor=organiser)
    client.force_login(organiser)
    url = reverse("reports:stage", args=[gz.slug, "formal_review"])
    first = client.get(url).content.decode()
    assert client.get(url).content.decode().count("待定") == first.count("待定")
    client.get(reverse("reports:overview", args=[gz.slug]))
    assert len(counted) == 1  # two views of the stage and the overview: computed once

    decide(apps[0], "reject", reason="材料不全", actor=organiser)
    page = client.get(url).content.decode()
    assert len(counted) == 2  # the decision changed what the preview reads
    assert "材料不全" in page and "材料不全" not in first


def test_a_new_application_state_is_seen_at_once(client, gz, orgs, organiser, counted):
    app = make_application(gz, orgs[0], 0, state=State.SUBMITTED)
    runtime.open_stage(gz, runtime.stage_of(gz, "formal_review"), actor=organiser)
    client.force_login(organiser)
    url = reverse("reports:stage", args=[gz.slug, "formal_review"])
    assert "进入 1 ·" in client.get(url).content.decode()
    make_application(gz, orgs[1], 1, state=State.SUBMITTED)
    app.title = "改过的标题"
    app.save()
    page = client.get(url).content.decode()
    assert "进入 2 ·" in page and len(counted) == 2


def test_a_long_stage_table_is_paged_and_keeps_its_order(client, gz, orgs, organiser, monkeypatch):
    monkeypatch.setattr(views, "STAGE_PAGE", 2)
    apps = [make_application(gz, orgs[n % len(orgs)], n, state=State.SUBMITTED, title=f"分页申报{n}")
            for n in range(5)]
    runtime.open_stage(gz, runtime.stage_of(gz, "formal_review"), actor=organiser)
    client.force_login(organiser)
    url = reverse("reports:stage", args=[gz.slug, "formal_review"])
    pages = [client.get(url, {"sort": "number", "dir": "desc", "page": p}).content.decode() for p in (1, 2, 3)]
    shown = [[a.title for a in apps if a.title in page] for page in pages]
    assert [len(s) for s in shown] == [2, 2, 1]
    assert shown[0] == ["分页申报3", "分页申报4"]  # the highest numbers first, on page 1
    assert "第 1 / 3 页" in pages[0] and "sort=number&amp;dir=desc&amp;page=2" in pages[0]


def test_a_recommendation_withdrawn_without_a_save_is_seen(gz, orgs, organiser):
    from jinxuan.applicants.models import Application
    from jinxuan.applicants.prefetch import states_stamp

    app = make_application(gz, orgs[0], 0, state=State.SUBMITTED, district_recommended=True)
    before = states_stamp(gz)
    Application.objects.filter(pk=app.pk).update(district_recommended=False)  # as withdrawing it does
    assert states_stamp(gz) != before


def test_the_applications_stamp_is_read_once_within_a_page(gz, orgs, django_assert_num_queries):
    from jinxuan.applicants.models import Application
    from jinxuan.applicants.prefetch import states_read_once, states_stamp

    app = make_application(gz, orgs[0], 0, state=State.SUBMITTED)
    with states_read_once():
        with django_assert_num_queries(1):
            first = states_stamp(gz)
            assert states_stamp(gz) == first
    Application.objects.filter(pk=app.pk).update(state=State.ACCEPTED)
    assert states_stamp(gz) != first  # outside the block it is read afresh
