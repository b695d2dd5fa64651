"""Roadshow pages and permissions: judges only in their campaign, the public board shows public information only,
the judge's save → confirm → sign flow, the organiser's controls."""

import json

import pytest

from jinxuan.accounts.models import Role
from jinxuan.roadshow import services
from jinxuan.roadshow.models import Judge, ScoreSheet, SlotState

pytestmark = pytest.mark.django_db
SECRET = "私密经济效益Q9XK"


def test_a_judge_of_another_campaign_gets_404(client, campaigns, gz, scheduled, make_user):
    other = make_user("xjudge", Role.ROADSHOW_JUDGE, campaign=campaigns["xinhua-nqp-2025"])
    client.force_login(other)
    assert client.get(f"/roadshow/{gz.slug}/judge/").status_code == 404
    assert client.get(f"/roadshow/{gz.slug}/judge/state.json").status_code == 404
    assert client.get(f"/manage/roadshow/{gz.slug}/").status_code == 404
    assert client.post(f"/manage/roadshow/{gz.slug}/next/").status_code == 404


def test_anonymous_sees_the_board_but_not_the_judge_page(client, gz, scheduled):
    assert client.get(f"/roadshow/{gz.slug}/board/").status_code == 200
    assert client.get(f"/roadshow/{gz.slug}/board.json").status_code == 200
    response = client.get(f"/roadshow/{gz.slug}/judge/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/manage/roadshow/{gz.slug}/").status_code == 302


def test_board_of_a_campaign_without_a_roadshow_is_404(client, campaigns):
    assert client.get("/roadshow/xinhua-nqp-2025/board/").status_code == 404


def _sign(client, slug, slot, value):
    response = client.post(f"/roadshow/{slug}/judge/", {"slot": slot.pk, "action": "review", "score": value})
    assert response.status_code == 200 and "确认签署" in response.content.decode()
    return client.post(f"/roadshow/{slug}/judge/", {"slot": slot.pk, "action": "sign", "confirmed": "1",
                                                     "score": value})


def test_board_shows_scores_by_pseudonym_and_never_private_fields(client, gz, ready, panel, scheduled, organiser):
    slot = scheduled[0]
    app = slot.application
    app.answers = {**app.answers, "economic_benefits": SECRET}
    app.save()
    unit = app.units.get(is_lead=True)
    slot = services.end_presentation(services.start(slot, actor=organiser), actor=organiser)
    for user, value in zip(panel, ["80", "90", "70.5"], strict=True):
        client.force_login(user)
        assert _sign(client, gz.slug, slot, value).status_code == 302
    slot.refresh_from_db()
    assert slot.state == SlotState.CLOSED
    client.logout()
    page = client.get(f"/roadshow/{gz.slug}/board/").content.decode()
    data = client.get(f"/roadshow/{gz.slug}/board.json").json()
    text = json.dumps(data, ensure_ascii=False)
    for shown in (page, text):
        assert app.title in shown and unit.organisation.name in shown
        assert SECRET not in shown and unit.organisation.credit_code not in shown
        for user in panel:  # judges appear by pseudonym only
            assert user.username not in shown and user.display_name not in shown
    result = data["results"][0]
    assert [(j["judge"], j["score"], j["dropped"]) for j in result["judges"]] == [
        ("评委01", "80", None), ("评委02", "90", "high"), ("评委03", "70.5", "low")]
    assert result["aggregate"] == "80"
    assert data["ranking"] == [{"rank": 1, "title": app.title, "lead": unit.organisation.name, "aggregate": "80",
                                "position": 1}]
    assert set(data["schedule"][0]) == {"id", "position", "title", "lead", "state", "state_label", "planned", "timer"}


def test_scores_are_not_published_live_when_the_preset_says_so(client, gz, scheduled, organiser):
    stage = services.roadshow_stage(gz)
    stage.params = {**stage.params, "publish_scores_live": False}
    stage.save()
    slot = services.end_presentation(services.start(scheduled[0], actor=organiser), actor=organiser)
    for judge in Judge.objects.filter(campaign=gz):
        services.sign_off(slot, judge, {"score": "88"})
    data = client.get(f"/roadshow/{gz.slug}/board.json").json()
    assert data["live"] is False and data["results"] == [] and data["ranking"] == []
    assert "88" not in client.get(f"/roadshow/{gz.slug}/board/").content.decode().split("出场顺序")[0]


def test_judge_flow_keeps_bad_input_and_needs_the_confirm_step(client, gz, panel, scheduled, organiser):
    slot = services.start(scheduled[0], actor=organiser)
    client.force_login(panel[0])
    page = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    assert slot.application.title in page and "评委01" in page and "答辩结束、进入评分后即可签署" in page
    response = client.post(f"/roadshow/{gz.slug}/judge/", {"slot": slot.pk, "action": "save", "score": "105"})
    assert response.status_code == 200 and "0 到 100" in response.content.decode()
    assert 'value="105"' in response.content.decode()  # nothing lost
    services.end_presentation(slot, actor=organiser)
    # a sign without the confirm step only saves
    client.post(f"/roadshow/{gz.slug}/judge/", {"slot": slot.pk, "action": "sign", "score": "86"})
    sheet = ScoreSheet.objects.get(slot=slot, judge__user=panel[0])
    assert sheet.total == 86 and not sheet.signed
    response = _sign(client, gz.slug, slot, "86.5")
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.signed and str(sheet.total) == "86.5"
    page = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    assert "86.5 分" in page
    state = client.get(f"/roadshow/{gz.slug}/judge/state.json").json()
    assert state["slot"] is None  # nothing left for this judge to score


