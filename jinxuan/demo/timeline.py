"""Where the demo's campaigns stand in time. The services stamp every piece of work "now"; the demo then places each
stage in its own window (its lifecycle row, its stored result, the work it holds), so a campaign reads as if it had
been run over weeks: submissions inside the submission window, a stage's decisions and scores between its opening
and its closing, and a later stage opening after the one before it closed.

    place_stage(campaign, "formal_review", opened=days(-60), closed=days(-30))
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationVersion
from jinxuan.campaigns.schedule import reschedule
from jinxuan.formalreview.models import FormalDecision, ScreeningResult
from jinxuan.library.models import Case
from jinxuan.pipeline.models import StageRun, StageState
from jinxuan.results.models import Award, AwardDecision
from jinxuan.review.models import Assignment, Review


def days(n: float, hour: int = 9) -> dt.datetime:
    """`n` days from today at `hour` (Beijing time)."""
    day = timezone.localdate() + dt.timedelta(days=int(n))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def set_submission_window(campaign, opens: dt.datetime, closes: dt.datetime, note: str) -> None:
    closes = closes.replace(hour=23, minute=59)
    reschedule(campaign, opens.replace(hour=0, minute=0), closes, closes.replace(hour=17, minute=0),
               reason=f"演示数据：{note}")


def stamps(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    """`count` moments spread evenly strictly inside [start, end]."""
    step = (end - start) / (count + 1)
    return [start + step * (i + 1) for i in range(count)]


def spread(queryset, field: str, start: dt.datetime, end: dt.datetime) -> None:
    """Give the rows (in pk order) moments spread evenly inside the window."""
    rows = list(queryset.order_by("pk"))
    for row, at in zip(rows, stamps(start, end, len(rows)), strict=True):
        setattr(row, field, at)
    if rows:
        type(rows[0]).objects.bulk_update(rows, [field], batch_size=500)


def place_submissions(campaign, until: dt.datetime | None = None) -> None:
    """Submitted applications (and their versions) spread over the submission window, up to `until`."""
    end = min(campaign.submission_closes, until) if until else campaign.submission_closes
    spread(Application.objects.filter(campaign=campaign).exclude(submitted_at=None), "submitted_at",
           campaign.submission_opens, end)
    versions = list(ApplicationVersion.objects.filter(application__campaign=campaign)
                    .annotate(app_submitted=F("application__submitted_at")))
    for v in versions:
        v.submitted_at = v.app_submitted
    ApplicationVersion.objects.bulk_update(versions, ["submitted_at"], batch_size=500)


def place_stage(campaign, key: str, opened: dt.datetime, closed: dt.datetime | None = None) -> None:
    """The stage's lifecycle: open since `opened`, or closed at `closed` (its stored results dated then); the
    stage's own dates (shown to experts as their deadline) follow."""
    status = StageState.CLOSED if closed else StageState.OPEN
    StageState.objects.update_or_create(campaign=campaign, stage_key=key,
                                        defaults={"status": status, "opened_at": opened, "closed_at": closed})
    if closed:
        StageRun.objects.filter(campaign=campaign, stage_key=key).update(created_at=closed)


def set_stage_dates(campaign, key: str, starts: dt.date, ends: dt.date) -> None:
    campaign.stages.filter(key=key).update(starts=starts, ends=ends)


def place_formal_review(campaign, start: dt.datetime, end: dt.datetime) -> None:
    spread(FormalDecision.objects.filter(application__campaign=campaign), "decided_at", start, end)
    spread(ScreeningResult.objects.filter(application__campaign=campaign), "created_at", start, end)


def place_expert_review(campaign, start: dt.datetime, end: dt.datetime) -> None:
    """Assignments made when the stage opened; sheets submitted over the window."""
    Assignment.objects.filter(campaign=campaign).update(created_at=start)
    spread(Review.objects.filter(assignment__campaign=campaign).exclude(submitted_at=None), "submitted_at",
           start + dt.timedelta(hours=2), end)


def place_results(campaign, decided: dt.datetime, published: dt.datetime) -> None:
    AwardDecision.objects.filter(campaign=campaign).update(decided_at=decided)
    AwardDecision.objects.filter(campaign=campaign).exclude(published_at=None).update(published_at=published)
    Award.objects.filter(campaign=campaign).update(created_at=decided)
    Award.objects.filter(campaign=campaign).exclude(published_at=None).update(published_at=published)
    Case.objects.filter(campaign=campaign, source=Case.PUBLISHED).update(published_at=published)
