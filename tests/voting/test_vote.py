import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from jinxuan.audit.models import AuditEvent
from jinxuan.voting import services
from jinxuan.voting.models import SmsMessage, Vote, Voter
from jinxuan.voting.phones import mask, normalise

pytestmark = pytest.mark.django_db


def test_phone_numbers():
    assert normalise("+86 138-0013-8000") == "13800138000"
    assert normalise("12345678901") is None and normalise("02012345678") is None and normalise("1380013800") is None
    assert mask("13800138000") == "138****8000"


def _code(phone):
    return SmsMessage.objects.filter(phone=phone).first().body.split("验证码为 ")[1][:6]


def test_code_flow_rate_limits_and_lock(db):
    phone = services.request_code("13912345678", "10.0.0.1")
    code = _code(phone)
    with pytest.raises(services.VoteError, match="1 分钟"):
        services.request_code("13912345678", "10.0.0.1")
    for _ in range(4):
        with pytest.raises(services.VoteError, match="不正确"):
            services.verify_code(phone, "000000" if code != "000000" else "111111")
    with pytest.raises(services.VoteError, match="锁定"):
        services.verify_code(phone, "000000" if code != "000000" else "111111")
    with pytest.raises(services.VoteError, match="锁定"):  # even the right code, while locked
        services.verify_code(phone, code)
    assert Voter.objects.get(phone=phone).locked_until > timezone.now()


def test_code_expires_and_is_single_use(db):
    phone = services.request_code("13912345679", None)
    code = _code(phone)
    assert services.verify_code(phone, code).verified_at is not None
    with pytest.raises(services.VoteError, match="过期|未发送"):
        services.verify_code(phone, code)


def test_ip_rate_limit(db):
    for i in range(services.SENDS_PER_IP_HOUR):
        services.request_code(f"1391234{i:04d}", "10.9.9.9")
    with pytest.raises(services.VoteError, match="当前网络"):
        services.request_code("13698765432", "10.9.9.9")


def test_limits_once_per_application_per_day_and_daily_max(gz, vote_open, voter):
    services.cast(gz, vote_open[0].pk, voter)
    with pytest.raises(services.VoteError, match="已为该案例投过票"):
        services.cast(gz, vote_open[0].pk, voter)
    stage = gz.stages.get(kind="public_vote")
    stage.params = {**stage.params, "max_votes_per_day": 2}
    stage.save()
    services.forget_snapshot(gz)  # settings are read through a per-process snapshot of a few seconds
    services.cast(gz, vote_open[1].pk, voter)
    with pytest.raises(services.VoteError, match="最多投 2 票"):
        services.cast(gz, vote_open[2].pk, voter)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    services.cast(gz, vote_open[0].pk, voter, now=tomorrow)
    assert Vote.objects.filter(voter=voter).count() == 3


def test_window_and_entrants_are_enforced(gz, vote_open, voter, accepted):
    from jinxuan.applicants.models import Application

    eliminated = Application.objects.create(campaign=gz, track=vote_open[0].track, title="未晋级案例")
    with pytest.raises(services.VoteError, match="不在投票范围"):
        services.cast(gz, eliminated.pk, voter)
    with pytest.raises(services.VoteError, match="不在投票时间"):
        services.cast(gz, vote_open[0].pk, voter, now=timezone.now() + dt.timedelta(days=30))


def test_get_never_votes_and_a_scanner_casts_nothing(gz, vote_open, voter, client):
    client.cookies.load({})
    response = client.get(reverse("vote:detail", args=[gz.slug, vote_open[0].pk]))
    assert response.status_code == 200
    client.cookies["jx_voter"] = response.client.cookies.get("jx_voter", "")  # none yet
    from django.core import signing

    client.cookies["jx_voter"] = signing.get_cookie_signer(salt="jx_voter" + "voter").sign(str(voter.pk))
    for url in (reverse("vote:detail", args=[gz.slug, vote_open[0].pk]),
                reverse("vote:confirm", args=[gz.slug, vote_open[0].pk]),
                reverse("vote:index", args=[gz.slug])):
        client.get(url)
        client.head(url)
    assert Vote.objects.count() == 0
    # the first POST only asks for confirmation; the confirmed POST votes
    page = client.post(reverse("vote:confirm", args=[gz.slug, vote_open[0].pk])).content.decode()
    assert "确认投票" in page and Vote.objects.count() == 0
    client.post(reverse("vote:confirm", args=[gz.slug, vote_open[0].pk]), {"confirmed": "1"})
    assert Vote.objects.filter(voter=voter).count() == 1


