"""Expert review operations: pool, conflicts, assignment, scoring, aggregation. Views call these; each
decision that changes who reviews what, or a score, is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import models, transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from jinxuan.accounts.invitations import InvitationError, invite
from jinxuan.accounts.models import Role, RoleAssignment
from jinxuan.applicants.models import Application, ApplicationUnit, Membership
from jinxuan.applicants.states import State
from jinxuan.audit.log import record
from jinxuan.campaigns.kept import kept
from jinxuan.campaigns.stage_params import ExpertReviewParams
from jinxuan.formalreview.insights import texts_of
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event
from jinxuan.pipeline import runtime
from jinxuan.pipeline.engine import StageContext, implementation
from jinxuan.pipeline.services import apply_result

from . import affinity as A
from . import calibration as C
from . import conflicts as X
from .assignment import AssignmentError, Problem, load_spread, solve
from .charts import criterion_values
from .models import Assignment, Conflict, ConflictSource, Expert, PairRule, PoolMember, Review, ReviewSettings
from .rubric import missing, read_sheet
from .visibility import visible_assignments

REVIEWABLE_STATES = (State.ACCEPTED, State.IN_STAGE)
BALANCE_MAX_LOSS = 0.01  # share of the best total affinity the load balance may give up


class ReviewError(ValueError):
    """A refused review operation; the message is shown to the user."""


# ------------------------------------------------------------------------------------------------ settings


def stage_params(campaign) -> ExpertReviewParams:
    stage = campaign.stages.filter(kind="expert_review").first()
    return ExpertReviewParams.model_validate(stage.params if stage else {})


def settings_of(campaign) -> ReviewSettings:
    return ReviewSettings.objects.get_or_create(campaign=campaign)[0]


def entrants(campaign):
    """Applications the experts review: those that passed formal review (or already in a stage), without
    district-recommended cases when the preset lets them skip the review (they pass the stage unranked)."""
    found = Application.objects.filter(campaign=campaign, state__in=REVIEWABLE_STATES)
    if runtime.skips_review_and_vote(campaign):
        found = found.filter(district_recommended=False)
    return found.select_related("track", "campaign")


def set_peer_visibility(campaign, visible: bool, actor=None) -> bool:
    settings = settings_of(campaign)
    settings.peer_scores_visible = visible
    settings.save(update_fields=["peer_scores_visible"])
    record("review.peer_visibility", campaign, campaign=campaign, actor=actor, after={"peer_scores_visible": visible})
    return visible


def set_group_map(campaign, text: str, actor=None) -> dict:
    """Parse lines "信用代码或单位名称 = 集团名称" into the campaign's group map (audited); bad lines refused."""
    mapping, bad = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, group = line.replace("＝", "=").partition("=")
        if not sep or not key.strip() or not group.strip():
            bad.append(str(number))
            continue
        mapping[key.strip()] = group.strip()
    if bad:
        raise ReviewError(f"第 {'、'.join(bad)} 行格式不对，应为“信用代码或单位名称 = 集团名称”")
    settings = settings_of(campaign)
    settings.group_map = mapping
    settings.save(update_fields=["group_map"])
    record("review.group_map", campaign, campaign=campaign, actor=actor, after={"entries": len(mapping)})
    return mapping


def tag_choices(campaign) -> list[str]:
    """Expertise tags an expert may hold: the campaign's track names, domain and technology choices."""
    spec = campaign.spec
    labels = [t.name for t in spec.tracks]
    for field in spec.form.fields("application"):
        if field.type == "multi_choice" and ("领域" in field.label or "技术" in field.label):
            labels += [c if isinstance(c, str) else c.label for c in field.choices]
    return list(dict.fromkeys(labels))


# ------------------------------------------------------------------------------------------------ pool


def _next_pseudonym(campaign) -> str:
    return f"专家{PoolMember.objects.filter(campaign=campaign).count() + 1:03d}"


POOL_PROFILE = ("name", "title", "employer_name", "employer_code", "past", "tags", "bio", "load")


def _checked_profile(name: str, load: int) -> None:
    if not (name or "").strip():
        raise ReviewError("专家姓名：必填")
    if load < 1:
        raise ReviewError(f"专家“{name}”的评审数量上限须至少为 1")


