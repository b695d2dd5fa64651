"""What needs action now, per role, per campaign: counts with links (the 待办 on the workspace page).

Plain functions, testable without a request. Each role's counts come from aggregate queries over all of the user's
campaigns at once, so the number of queries does not grow with the number of applications, sheets or votes.
Deadlines are dates in Beijing time: a stage that ends on a day ends at the end of that day.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from jinxuan.accounts.models import Role
from jinxuan.accounts.roles import campaign_ids_for, has_role, roles_of
from jinxuan.applicants.models import Application, ApplicationUnit, Consent, OrganisationClaim
from jinxuan.applicants.ownership import visible_applications
from jinxuan.applicants.states import State
from jinxuan.campaigns.todo import (
    Group,
    Item,
    campaigns_with_stages,
    deadline_words,
    moment_words,
    per_campaign,
    stage_of,
    today,
)
from jinxuan.inspection.models import Inspection
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun, StageState
from jinxuan.publicity.models import Objection
from jinxuan.review.models import Assignment, Review
from jinxuan.review.todo import expert_groups
from jinxuan.roadshow.models import ScoreSheet, Slot, SlotState
from jinxuan.voting.models import Vote

AWAITING_FORMAL = (State.SUBMITTED, State.FORMAL_REVIEW)
SOON = dt.timedelta(hours=24)  # a roadshow session starting within this is "about to start"


# ------------------------------------------------------------------------------------------------ organiser


def _stage_statuses(campaigns) -> dict[tuple[int, str], tuple[str, object]]:
    """(campaign id, stage key) → (status, StageState row or None), two queries for all campaigns; a stage with
    neither a recorded status nor a final result asks the runtime (only when its dates say it should be open)."""
    ids = [c.pk for c in campaigns]
    rows = {(s.campaign_id, s.stage_key): s for s in StageState.objects.filter(campaign_id__in=ids)}
    finals = set(StageRun.objects.filter(campaign_id__in=ids, is_final=True).values_list("campaign_id", "stage_key"))
    out = {}
    for c in campaigns:
        for s in c.stages.all():
            row = rows.get((c.pk, s.key))
            if row is not None:
                status = row.status
            elif (c.pk, s.key) in finals:
                status = StageState.CLOSED
            elif s.starts and s.starts <= today():
                status = runtime.lifecycle(c, s).status
            else:
                status = StageState.PENDING
            out[(c.pk, s.key)] = (status, row)
    return out


def organiser_groups(user, campaigns) -> list[Group]:
    now = timezone.now()
    ids = [c.pk for c in campaigns]
    apps = per_campaign(
        Application.objects.filter(campaign_id__in=ids),
        awaiting=Count("pk", filter=Q(state__in=AWAITING_FORMAL)),
        overdue=Count("pk", filter=Q(state=State.NEEDS_CORRECTION, correction_due__lt=now)))
    sheets = per_campaign(
        Assignment.objects.filter(campaign_id__in=ids).exclude(review__state=Review.SUBMITTED),
        sheets=Count("pk"), experts=Count("expert", distinct=True))
    flagged = per_campaign(Vote.objects.filter(campaign_id__in=ids, valid=True).exclude(signals=[]), n=Count("pk"))
    objections = per_campaign(Objection.objects.filter(campaign_id__in=ids, status=Objection.PENDING), n=Count("pk"))
    sessions = per_campaign(
        Slot.objects.filter(campaign_id__in=ids, state=SlotState.PENDING, planned_start__gte=now,
                            planned_start__lte=now + SOON), n=Count("pk"), first=Min("planned_start"))
    inspections = per_campaign(
        Inspection.objects.filter(campaign_id__in=ids, state=Inspection.DRAFT, draw__voided_at=None), n=Count("pk"))
    statuses = _stage_statuses(campaigns)

    groups = []
    for c in campaigns:
        items: list[Item] = []
        a = apps.get(c.pk, {})
        if a.get("awaiting"):
            items.append(Item("待形式审核的申报", reverse("formalreview:queue", args=[c.slug]), a["awaiting"]))
        if a.get("overdue"):
            items.append(Item("补正已逾期、尚未重新提交的申报", reverse("dashboard:applications", args=[c.slug]),
                              a["overdue"], urgent=True))
        review = stage_of(c, "expert_review")
        s = sheets.get(c.pk, {})
        if review and s.get("sheets") and statuses.get((c.pk, review.key), ("",))[0] != StageState.CLOSED:
            note, late = deadline_words(review.ends)
            if late:
                items.append(Item(f"逾期未交评分的专家（{s['sheets']} 份评分未提交）",
                                  reverse("review_manage:overview", args=[c.slug]), s["experts"], note, urgent=True))
        if flagged.get(c.pk):
            items.append(Item("被检测为异常、尚未处理的投票", reverse("vote_manage:overview", args=[c.slug]),
                              flagged[c.pk]["n"]))
        if objections.get(c.pk):
            items.append(Item("待处理的公示异议", reverse("publicity:manage", args=[c.slug]),
                              objections[c.pk]["n"], urgent=True))
        if sessions.get(c.pk):
            first = timezone.localtime(sessions[c.pk]["first"])
            items.append(Item("24 小时内开始的路演场次", reverse("roadshow:control", args=[c.slug]),
                              sessions[c.pk]["n"], f"第一场 {first:%m-%d %H:%M}"))
        site = stage_of(c, "site_inspection")
        if inspections.get(c.pk) and site:
            note, late = deadline_words(site.ends)
            items.append(Item("尚未提交的实地考察记录", reverse("inspection:manage", args=[c.slug]),
                              inspections[c.pk]["n"], note, urgent=late))
        items += _stage_items(c, statuses)
        if items:
            groups.append(Group(c, Role.ORGANISER.label, items))
    return groups


def _stage_items(campaign, statuses) -> list[Item]:
    """Stages whose dates say they should open or close, and stale results to recompute."""
    items = []
    url = reverse("reports:overview", args=[campaign.slug])
    for s in campaign.stages.all():
        status, row = statuses.get((campaign.pk, s.key), (StageState.PENDING, None))
        if row is not None and row.stale_since:
            items.append(Item(f"「{s.name}」的结果需要重新计算（此前阶段已重开）",
                              reverse("reports:stage", args=[campaign.slug, s.key]), urgent=True))
        if status == StageState.PENDING and s.starts and s.starts <= today():
            items.append(Item(f"「{s.name}」按日程应于 {s.starts:%Y-%m-%d} 开始，尚未开始", url))
        elif status == StageState.OPEN and s.ends and s.ends < today():
            items.append(Item(f"「{s.name}」按日程应于 {s.ends:%Y-%m-%d} 结束，尚未结束", url, urgent=True))
    return items


def claim_items(user) -> list[Item]:
    if not user.has_perm("applicants.verify_organisation"):
        return []
    n = OrganisationClaim.objects.filter(state=OrganisationClaim.PENDING).count()
    return [Item("待核验的单位认证申请", reverse("claims:list"), n)] if n else []


# ------------------------------------------------------------------------------------------------ other staff


def formal_reviewer_groups(campaigns) -> list[Group]:
    counts = per_campaign(Application.objects.filter(campaign_id__in=[c.pk for c in campaigns],
                                                      state__in=AWAITING_FORMAL), n=Count("pk"))
    return [Group(c, Role.FORMAL_REVIEWER.label,
                  [Item("待形式审核的申报", reverse("formalreview:queue", args=[c.slug]), counts[c.pk]["n"])])
            for c in campaigns if c.pk in counts]


def judge_groups(user, campaigns) -> list[Group]:
    ids = [c.pk for c in campaigns if stage_of(c, "roadshow")]
    nexts = {}
    for slot in (Slot.objects.filter(campaign_id__in=ids).exclude(state=SlotState.CLOSED)
                 .order_by("campaign_id", "position")):
        nexts.setdefault(slot.campaign_id, []).append(slot)
    scheduled = set(Slot.objects.filter(campaign_id__in=ids).values_list("campaign_id", flat=True).distinct())
    signed = set(ScoreSheet.objects.filter(judge__user=user, signed_off_at__isnull=False)
                 .values_list("slot_id", flat=True))
    groups = []
    for c in campaigns:
        if c.pk not in ids:
            continue
        url = reverse("roadshow:judge", args=[c.slug])
        open_slots = [s for s in nexts.get(c.pk, []) if s.pk not in signed]
        scoring = [s for s in open_slots if s.state == SlotState.SCORING]
        live = [s for s in open_slots if s.state in (SlotState.PRESENTING, SlotState.QA)]
        pending = [s for s in open_slots if s.state == SlotState.PENDING]
        if scoring:
            item = Item("等待您签署评分的场次", url, len(scoring), urgent=True)
        elif live:
            item = Item(f"正在进行：第 {live[0].position} 场", url)
        elif pending:
            first = pending[0]
            when = f"，计划 {timezone.localtime(first.planned_start):%m-%d %H:%M} 开始" if first.planned_start else ""
            item = Item(f"下一场：第 {first.position} 场{when}", url)
        elif c.pk in scheduled:
            item = Item("路演已全部结束，您没有待签署的评分", url)
        else:
            item = Item("路演日程尚未排定", url)
        groups.append(Group(c, Role.ROADSHOW_JUDGE.label, [item]))
    return groups


def inspector_groups(user, campaigns) -> list[Group]:
    counts = per_campaign(Inspection.objects.filter(campaign_id__in=[c.pk for c in campaigns], inspectors=user,
                                                     draw__voided_at=None),
                           total=Count("pk"), todo=Count("pk", filter=Q(state=Inspection.DRAFT)))
    groups = []
    for c in campaigns:
        n = counts.get(c.pk, {"total": 0, "todo": 0})
        stage = stage_of(c, "site_inspection")
        note, late = deadline_words(stage.ends if stage else None) if n["todo"] else ("", False)
        url = reverse("inspection:workspace", args=[c.slug])
        if n["todo"]:
            item = Item("待提交的实地考察记录", url, n["todo"], note, urgent=late)
        else:
            item = Item(f"考察记录已全部提交（{n['total']} 份）" if n["total"] else "暂未分配考察任务", url)
        groups.append(Group(c, Role.INSPECTOR.label, [item]))
    return groups


def guidance_groups(campaigns) -> list[Group]:
    """What a guidance unit may look at: each campaign's dashboard, its applications and stage reports."""
    return [Group(c, Role.GUIDANCE.label, [
        Item("活动概况与各状态申报数", reverse("dashboard:campaign", args=[c.slug])),
        Item("申报列表", reverse("dashboard:applications", args=[c.slug])),
        Item("各阶段结果与报告", reverse("reports:overview", args=[c.slug])),
    ]) for c in campaigns]


