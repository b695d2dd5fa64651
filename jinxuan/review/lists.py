"""The organiser's expert-review lists: the pool, the assignment per application, and every assignment's score."""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from jinxuan.applicants.prefetch import light
from jinxuan.lists import Filter, ListSpec, Sort, number_q

from .models import Assignment, PoolMember, Review
from .services import entrants

PROGRESS = [("pending", "有未提交的评分"), ("done", "已全部提交"), ("none", "尚未分配")]


def _count(campaign, **extra):
    rows = (Assignment.objects.filter(campaign=campaign, expert=OuterRef("expert"), **extra)
            .order_by().values("expert").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def pool_base(campaign):
    return (PoolMember.objects.filter(campaign=campaign).select_related("expert__user")
            .annotate(assigned=_count(campaign), submitted=_count(campaign, review__state=Review.SUBMITTED)))


def _progress(qs, value):
    if value == "none":
        return qs.filter(assigned=0)
    if value == "done":
        return qs.filter(assigned__gt=0, assigned=F("submitted"))
    return qs.filter(assigned__gt=F("submitted"))


def pool_spec(campaign) -> ListSpec:
    return ListSpec(
        sorts=[Sort("pseudonym", "匿名编号", ("pseudonym",)), Sort("name", "姓名", ("expert__name",)),
               Sort("employer", "任职单位", ("expert__employer_name",)), Sort("load", "上限", ("load",)),
               Sort("assigned", "已分配", ("assigned",)), Sort("submitted", "已提交", ("submitted",))],
        default_sort="pseudonym",
        search_fields=("expert__name", "expert__employer_name", "expert__user__email", "pseudonym"),
        search_placeholder="姓名、单位、电子邮箱或匿名编号",
        filters=[Filter("progress", "评审进度", PROGRESS, apply=_progress)],
        page_size=50,
    )


POOL_COLUMNS = [
    ("匿名编号", lambda m: m.pseudonym), ("姓名", lambda m: m.expert.name), ("电子邮箱", lambda m: m.expert.user.email),
    ("任职单位", lambda m: m.expert.employer_name), ("专长", lambda m: "、".join(m.expert.tags or [])),
    ("评审数量上限", lambda m: m.load), ("已分配", lambda m: m.assigned), ("已提交", lambda m: m.submitted),
]


COVERAGE = [("short", "专家不足"), ("full", "专家已足额"), ("none", "尚未分配")]


def assignment_base(campaign):
    """The applications in expert review, each with its number of assigned experts (`n_assigned`)."""
    rows = (Assignment.objects.filter(campaign=campaign, application=OuterRef("pk")).order_by()
            .values("application").annotate(n=Count("pk")).values("n"))
    return light(entrants(campaign)).annotate(n_assigned=Coalesce(Subquery(rows, output_field=IntegerField()), Value(0)))


def assignment_spec(campaign, k: int) -> ListSpec:
    """`k`: experts per application (the preset's)."""

    def coverage(qs, value):
        if value == "none":
            return qs.filter(n_assigned=0)
        return qs.filter(n_assigned__lt=k) if value == "short" else qs.filter(n_assigned__gte=k)

    members = list(PoolMember.objects.filter(campaign=campaign).select_related("expert").order_by("pseudonym"))
    experts = [(str(m.expert_id), m.expert.name) for m in members]
    return ListSpec(
        sorts=[Sort("number", "申报", ("pk",)), Sort("title", "案例名称", ("title",)),
               Sort("track", "方向", ("track__position",)), Sort("assigned", "已分配专家", ("n_assigned",))],
        default_sort="number",
        search_fields=("title", "units__organisation__name"), search_extra=number_q,
        search_placeholder="编号、案例名称或申报单位",
        filters=[
            Filter("track", "方向", [(str(t.pk), t.name) for t in campaign.tracks.all()], field="track_id"),
            Filter("coverage", "分配情况", COVERAGE, apply=coverage),
            Filter("expert", "已分配给", experts, empty_label="不限专家",
                   apply=lambda qs, v: qs.filter(assignments__expert_id=int(v), assignments__campaign=campaign)),
            Filter("without", "未分配给", experts, empty_label="不限专家",
                   apply=lambda qs, v: qs.exclude(pk__in=Assignment.objects.filter(
                       campaign=campaign, expert_id=int(v)).values("application_id"))),
        ],
        page_size=50,
    )


ASSIGNMENT_COLUMNS = [
    ("申报编号", lambda a: a.number), ("案例名称", lambda a: a.title), ("方向", lambda a: a.track.name),
    ("已分配专家数", lambda a: a.n_assigned),
]


SCORE_STATES = [("none", "未开始"), (Review.DRAFT, "草稿"), (Review.SUBMITTED, "已提交")]


def _score_state(qs, value):
    if value == "none":
        return qs.filter(review__isnull=True)
    return qs.filter(review__state=value)


def scores_base(campaign):
    """Every assignment with its review: the scores list."""
    return light(Assignment.objects.filter(campaign=campaign)
                 .select_related("application__campaign", "application__track", "expert", "review"), "application__")


def scores_spec(campaign, organiser: bool) -> ListSpec:
    """`organiser`: experts are named (others see pseudonyms only, and cannot search or filter by name)."""
    members = list(PoolMember.objects.filter(campaign=campaign).select_related("expert").order_by("pseudonym"))
    experts = [(str(m.expert_id), f"{m.expert.name}（{m.pseudonym}）" if organiser else m.pseudonym) for m in members]
    return ListSpec(
        sorts=[Sort("case", "申报", ("application_id",)), Sort("expert", "专家", ("expert_id",)),
               Sort("total", "总分", ("review__total",)), Sort("submitted", "提交时间", ("review__submitted_at",))],
        default_sort="case",
        search_fields=("application__title", *(("expert__name",) if organiser else ())),
        search_extra=lambda term: number_q(term, "application_id"),
        search_placeholder="案例编号或名称" + ("、专家姓名" if organiser else ""),
        filters=[
            Filter("state", "评分状态", SCORE_STATES, apply=_score_state),
            Filter("expert", "专家", experts, field="expert_id"),
            Filter("track", "方向", [(str(t.pk), t.name) for t in campaign.tracks.all()], field="application__track_id"),
        ],
        page_size=50, page_sizes=(50, 100, 200),
    )


def score_columns(pseudonyms: dict[int, str], organiser: bool):
    def expert_label(a):
        return f"{a.expert.name}（{pseudonyms.get(a.expert_id, '')}）" if organiser else pseudonyms.get(a.expert_id, "专家")

    def review(a):
        return getattr(a, "review", None)

    return [
        ("申报编号", lambda a: a.application.number), ("案例名称", lambda a: a.application.title),
        ("方向", lambda a: a.application.track.name), ("专家", expert_label),
        ("评分状态", lambda a: review(a).get_state_display() if review(a) else "未开始"),
        ("总分", lambda a: review(a).total if review(a) else None),
        ("提交时间", lambda a: review(a).submitted_at if review(a) else None),
    ]