def add_to_pool(campaign, *, email: str, name: str, title: str = "", employer_name: str = "",
                employer_code: str = "", past: list | None = None, tags: list | None = None, bio: str = "",
                load: int = 20, actor=None, base_url: str = "", send: bool = True):
    """The organiser adds an expert: an invitation to the address (jinxuan.accounts.invitations). The seat is
    granted only when the owner of the mailbox accepts it; an account that merely shares the address gains
    nothing. Returns the invitation."""
    _checked_profile(name, load)
    profile = {"name": name.strip(), "title": title.strip(), "employer_name": employer_name.strip(),
               "employer_code": employer_code.strip(), "past": past, "tags": tags, "bio": bio.strip(), "load": load}
    try:
        invitation, _ = invite(email, Role.EXPERT, campaign, name=name, profile=profile, actor=actor,
                               base_url=base_url, send=send)
    except InvitationError as exc:
        raise ReviewError(str(exc)) from exc
    return invitation


@transaction.atomic
def seat_expert(campaign, user, *, name: str = "", title: str = "", employer_name: str = "",
                employer_code: str = "", past: list | None = None, tags: list | None = None, bio: str = "",
                load: int = 20, actor=None) -> PoolMember:
    """Give `user` an expert seat in the campaign's pool (on an accepted invitation, or for a known account)."""
    name = name or user.display_name or user.username
    _checked_profile(name, load)
    expert, _ = Expert.objects.get_or_create(user=user, defaults={"name": name})
    expert.name = name or expert.name
    for attr, value in (("title", title), ("employer_name", employer_name), ("employer_code", employer_code),
                        ("bio", bio)):
        if value:
            setattr(expert, attr, value.strip())
    if past is not None:
        expert.past_employers = past
    if tags is not None:
        expert.tags = tags
    expert.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.EXPERT, campaign=campaign)
    member, new = PoolMember.objects.get_or_create(
        campaign=campaign, expert=expert, defaults={"load": load, "pseudonym": _next_pseudonym(campaign)})
    if not new and member.load != load:
        member.load = load
        member.save(update_fields=["load"])
    record("review.pool_add" if new else "review.pool_update", member, campaign=campaign, actor=actor,
           after={"expert": expert.pk, "user": user.username, "load": load})
    return member


# ------------------------------------------------------------------------------------------------ conflicts


def _parties(app: Application) -> X.AppParties:
    units = [(u.organisation.credit_code, u.organisation.name)
             for u in app.units.select_related("organisation").order_by("-is_lead", "pk")]
    users = set(Membership.objects.filter(organisation__application_units__application=app)
                .values_list("user_id", flat=True))
    if app.created_by_id:
        users.add(app.created_by_id)
    return X.AppParties(app.pk, units, users)


def _affiliations(expert: Expert) -> X.ExpertAffiliations:
    past = [(p.get("code") or None, p.get("name") or None) for p in expert.past_employers or []
            if isinstance(p, dict)]
    return X.ExpertAffiliations(expert.user_id, expert.employer_code or None, expert.employer_name or None, past)


@transaction.atomic
def refresh_automatic_conflicts(campaign, actor=None) -> int:
    """Recompute automatic conflicts for the pool against the entrants; drop assignments they hit."""
    experts = [m.expert for m in PoolMember.objects.filter(campaign=campaign).select_related("expert")]
    apps = list(entrants(campaign))
    matrix, reasons = X.conflict_matrix([_affiliations(e) for e in experts], [_parties(a) for a in apps],
                                        settings_of(campaign).group_map or {})
    found = {(experts[i].pk, apps[j].pk): "；".join(r) for (i, j), r in reasons.items()}
    stale = Conflict.objects.filter(campaign=campaign, source=ConflictSource.AUTOMATIC)
    stale.exclude(pk__in=[c.pk for c in stale if (c.expert_id, c.application_id) in found]).delete()
    have = set(stale.values_list("expert_id", "application_id"))
    for (expert_id, app_id), reason in found.items():
        if (expert_id, app_id) not in have:
            Conflict.objects.create(campaign=campaign, expert_id=expert_id, application_id=app_id,
                                    source=ConflictSource.AUTOMATIC, reason=reason)
    _drop_conflicted_assignments(campaign, actor)
    record("review.conflicts_refreshed", campaign, campaign=campaign, actor=actor, after={"count": len(found)})
    return len(found)


