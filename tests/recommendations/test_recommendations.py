"""District recommendations: marked with the letter by the campaign's organiser only, audited, refused once the
stage that reads them is closed, imported from Excel all or nothing; and the preset's choice of what they skip."""

import datetime as dt
import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, Organisation
from jinxuan.audit.models import AuditEvent
from jinxuan.campaigns.schema import Preset
from jinxuan.demo.files import tiny_pdf
from jinxuan.demo.population import credit_code
from jinxuan.pipeline import runtime
from jinxuan.recommendations import services
from jinxuan.recommendations.models import DistrictRecommendation
from tests.factories import make_application, verified_user
from tests.helpers.rubric import sheet
from tests.roadshow.scenario import gz_copy

pytestmark = pytest.mark.django_db


def _letter(name="推荐函.pdf"):
    return SimpleUploadedFile(name, tiny_pdf("recommendation"), content_type="application/pdf")


def _apps(campaign, count=10):
    rng = random.Random(3)
    apps = []
    for i in range(count):
        org = Organisation.objects.create(name=f"广州推荐测试单位{campaign.pk}-{i}有限公司",
                                          credit_code=credit_code(rng, "广州"))
        apps.append(make_application(campaign, org, i, title=f"推荐测试案例{i:02d}"))
    return apps


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.fixture
def org_client(client, gz, make_user):
    client.force_login(make_user("rec_org", Role.ORGANISER, campaign=gz))
    return client


def test_the_organiser_marks_a_recommendation_with_its_letter_on_the_page(org_client, gz):
    app = _apps(gz, 2)[1]
    url = reverse("recommendations:page", args=[gz.slug])
    answer = org_client.post(url, {"action": "recommend", "number": app.number, "district": "天河区",
                                   "note": "区金融局推荐", "letter": _letter()})
    assert answer.status_code == 302
    app.refresh_from_db()
    item = app.district_recommendation
    assert app.district_recommended and item.district == "天河区" and item.letter_name == "推荐函.pdf"
    event = AuditEvent.objects.get(action="recommendation.marked")
    assert event.object_id == str(app.pk) and event.after["district"] == "天河区"
    page = org_client.get(url).content.decode()
    assert app.title in page and "天河区" in page and "推荐函.pdf" in page
    letter = org_client.get(reverse("recommendations:letter", args=[gz.slug, app.pk]))
    assert letter.status_code == 200 and b"".join(letter.streaming_content).startswith(b"%PDF")


def test_without_a_letter_or_with_a_bad_district_nothing_is_marked_and_the_form_keeps_the_input(org_client, gz):
    app = _apps(gz, 1)[0]
    url = reverse("recommendations:page", args=[gz.slug])
    answer = org_client.post(url, {"action": "recommend", "number": app.number, "district": "天河区",
                                   "note": "保留的备注"})
    html = answer.content.decode()
    assert answer.status_code == 400 and "推荐函：请上传" in html and "保留的备注" in html and app.number in html
    answer = org_client.post(url, {"action": "recommend", "number": app.number, "district": "深圳南山",
                                   "letter": _letter()})
    assert answer.status_code == 400 and "广州市 11 个区" in answer.content.decode()
    assert not DistrictRecommendation.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="recommendation.").exists()
    assert not Application.objects.get(pk=app.pk).district_recommended


def test_only_the_campaigns_organiser_may_mark_or_read_the_letter(client, gz, campaigns, make_user):
    app = _apps(gz, 1)[0]
    services.recommend(app, "海珠", letter=_letter())
    other = campaigns["xinhua-nqp-2025"]
    for user in (make_user("other_org", Role.ORGANISER, campaign=other), make_user("gz_judge", Role.ROADSHOW_JUDGE,
                                                                                   campaign=gz)):
        client.force_login(user)
        assert client.get(reverse("recommendations:page", args=[gz.slug])).status_code == 404
        assert client.get(reverse("recommendations:letter", args=[gz.slug, app.pk])).status_code == 404
        client.post(reverse("recommendations:page", args=[gz.slug]),
                    {"action": "withdraw", "number": app.number, "reason": "x"})
    assert Application.objects.get(pk=app.pk).district_recommended


