"""The three demo campaigns at three consistent points of their own pipeline, relative to today:

- 点数成金2025 (gz-dianshu-2025) takes applications: the submission window opened 20 days ago and closes in 40;
  its first stage (形式审核) is open and under way (some passed, one sent back for correction, one rejected);
  every later stage is pending, nothing is assigned, scored or voted.
- 金融新质生产力 (xinhua-nqp-2025) is in expert review: submissions closed 23 days ago, formal review decided every
  application and closed; the experts were assigned when review opened 22 days ago, its deadline passed two days
  ago, and the last two experts are late (sheets in draft or not started); award and publication are pending.
- 科技金融十大事件 (top10-2025) is finished: every stage closed about three months ago and the lists published,
  the winners in the case library.

The durations follow each preset's schedule (submission window, review window); only their place in time moves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

from jinxuan.applicants.states import State
from jinxuan.formalreview.services import close_formal
from jinxuan.pipeline.runtime import stage_of
from jinxuan.results import services as results

from . import review, timeline
from .timeline import days

# The states the demo applications end in, with the reason where the move needs one: a stage under way
OPEN = [
    [],
    [State.SUBMITTED],
    [State.SUBMITTED, State.FORMAL_REVIEW],
    [State.SUBMITTED, State.FORMAL_REVIEW, (State.NEEDS_CORRECTION, "营业执照扫描件不清晰，请重新上传")],
    [State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED],
    [State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED],
    [State.SUBMITTED, State.FORMAL_REVIEW, (State.REJECTED, "申报主体持续经营未满两年")],
    [State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED],
    [State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED],
]
PASSED = [State.SUBMITTED, State.FORMAL_REVIEW, State.ACCEPTED]
# a stage that closed decided every application it received: drafts never submitted stay drafts (frozen)
DECIDED = [
    [],
    PASSED,
    PASSED,
    [State.SUBMITTED, State.FORMAL_REVIEW, (State.REJECTED, "申报主体持续经营未满两年")],
    PASSED,
    PASSED,
    PASSED,
]


def _window_days(campaign, default: int) -> int:
    preset = (campaign.preset or {}).get("schedule") or {}
    try:
        opens = dt.datetime.fromisoformat(str(preset["submission_opens"]))
        closes = dt.datetime.fromisoformat(str(preset["submission_closes"]))
    except (KeyError, TypeError, ValueError):
        return default
    return max(7, (closes - opens).days)


def _review_days(campaign, key: str, default: int) -> int:
    stage = campaign.stages.filter(key=key).first()
    if stage is not None and stage.starts and stage.ends:
        return max(7, (stage.ends - stage.starts).days)
    return default


@dataclasses.dataclass(frozen=True)
class Place:
    summary: str
    paths: list
    prepare: Callable
    run: Callable


# ------------------------------------------------------------------------------------------------ taking applications


def _gz_prepare(campaign) -> None:
    timeline.set_submission_window(campaign, days(-20), days(40), "开放在线申报（演示按今日排期）")


def _gz_run(campaign, experts, rng: random.Random, organiser) -> None:
    timeline.place_submissions(campaign, until=days(0, hour=0))
    review.seat(campaign, experts, rng)  # the pool is ready; nothing is assigned while applications come in
    timeline.place_stage(campaign, stage_of(campaign, "formal_review").key, opened=campaign.submission_opens)


# ------------------------------------------------------------------------------------------------ in expert review


def _review_span(campaign) -> tuple[int, int]:
    """(first day of expert review, its last day) relative to today: the deadline passed two days ago."""
    length = _review_days(campaign, "expert_review", 20)
    return -2 - length, -2


def _xinhua_prepare(campaign) -> None:
    start, _ = _review_span(campaign)
    closes = start - 1
    timeline.set_submission_window(campaign, days(closes - _window_days(campaign, 50)), days(closes),
                                   "申报已截止，专家评审进行中（演示按今日排期）")


def _xinhua_run(campaign, experts, rng: random.Random, organiser) -> None:
    start, end = _review_span(campaign)
    formal, expert = stage_of(campaign, "formal_review"), stage_of(campaign, "expert_review")
    timeline.place_submissions(campaign)  # before any stage reads them (their results' digests cover them)
    close_formal(campaign, actor=organiser)
    review.seat(campaign, experts, rng)
    review.score(campaign, experts, rng, complete=False)
    timeline.place_formal_review(campaign, campaign.submission_opens + dt.timedelta(days=1), days(start, hour=8))
    timeline.place_stage(campaign, formal.key, opened=campaign.submission_opens, closed=days(start, hour=8))
    timeline.set_stage_dates(campaign, expert.key, days(start).date(), days(end).date())
    timeline.place_stage(campaign, expert.key, opened=days(start))
    timeline.place_expert_review(campaign, days(start), days(end - 1, hour=18))


# ------------------------------------------------------------------------------------------------ finished

FINISHED = {"formal": (-200, -150), "expert": (-150, -120), "award": (-119, -100), "publish": (-99, -90)}


def _top10_prepare(campaign) -> None:
    opens, closes = FINISHED["formal"]
    length = min(_window_days(campaign, 45), closes - opens - 5)
    timeline.set_submission_window(campaign, days(opens), days(opens + length), "已结束的活动（演示按今日排期）")


def _top10_run(campaign, experts, rng: random.Random, organiser) -> None:
    timeline.place_submissions(campaign)  # before any stage reads them (their results' digests cover them)
    close_formal(campaign, actor=organiser)
    review.seat(campaign, experts, rng)
    review.score(campaign, experts, rng, complete=True)
    results.close_award(campaign, actor=organiser, notify=False)
    results.publish_results(campaign, actor=organiser)

    stages = {kind: stage_of(campaign, kind) for kind in ("formal_review", "expert_review", "award", "publish")}
    (f0, f1), (e0, e1), (a0, a1), (p0, p1) = FINISHED.values()
    timeline.place_formal_review(campaign, campaign.submission_opens + dt.timedelta(days=1), days(f1, hour=8))
    timeline.place_stage(campaign, stages["formal_review"].key, campaign.submission_opens, days(f1, hour=8))
    timeline.set_stage_dates(campaign, stages["expert_review"].key, days(e0).date(), days(e1).date())
    timeline.place_expert_review(campaign, days(e0), days(e1, hour=12))
    timeline.place_stage(campaign, stages["expert_review"].key, days(e0), days(e1, hour=17))
    timeline.place_stage(campaign, stages["award"].key, days(a0), days(a1, hour=17))
    timeline.place_stage(campaign, stages["publish"].key, days(p0), days(p1, hour=10))
    timeline.place_results(campaign, decided=days(a1, hour=17), published=days(p1, hour=10))


PLACES = {
    "gz-dianshu-2025": Place("正在征集：申报进行中，形式审核已开始", OPEN, _gz_prepare, _gz_run),
    "xinhua-nqp-2025": Place("专家评审进行中：形式审核已结束，两位专家逾期未完成", DECIDED, _xinhua_prepare, _xinhua_run),
    "top10-2025": Place("已结束：榜单已发布，入选案例已进入案例库", DECIDED, _top10_prepare, _top10_run),
}
