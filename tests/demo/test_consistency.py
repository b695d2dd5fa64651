"""The demo tells the truth: each campaign at one point of its own pipeline, no work stored past a stage still open or
pending, every stored date inside its stage's window, historical cases under their own years, and every demo
account with something to do or look at."""

import pytest
from django.utils import timezone

from jinxuan.applicants.models import Application
from jinxuan.campaigns.models import Campaign
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun, StageState

pytestmark = pytest.mark.django_db
CAMPAIGNS = ["gz-dianshu-2025", "xinhua-nqp-2025", "top10-2025", "gz-dianshu-2024"]
ACCOUNTS = ["organiser", "reviewer", *(f"expert{i}" for i in range(1, 7)), "judge", "inspector", "guidance", "voter",
            "reader", *(f"applicant{i}" for i in range(1, 11))]


def work(campaign, stage) -> int:
    """How much the stage holds: its stored results and the work done in it."""
    from jinxuan.formalreview.models import FormalDecision
    from jinxuan.inspection.models import Draw
    from jinxuan.publicity.models import Publicity
    from jinxuan.results.models import AwardDecision
    from jinxuan.review.models import Assignment
    from jinxuan.roadshow.models import ScoreSheet
    from jinxuan.voting.models import Vote

    held = {
        "formal_review": FormalDecision.objects.filter(application__campaign=campaign),
        "expert_review": Assignment.objects.filter(campaign=campaign),
        "public_vote": Vote.objects.filter(campaign=campaign),
        "roadshow": ScoreSheet.objects.filter(slot__campaign=campaign),
        "site_inspection": Draw.objects.filter(campaign=campaign),
        "publicity": Publicity.objects.filter(campaign=campaign),
        "award": AwardDecision.objects.filter(campaign=campaign),
    }.get(stage.kind)
    runs = StageRun.objects.filter(campaign=campaign, stage_key=stage.key).count()
    return runs + (held.count() if held is not None else 0)


def windows(campaign) -> dict:
    """stage kind → (opened, closed or now) for every stage that has opened."""
    now = timezone.now()
    out = {}
    for stage in campaign.stages.order_by("position"):
        row = StageState.objects.filter(campaign=campaign, stage_key=stage.key).first()
        if row is not None and row.opened_at:
            out[stage.kind] = (row.opened_at, row.closed_at or now)
    return out


def inside(stamps, window, what):
    start, end = window
    outside = [t for t in stamps if not start <= t <= end]
    assert not outside, f"{what}: {len(outside)} outside {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}: {outside[:3]}"


@pytest.mark.parametrize("slug", CAMPAIGNS)
def test_no_work_after_a_stage_still_open_or_pending(demo, slug):
    campaign = Campaign.objects.get(slug=slug)
    reached_unfinished = None
    for stage in campaign.stages.order_by("position"):
        life = runtime.lifecycle(campaign, stage)
        if reached_unfinished is not None:
            assert life.status == StageState.PENDING, (stage.key, life.status, "after", reached_unfinished)
            assert work(campaign, stage) == 0, (stage.key, "holds work after", reached_unfinished)
        elif not life.closed:
            reached_unfinished = stage.key


@pytest.mark.parametrize("slug", CAMPAIGNS)
def test_stages_follow_each_other_and_nothing_is_in_the_future(demo, slug):
    campaign = Campaign.objects.get(slug=slug)
    now = timezone.now()
    previous_closed = campaign.submission_opens
    for stage in campaign.stages.order_by("position"):
        row = StageState.objects.filter(campaign=campaign, stage_key=stage.key).first()
        if row is None or row.opened_at is None:
            continue
        assert previous_closed <= row.opened_at <= now, stage.key
        if row.closed_at:
            assert row.opened_at <= row.closed_at <= now, stage.key
            runs = StageRun.objects.filter(campaign=campaign, stage_key=stage.key)
            inside(runs.values_list("created_at", flat=True), (row.opened_at, row.closed_at), f"{stage.key} result")
        previous_closed = row.closed_at or now


