"""A finished past edition for the demo: the reference preset loaded as `gz-dianshu-2024` and run through every
stage with the real services — formal review, expert review, the public vote and the composite, a scored roadshow,
a verifiable site-inspection draw (one case fails), publicity with one upheld objection and 顺位递补, the shortlist
and its publication (which also fills the case library). Dates are fixed in 2025 so the statutory calendar knows
them whatever day the demo is built, one year before the reference call's own: submissions in its (shifted)
window, the public vote in the summer, publicity from PUBLICITY_START."""

from __future__ import annotations

import datetime as dt
import random
import uuid  # objection contacts: the per-contact daily limit lives in the cache

from django.conf import settings
from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Application, ApplicationUnit
from jinxuan.applicants.states import State

SLUG = "gz-dianshu-2024"
PUBLICITY_START = dt.date(2025, 9, 29)  # 7 working days over National Day → ends 2025-10-15
VOTE_WINDOW = (dt.datetime(2025, 8, 4, 9, 0), dt.datetime(2025, 8, 15, 18, 0))  # Beijing time


def _year_earlier(value: str) -> str:
    when = dt.datetime.fromisoformat(value)
    return when.replace(year=when.year - 1).isoformat()


def load_copy():
    from jinxuan.campaigns.loader import load_preset
    from jinxuan.campaigns.preset_io import read_preset
    from jinxuan.campaigns.schema import Preset

    data = read_preset(settings.PRESET_DIR / "gz-dianshu-2025.yaml").model_dump(mode="json")
    data |= {"slug": SLUG, "year": 2024, "name": "2024年“点数成金”数字金融创新实践案例征集活动（往届，演示数据）",
             "short_name": "点数成金2024"}
    # The edition before the reference call: its schedule one year earlier, so it ends before that call opens.
    data["schedule"] = {k: _year_earlier(v) if k in ("submission_opens", "submission_closes", "paper_copy_deadline")
                        and v else v for k, v in data["schedule"].items()}
    return load_preset(Preset.model_validate(data), "demo:gz-dianshu-2024")[0]


def _applications(campaign, orgs, faker, count: int) -> list[Application]:
    from jinxuan.demo.answers import AnswerFaker

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
    from jinxuan.formalreview import services as formal
    from jinxuan.inspection import services as inspection
    from jinxuan.publicity import services as publicity
    from jinxuan.results import services as results
    from jinxuan.review import services as review
    from jinxuan.review.rubric import input_name
    from jinxuan.roadshow import services as roadshow
    from jinxuan.voting import services as voting
    from jinxuan.voting.models import Vote, Voter

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
    voting.set_window(campaign, vote_opens, vote_closes)
    entrants = list(voting.entrants(campaign))
    rows, stamps = [], []  # stored directly, as the demo's other vote: the cast path's claims live in the cache
    for v in range(60):
        at = vote_opens + (vote_closes - vote_opens) * rng.random()
        voter = Voter.objects.create(phone=f"186{v:04d}{rng.randint(0, 9999):04d}", verified_at=at)
        for app in rng.sample(entrants, min(3, len(entrants))):
            stamps.append(at)
            rows.append(Vote(campaign=campaign, application=app, voter=voter, day=timezone.localdate(at),
                             ip=f"10.{v}.{rng.randint(0, 255)}.1", device=f"past{v:04d}", user_agent="Mozilla/5.0"))
    created = Vote.objects.bulk_create(rows)
    for vote, at in zip(created, stamps, strict=True):  # auto_now_add set "now": back-date them into the window
        vote.created_at = at
    Vote.objects.bulk_update(created, ["created_at"], batch_size=500)
    voting.close_vote(campaign, notify=False)

    RoleAssignment.objects.get_or_create(user=judge_user, role=Role.ROADSHOW_JUDGE, campaign=campaign)
    for i in range(1, 5):  # four more judges make the five-member panel (去掉最高分和最低分)
        from jinxuan.demo.population import _user

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
    return campaign
