"""gz-dianshu-2025 after the site inspection, at the service level: publicity with an upheld objection and
顺位递补, closing, the award stage (ranked by the roadshow; replacements have no roadshow score) and publication."""

import datetime as dt

import pytest
from django.urls import reverse

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.audit.verify import verify_database
from jinxuan.publicity import services as publicity
from jinxuan.results import services as results
from jinxuan.results.models import Award

pytestmark = pytest.mark.django_db


def test_gz_publicity_to_published_results(gz, organiser, apps, client, monkeypatch):
    today = {"day": dt.date(2026, 9, 30)}
    monkeypatch.setattr(publicity, "local_today", lambda: today["day"])
    publicity.open_publicity(gz, dt.date(2026, 9, 30), actor=organiser)  # 2 failed the inspection → 4 comes in
    today["day"] = dt.date(2026, 10, 9)
    filed = publicity.file_objection(gz, application_id=apps[2].pk, name="赵某", contact="zhao@example.cn",
                                     text="该案例的数据与公开年报不一致，请核实。", ip="10.1.1.1")
    publicity.handle_objection(filed, "upheld", "经核实数据不实", actor=organiser)  # 3 out → 5 in
    assert publicity.current_ids(gz) == [apps[0].pk, apps[3].pk, apps[4].pk]
    with pytest.raises(results.ResultsError, match="尚未结束"):
        results.close_award(gz, actor=organiser)
    publicity.close_publicity(gz, actor=organiser, today=dt.date(2026, 10, 15))

    made = results.close_award(gz, actor=organiser)
    entries = {e["application_id"]: e for e in made.stage_run.result["entries"]}
    # 1 has a roadshow score; 4 and 5 came in by 顺位递补 after the roadshow: placed after, in the order they came
    assert [entries[a.pk]["rank"] for a in (apps[0], apps[3], apps[4])] == [1, 2, 3]
    assert {a.tier_name for a in Award.objects.filter(campaign=gz)} == {"入围案例"}
    states = dict(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("pk", "state"))
    assert [states[a.pk] for a in apps[:5]] == [State.AWARDED, State.DISQUALIFIED, State.DISQUALIFIED,
                                                State.AWARDED, State.AWARDED]
    assert {states[a.pk] for a in apps[5:]} == {State.ELIMINATED}

    results.publish_results(gz, actor=organiser)
    page = client.get(reverse("results:index", args=[gz.slug])).content.decode()
    assert all(apps[i].title in page for i in (0, 3, 4)) and apps[2].title not in page
    assert verify_database() == []
