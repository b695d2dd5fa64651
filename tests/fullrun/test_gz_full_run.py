"""gz-dianshu-2025 from formal review to publication on 300 synthetic applications, through the real services:
the number advanced at each stage follows the preset's rules, district-recommended cases enter the roadshow
directly, the publicity ends on the statutory working day, an upheld objection brings in the next-ranked case,
and at the end the audit chain holds and every stored stage result replays to the same ranking."""

import datetime as dt
import math
import random

import pytest
from django.utils import timezone

from jinxuan.accounts.models import Role
from jinxuan.applicants.models import Application, Organisation
from jinxuan.applicants.states import State
from jinxuan.audit.models import AuditEvent
from jinxuan.audit.verify import verify_database
from jinxuan.demo.population import credit_code
from jinxuan.formalreview import services as formal
from jinxuan.outcomes.draw import sample_size
from jinxuan.pipeline.replay import replay_all
from tests.factories import make_application
from tests.results.flow import pool, review_all

pytestmark = pytest.mark.django_db

N = 300
REJECTED = range(0, N, 25)  # 12 fail formal review
DISTRICT = (7, 33, 150, 251, 299)  # district-recommended (区级政府推荐)


def _quality(n: int) -> int:
    return 40 + (n * 37) % 55  # spread 40..94, deterministic