def _drop_conflicted_assignments(campaign, actor, reason="存在利益冲突") -> int:
    hit = Assignment.objects.filter(campaign=campaign).filter(
        application_id__in=Conflict.objects.filter(campaign=campaign).values("application_id"))
    dropped = 0
    for a in hit.select_related("expert"):
        if Conflict.objects.filter(expert=a.expert, application=a.application).exists():
            record("review.unassigned", a.application, campaign=campaign, actor=actor,
                   before={"expert": a.expert_id}, reason=reason)
            a.delete()
            dropped += 1
    return dropped


@transaction.atomic
def add_conflict(campaign, expert: Expert, application: Application, *, source: str, reason: str,
                 actor=None) -> Conflict:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请说明回避原因")
    if application.campaign_id != campaign.pk:
        raise ReviewError("该申报不属于本活动")
    conflict, _ = Conflict.objects.get_or_create(
        campaign=campaign, expert=expert, application=application, source=source,
        defaults={"reason": reason, "created_by": actor})
    record("review.conflict", application, campaign=campaign, actor=actor,
           after={"expert": expert.pk, "source": source}, reason=reason)
    _drop_conflicted_assignments(campaign, actor, reason=f"回避：{reason}")
    return conflict


# ------------------------------------------------------------------------------------------------ assignment


def _choice_labels(field, value):
    """Ticked labels of a choice answer ({"choices": [...]}, a list or one label)."""
    if isinstance(value, dict):
        keys = value.get("choices") or []
    elif isinstance(value, list):
        keys = value
    else:
        keys = [value] if value else []
    return [str(k) for k in keys if k]


def app_profile(app: Application) -> A.AppProfile:
    spec = app.campaign.spec
    domains, techs = [], []
    for field in spec.form.fields("application"):
        if field.type != "multi_choice":
            continue
        if "领域" in field.label:
            domains += _choice_labels(field, app.answers.get(field.key))
        elif "技术" in field.label:
            techs += _choice_labels(field, app.answers.get(field.key))
    text = "\n".join(t for _, t in texts_of(spec, app.answers))
    return A.AppProfile(app.pk, app.track.name, domains, techs, f"{app.title}\n{text}")


def expert_profile(expert: Expert) -> A.ExpertProfile:
    return A.ExpertProfile(expert.pk, list(expert.tags or []), f"{expert.title}\n{expert.bio}")


