"""The report on gz after the real services ran: expert review closed, the vote held, the composite computed."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application
from jinxuan.reports import services
from jinxuan.reports import tables as T
from jinxuan.review.models import Expert
from jinxuan.voting import services as voting
from jinxuan.voting.models import Voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def composite_done(gz, vote_open, organiser):
    """The lowest-scored application is district-recommended; the best-scored one gets no votes."""
    Application.objects.filter(pk=vote_open[0].pk).update(district_recommended=True)
    for i in range(3):
        voter = Voter.objects.create(phone=f"1391111{i:04d}", verified_at=timezone.now())
        voting.cast(gz, vote_open[1].pk, voter)
    w = voting.window(gz)
    voting.set_window(gz, w.opens_at, timezone.now() - dt.timedelta(minutes=1), actor=organiser)
    voting.close_vote(gz, actor=organiser, notify=False)
    return vote_open


def test_tables_and_funnel_from_the_real_services(gz, composite_done):
    tables = {t.stage.key: t for t in services.stage_tables(gz)}
    steps = {s.key: s for s in T.funnel(list(tables.values()))}
    assert (steps["formal_review"].entered, steps["formal_review"].advanced) == (6, 6)
    assert (steps["expert_review"].entered, steps["expert_review"].advanced) == (6, 6)
    assert steps["public_vote"].status == T.DONE and steps["public_vote"].entered == 6  # the vote stores its own run
    assert steps["composite"].from_previous == 6 and steps["composite"].backfilled == 0
    composite = tables["composite"]
    assert composite.entered == 6 and composite.advanced == 2  # 6 × 30 % floored = 1, plus the direct entry
    direct = next(r for r in composite.rows if r.application_id == composite_done[0].pk)
    assert direct.advanced and direct.values["advanced_by"] == "直接晋级（不占名额）"
    votes = {r.application_id: r.score for r in tables["public_vote"].rows}
    assert votes[composite_done[1].pk] == 3 and votes[composite_done[0].pk] == 0
    for key in ("roadshow", "site_inspection", "publicity", "award", "publish"):
        assert steps[key].status == "未开始" and steps[key].entered is None
    expert = tables["expert_review"]
    assert [r.score for r in expert.rows] == sorted((r.score for r in expert.rows), reverse=True)
    assert expert.rows[0].application_id == composite_done[-1].pk  # scored 65, the best


def test_the_overview_counts_as_the_full_tables(gz, composite_done):
    """The overview and the report read rows for counting only (no details): the same funnel and score figures."""
    Application.objects.filter(pk=composite_done[2].pk).update(state="disqualified")
    full, counts = services.stage_tables(gz), services.stage_tables(gz, rows=False)
    assert T.funnel(counts) == T.funnel(full)
    assert [T.summary(t.scores) for t in counts] == [T.summary(t.scores) for t in full]
    assert [T.stage_histogram(t) for t in counts if t.scores] == [T.stage_histogram(t) for t in full if t.scores]
    assert all(r.title == "" and r.details == [] for t in counts for r in t.rows)


def test_pages_and_workbook_never_name_the_experts(client, gz, composite_done, make_user):
    names = list(Expert.objects.values_list("name", flat=True))
    assert names
    client.force_login(make_user("guide", Role.GUIDANCE, campaign=gz))
    pages = [client.get(reverse("reports:overview", args=[gz.slug])).content.decode(),
             client.get(reverse("reports:report", args=[gz.slug])).content.decode()]
    pages += [client.get(reverse("reports:stage", args=[gz.slug, s.key])).content.decode() for s in gz.stages.all()]
    assert "进入 6 · 晋级 2" in pages[1]  # the composite row of the report's funnel
    assert f"依据《{gz.name}》征集通知" in pages[1] and "依据文件" not in pages[1]  # the notice by title, not a code
    assert pages[1].count("<svg") == 4  # funnel, expert scores, vote counts, composite scores
    response = client.get(reverse("reports:export", args=[gz.slug]))
    wb = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    composite = list(wb["综合得分"].iter_rows(values_only=True))
    assert len(composite) == 7 and sum(r[6] == "晋级" for r in composite[1:]) == 2
    for name in names:
        assert all(name not in page for page in pages) and not any(name in c for c in cells)
