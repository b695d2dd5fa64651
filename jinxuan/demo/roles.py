"""What each demo account finds to do or to look at, read from the data (printed by `jinxuan demo`, checked by the
demo's tests): one Chinese line per campaign where the account has something.

    workspace(User.objects.get(username="expert1"))  # -> ["金融新质生产力：……"]
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.models import Campaign
from jinxuan.inspection.models import Inspection
from jinxuan.library.models import Case
from jinxuan.pipeline import runtime
from jinxuan.review.models import Assignment, Review
from jinxuan.roadshow.models import ScoreSheet
from jinxuan.voting.models import Vote, VoteWindow

AWAITING_FORMAL = (State.SUBMITTED, State.FORMAL_REVIEW)


def _campaigns(user, role: str):
    scoped = RoleAssignment.objects.filter(user=user, role=role).values_list("campaign_id", flat=True)
    if None in set(scoped):
        return Campaign.objects.order_by("-year", "slug")
    return Campaign.objects.filter(pk__in=scoped).order_by("-year", "slug")


def current_stage(campaign) -> str:
    """The first stage not closed, as a phrase: 「专家评审」进行中 / 全部环节已结束."""
    for stage in campaign.stages.order_by("position"):
        life = runtime.lifecycle(campaign, stage)
        if not life.closed:
            return f"「{stage.name}」{life.label}"
    return "全部环节已结束"


def organiser(user) -> list[str]:
    return [f"{c.short_name}：{current_stage(c)}，申报 {c.applications.exclude(state=State.DRAFT).count()} 份"
            for c in _campaigns(user, Role.ORGANISER)]


def formal_reviewer(user) -> list[str]:
    lines = []
    for c in _campaigns(user, Role.FORMAL_REVIEWER):
        stage = runtime.stage_of(c, "formal_review")
        waiting = c.applications.filter(state__in=AWAITING_FORMAL).count()
        if stage is not None and not runtime.is_closed(c, stage) and waiting:
            lines.append(f"{c.short_name}：{waiting} 份申报待形式审核")
        elif stage is not None and runtime.is_closed(c, stage):
            lines.append(f"{c.short_name}：形式审核已结束，可查看审核记录")
    return lines


def expert(user) -> list[str]:
    lines = []
    for c in _campaigns(user, Role.EXPERT):
        mine = Assignment.objects.filter(campaign=c, expert__user=user)
        if not mine.exists():
            continue
        stage = runtime.stage_of(c, "expert_review")
        done = mine.filter(review__state=Review.SUBMITTED).count()
        if runtime.is_closed(c, stage):
            lines.append(f"{c.short_name}：专家评审已结束，已评 {done} 份")
            continue
        left = mine.count() - done
        due = f"，截止 {stage.ends:%Y-%m-%d}" if stage.ends else ""
        late = "（已逾期）" if stage.ends and left and stage.ends < timezone.localdate() else ""
        lines.append(f"{c.short_name}：已分配 {mine.count()} 份，待评 {left} 份{due}{late}")
    return lines


def judge(user) -> list[str]:
    lines = []
    for c in _campaigns(user, Role.ROADSHOW_JUDGE):
        signed = ScoreSheet.objects.filter(slot__campaign=c, judge__user=user).exclude(signed_off_at=None).count()
        stage = runtime.stage_of(c, "roadshow")
        if stage is not None:
            state = "已结束" if runtime.is_closed(c, stage) else runtime.lifecycle(c, stage).label
            lines.append(f"{c.short_name}：路演答辩{state}，已签署评分 {signed} 场")
    return lines


def inspector(user) -> list[str]:
    lines = []
    for c in _campaigns(user, Role.INSPECTOR):
        mine = Inspection.objects.filter(campaign=c, inspectors=user)
        if mine.exists():
            done = mine.filter(state=Inspection.SUBMITTED).count()
            lines.append(f"{c.short_name}：实地考察 {mine.count()} 家，已提交记录 {done} 份")
    return lines


def guidance(user) -> list[str]:
    return [f"{c.short_name}：{current_stage(c)}（只读）" for c in _campaigns(user, Role.GUIDANCE)]


def voter(user) -> list[str]:
    lines = []
    now = timezone.now()
    for w in VoteWindow.objects.select_related("campaign").exclude(opens_at=None).order_by("-opens_at"):
        counted = Vote.objects.filter(campaign=w.campaign).count()
        if w.opens_at <= now <= w.closes_at:
            lines.append(f"{w.campaign.short_name}：网络投票进行中，已有 {counted} 票")
        elif w.closes_at < now:
            lines.append(f"{w.campaign.short_name}：网络投票已结束，可查看各案例得票（共 {counted} 票）")
    return lines


def reader(user) -> list[str]:
    years = Counter(Case.objects.values_list("year", flat=True))
    return [f"案例库：{year} 年案例 {n} 个" for year, n in sorted(years.items(), reverse=True) if year]


def applicant(user) -> list[str]:
    lines = []
    apps = Application.objects.filter(units__organisation__memberships__user=user).select_related("campaign")
    by_campaign: dict[str, Counter] = {}
    for app in apps.distinct():
        by_campaign.setdefault(app.campaign.short_name, Counter())[State(app.state).label] += 1
    for name, states in by_campaign.items():
        lines.append(f"{name}：" + "，".join(f"{label} {n} 份" for label, n in states.items()))
    return lines


BY_ROLE = {Role.ORGANISER: organiser, Role.FORMAL_REVIEWER: formal_reviewer, Role.EXPERT: expert,
           Role.ROADSHOW_JUDGE: judge, Role.INSPECTOR: inspector, Role.GUIDANCE: guidance, Role.VOTER: voter,
           Role.READER: reader}


def workspace(user) -> list[str]:
    """Every line the account's roles give it (an applicant: its organisations' applications)."""
    lines = []
    for role in dict.fromkeys(RoleAssignment.objects.filter(user=user).order_by("role").values_list("role", flat=True)):
        if role in BY_ROLE:
            lines += BY_ROLE[role](user)
    if user.organisation_memberships.exists():
        lines += applicant(user)
    return lines