@transaction.atomic
def solve_assignment(campaign, actor=None, notify_experts: bool = True, base_url: str = "",
                     strict_balance: bool = False) -> dict:
    """Assign k experts to every entrant, maximising affinity with loads spread evenly; keeps assignments whose
    review was started, manual ones and pins; never pairs a conflict or a forbidden pair. The balance gives up
    at most 1 % of the unbalanced optimum's affinity, or whatever it takes with `strict_balance`.
    Returns a summary."""
    params = stage_params(campaign)
    k = params.experts_per_application
    members = list(PoolMember.objects.filter(campaign=campaign).select_related("expert").order_by("pk"))
    apps = list(entrants(campaign).order_by("pk"))
    if not apps:
        raise ReviewError("没有待评审的申报（形式审核通过的申报才进入专业评审）")
    if not members:
        raise ReviewError("专家库为空，请先添加专家")
    experts = [m.expert for m in members]
    e_index = {e.pk: i for i, e in enumerate(experts)}
    a_index = {a.pk: j for j, a in enumerate(apps)}
    app_profiles = [app_profile(a) for a in apps]
    ex_profiles = [expert_profile(e) for e in experts]
    affinity = A.affinity_matrix(app_profiles, ex_profiles)
    forbidden = np.zeros((len(apps), len(experts)), dtype=bool)
    for e_id, a_id in Conflict.objects.filter(campaign=campaign).values_list("expert_id", "application_id"):
        if e_id in e_index and a_id in a_index:
            forbidden[a_index[a_id], e_index[e_id]] = True
    pinned = set()
    for rule in PairRule.objects.filter(campaign=campaign):
        if rule.expert_id in e_index and rule.application_id in a_index:
            cell = (a_index[rule.application_id], e_index[rule.expert_id])
            if rule.kind == PairRule.FORBID:
                forbidden[cell] = True
            elif not forbidden[cell]:
                pinned.add(cell)
    kept = Assignment.objects.filter(campaign=campaign).filter(
        review__isnull=False) | Assignment.objects.filter(campaign=campaign).exclude(source=Assignment.SOLVER)
    for a in kept:
        if a.expert_id in e_index and a.application_id in a_index:
            cell = (a_index[a.application_id], e_index[a.expert_id])
            if not forbidden[cell]:
                pinned.add(cell)
    tracks = {t: i for i, t in enumerate(sorted({a.track_id for a in apps}))}
    problem = Problem(affinity=affinity, k=k, load=np.array([m.load for m in members]), forbidden=forbidden,
                      pinned=sorted(pinned), track=np.array([tracks[a.track_id] for a in apps]),
                      track_cap=params.track_cap, balance=True, max_loss=1.0 if strict_balance else BALANCE_MAX_LOSS)
    try:
        solution = solve(problem)
    except AssignmentError as exc:
        raise ReviewError(str(exc)) from exc
    before = set(Assignment.objects.filter(campaign=campaign).values_list("application_id", "expert_id"))
    chosen = {(apps[j].pk, experts[i].pk): (j, i) for j, i in solution.pairs}
    Assignment.objects.filter(campaign=campaign).exclude(
        pk__in=[a.pk for a in Assignment.objects.filter(campaign=campaign)
                if (a.application_id, a.expert_id) in chosen]).delete()
    created = 0
    for (app_id, expert_id), (j, i) in chosen.items():
        explanation = A.explain(app_profiles[j], ex_profiles[i])
        obj, new = Assignment.objects.update_or_create(
            campaign=campaign, application_id=app_id, expert_id=expert_id,
            defaults={"affinity": float(affinity[j, i]), "explanation": explanation})
        created += new
    after = set(chosen)
    record("review.assignment_solved", campaign, campaign=campaign, actor=actor,
           before={"pairs": len(before)},
           after={"pairs": len(after), "added": len(after - before), "removed": len(before - after),
                  "objective": round(float(solution.objective), 6), "k": k,
                  "affinity_loss": round(float(solution.affinity_loss or 0.0), 6), "strict_balance": strict_balance,
                  "loads": load_spread(solution.per_expert)})
    if notify_experts:
        notify_assignments(campaign, base_url=base_url)
    return {"pairs": len(after), "added": len(after - before), "removed": len(before - after),
            "objective": float(solution.objective), "applications": len(apps), "experts": len(experts),
            "affinity_loss": float(solution.affinity_loss or 0.0), "loads": load_spread(solution.per_expert)}


def load_summary(campaign) -> dict:
    """The experts' current loads (every assignment, whatever its source): load_spread plus each pool member's
    load and limit, most loaded first."""
    members = list(PoolMember.objects.filter(campaign=campaign).select_related("expert").order_by("pk"))
    counts = dict(Assignment.objects.filter(campaign=campaign).values_list("expert_id")
                  .annotate(n=models.Count("pk")).values_list("expert_id", "n"))
    loads = [counts.get(m.expert_id, 0) for m in members]
    rows = sorted(({"name": m.expert.name, "load": n, "limit": m.load} for m, n in zip(members, loads, strict=True)),
                  key=lambda r: (-r["load"], r["name"]))
    spread = load_spread(loads)
    top = max((c for _, c in spread["histogram"]), default=0)
    spread["bars"] = [{"load": v, "experts": c, "width": round(100 * c / top) if top else 0}
                      for v, c in spread["histogram"]]
    return {**spread, "difference": spread["max"] - spread["min"], "experts": rows,
            "equal_limits": len({m.load for m in members}) <= 1}