def test_gz_full_run(campaigns, make_user, monkeypatch):
    from jinxuan.inspection import services as inspection
    from jinxuan.publicity import services as publicity
    from jinxuan.results import services as results
    from jinxuan.results.models import Award
    from jinxuan.roadshow import services as roadshow
    from jinxuan.voting import services as voting
    from jinxuan.voting.models import Voter

    gz = campaigns["gz-dianshu-2025"]
    organiser = make_user("fullrun_org", Role.ORGANISER, campaign=gz)
    rng = random.Random(2025)
    orgs = [Organisation.objects.create(name=f"广州全流程测试单位{i:03d}有限公司", credit_code=credit_code(rng, "广州"))
            for i in range(60)]
    apps = [make_application(gz, orgs[n % 60], n, title=f"全流程案例{n:03d}", state=State.SUBMITTED) for n in range(N)]
    Application.objects.filter(pk__in=[apps[i].pk for i in DISTRICT]).update(district_recommended=True)

    # 形式审核: 12 rejected with a reason, the rest pass (blocking findings of synthetic data overridden in writing)
    for n, app in enumerate(apps):
        if n in REJECTED:
            formal.decide(app, "reject", reason="申报主体不符合要求", actor=organiser)
        else:
            formal.decide(app, "pass", override_reason="人工核对材料齐全", actor=organiser)
    accepted = [a for n, a in enumerate(apps) if n not in REJECTED]
    assert Application.objects.filter(campaign=gz, state=State.ACCEPTED).count() == len(accepted) == 288

    # 专业评审: every accepted application scored by the preset's number of experts; all scored advance
    pool(gz, organiser, experts=15, load=80)
    review_all(gz, organiser, {a.pk: _quality(n) for n, a in enumerate(apps)})
    from jinxuan.review import services as review

    expert_run = review.close_review(gz, actor=organiser, notify=False)
    assert len([e for e in expert_run.result["entries"] if e["advanced"]]) == 288

    # 网络投票: verified voters within the limits, then closed → composite (95 % expert + 5 % votes)
    now = timezone.now()
    voting.set_window(gz, now - dt.timedelta(days=2), now + dt.timedelta(days=1), actor=organiser)
    entrants = list(voting.entrants(gz))
    for v in range(40):
        voter = Voter.objects.create(phone=f"139{v:08d}", verified_at=now)
        for app in rng.sample(entrants, 5):
            voting.cast(gz, app.pk, voter, ip=f"10.{v}.0.1")
    voting.set_window(gz, now - dt.timedelta(days=2), now - dt.timedelta(seconds=1), actor=organiser)
    composite = voting.close_vote(gz, actor=organiser, notify=False)
    entries = composite.result["entries"]
    quota = math.floor(0.3 * 288)  # cut: 30 % of the entrants, floor (the preset's default)
    by_merit = [e for e in entries if e["advanced"] and e["rank"] <= quota]
    direct = [e for e in entries if e["advanced"] and e["rank"] > quota]
    district_ids = {apps[i].pk for i in DISTRICT}
    assert len(by_merit) == quota == 86
    assert {e["application_id"] for e in direct} == {e["application_id"] for e in entries
                                                      if e["application_id"] in district_ids and e["rank"] > quota}
    assert direct, "at least one district-recommended case below the cut enters directly"
    finalists = {e["application_id"] for e in entries if e["advanced"]}
    assert len(finalists) == quota + len(direct)

    # 路演答辩: five judges score each presentation from their phones; trimmed mean; everyone advances (advance: all)
    for i in range(5):
        make_user(f"fullrun_judge{i}", Role.ROADSHOW_JUDGE, campaign=gz)
    roadshow.sync_judges(gz, actor=organiser)
    slots = roadshow.build_schedule(gz, actor=organiser)
    assert {s.application_id for s in slots} == finalists
    judges = roadshow.panel(gz)
    for s in slots:
        roadshow.start(s, actor=organiser)
        roadshow.start_qa(s, actor=organiser)
        roadshow.end_presentation(s, actor=organiser)
        for j, judge in enumerate(judges):
            _, errors = roadshow.sign_off(s, judge, {"score": str(60 + (s.application_id * 7 + j * 3) % 40)},
                                          actor=judge.user)
            assert errors == {}
    _, seed = inspection.commit(gz, actor=organiser)  # the seed is committed before the ranking is known
    roadshow_run = roadshow.close_roadshow(gz, actor=organiser, notify=False)
    passers = [e["application_id"] for e in roadshow_run.result["entries"] if e["advanced"]]
    assert len(passers) == len(finalists)

    # 实地考察: committed seed, verifiable draw of 30 % (rounded up), one case fails and is disqualified
    inspector = make_user("fullrun_inspector", Role.INSPECTOR, campaign=gz)
    draw = inspection.reveal_and_draw(gz, seed, actor=organiser)
    records = list(draw.inspections.order_by("application_id"))
    assert len(records) == sample_size(len(passers), fraction="0.3")
    failed = records[0].application_id
    for k, rec in enumerate(records):
        inspection.assign(rec, [inspector], actor=organiser)
        data = {"verdict": "fail" if k == 0 else "pass",
                "reason": "申报材料与现场情况不符" if k == 0 else "现场核实一致"}
        for i, _check in enumerate(inspection.checks(gz)):
            text, outcome = inspection.input_names(i)
            data[text], data[outcome] = "已核查", "issue" if k == 0 and i == 1 else "pass"
        _, errors = inspection.save_record(rec, data, submit=True, actor=inspector)
        assert errors == {}
    inspection.close_inspection(gz, actor=organiser, notify=False)
    assert Application.objects.get(pk=failed).state == State.DISQUALIFIED

    # 公示: 7 working days from 2026-09-30 (National Day) end on 2026-10-14; the failed inspection is backfilled
    # from the frozen composite ranking; an upheld objection brings in the next one
    today = {"day": dt.date(2026, 9, 30)}  # published on its first day; objections come in during the period
    monkeypatch.setattr(publicity, "local_today", lambda: today["day"])
    pub = publicity.open_publicity(gz, dt.date(2026, 9, 30), actor=organiser)
    today["day"] = dt.date(2026, 10, 9)
    assert pub.ends_on == dt.date(2026, 10, 14)
    ranked_out = [e["application_id"] for e in sorted(entries, key=lambda e: e["rank"]) if not e["advanced"]]
    listed = publicity.current_ids(gz)
    assert failed not in listed and ranked_out[0] in listed and len(listed) == len(passers)
    target = next(a for a in listed if a != ranked_out[0])
    filed = publicity.file_objection(gz, application_id=target, name="钱某", contact="qian@example.cn",
                                     text="该案例所述成效与公开信息不符，请核实。", ip="10.9.9.9")
    publicity.handle_objection(filed, "upheld", "经核实，申报数据不实", actor=organiser)
    listed = publicity.current_ids(gz)
    assert target not in listed and ranked_out[1] in listed and len(listed) == len(passers)
    assert Application.objects.get(pk=target).state == State.DISQUALIFIED
    with pytest.raises(publicity.PublicityError):
        publicity.close_publicity(gz, actor=organiser, today=dt.date(2026, 10, 14))
    publicity.close_publicity(gz, actor=organiser, today=dt.date(2026, 10, 15))

    # 入围 and publication
    results.close_award(gz, actor=organiser)
    awarded = set(Award.objects.filter(campaign=gz).values_list("application_id", flat=True))
    assert awarded == set(listed)
    assert set(Application.objects.filter(campaign=gz, state=State.AWARDED).values_list("pk", flat=True)) == awarded
    results.publish_results(gz, actor=organiser)
    from jinxuan.library.models import Case

    cases = Case.objects.filter(campaign=gz)
    assert set(cases.values_list("application_id", flat=True)) == awarded  # publication fills the case library
    assert {c.tier for c in cases} == {"入围案例"}

    # every decision is in the audit log, the chain holds, and every stage result replays to the same ranking
    assert AuditEvent.objects.filter(action="formal.decision").count() == N
    assert verify_database() == []
    replays = replay_all(gz)
    assert {r["stage"] for r in replays} >= {"expert_review", "composite", "roadshow", "site_inspection", "publicity",
                                             "award"}
    assert [r for r in replays if not r["same"]] == []

    # the funnel adds up: each stage's entrants are the previous stage's advanced, plus backfills, minus those
    # that left in between; the case removed by the upheld objection is a publicity entrant that did not advance
    from jinxuan.reports import services as reports
    from jinxuan.reports import tables as T

    tables = reports.stage_tables(gz)
    steps = T.funnel(tables)
    for before, step in zip(steps, steps[1:], strict=False):
        assert step.entered == step.from_previous + step.backfilled, step.key
        assert step.from_previous + step.left == before.advanced, step.key
        assert step.advanced + step.eliminated == step.entered, step.key
    by_key = {s.key: s for s in steps}
    assert (by_key["site_inspection"].disqualified, by_key["site_inspection"].advanced) == (1, len(passers) - 1)
    publicity_step = by_key["publicity"]
    assert (publicity_step.backfilled, publicity_step.disqualified) == (2, 1)  # inspection and objection
    assert publicity_step.entered == len(passers) - 1 + 2 and publicity_step.advanced == len(passers)
    assert "递补 2" in publicity_step.balance
    removed = next(r for r in next(t for t in tables if t.stage.key == "publicity").rows if r.application_id == target)
    assert not removed.advanced and "取消资格" in removed.reason
    assert by_key["award"].entered == by_key["award"].from_previous == len(passers)


def test_campaign_page_links_each_stage_once_it_has_something_to_show(campaigns, client, make_user):
    from jinxuan.demo.population import build

    build(seed=3, applications_per_campaign=5)
    from jinxuan.campaigns.models import Campaign

    past = Campaign.objects.get(slug="gz-dianshu-2024")
    page = client.get(f"/campaigns/{past.slug}/").content.decode()
    for path in (f"/roadshow/{past.slug}/board/", f"/inspection/{past.slug}/draw/", f"/publicity/{past.slug}/",
                 f"/results/{past.slug}/"):
        assert path in page
        assert client.get(path).status_code == 200
    fresh = client.get("/campaigns/xinhua-nqp-2025/").content.decode()
    assert "/results/xinhua-nqp-2025/" not in fresh and "评选进展" not in fresh
    organiser = make_user("links_org", "organiser")
    client.force_login(organiser)
    manage = client.get(f"/manage/{past.slug}/").content.decode()
    for path in (f"/manage/roadshow/{past.slug}/", f"/manage/inspection/{past.slug}/", f"/manage/publicity/{past.slug}/",
                 f"/manage/results/{past.slug}/"):
        assert path in manage
