"""A finished past edition for the demo: the reference preset loaded as `gz-dianshu-2024` and run through every
stage with the real services — formal review, expert review, the public vote and the composite, a scored roadshow,
a verifiable site-inspection draw (one case fails), publicity with one upheld objection and 顺位递补, the shortlist
and its publication (which also fills the case library). Dates are fixed in 2025 so the statutory calendar knows
them whatever day the demo is built, one year before the reference call's own: submissions in its (shifted)
window, the public vote in the summer, publicity from PUBLICITY_START; each stage's lifecycle, decisions, sheets and
inspections are then placed in their 2025 windows (`_place`). Built before about November 2025, this edition would
lie partly in the future."""

from __future__ import annotations

import datetime as dt
import random
import uuid  # objection contacts: the per-contact daily limit lives in the cache

from django.conf import settings
from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Application, ApplicationUnit
from jinxuan.applicants.states import State
from jinxuan.campaigns.loader import load_preset
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.campaigns.schema import Preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.formalreview import services as formal
from jinxuan.inspection import services as inspection
from jinxuan.inspection.models import Draw, Inspection
from jinxuan.publicity import services as publicity
from jinxuan.results import services as results
from jinxuan.review import services as review
from jinxuan.review.rubric import input_name
from jinxuan.roadshow import services as roadshow
from jinxuan.roadshow.models import ScoreSheet, Slot
from jinxuan.voting import services as voting

from . import timeline, votes

SLUG = "gz-dianshu-2024"
PUBLICITY_START = dt.date(2025, 9, 29)  # 7 working days over National Day → ends 2025-10-15
VOTE_WINDOW = (dt.datetime(2025, 8, 4, 9, 0), dt.datetime(2025, 8, 15, 18, 0))  # Beijing time


def _year_earlier(value: str) -> str:
    when = dt.datetime.fromisoformat(value)
    return when.replace(year=when.year - 1).isoformat()


def load_copy():
    data = read_preset(settings.PRESET_DIR / "gz-dianshu-2025.yaml").model_dump(mode="json")
    data |= {"slug": SLUG, "year": 2024, "name": "2024年“点数成金”数字金融创新实践案例征集活动（往届，演示数据）",
             "short_name": "点数成金2024"}
    # The edition before the reference call: its schedule one year earlier, so it ends before that call opens.
    data["schedule"] = {k: _year_earlier(v) if k in ("submission_opens", "submission_closes", "paper_copy_deadline")
                        and v else v for k, v in data["schedule"].items()}
    return load_preset(Preset.model_validate(data), "demo:gz-dianshu-2024")[0]


def _applications(campaign, orgs, faker, count: int) -> list[Application]:
    spec = campaign.spec
    tracks = list(campaign.tracks.all())
    apps = []
    opens, closes = campaign.submission_opens, campaign.submission_closes
    step = (closes - opens) / (count + 1)
    for n in range(count):
        track, lead = tracks[n % len(tracks)], orgs[(n * 3) % len(orgs)]
        topic = faker.topic()
        title = faker.case_title(max_chars=20, topic=topic)
        filler = AnswerFaker(faker, spec, track.key, [lead.credit_code], topic)
        app = Application.objects.create(campaign=campaign, track=track, title=title, answers=filler.application(title),
                                         state=State.SUBMITTED, district_recommended=n % 11 == 9,
                                         created_by=lead.memberships.first().user,
                                         submitted_at=opens + step * (n + 1))  # inside its own window
        ApplicationUnit.objects.create(application=app, organisation=lead, is_lead=True, position=0,
                                       answers=filler.unit(lead.name, lead.credit_code))
        apps.append(app)
    return apps