@pytest.mark.parametrize("slug", CAMPAIGNS)
def test_stored_events_lie_within_their_stage_window(demo, slug):
    from jinxuan.formalreview.models import FormalDecision
    from jinxuan.inspection.models import Inspection
    from jinxuan.library.models import Case
    from jinxuan.review.models import Review
    from jinxuan.roadshow.models import ScoreSheet
    from jinxuan.voting.models import Vote

    campaign = Campaign.objects.get(slug=slug)
    submitted = Application.objects.filter(campaign=campaign).exclude(submitted_at=None)
    assert submitted.exists()
    inside(submitted.values_list("submitted_at", flat=True),
           (campaign.submission_opens, min(campaign.submission_closes, timezone.now())), "submissions")
    spans = windows(campaign)
    checks = [
        ("formal_review", FormalDecision.objects.filter(application__campaign=campaign), "decided_at"),
        ("expert_review", Review.objects.filter(assignment__campaign=campaign).exclude(submitted_at=None),
         "submitted_at"),
        ("public_vote", Vote.objects.filter(campaign=campaign), "created_at"),
        ("roadshow", ScoreSheet.objects.filter(slot__campaign=campaign).exclude(signed_off_at=None), "signed_off_at"),
        ("site_inspection", Inspection.objects.filter(campaign=campaign).exclude(submitted_at=None), "submitted_at"),
        ("publish", Case.objects.filter(campaign=campaign, source=Case.PUBLISHED), "published_at"),
    ]
    for kind, rows, field in checks:
        stamps = list(rows.values_list(field, flat=True))
        if stamps:
            assert kind in spans, f"{kind} holds work but never opened"
            inside(stamps, spans[kind], f"{kind} {field}")


def test_the_three_campaigns_are_at_three_points(demo):
    from jinxuan.results.services import is_published
    from jinxuan.review.models import Assignment, Review
    from jinxuan.voting.models import Vote

    now, today = timezone.now(), timezone.localdate()
    gz, xinhua, top10 = (Campaign.objects.get(slug=s) for s in CAMPAIGNS[:3])

    assert gz.submission_opens < now < gz.submission_closes  # taking applications
    assert [runtime.lifecycle(gz, s).status for s in gz.stages.order_by("position")][:2] == ["open", "pending"]
    assert gz.applications.filter(state="draft").exists() and gz.applications.filter(state="submitted").exists()
    assert not Assignment.objects.filter(campaign=gz).exists() and not Vote.objects.filter(campaign=gz).exists()

    assert xinhua.submission_closes < now  # in expert review, deadline passed, two experts late
    review = runtime.stage_of(xinhua, "expert_review")
    assert runtime.is_closed(xinhua, runtime.stage_of(xinhua, "formal_review"))
    assert runtime.lifecycle(xinhua, review).status == "open" and review.ends < today
    sheets = Assignment.objects.filter(campaign=xinhua)
    assert sheets.filter(review__state=Review.SUBMITTED).exists()
    late = set(sheets.exclude(review__state=Review.SUBMITTED).values_list("expert__user__username", flat=True))
    assert len(late) == 2

    assert all(runtime.is_closed(top10, s) for s in top10.stages.all()) and is_published(top10)  # finished
    assert top10.library_cases.filter(source="published").exists()


def test_historical_cases_carry_their_own_year_never_a_current_campaign(demo):
    from jinxuan.library.models import Case

    imported = Case.objects.filter(source=Case.IMPORTED).select_related("campaign")
    assert imported.exists()
    for case in imported:
        assert case.year and case.year < 2025, (case.title, case.year)
        assert case.campaign is None or case.campaign.year == case.year, (case.title, case.campaign.slug)
    assert not imported.filter(campaign__slug__in=CAMPAIGNS[:3]).exists()
    assert imported.filter(campaign__slug="gz-dianshu-2024", year=2024).exists()


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_demo_account_has_something_to_do_or_see(demo, username):
    from jinxuan.accounts.models import User
    from jinxuan.demo.roles import workspace

    lines = workspace(User.objects.get(username=username))
    assert lines and all(line.strip() for line in lines), username


def test_what_the_expert_and_reviewer_see(demo):
    from jinxuan.accounts.models import User
    from jinxuan.demo.roles import workspace

    reviewer = workspace(User.objects.get(username="reviewer"))
    assert any("待形式审核" in line and line.startswith("点数成金") for line in reviewer)
    late = workspace(User.objects.get(username="expert6"))
    assert any("已逾期" in line for line in late)
    judge = workspace(User.objects.get(username="judge"))
    assert any("点数成金2024" in line and "已签署评分" in line for line in judge)


def test_stored_results_replay_and_read_the_stored_submissions(demo):
    """Placing the demo in time changed nothing a stage read: every result replays, and the submission times a
    stage stored are the applications' own."""
    from jinxuan.pipeline.replay import replay_all

    problems = [r for r in replay_all() if not r["same"]]
    assert not problems, problems[:3]
    for run in StageRun.objects.filter(kind="formal_review"):
        stored = {e["application_id"]: e["submitted_at"] for e in run.result["inputs"]["entrants"]}
        actual = {a.pk: a.submitted_at.isoformat() for a in Application.objects.filter(pk__in=stored)}
        assert stored == actual, run.campaign.slug