def test_withdrawing_needs_a_reason_and_is_audited(org_client, gz):
    app = _apps(gz, 1)[0]
    services.recommend(app, "番禺", letter=_letter())
    url = reverse("recommendations:page", args=[gz.slug])
    assert org_client.post(url, {"action": "withdraw", "number": app.number, "reason": ""}).status_code == 400
    assert Application.objects.get(pk=app.pk).district_recommended
    org_client.post(url, {"action": "withdraw", "number": app.number, "reason": "推荐单位撤回推荐函"})
    assert not Application.objects.get(pk=app.pk).district_recommended
    assert not DistrictRecommendation.objects.exists()
    event = AuditEvent.objects.get(action="recommendation.withdrawn")
    assert event.reason == "推荐单位撤回推荐函" and event.before["district"] == "番禺区"


def _workbook(rows, headers=("申报编号", "推荐区", "备注")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_import_with_any_bad_row_applies_nothing_and_names_each_row(gz):
    apps = _apps(gz, 3)
    data = _workbook([(apps[0].number, "天河", ""), ("GD2025-9999", "海珠", ""), (apps[1].number, "深圳", ""),
                      (apps[0].number, "越秀", ""), ("", "白云", "")])
    preview = services.parse_import(gz, data)
    assert preview.errors == [
        "第 3 行：申报编号 GD2025-9999 不在本活动中",
        "第 4 行：推荐区“深圳”不是广州市的区（可填：越秀、海珠、荔湾、天河、白云、黄埔、番禺、花都、南沙、从化、增城）",
        f"第 5 行：申报编号 {apps[0].number} 重复", "第 6 行：缺少申报编号"]
    assert services.parse_import(gz, _workbook([(apps[0].number,)], headers=("申报编号",))).errors == [
        "表头缺少列：推荐区（第 1 行须为：申报编号、推荐区、备注）"]
    assert services.parse_import(gz, b"not a workbook").errors == ["无法读取该文件，请上传 .xlsx 格式的 Excel 表格"]
    assert not DistrictRecommendation.objects.exists()


def test_an_import_is_previewed_then_confirmed_on_the_page(org_client, gz):
    apps = _apps(gz, 3)
    url = reverse("recommendations:import", args=[gz.slug])
    upload = SimpleUploadedFile("推荐.xlsx", _workbook([(apps[0].number, "天河", "第一批"),
                                                       (apps[2].number.lower(), "广州市增城区", "")]))
    html = org_client.post(url, {"action": "preview", "file": upload}).content.decode()
    assert "预览：2 条" in html and apps[2].title in html and "增城区" in html
    assert not DistrictRecommendation.objects.exists()  # nothing written before the confirmation
    org_client.post(url, {"action": "confirm"})
    marked = dict(DistrictRecommendation.objects.values_list("application_id", "district"))
    assert marked == {apps[0].pk: "天河区", apps[2].pk: "增城区"}
    assert AuditEvent.objects.filter(action="recommendation.marked").count() == 2
    assert org_client.post(url, {"action": "confirm"}, follow=True).status_code == 200  # nothing left to apply
    assert AuditEvent.objects.filter(action="recommendation.marked").count() == 2


# ------------------------------------------------------------------------------------------- the pipeline


def _through_vote(campaign, recommended: int, count: int = 10):
    """`count` accepted applications scored 50 + 3·i by one expert (those the review takes), the application at
    index `recommended` recommended by a district; review and vote closed (composite applied)."""
    from jinxuan.review import services as review
    from jinxuan.voting import services as voting

    organiser = verified_user(f"pipe-org-{campaign.pk}")
    apps = _apps(campaign, count)
    services.recommend(apps[recommended], "南沙", letter=_letter(), actor=organiser)
    reviewed = list(review.entrants(campaign).order_by("pk"))
    member = review.seat_expert(campaign, verified_user(f"pipe-expert-{campaign.pk}"), name="评审专家",
                                load=count, actor=organiser)
    for app in reviewed:
        a = review.assign_manually(campaign, member.expert, app, actor=organiser)
        review.save_review(a, sheet(campaign.spec.rubric, 50 + 3 * apps.index(app)), submit=True)
    review.close_review(campaign, actor=organiser, notify=False)
    ballot = [a.pk for a in voting.entrants(campaign)]
    now = timezone.now()
    voting.set_window(campaign, now - dt.timedelta(days=3), now - dt.timedelta(minutes=1), actor=organiser)
    composite = voting.close_vote(campaign, actor=organiser, notify=False)
    return apps, reviewed, ballot, composite


def _entry(run, pk):
    return next(e for e in run.result["entries"] if e["application_id"] == pk)


def test_under_cut_only_a_recommended_case_is_reviewed_voted_on_and_enters_outside_the_quota(db):
    from jinxuan.roadshow import services as roadshow

    campaign = gz_copy("gz-rec-cut")
    assert campaign.spec.district_recommendation_skips == "cut"
    apps, reviewed, ballot, composite = _through_vote(campaign, recommended=0)
    low = apps[0]
    assert low in reviewed and low.pk in ballot
    entry = _entry(composite, low.pk)
    assert entry["advanced"] and entry["detail"]["advanced_by"] == "direct_entry" and entry["rank"] == 10
    assert entry["detail"]["quota"] == 3  # floor(30 % × 10): the recommended case counts among the entrants
    assert sum(e["advanced"] for e in composite.result["entries"]) == 4
    assert low.pk in {a.pk for a in roadshow.entrants(campaign)}


def test_under_review_and_vote_a_recommended_case_skips_both_and_enters_the_roadshow(db):
    from jinxuan.review import services as review
    from jinxuan.review.models import Expert
    from jinxuan.roadshow import services as roadshow

    campaign = gz_copy("gz-rec-skip", district_recommendation_skips="review_and_vote")
    apps, reviewed, ballot, composite = _through_vote(campaign, recommended=0)
    low = apps[0]
    assert low not in reviewed and low.pk not in ballot  # no expert sees it, the public cannot vote for it
    with pytest.raises(review.ReviewError, match="免于专业评审"):
        review.assign_manually(campaign, Expert.objects.get(name="评审专家"), low)
    expert_run = runtime.final_run(campaign, "expert_review")
    assert _entry(expert_run, low.pk)["advanced"] and _entry(expert_run, low.pk)["score"] is None
    assert "免于专业评审" in _entry(expert_run, low.pk)["reason"]
    vote_run = runtime.final_run(campaign, "public_vote")
    assert "免于网络投票" in _entry(vote_run, low.pk)["reason"]
    entry = _entry(composite, low.pk)
    assert entry["advanced"] and entry["rank"] is None and entry["detail"]["bypassed"]
    ranked = [e for e in composite.result["entries"] if not e["detail"].get("bypassed")]
    assert len(ranked) == 9 and ranked[0]["detail"]["quota"] == 2  # floor(30 % × 9): it takes no place
    assert {a.pk for a in roadshow.entrants(campaign)} == {e["application_id"] for e in composite.result["entries"]
                                                          if e["advanced"]}
    assert low.pk in {a.pk for a in roadshow.entrants(campaign)}


def test_review_and_vote_refuses_recommendations_once_the_expert_review_is_closed(db):
    campaign = gz_copy("gz-rec-closed", district_recommendation_skips="review_and_vote")
    apps, *_ = _through_vote(campaign, recommended=0)
    assert "专业评审" in services.refusal(campaign)
    with pytest.raises(services.RecommendationError, match="已结束"):
        services.recommend(apps[3], "黄埔", letter=_letter())
    with pytest.raises(services.RecommendationError, match="已结束"):
        services.withdraw(apps[0], reason="迟到的撤回")
    assert services.parse_import(campaign, _workbook([(apps[3].number, "黄埔", "")])).errors == [
        services.refusal(campaign)]


def test_cut_refuses_recommendations_once_the_composite_is_computed(db):
    campaign = gz_copy("gz-rec-closed2")
    apps, *_ = _through_vote(campaign, recommended=0)
    assert "综合得分" in services.refusal(campaign)
    with pytest.raises(services.RecommendationError):
        services.recommend(apps[3], "黄埔", letter=_letter())
    assert not Application.objects.get(pk=apps[3].pk).district_recommended


def test_the_preset_key_is_validated():
    from django.conf import settings

    from jinxuan.campaigns.preset_io import read_preset

    data = read_preset(settings.PRESET_DIR / "gz-dianshu-2025.yaml").model_dump(mode="json")
    assert data["district_recommendation_skips"] == "cut"
    with pytest.raises(ValueError, match="district_recommendation_skips"):
        Preset.model_validate(data | {"district_recommendation_skips": "everything"})
    without_flag = data | {"district_recommendation_skips": "review_and_vote", "stages": [
        s | {"params": {k: v for k, v in s["params"].items() if k != "direct_entry_flag"}}
        if s["kind"] == "composite" else s for s in data["stages"]]}
    with pytest.raises(ValueError, match="direct_entry_flag"):
        Preset.model_validate(without_flag)
    assert Preset.model_validate(data | {"district_recommendation_skips": "review_and_vote"})
    assert "免于专业评审和网络投票" in Preset.model_fields["district_recommendation_skips"].description