def test_organiser_runs_the_roadshow_from_the_control_page(client, gz, ready, panel, organiser):
    client.force_login(organiser)
    page = client.get(f"/manage/roadshow/{gz.slug}/").content.decode()
    assert "生成出场顺序" in page
    assert client.post(f"/manage/roadshow/{gz.slug}/schedule/", {"starts_at": "2025-12-01T09:30"}).status_code == 302
    slots = list(services.slots(gz))
    assert len(slots) == 4 and slots[0].planned_start.isoformat().startswith("2025-12-01T01:30")  # 09:30 Beijing
    client.post(f"/manage/roadshow/{gz.slug}/slots/{slots[2].pk}/up/")
    assert [s.pk for s in services.slots(gz)][1] == slots[2].pk
    client.post(f"/manage/roadshow/{gz.slug}/next/")
    first = services.slots(gz)[0]
    assert first.state == SlotState.PRESENTING
    state = client.get(f"/manage/roadshow/{gz.slug}/state.json").json()
    assert state["current"]["timer"]["remaining"] <= 600
    assert [j["status"] for j in state["signatures"][0]["judges"]] == ["none", "none", "none"]
    page = client.get(f"/manage/roadshow/{gz.slug}/").content.decode()
    assert 'class="countdown"' in page and "进入问答" in page
    client.post(f"/manage/roadshow/{gz.slug}/slots/{first.pk}/qa/")
    client.post(f"/manage/roadshow/{gz.slug}/next/")  # ends the first, starts the second
    states = [s.state for s in services.slots(gz)]
    assert states[:2] == [SlotState.SCORING, SlotState.PRESENTING]
    response = client.post(f"/manage/roadshow/{gz.slug}/close/", follow=True)
    assert "尚有 4 场答辩未结束评分" in response.content.decode()
    response = client.post(f"/manage/roadshow/{gz.slug}/slots/{first.pk}/close/", {"reason": ""}, follow=True)
    assert "尚无评委签署评分" in response.content.decode()


def test_guidance_oversees_but_cannot_act(client, gz, scheduled, make_user):
    client.force_login(make_user("gov", Role.GUIDANCE, campaign=gz))
    assert client.get(f"/manage/roadshow/{gz.slug}/").status_code == 200
    assert client.post(f"/manage/roadshow/{gz.slug}/next/").status_code == 404
    assert services.slots(gz)[0].state == SlotState.PENDING


def test_organiser_reopens_a_signed_sheet_with_a_reason(client, gz, scheduled, organiser):
    slot = services.end_presentation(services.start(scheduled[0], actor=organiser), actor=organiser)
    judge = Judge.objects.filter(campaign=gz).order_by("pseudonym").first()
    sheet, _ = services.sign_off(slot, judge, {"score": "66"})
    client.force_login(organiser)
    response = client.post(f"/manage/roadshow/{gz.slug}/reopen/", {"sheet": sheet.pk, "reason": ""}, follow=True)
    assert "须说明原因" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.signed
    client.post(f"/manage/roadshow/{gz.slug}/reopen/", {"sheet": sheet.pk, "reason": "评委要求更正"})
    sheet.refresh_from_db()
    assert not sheet.signed


def test_judge_scores_each_criterion_when_the_preset_has_a_rubric(client, gz, panel, scheduled, organiser):
    stage = services.roadshow_stage(gz)
    stage.params = {**stage.params, "criteria": [{"key": "content", "name": "案例内容", "max_score": 60},
                                                 {"key": "answer", "name": "答辩表现", "max_score": 40}]}
    stage.save()
    slot = services.end_presentation(services.start(scheduled[0], actor=organiser), actor=organiser)
    client.force_login(panel[0])
    page = client.get(f"/roadshow/{gz.slug}/judge/").content.decode()
    assert "案例内容（0–60 分" in page and "答辩表现（0–40 分" in page
    response = client.post(f"/roadshow/{gz.slug}/judge/", {"slot": slot.pk, "action": "review", "content": "50"})
    assert "尚未评分：答辩表现" in response.content.decode()
    data = {"slot": slot.pk, "content": "50", "answer": "35.5"}
    assert "85.5 分" in client.post(f"/roadshow/{gz.slug}/judge/", {**data, "action": "review"}).content.decode()
    client.post(f"/roadshow/{gz.slug}/judge/", {**data, "action": "sign", "confirmed": "1"})
    sheet = ScoreSheet.objects.get(slot=slot, judge__user=panel[0])
    assert sheet.signed and sheet.scores == {"content": "50", "answer": "35.5"} and str(sheet.total) == "85.5"