@transaction.atomic
def assign_manually(campaign, expert: Expert, application: Application, actor=None,
                    source: str = Assignment.MANUAL) -> Assignment:
    if application.campaign_id != campaign.pk:
        raise ReviewError("该申报不属于本活动")
    if not PoolMember.objects.filter(campaign=campaign, expert=expert).exists():
        raise ReviewError(f"{expert.name} 不在本活动专家库中")
    if application.district_recommended and runtime.skips_review_and_vote(campaign):
        raise ReviewError("区级政府推荐的案例按本活动规则免于专业评审，不能分配")
    if Conflict.objects.filter(expert=expert, application=application).exists():
        raise ReviewError(f"{expert.name} 与该申报存在利益冲突，不能分配")
    if PairRule.objects.filter(expert=expert, application=application, kind=PairRule.FORBID).exists():
        raise ReviewError(f"已设定 {expert.name} 不评审该申报")
    profile_a, profile_e = app_profile(application), expert_profile(expert)
    explanation = A.explain(profile_a, profile_e)
    obj, new = Assignment.objects.get_or_create(
        campaign=campaign, expert=expert, application=application,
        defaults={"source": source, "affinity": float(explanation.get("total", 0.0)), "explanation": explanation})
    if new:
        record("review.assigned", application, campaign=campaign, actor=actor,
               after={"expert": expert.pk, "source": source})
    return obj


@transaction.atomic
def unassign(assignment: Assignment, actor=None, reason: str = "") -> None:
    review = getattr(assignment, "review", None)
    if review is not None and review.state == Review.SUBMITTED:
        raise ReviewError("该专家已提交评分，需先退回评分才能撤销分配")
    record("review.unassigned", assignment.application, campaign=assignment.campaign, actor=actor,
           before={"expert": assignment.expert_id}, reason=reason or "主办方撤销分配")
    assignment.delete()


def import_assignments(campaign, parsed, actor=None) -> tuple[int, list[str]]:
    """Assign from parsed workbook rows ({number, email}); each refused row is reported, none is lost."""
    by_number = {a.number: a for a in entrants(campaign)}
    errors = list(parsed.errors)
    done = 0
    for row in parsed.rows:
        app = by_number.get(row["number"])
        expert = Expert.objects.filter(user__email__iexact=row["email"], pools__campaign=campaign).first()
        if app is None or expert is None:
            errors.append(f"第 {row['row']} 行：" + ("找不到该申报编号（或未进入专业评审）" if app is None
                                                   else "该邮箱不在本活动专家库中"))
            continue
        try:
            assign_manually(campaign, expert, app, actor=actor, source=Assignment.IMPORT)
            done += 1
        except ReviewError as exc:
            errors.append(f"第 {row['row']} 行：{exc}")
    return done, errors


def set_pair_rule(campaign, expert: Expert, application: Application, kind: str | None, actor=None) -> None:
    PairRule.objects.filter(expert=expert, application=application).delete()
    if kind:
        PairRule.objects.create(campaign=campaign, expert=expert, application=application, kind=kind)
    record("review.pair_rule", application, campaign=campaign, actor=actor,
           after={"expert": expert.pk, "kind": kind or "none"})


def notify_assignments(campaign, base_url: str = "", reminder: bool = False) -> int:
    """E-mail each expert their visible, unsubmitted assignments (titles only; conflicts never listed)."""
    return sum(notify_member(campaign, member, base_url=base_url, reminder=reminder)
               for member in PoolMember.objects.filter(campaign=campaign).select_related("expert__user"))


def notify_member(campaign, member: PoolMember, base_url: str = "", reminder: bool = False) -> bool:
    """E-mail one expert of the pool their visible (for a reminder: unsubmitted) assignments; False if none."""
    stage = campaign.stages.filter(kind="expert_review").first()
    deadline = stage.ends.isoformat() if stage and stage.ends else "评审截止日"
    link = base_url + reverse("review:workspace", kwargs={"slug": campaign.slug})
    mine = visible_assignments(member.expert.user, campaign).select_related("application")
    if reminder:
        mine = mine.exclude(review__state=Review.SUBMITTED)
    items = [f"{a.application.number} {a.application.title}" for a in mine]
    if not items:
        return False
    event = Event.EXPERT_REMINDER if reminder else Event.EXPERT_ASSIGNED
    notify(event, [member.expert.user.email], {"campaign": campaign.short_name, "name": member.expert.name,
                                              "count": len(items), "items": items, "deadline": deadline,
                                              "link": link}, campaign=campaign)
    return True