# ------------------------------------------------------------------------------------------------ applicant


def applicant_groups(user) -> list[Group]:
    """Drafts to finish, corrections requested (with their deadlines), joint-unit consent requests."""
    now = timezone.now()
    mine = (visible_applications(user).filter(state__in=(State.DRAFT, State.NEEDS_CORRECTION))
            .select_related("campaign").order_by("campaign_id", "pk"))
    by_campaign: dict[int, Group] = {}
    for a in mine:
        group = by_campaign.setdefault(a.campaign_id, Group(a.campaign, Role.APPLICANT.label))
        title = a.title or "（未命名草稿）"
        if a.state == State.DRAFT:
            if a.campaign.submission_closes < now:
                continue
            note, late = moment_words(a.campaign.submission_closes)
            group.items.append(Item(f"待完成并提交的草稿：{title}", reverse("apply:edit", args=[a.pk]),
                                    note=note.replace("截止", "申报截止", 1), urgent=late))
        else:
            note, late = moment_words(a.correction_due)
            group.items.append(Item(f"需要补正：{title}", reverse("apply:edit", args=[a.pk]),
                                    note=note.replace("截止", "补正截止", 1), urgent=late))
    groups = [g for g in by_campaign.values() if g.items]
    requests = (ApplicationUnit.objects.filter(consent=Consent.PENDING, organisation__verified_at__isnull=False,
                                               organisation__memberships__user=user,
                                               organisation__memberships__is_admin=True)
                .values("organisation_id", "organisation__name").annotate(n=Count("pk")).order_by("organisation_id"))
    items = [Item(f"{r['organisation__name']}：待确认的联合申报邀请", reverse("apply:organisation",
                                                                    args=[r["organisation_id"]]), r["n"])
             for r in requests]
    if items:
        groups.append(Group(None, Role.APPLICANT.label, items))
    return groups


