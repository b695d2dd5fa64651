"""No dead ends and no raw ids on the roadshow pages: the result table names cases by number and title, the judge
page says what comes next (the next session, no schedule yet, or the roadshow is over)."""

import re
from decimal import Decimal

import pytest

from jinxuan.roadshow import services
from jinxuan.roadshow.models import SlotState
from tests.factories import StageRunFactory

pytestmark = pytest.mark.django_db


def test_result_table_names_cases_by_number_and_title(client, gz, ready, scheduled, organiser):
    entrants = [s.application for s in scheduled]
    StageRunFactory(campaign=gz, stage_key="roadshow", kind="roadshow",
                    rows=[(app, rank, Decimal("90.0667") - rank, rank <= 2) for rank, app in enumerate(entrants, 1)])
    client.force_login(organiser)
    html = client.get(f"/manage/roadshow/{gz.slug}/").content.decode()
    table = html[html.index("<h2>结果</h2>"):html.index("</table>", html.index("<h2>结果</h2>"))]
    for app in entrants:
        assert f"<td>{app.number} {app.title}</td>" in table
        assert f"<td>{app.pk}</td>" not in table
    assert not re.search(r"<td>\d+</td>", table)
    # every score in the explanation's format: two decimals
    assert re.findall(r'<td class="num">(\d+\.\d+)</td>', table) == [f"{89.07 - i:.2f}" for i in range(len(entrants))]


def test_judge_waiting_before_the_schedule_between_sessions_and_after_the_end(client, gz, ready, panel, organiser):
    client.force_login(panel[0])
    assert "路演日程尚未排定" in client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    slots = services.build_schedule(gz, actor=organiser)
    html = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    first = slots[0].application
    assert f"下一场是第 1 场：{first.number} {first.title}" in html and "路演答辩已结束" not in html
    StageRunFactory(campaign=gz, stage_key="roadshow", kind="roadshow", rows=[(s.application, 1, 80, True) for s in slots])
    # the roadshow is over: no promise of a next session
    html = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    assert "路演答辩已结束" in html and "下一场" not in html


def test_judge_waiting_when_every_session_is_closed(client, gz, scheduled, panel):
    from jinxuan.roadshow.models import Slot

    Slot.objects.filter(campaign=gz).update(state=SlotState.CLOSED)
    client.force_login(panel[0])
    html = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    assert "全部场次均已结束" in html and "下一场" not in html
