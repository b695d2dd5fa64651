import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Membership
from jinxuan.formalreview.services import close_formal
from jinxuan.pipeline import runtime
from jinxuan.pipeline.services import apply_result
from tests.factories import StageRunFactory

from .fabricated import expert_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(gz, accepted, organiser):
    """gz with its formal review closed and its expert review applied: five of six accepted applications scored
    and advanced."""
    close_formal(gz, actor=organiser)
    apply_result(gz, expert_result([a.pk for a in accepted]), actor=organiser, notify=False)
    return accepted


def _urls(slug):
    return [reverse("reports:overview", args=[slug]), reverse("reports:stage", args=[slug, "expert_review"]),
            reverse("reports:report", args=[slug]), reverse("reports:export", args=[slug])]


def test_overview_shows_the_funnel_and_a_card_per_stage(client, gz, reviewed, organiser):
    client.force_login(organiser)
    page = client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    assert 'aria-label="各阶段进入与晋级"' in page
    assert "进入 6 · 晋级 5" in page  # expert review
    for stage in gz.stages.all():
        assert f'id="stage-{stage.key}"' in page
    assert page.count("本阶段尚未产生结果") == gz.stages.count() - 2  # formal review and expert review have results
    assert reverse("reports:report", args=[gz.slug]) in page and reverse("reports:export", args=[gz.slug]) in page


def test_stage_table_sorts_and_filters(client, gz, reviewed, organiser):
    client.force_login(organiser)
    url = reverse("reports:stage", args=[gz.slug, "expert_review"])
    page = client.get(url).content.decode()
    titles = [a.title for a in reviewed]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions)  # ranks follow the fabricated means, best first
    assert "平均分 91.5，第 1 名（评审数 3）" in page and "评审数" in page and reviewed[0].number in page

    page = client.get(url, {"sort": "score", "dir": "asc"}).content.decode()
    order = [page.index(t) for t in titles[:5]]
    assert order == sorted(order, reverse=True)  # lowest score first; the unscored one last
    assert page.index(titles[5]) > max(order)

    page = client.get(url, {"advanced": "0"}).content.decode()
    assert titles[5] in page and titles[0] not in page and "未获专家评分" in page
    page = client.get(url, {"advanced": "1", "sort": "no-such-column"}).content.decode()
    assert titles[5] not in page and all(t in page for t in titles[:5])

    assert client.get(reverse("reports:stage", args=[gz.slug, "nope"])).status_code == 404
    page = client.get(reverse("reports:stage", args=[gz.slug, "roadshow"])).content.decode()
    assert "未开始" in page

    formal = client.get(reverse("reports:stage", args=[gz.slug, "formal_review"])).content.decode()
    assert "已完成" in formal and "形式审核通过" in formal  # read from its own stored run


def test_report_is_one_printable_page_with_svg_charts(client, gz, reviewed, organiser):
    client.force_login(organiser)
    page = client.get(reverse("reports:report", args=[gz.slug])).content.decode()
    assert "@page { size: A4" in page and "@media print" in page
    assert gz.name in page and gz.organiser_name in page
    assert page.count("<svg") == 2  # the funnel and the expert-review histogram
    assert 'aria-label="各阶段进入与晋级"' in page and 'aria-label="专业评审（闭门）得分分布"' in page
    assert page.count('class="bin"') == 4  # means 91.5 | 88, 80.25 | 75 | 62 fall in four bins
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None  # no inline script: only the print behaviour file


def test_export_is_a_workbook_with_a_sheet_per_stage(client, gz, reviewed, organiser):
    client.force_login(organiser)
    response = client.get(reverse("reports:export", args=[gz.slug]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["各阶段汇总"] + [s.name for s in gz.stages.all()]
    ws = wb["专业评审（闭门）"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "名次" and ws["F2"].value == 91.5
    assert ws["B2"].value == reviewed[0].number


def test_only_oversight_of_this_campaign_may_see(client, gz, campaigns, reviewed, make_user):
    other = campaigns["xinhua-nqp-2025"]
    people = {
        "other_organiser": (make_user("o2", Role.ORGANISER, campaign=other), 404),
        "expert": (make_user("e1", Role.EXPERT, campaign=gz), 404),
        "formal_reviewer": (make_user("f1", Role.FORMAL_REVIEWER, campaign=gz), 404),
        "guidance": (make_user("g1", Role.GUIDANCE, campaign=gz), 200),
        "global_guidance": (make_user("g2", Role.GUIDANCE), 200),
    }
    applicant = make_user("a1", Role.APPLICANT)
    Membership.objects.create(user=applicant, organisation=reviewed[0].lead, is_admin=True)
    people["applicant"] = (applicant, 404)
    for name, (user, status) in people.items():
        client.force_login(user)
        for url in _urls(gz.slug):
            assert client.get(url).status_code == status, (name, url)
    client.logout()
    for url in _urls(gz.slug):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(people["other_organiser"][0])
    assert client.get(reverse("reports:overview", args=["no-such-campaign"])).status_code == 404


def test_the_campaign_dashboard_links_here(client, gz, organiser):
    client.force_login(organiser)
    page = client.get(reverse("dashboard:campaign", args=[gz.slug])).content.decode()
    assert reverse("reports:overview", args=[gz.slug]) in page


def test_an_open_formal_review_shows_its_preview(client, gz, accepted, organiser):
    runtime.open_stage(gz, runtime.stage_of(gz, "formal_review"), actor=organiser)
    client.force_login(organiser)
    formal = client.get(reverse("reports:stage", args=[gz.slug, "formal_review"])).content.decode()
    assert "进行中" in formal and "按当前数据预览" in formal and accepted[0].title in formal


def test_a_vote_card_counts_votes(client, gz, reviewed, organiser):
    StageRunFactory(campaign=gz, stage_key="public_vote", kind="public_vote",
                    rows=[(a, rank, votes, True) for rank, (a, votes) in enumerate(zip(reviewed[:5], (45, 12, 6, 3, 1), strict=True), 1)])
    client.force_login(organiser)
    page = client.get(reverse("reports:overview", args=[gz.slug])).content.decode()
    card = page[page.index('id="stage-public_vote"'):]
    card = card[:card.index("</dl>")]
    assert "<dt>票数</dt>" in card and "最多 45 · 中位 6 · 最少 1" in card and "45.00" not in card