# ------------------------------------------------------------------------------------------------ scoring


def save_review(assignment: Assignment, data, *, submit: bool, actor=None) -> tuple[Review, dict]:
    """Store an expert's scores and comments (a draft keeps whatever was entered); submit locks the review."""
    runtime.require_open(assignment.campaign, "expert_review", ReviewError)
    rubric = assignment.campaign.spec.rubric
    if rubric is None:
        raise ReviewError("本活动未设置评审标准")
    review, _ = Review.objects.get_or_create(assignment=assignment)
    if review.state == Review.SUBMITTED:
        raise ReviewError("评分已提交，如需修改请联系主办方退回")
    sheet = read_sheet(rubric, data)
    review.scores, review.comments, review.total = sheet.scores, sheet.comments, sheet.total
    errors = dict(sheet.errors)
    if submit:
        lacking = missing(rubric, sheet.scores)
        if lacking:
            errors["__all__"] = "尚未评分：" + "、".join(lacking)
        if not errors:
            review.state = Review.SUBMITTED
            review.submitted_at = timezone.now()
    review.save()
    if review.state == Review.SUBMITTED:
        record("review.submitted", assignment.application, campaign=assignment.campaign, actor=actor,
               after={"expert": assignment.expert_id, "total": str(review.total), "scores": review.scores})
    return review, errors


@transaction.atomic
def reopen(review: Review, reason: str, actor=None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("退回评分须说明原因")
    runtime.require_open(review.assignment.campaign, "expert_review", ReviewError)
    if review.state != Review.SUBMITTED:
        raise ReviewError("该评分尚未提交")
    review.state, review.submitted_at = Review.DRAFT, None
    review.save(update_fields=["state", "submitted_at", "updated_at"])
    a = review.assignment
    record("review.reopened", a.application, campaign=a.campaign, actor=actor,
           before={"expert": a.expert_id, "total": str(review.total)}, reason=reason)


def peer_reviews(assignment: Assignment) -> list[tuple[Review, PoolMember]]:
    """Other experts' submitted reviews of the same application, with their pseudonyms."""
    members = {m.expert_id: m for m in PoolMember.objects.filter(campaign=assignment.campaign)}
    reviews = (Review.objects.filter(assignment__application=assignment.application, state=Review.SUBMITTED)
               .exclude(assignment=assignment).select_related("assignment"))
    return [(r, members[r.assignment.expert_id]) for r in reviews if r.assignment.expert_id in members]


# ------------------------------------------------------------------------------------------------ results


def submitted_reviews(campaign):
    return (Review.objects.filter(assignment__campaign=campaign, state=Review.SUBMITTED)
            .select_related("assignment"))


def aggregate(campaign) -> dict:
    """Per application: raw mean, trimmed mean, median, calibrated score, spread, disagreement flag."""
    reviews = [C.Review(app, expert, float(total)) for app, expert, total in submitted_reviews(campaign)
               .filter(total__isnull=False).values_list("assignment__application_id", "assignment__expert_id", "total")]
    return C.aggregate(reviews, max_score=100.0)


FIGURES_SECONDS = 24 * 3600  # the overview's figures are kept (keyed by the submitted sheets) at most this long


@dataclass(frozen=True)
class Figures:
    """What the review overview computes from every submitted sheet: the scores per application, each expert's
    totals (by expert id) and each criterion's scores rescaled to 0-100."""

    aggregates: dict
    per_expert: dict[int, list[float]]
    per_criterion: dict[str, list[float]]


def sheets_stamp(campaign) -> tuple:
    """Changes whenever a sheet is submitted, changed or reopened (reopening moves it out of the submitted set)."""
    s = Review.objects.filter(assignment__campaign=campaign, state=Review.SUBMITTED).aggregate(
        n=Count("pk"), ids=Sum("pk"), at=Max("updated_at"))
    return s["n"], s["ids"], s["at"]


def figures(campaign) -> Figures:
    """The overview's figures over 12,000 sheets take a second or more to compute: they are kept in the cache
    under the submitted sheets' stamp and the campaign's preset (its rubric), and computed again when either
    changes."""
    return kept(campaign, "review-figures", sheets_stamp(campaign), lambda: _figures(campaign), FIGURES_SECONDS)


def _figures(campaign) -> Figures:
    rows = list(submitted_reviews(campaign).filter(total__isnull=False).values_list(
        "assignment__application_id", "assignment__expert_id", "total", "scores"))
    aggregates = C.aggregate([C.Review(app, expert, float(total)) for app, expert, total, _ in rows], max_score=100.0)
    per_expert: dict[int, list[float]] = {}
    for _, expert, total, _ in rows:
        per_expert.setdefault(expert, []).append(float(total))
    per_criterion = criterion_values(campaign.spec.rubric, [scores or {} for *_, scores in rows])
    return Figures(aggregates, per_expert, per_criterion)


def ranking(campaign, by: str | None = None):
    """The ranking the next stage reads: (application id, value, position), best first."""
    by = by or stage_params(campaign).aggregate
    return C.rank(aggregate(campaign), by=by)


def progress(campaign) -> list[dict]:
    """Per pool member: assigned, submitted, drafts."""
    counts = {c["expert_id"]: c for c in Assignment.objects.filter(campaign=campaign).order_by().values("expert_id")
              .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(review__state=Review.SUBMITTED)),
                        draft=Count("pk", filter=Q(review__state=Review.DRAFT)))}
    rows = []
    for m in PoolMember.objects.filter(campaign=campaign).select_related("expert"):
        c = counts.get(m.expert_id, {})
        rows.append({"member": m, "expert": m.expert, "assigned": c.get("assigned", 0), "done": c.get("done", 0),
                     "draft": c.get("draft", 0), "load": m.load})
    return rows