def build(orgs, experts, judge_user, inspector_user, organiser, faker, rng: random.Random, count: int = 30):
    campaign = load_copy()
    apps = _applications(campaign, orgs, faker, count)
    for n, app in enumerate(apps):
        if n % 10 == 7:
            formal.decide(app, "reject", reason="申报案例实施时间不满足要求", actor=organiser)
        else:
            formal.decide(app, "pass", override_reason="演示数据：人工核对材料齐全", actor=organiser)

    for i, user in enumerate(experts):
        review.seat_expert(campaign, user, name=user.display_name or user.username, load=count,
                           employer_name=f"金融科技研究院（第{i + 1}研究室）")
    review.refresh_automatic_conflicts(campaign)
    review.solve_assignment(campaign, notify_experts=False)
    quality = {}
    for a in campaign.assignments.select_related("expert").order_by("pk"):
        base = quality.setdefault(a.application_id, rng.uniform(60, 90))
        data = {}
        for c in campaign.spec.rubric.criteria:
            for name in [input_name(c.key, s.key) for s in c.sub_items] or [input_name(c.key)]:
                data[name] = f"{max(0.0, min(float(c.max_score), base + rng.uniform(-5, 5))):.1f}"
        review.save_review(a, data, submit=True)
    review.close_review(campaign, notify=False)

    vote_opens, vote_closes = (timezone.make_aware(t) for t in VOTE_WINDOW)
    votes.build(campaign, rng, vote_opens, vote_closes, organic=180)
    voting.close_vote(campaign, notify=False)

    RoleAssignment.objects.get_or_create(user=judge_user, role=Role.ROADSHOW_JUDGE, campaign=campaign)
    for i in range(1, 5):  # four more judges make the five-member panel (去掉最高分和最低分)
        from jinxuan.demo.population import _user  # cycle: population imports history

        extra = _user(f"judge{i + 1}", f"路演评委{i + 1}", f"judge{i + 1}@jinxuan.example.cn")
        RoleAssignment.objects.get_or_create(user=extra, role=Role.ROADSHOW_JUDGE, campaign=campaign)
    roadshow.sync_judges(campaign)
    slots = roadshow.build_schedule(campaign)
    for slot in slots:
        roadshow.start(slot)
        roadshow.start_qa(slot)
        roadshow.end_presentation(slot)
        base = rng.uniform(70, 92)
        for judge in roadshow.panel(campaign):
            roadshow.sign_off(slot, judge, {"score": f"{min(100.0, base + rng.uniform(-6, 6)):.1f}"}, actor=judge.user)
    RoleAssignment.objects.get_or_create(user=inspector_user, role=Role.INSPECTOR, campaign=campaign)
    _, seed = inspection.commit(campaign)  # committed before the roadshow ranking is known
    roadshow.close_roadshow(campaign, notify=False)

    draw = inspection.reveal_and_draw(campaign, seed)
    for k, rec in enumerate(draw.inspections.order_by("application_id")):
        inspection.assign(rec, [inspector_user])
        failed = k == 0
        data = {"verdict": "fail" if failed else "pass",
                "reason": "经营数据与申报材料不一致" if failed else "现场核实情况与申报材料一致"}
        for i, _check in enumerate(inspection.checks(campaign)):
            text, outcome = inspection.input_names(i)
            problem = failed and i == 1
            data[text] = "系统上线时间与合同不符" if problem else "已现场核实，未发现问题"
            data[outcome] = "issue" if problem else "pass"
        inspection.save_record(rec, data, submit=True, actor=inspector_user)
    inspection.close_inspection(campaign, notify=False)

    pub = publicity.open_publicity(campaign, PUBLICITY_START, today=PUBLICITY_START)  # as on that day
    listed = publicity.current_ids(campaign)
    if len(listed) > 1:
        day = pub.ends_on - dt.timedelta(days=1)
        filed = publicity.file_objection(campaign, application_id=listed[-1], name="孙某", contact=f"sun.{uuid.uuid4().hex[:8]}@example.cn",
                                         text="该案例所称服务企业数量与其公开年报不符，请核实。", day=day)
        publicity.handle_objection(filed, "upheld", "经评审工作组核实，申报数据有误", actor=organiser)
        filed = publicity.file_objection(campaign, application_id=listed[0], name="周某", contact=f"zhou.{uuid.uuid4().hex[:8]}@example.cn",
                                         text="怀疑该案例与他人案例雷同。", day=day)
        publicity.handle_objection(filed, "dismissed", "经比对，两案例的技术路线与应用场景均不同", actor=organiser)
    publicity.close_publicity(campaign, today=pub.ends_on + dt.timedelta(days=1))
    results.close_award(campaign, notify=False)
    results.publish_results(campaign)
    _place(campaign, pub)
    return campaign


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _place(campaign, pub) -> None:
    """Each stage in its 2025 window (the services stamped everything today)."""
    closes = campaign.submission_closes
    vote_opens, vote_closes = (timezone.make_aware(t) for t in VOTE_WINDOW)
    roadshow_day = dt.date(2025, 9, 5)
    windows = {  # stage kind → (opened, closed)
        "formal_review": (campaign.submission_opens, closes + dt.timedelta(days=20)),
        "expert_review": (closes + dt.timedelta(days=21), _at(dt.date(2025, 7, 20), 18)),
        "public_vote": (vote_opens, vote_closes),
        "composite": (_at(dt.date(2025, 8, 18)), _at(dt.date(2025, 8, 18), 17)),
        "roadshow": (_at(roadshow_day, 8), _at(roadshow_day, 20)),
        "site_inspection": (_at(dt.date(2025, 9, 8)), _at(dt.date(2025, 9, 20), 17)),
        "publicity": (_at(pub.starts_on, 8), _at(pub.ends_on + dt.timedelta(days=1), 9)),
        "award": (_at(pub.ends_on + dt.timedelta(days=1), 10), _at(pub.ends_on + dt.timedelta(days=2), 17)),
        "publish": (_at(pub.ends_on + dt.timedelta(days=3)), _at(pub.ends_on + dt.timedelta(days=3), 10)),
    }
    for stage in campaign.stages.order_by("position"):
        opened, closed = windows[stage.kind]
        timeline.place_stage(campaign, stage.key, opened, closed)
    opened, closed = windows["formal_review"]
    timeline.place_formal_review(campaign, opened + dt.timedelta(days=1), closed - dt.timedelta(hours=1))
    opened, closed = windows["expert_review"]
    timeline.set_stage_dates(campaign, "expert_review", opened.date(), closed.date())
    timeline.place_expert_review(campaign, opened, closed - dt.timedelta(hours=1))
    at = _at(roadshow_day)
    slots = list(Slot.objects.filter(campaign=campaign).order_by("position", "pk"))
    for slot in slots:  # back to back from 09:00
        span = dt.timedelta(minutes=slot.minutes + slot.qa_minutes)
        slot.planned_start = slot.started_at = at
        slot.qa_started_at = at + dt.timedelta(minutes=slot.minutes)
        slot.ended_at = slot.closed_at = at + span
        at += span + dt.timedelta(minutes=2)
    Slot.objects.bulk_update(slots, ["planned_start", "started_at", "qa_started_at", "ended_at", "closed_at"])
    for slot in slots:
        ScoreSheet.objects.filter(slot=slot).exclude(signed_off_at=None).update(signed_off_at=slot.closed_at)
    opened, closed = windows["site_inspection"]
    Draw.objects.filter(campaign=campaign).update(committed_at=opened - dt.timedelta(days=4), drawn_at=opened)
    timeline.spread(Inspection.objects.filter(campaign=campaign).exclude(submitted_at=None), "submitted_at",
                    opened, closed - dt.timedelta(hours=1))
    award = windows["award"][1]
    timeline.place_results(campaign, decided=award, published=windows["publish"][1])