# ------------------------------------------------------------------------------------------------ all roles


def todo_for(user) -> list[Group]:
    """Every group of to-do items the user's roles call for, organiser work first."""
    roles = roles_of(user)
    groups: list[Group] = []
    if user.is_superuser or Role.ORGANISER in roles:
        scope = None if user.is_superuser else campaign_ids_for(user, Role.ORGANISER)
        groups += organiser_groups(user, campaigns_with_stages(scope))
        claims = claim_items(user)
        if claims:
            groups.append(Group(None, Role.ORGANISER.label, claims))
    if Role.FORMAL_REVIEWER in roles:
        groups += formal_reviewer_groups(campaigns_with_stages(campaign_ids_for(user, Role.FORMAL_REVIEWER)))
    if Role.EXPERT in roles or has_role(user, Role.EXPERT):
        groups += expert_groups(user)
    if Role.ROADSHOW_JUDGE in roles:
        groups += judge_groups(user, campaigns_with_stages(campaign_ids_for(user, Role.ROADSHOW_JUDGE)))
    if Role.INSPECTOR in roles:
        groups += inspector_groups(user, campaigns_with_stages(campaign_ids_for(user, Role.INSPECTOR)))
    if Role.GUIDANCE in roles and not (user.is_superuser or Role.ORGANISER in roles):
        groups += guidance_groups(campaigns_with_stages(campaign_ids_for(user, Role.GUIDANCE)))
    if Role.APPLICANT in roles:
        groups += applicant_groups(user)
    return groups