def progress_groups(rows: list[dict]) -> dict[str, list[dict]]:
    """`progress` rows in three groups: still reviewing (least done first), finished, and without assignments."""
    waiting = sorted((r for r in rows if r["assigned"] and r["done"] < r["assigned"]),
                     key=lambda r: (r["done"] / r["assigned"], -r["assigned"]))
    return {"waiting": waiting, "finished": [r for r in rows if r["assigned"] and r["done"] >= r["assigned"]],
            "idle": [r for r in rows if not r["assigned"]]}


def applicant_unit_names(app: Application) -> list[str]:
    return list(ApplicationUnit.objects.filter(application=app).values_list("organisation__name", flat=True))


def stage_data(campaign) -> dict:
    """Scores in the shape the `expert_review` stage reads (see jinxuan.review.stage)."""
    return {app: {"n": s.n, "mean": s.mean, "trimmed_mean": s.trimmed_mean, "median": s.median,
                  "calibrated": s.calibrated_raw} for app, s in aggregate(campaign).items()}


def stage_run(campaign):
    """The stored final result of the expert_review stage, if it was closed."""
    return runtime.kind_run(campaign, "expert_review")


@transaction.atomic
def close_review(campaign, actor=None, notify: bool = True):
    """Rank the entrants by the preset's aggregate, apply the stage result (advanced → 评审中, others → 未晋级).
    Closed again after a reopen, the stage ranks the same entrants it read the first time."""
    stage = runtime.stage_of(campaign, "expert_review")
    if stage is None:
        raise ReviewError("本活动没有专业评审阶段")
    if stage_run(campaign) is not None:
        raise ReviewError("专业评审已结束，晋级名单已确定")
    runtime.settle_earlier(campaign, stage, actor=actor)  # formal review stores its result first
    again = runtime.entered_ids(runtime.superseded_run(campaign, stage))
    found = (Application.objects.filter(campaign=campaign, pk__in=again).exclude(state__in=[State.WITHDRAWN])
             if again else Application.objects.filter(campaign=campaign, state=State.ACCEPTED))
    apps = list(found.select_related("track"))
    if not apps:
        raise ReviewError("没有待评审的申报")
    pending = Assignment.objects.filter(campaign=campaign, application__in=apps).exclude(
        review__state=Review.SUBMITTED).count()
    if pending:
        raise ReviewError(f"尚有 {pending} 份评分未提交，请先提醒专家完成或撤销相应分配")
    result = implementation("expert_review")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, data={stage.key: stage_data(campaign)}))
    return apply_result(campaign, result, actor=actor, notify=notify)