def test_unverified_visitor_is_sent_to_verification(gz, vote_open, client):
    response = client.post(reverse("vote:confirm", args=[gz.slug, vote_open[0].pk]), {"confirmed": "1"})
    assert response.status_code == 302 and reverse("vote:verify") in response["Location"]
    assert Vote.objects.count() == 0


def test_verify_page_sets_the_voter_cookie_and_votes(gz, vote_open, client):
    detail = reverse("vote:detail", args=[gz.slug, vote_open[1].pk])
    client.post(reverse("vote:verify"), {"action": "send", "phone": "13512345678", "next": detail})
    code = _code("13512345678")
    response = client.post(reverse("vote:verify"), {"action": "verify", "phone": "13512345678", "code": code,
                                                    "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    client.post(reverse("vote:confirm", args=[gz.slug, vote_open[1].pk]), {"confirmed": "1"})
    assert Vote.objects.get().voter.phone == "13512345678"
    # an open redirect is refused
    response = client.post(reverse("vote:verify"), {"action": "verify", "phone": "13512345678", "code": "1",
                                                    "next": "https://evil.example/"})
    assert "evil" not in response.content.decode()


def test_public_pages_show_only_public_fields(gz, vote_open, client):
    app = vote_open[0]
    private = next(f for f in gz.spec.form.fields("application") if f.type == "textarea" and not f.public)
    app.answers[private.key] = "内部保密信息XYZ"
    app.save()
    page = client.get(reverse("vote:detail", args=[gz.slug, app.pk])).content.decode()
    assert app.title in page and "内部保密信息XYZ" not in page
    lead = app.units.get(is_lead=True).organisation
    assert lead.credit_code not in page


def test_invalidation_changes_the_total_and_is_audited(gz, vote_open, voter, organiser, client,
                                                      django_capture_on_commit_callbacks):
    vote = services.cast(gz, vote_open[0].pk, voter)
    assert services.live_totals(gz)[vote_open[0].pk] == 1
    with pytest.raises(services.VoteError, match="原因"):
        services.invalidate(vote, "", actor=organiser)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):  # the bulk runs in one transaction; totals follow its commit
        client.post(reverse("vote_manage:invalidate", args=[gz.slug]), {"votes": [vote.pk], "reason": "同一网段刷票"})
    assert services.live_totals(gz)[vote_open[0].pk] == 0
    assert services.stored_totals(gz).get(vote_open[0].pk, 0) == 0
    assert AuditEvent.objects.get(action="vote.invalidated").reason == "同一网段刷票"


def test_counters_rebuilt_after_a_cache_restart_equal_the_rows(gz, vote_open, organiser):
    for i in range(12):
        v = Voter.objects.create(phone=f"1391111{i:04d}", verified_at=timezone.now())
        services.cast(gz, vote_open[i % 3].pk, v)
    expected = {a.pk: (4 if i < 3 else 0) for i, a in enumerate(vote_open)}
    assert services.live_totals(gz) == expected
    cache.clear()  # Redis restarted: every counter gone
    assert services.live_totals(gz) == expected
    assert services.stored_totals(gz) == {k: v for k, v in expected.items() if v}


def test_display_delay(gz, vote_open, voter):
    stage = gz.stages.get(kind="public_vote")
    stage.params = {**stage.params, "display_delay_minutes": 30}
    stage.save()
    services.cast(gz, vote_open[0].pk, voter)
    assert services.shown_totals(gz).get(vote_open[0].pk, 0) == 0
    assert services.live_totals(gz)[vote_open[0].pk] == 1
    w = services.window(gz)  # the organiser overrides the preset's delay
    services.set_window(gz, w.opens_at, w.closes_at, delay=0)
    assert services.shown_totals(gz)[vote_open[0].pk] == 1


def test_organiser_pages_and_masked_export(gz, vote_open, voter, organiser, client):
    from io import BytesIO

    from openpyxl import load_workbook

    services.cast(gz, vote_open[0].pk, voter)
    client.force_login(organiser)
    page = client.get(reverse("vote_manage:overview", args=[gz.slug])).content.decode()
    assert vote_open[0].title in page and "<svg" in page
    wb = load_workbook(BytesIO(client.get(reverse("vote_manage:export", args=[gz.slug])).content))
    cells = [str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "138****8000" in cells and "13800138000" not in cells


def test_a_vote_farm_is_flagged_with_masked_numbers(gz, vote_open, organiser, client):
    from jinxuan.voting.models import Vote

    now = timezone.now()
    for k in range(30):  # one /24, sequential numbers, a vote every 10 seconds
        v = Voter.objects.create(phone=f"1700000{k:04d}", verified_at=now)
        services.cast(gz, vote_open[0].pk, v, ip=f"198.51.100.{k % 6 + 1}", device="farm")
    Vote.objects.filter(voter__phone__startswith="1700000").update(created_at=now)
    for i, vote in enumerate(Vote.objects.order_by("pk")):
        vote.created_at = now - dt.timedelta(seconds=10 * (30 - i))
        vote.save(update_fields=["created_at"])
    summary = services.detect_signals(gz)
    assert summary.get("subnet_burst", 0) >= 20 and summary.get("sequential_numbers", 0) >= 5
    messages = [s["message"] for v in Vote.objects.all() for s in v.signals]
    assert messages and not any("17000000001" in m for m in messages)
    client.force_login(organiser)
    page = client.get(reverse("vote_manage:overview", args=[gz.slug])).content.decode()
    assert "同一网段短时集中投票" in page and "连号手机号投票" in page  # signals in words
    assert "subnet_burst" not in page and "sequential_numbers" not in page


def test_closing_the_vote_runs_the_composite(gz, vote_open, organiser, client):
    from jinxuan.applicants.states import State
    from jinxuan.pipeline.models import StageRun

    for i in range(20):  # the last entrant gets the most votes
        v = Voter.objects.create(phone=f"1392222{i:04d}", verified_at=timezone.now())
        services.cast(gz, vote_open[-1].pk, v)
    with pytest.raises(services.VoteError, match="尚未结束"):
        services.close_vote(gz, actor=organiser)
    w = services.window(gz)
    services.set_window(gz, w.opens_at, timezone.now() - dt.timedelta(minutes=1), actor=organiser)
    client.force_login(organiser)
    client.post(reverse("vote_manage:close", args=[gz.slug]))
    run = StageRun.objects.get(stage_key="composite")
    entries = {e["application_id"]: e for e in run.result["entries"]}
    assert set(entries) == {a.pk for a in vote_open}
    quota = len(vote_open) * 3 // 10  # 30 %, floor (the preset's default)
    advanced = [a for a, e in entries.items() if e["advanced"]]
    direct = [a.pk for a in vote_open if a.district_recommended]
    assert sum(e["detail"]["advanced_by"] == "quota" for e in entries.values()) == quota
    assert set(direct) <= set(advanced)
    assert all(gz.applications.get(pk=a).state == State.IN_STAGE for a in advanced)
    # formal review, expert review, the public vote and the composite: every stage stores its result
    assert AuditEvent.objects.filter(action="stage.result_applied").count() == 4
    page = client.get(reverse("vote_manage:overview", args=[gz.slug])).content.decode()
    last = vote_open[-1]
    assert f"<td>{last.number} {last.title}</td>" in page  # the composite table names cases, not ids
    assert f"<td>{last.pk}</td>" not in page
    with pytest.raises(services.VoteError, match="已计算"):
        services.close_vote(gz, actor=organiser)


def test_public_vote_pages_mask_personal_data_in_public_text(gz, vote_open, client):
    """Issue 18, finding 7: the vote pages mask phones, e-mails and ID numbers in public free text as the library
    and the publicity page do (without the applicant's consent)."""
    app = vote_open[0]
    public = [f for f in gz.spec.form.fields("application") if f.public and f.type == "textarea"]
    leak = "联系人电话13912345678，邮箱zhangsan@bank.cn，身份证110101199003071234。"
    for f in public:
        app.answers[f.key] = leak + (app.answers.get(f.key) or "")
    app.save()
    assert public
    for url in (reverse("vote:detail", args=[gz.slug, app.pk]), reverse("vote:index", args=[gz.slug])):
        page = client.get(url).content.decode()
        assert "13912345678" not in page and "zhangsan@bank.cn" not in page and "110101199003071234" not in page
        assert "139****5678" in page