# ------------------------------------------------------------------------------------------------ role links

_CAMPAIGN_PAGES = {  # role → (URL name taking the campaign's slug, link text)
    Role.ORGANISER: ("dashboard:campaign", "进入活动管理"),
    Role.GUIDANCE: ("dashboard:campaign", "查看活动概况"),
    Role.FORMAL_REVIEWER: ("formalreview:queue", "进入形式审核"),
    Role.EXPERT: ("review:workspace", "进入专业评审"),
    Role.ROADSHOW_JUDGE: ("roadshow:judge", "进入路演评分"),
    Role.INSPECTOR: ("inspection:workspace", "进入实地考察"),
    Role.VOTER: ("vote:index", "进入网络投票"),
}
_GLOBAL_PAGES = {Role.ORGANISER: ("dashboard:home", "进入活动管理"), Role.GUIDANCE: ("dashboard:home", "查看活动"),
                 Role.READER: ("library:index", "进入案例库")}
_STAGE_OF_ROLE = {Role.ROADSHOW_JUDGE: "roadshow", Role.INSPECTOR: "site_inspection"}


def role_links(assignments) -> list[dict]:
    """One row per role held: its label, the campaign, and the page where that role works (every row links)."""
    rows = []
    for a in assignments:
        campaign = a.campaign
        if campaign is not None and a.role in _CAMPAIGN_PAGES:
            name, text = _CAMPAIGN_PAGES[a.role]
            kind = _STAGE_OF_ROLE.get(a.role)
            if kind and stage_of(campaign, kind) is None:
                name, text = "public:campaign", "查看活动"
            url = reverse(name, args=[campaign.slug])
        elif a.role in _GLOBAL_PAGES:
            name, text = _GLOBAL_PAGES[a.role]
            url = reverse(name)
        else:
            name, text = ("public:campaign", "查看活动") if campaign else ("public:home", "查看征集活动")
            url = reverse(name, args=[campaign.slug]) if campaign else reverse(name)
        rows.append({"label": a.get_role_display(), "campaign": campaign, "url": url, "text": text})
    return rows
