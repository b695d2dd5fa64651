"""Organiser pages for expert review: overview and results, pool, conflicts, assignment, exports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan import lists
from jinxuan.accounts import invitations
from jinxuan.accounts.access import check, guard
from jinxuan.accounts.models import Role, SeatInvitation
from jinxuan.applicants.models import Application, application_number
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.exports import xlsx

from . import bulk, charts, excel, services
from . import lists as review_lists
from .models import Assignment, Conflict, ConflictSource, Expert, PairRule, PoolMember, Review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RANKING_PAGE = 100  # rows of the ranking on one page of the overview
EXPERTS_CHARTED = 30  # experts drawn in the score chart: those whose median is farthest from everyone's
DISAGREEMENTS_SHOWN = 50  # the applications experts disagree on most, listed on the overview (all in the export)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def _ranked(campaign, aggregates):
    by = services.stage_params(campaign).aggregate
    return (services.C.rank(aggregates, by=by) if aggregates else []), by


@guard("review.oversee", obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    organiser = check(request.user, "review.manage", campaign)
    figures = services.figures(campaign)
    aggregates = figures.aggregates
    ranked, by = _ranked(campaign, aggregates)
    page = Paginator(ranked, RANKING_PAGE).get_page(request.GET.get("page"))
    disagreeing = [r for r in ranked if aggregates[r[0]].disagreement]
    shown = {a for a, _, _ in page.object_list} | {a for a, _, _ in disagreeing[:DISAGREEMENTS_SHOWN]}
    apps = campaign.applications.defer("answers").in_bulk(shown)  # rows share the campaign

    def rows(ranked_part):
        return [{"app": apps[a], "value": v, "position": pos, "s": aggregates[a]} for a, v, pos in ranked_part
                if a in apps]

    if organiser:
        labels = dict(Expert.objects.filter(pk__in=figures.per_expert).values_list("pk", "name"))
    else:
        labels = dict(PoolMember.objects.filter(campaign=campaign).values_list("expert_id", "pseudonym"))
    per_expert = {}
    for expert, totals in figures.per_expert.items():
        per_expert.setdefault(labels.get(expert, "专家"), []).extend(totals)
    progress = services.progress(campaign)
    return render(request, "review/manage/overview.html", {
        "campaign": campaign, "organiser": organiser, "progress": services.progress_groups(progress), "experts": len(progress),
        "rows": rows(page.object_list), "page": page, "ranked": len(ranked), "by": by,
        "disagreements": rows(disagreeing[:DISAGREEMENTS_SHOWN]), "disagreeing": len(disagreeing),
        "expert_chart": charts.strip_plot(charts.most_apart(per_expert, EXPERTS_CHARTED), "各专家给分分布"),
        "experts_charted": EXPERTS_CHARTED if len(per_expert) > EXPERTS_CHARTED else 0,
        "criterion_chart": charts.strip_plot(figures.per_criterion, "各评审标准得分分布（折算百分制）"),
        "entrants": services.entrants(campaign).count(),
        "assigned": Assignment.objects.filter(campaign=campaign).count(),
        "settings": services.settings_of(campaign),
        "run": services.stage_run(campaign),
    })


@guard("review.manage", obj=campaign_from_url)
def close(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            run = services.close_review(campaign, actor=request.user)
            advanced = sum(1 for e in run.result["entries"] if e["advanced"])
            messages.success(request, f"专业评审已结束：{advanced} 份申报晋级，{len(run.result['entries']) - advanced} 份未晋级")
        except services.ReviewError as exc:
            messages.error(request, str(exc))
    return redirect("review_manage:overview", slug=slug)


@guard("review.manage", obj=campaign_from_url)
def remind(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        sent = services.notify_assignments(campaign, base_url=_base_url(request), reminder=True)
        messages.success(request, f"已向 {sent} 位尚有未提交评分的专家发送提醒")
    return redirect("review_manage:overview", slug=slug)


@guard("review.manage", obj=campaign_from_url)
def visibility_setting(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        visible = services.set_peer_visibility(campaign, request.POST.get("peer_scores_visible") == "1",
                                               actor=request.user)
        messages.success(request, "已允许专家查看他人评分" if visible else "专家不可查看他人评分")
    return redirect("review_manage:overview", slug=slug)


@guard("review.manage", obj=campaign_from_url)
def pool(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                services.add_to_pool(
                    campaign, email=request.POST.get("email", ""), name=request.POST.get("name", "").strip(),
                    title=request.POST.get("title", ""), employer_name=request.POST.get("employer_name", ""),
                    employer_code=request.POST.get("employer_code", ""),
                    tags=request.POST.getlist("tags"), bio=request.POST.get("bio", ""),
                    past=[{"name": n, "code": ""} for n in excel.split_list(request.POST.get("past", ""))],
                    load=int(request.POST.get("load") or 20), actor=request.user, base_url=_base_url(request))
                messages.success(request, "已发送专家邀请；专家通过邮件中的链接确认后加入专家库")
            elif action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise services.ReviewError("请选择要导入的 Excel 文件")
                parsed = excel.parse_pool(upload.read())
                for row in parsed.rows:
                    services.add_to_pool(campaign, actor=request.user, base_url=_base_url(request), **row)
                messages.success(request, f"已导入 {len(parsed.rows)} 位专家并发送邀请；专家确认后加入专家库")
                for error in parsed.errors:
                    messages.error(request, error)
            elif action in {"resend", "revoke"}:
                invitation = get_object_or_404(SeatInvitation, pk=request.POST.get("invitation"), campaign=campaign,
                                               role=Role.EXPERT, state=SeatInvitation.PENDING)
                if action == "revoke":
                    invitations.revoke(invitation, actor=request.user)
                    messages.success(request, f"已撤回对 {invitation.name} 的邀请")
                else:
                    services.add_to_pool(campaign, email=invitation.email, actor=request.user,
                                         base_url=_base_url(request), **{k: v for k, v in invitation.profile.items()})
                    messages.success(request, f"已重新向 {invitation.name} 发送邀请（原链接作废）")
            elif action == "conflicts":
                found = services.refresh_automatic_conflicts(campaign, actor=request.user)
                messages.success(request, f"已重新识别利益冲突：共 {found} 对")
            elif action == "remind":
                outcome = bulk.remind_experts(campaign, _pool_list(request, campaign, paged=False),
                                              request.POST.getlist("ids"), actor=request.user,
                                              base_url=_base_url(request))
                (messages.success if outcome.ok else messages.error)(request, outcome.message)
        except (services.ReviewError, excel.ExcelError, ValueError) as exc:
            messages.error(request, str(exc) if not isinstance(exc, ValueError) or str(exc) else "输入无效")
        return _back(request, "review_manage:pool", slug)
    tags = services.tag_choices(campaign)
    sent = list(SeatInvitation.objects.filter(campaign=campaign, role=Role.EXPERT).select_related("accepted_by"))
    for invitation in sent:
        invitation.label = invitations.state_label(invitation)
    return render(request, "review/manage/pool.html", {
        "campaign": campaign, "listing": _pool_list(request, campaign), "tags": tags,
        "headers": excel.POOL_HEADERS, "invitations": sent})


def _back(request, name: str, slug: str):
    """After a POST: the same list, with its filters, order and page."""
    from django.urls import reverse

    query = request.GET.urlencode()
    return redirect(reverse(name, args=[slug]) + (f"?{query}" if query else ""))


def _pool_list(request, campaign, paged: bool = True):
    spec = review_lists.pool_spec(campaign)
    state = lists.parse(spec, request.GET)
    base = review_lists.pool_base(campaign)
    return lists.apply(spec, state, base) if paged else lists.filtered(spec, state, base)


def _assignment_list(request, campaign, paged: bool = True):
    spec = review_lists.assignment_spec(campaign, services.stage_params(campaign).experts_per_application)
    state = lists.parse(spec, request.GET)
    base = review_lists.assignment_base(campaign)
    return lists.apply(spec, state, base) if paged else lists.filtered(spec, state, base)


@guard("review.manage", obj=campaign_from_url)
def assignment_export(request, slug):
    """The applications of the assignment page as filtered there, with their experts."""
    campaign = request.access_target
    listed = _assignment_list(request, campaign, paged=False)
    experts = {}
    for a in (Assignment.objects.filter(campaign=campaign).select_related("expert").order_by("expert__name")
              .only("application_id", "expert__name")):
        experts.setdefault(a.application_id, []).append(a.expert.name)
    columns = [*review_lists.ASSIGNMENT_COLUMNS, ("专家", lambda a: "、".join(experts.get(a.pk, [])))]
    data = xlsx.workbook("评审分配", [h for h, _ in columns], ([fn(a) for _, fn in columns] for a in listed),
                               widths=[16, 40, 20, 12, 40])
    return lists.xlsx_response(data, f"expert-assignment-{slug}.xlsx")


def _scores(request, campaign):
    organiser = check(request.user, "review.manage", campaign)
    spec = review_lists.scores_spec(campaign, organiser)
    return spec, lists.parse(spec, request.GET), review_lists.scores_base(campaign), organiser


@guard("review.oversee", obj=campaign_from_url)
def scores(request, slug):
    """Every assignment and its score: who has scored what; guidance units see pseudonyms only."""
    campaign = request.access_target
    spec, state, base, organiser = _scores(request, campaign)
    pseudonyms = dict(PoolMember.objects.filter(campaign=campaign).values_list("expert_id", "pseudonym"))
    listing = lists.apply(spec, state, base)
    rows = [(a, f"{a.expert.name}（{pseudonyms.get(a.expert_id, '')}）" if organiser
             else pseudonyms.get(a.expert_id, "专家"), getattr(a, "review", None)) for a in listing.rows]
    return render(request, "review/manage/scores.html", {
        "campaign": campaign, "organiser": organiser, "listing": listing, "rows": rows})


@guard("review.oversee", obj=campaign_from_url)
def scores_export(request, slug):
    campaign = request.access_target
    spec, state, base, organiser = _scores(request, campaign)
    pseudonyms = dict(PoolMember.objects.filter(campaign=campaign).values_list("expert_id", "pseudonym"))
    data = lists.export_xlsx(spec, state, base, review_lists.score_columns(pseudonyms, organiser), "评分明细",
                             widths=[16, 40, 20, 20, 10, 8, 18])
    return lists.xlsx_response(data, f"expert-score-list-{slug}.xlsx")


@guard("review.manage", obj=campaign_from_url)
def pool_export(request, slug):
    """The expert pool as filtered on the page."""
    campaign = request.access_target
    spec = review_lists.pool_spec(campaign)
    data = lists.export_xlsx(spec, lists.parse(spec, request.GET), review_lists.pool_base(campaign),
                             review_lists.POOL_COLUMNS, "专家库", widths=[10, 12, 28, 28, 30, 8, 8, 8])
    return lists.xlsx_response(data, f"expert-pool-{slug}.xlsx")


@guard("review.manage", obj=campaign_from_url)
def pool_template(request, slug):
    response = HttpResponse(excel.template_workbook(excel.POOL_HEADERS), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="expert-pool-template.xlsx"'
    return response


def _posted_application(request, campaign) -> Application:
    """The application a form names: by id (a row's own form) or by 申报编号 as typed (the manual forms, which
    would otherwise list every application of a national campaign in a drop-down)."""
    pk = request.POST.get("application")
    if pk:
        return get_object_or_404(Application, pk=pk, campaign=campaign)
    typed = " ".join(request.POST.get("application_number", "").split())
    app = Application.objects.filter(campaign=campaign, pk=lists.number_id(typed) or 0).first() if typed else None
    if app is None:
        raise services.ReviewError(f"未找到申报编号「{typed}」，请核对后重新输入" if typed else "请填写申报编号")
    return app


def _example_number(campaign) -> str:
    first = services.entrants(campaign).order_by("pk").values_list("pk", flat=True).first()
    return Application(pk=first or 1, campaign=campaign).number


@guard("review.manage", obj=campaign_from_url)
def conflicts(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        try:
            if request.POST.get("action") == "groups":
                mapping = services.set_group_map(campaign, request.POST.get("groups", ""), actor=request.user)
                found = services.refresh_automatic_conflicts(campaign, actor=request.user)
                messages.success(request, f"已保存 {len(mapping)} 条集团关系，重新识别利益冲突 {found} 对")
                return redirect("review_manage:conflicts", slug=slug)
            expert = get_object_or_404(Expert, pk=request.POST.get("expert"), pools__campaign=campaign)
            app = _posted_application(request, campaign)
            services.add_conflict(campaign, expert, app, source=ConflictSource.ORGANISER,
                                  reason=request.POST.get("reason", ""), actor=request.user)
            messages.success(request, f"已设定回避：{expert.name} — {app.number}")
        except services.ReviewError as exc:
            messages.error(request, str(exc))
        return redirect("review_manage:conflicts", slug=slug)
    return render(request, "review/manage/conflicts.html", {
        "campaign": campaign,
        "conflicts": Conflict.objects.filter(campaign=campaign).select_related("expert", "application__campaign")
        .defer("application__campaign__preset"),
        "members": PoolMember.objects.filter(campaign=campaign).select_related("expert"),
        "example": _example_number(campaign),
        "groups": "\n".join(f"{k} = {v}" for k, v in (services.settings_of(campaign).group_map or {}).items()),
    })


@guard("review.manage", obj=campaign_from_url)
def assignment(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "solve":
                summary = services.solve_assignment(campaign, actor=request.user, base_url=_base_url(request),
                                                    strict_balance=request.POST.get("balance") == "strict")
                loads = summary["loads"]
                messages.success(request, f"已完成分配：{summary['applications']} 份申报、{summary['experts']} 位专家，"
                                          f"共 {summary['pairs']} 对（新增 {summary['added']}，撤销 {summary['removed']}），"
                                          f"总匹配度 {summary['objective']:.2f}；专家负荷 {loads['min']}–{loads['max']} 份，"
                                          f"为均衡负荷让出的匹配度 {summary['affinity_loss'] * 100:.1f}%")
            elif action in {"pin", "forbid", "clear"}:
                expert = get_object_or_404(Expert, pk=request.POST.get("expert"), pools__campaign=campaign)
                app = _posted_application(request, campaign)
                services.set_pair_rule(campaign, expert, app, None if action == "clear" else action,
                                       actor=request.user)
                messages.success(request, "已记录，重新分配后生效")
            elif action == "assign":
                expert = get_object_or_404(Expert, pk=request.POST.get("expert"), pools__campaign=campaign)
                app = _posted_application(request, campaign)
                services.assign_manually(campaign, expert, app, actor=request.user)
                messages.success(request, f"已将 {app.number} 分配给 {expert.name}")
            elif action == "unassign":
                a = get_object_or_404(Assignment, pk=request.POST.get("assignment"), campaign=campaign)
                services.unassign(a, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "已撤销分配")
            elif action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise services.ReviewError("请选择要导入的 Excel 文件")
                done, errors = services.import_assignments(campaign, excel.parse_assignments(upload.read()),
                                                           actor=request.user)
                messages.success(request, f"已导入 {done} 条分配")
                for error in errors:
                    messages.error(request, error)
            elif action in {"bulk_assign", "bulk_unassign"}:
                expert = get_object_or_404(Expert, pk=request.POST.get("bulk_expert") or 0, pools__campaign=campaign)
                listed = _assignment_list(request, campaign, paged=False)
                ids = request.POST.getlist("ids")
                outcome = (bulk.assign(campaign, listed, ids, expert, actor=request.user) if action == "bulk_assign"
                           else bulk.unassign(campaign, listed, ids, expert, actor=request.user,
                                              reason=request.POST.get("reason", "").strip()))
                (messages.success if outcome.ok else messages.error)(request, outcome.message)
        except (services.ReviewError, excel.ExcelError) as exc:
            messages.error(request, str(exc))
        return _back(request, "review_manage:assignment", slug)
    k = services.stage_params(campaign).experts_per_application
    listing = _assignment_list(request, campaign)
    apps = list(listing.rows)
    by_app = {}
    for a in (Assignment.objects.filter(campaign=campaign, application__in=[a.pk for a in apps])
              .select_related("expert", "review")):
        by_app.setdefault(a.application_id, []).append(a)
    rules = {(r.application_id, r.expert_id): r.kind for r in PairRule.objects.filter(campaign=campaign)}
    rows = [{"app": app, "assignments": by_app.get(app.pk, []), "short": k - len(by_app.get(app.pk, []))}
            for app in apps]
    return render(request, "review/manage/assignment.html", {
        "campaign": campaign, "rows": rows, "k": k, "rules": rules, "listing": listing,
        "example": _example_number(campaign),
        "members": PoolMember.objects.filter(campaign=campaign).select_related("expert"),
        "pair_rules": PairRule.objects.filter(campaign=campaign).select_related("expert", "application__campaign")
        .defer("application__campaign__preset"),
        "loads": services.load_summary(campaign), "max_loss_percent": round(services.BALANCE_MAX_LOSS * 100),
    })


@guard("review.manage", obj=campaign_from_url)
def reopen(request, slug, pk):
    campaign = request.access_target
    review = get_object_or_404(Review, pk=pk, assignment__campaign=campaign)
    if request.method == "POST":
        try:
            services.reopen(review, request.POST.get("reason", ""), actor=request.user)
            messages.success(request, "已退回该评分，专家可修改后重新提交")
        except services.ReviewError as exc:
            messages.error(request, str(exc))
    return redirect("review_manage:assignment", slug=slug)


@guard("review.oversee", obj=campaign_from_url)
def export(request, slug):
    campaign = request.access_target
    organiser = check(request.user, "review.manage", campaign)
    rows = excel.expert_rows(campaign, Assignment.objects.filter(campaign=campaign))
    aggregates = services.figures(campaign).aggregates
    ranked, _ = _ranked(campaign, aggregates)
    apps = dict(campaign.applications.values_list("pk", "title"))
    summary = []
    for a, _, _ in ranked:
        s = aggregates[a]
        summary.append([application_number(campaign, a), apps.get(a, ""), s.n, round(s.mean, 2),
                        round(s.trimmed_mean, 2), round(s.median, 2), round(s.calibrated, 2), round(s.spread, 2),
                        "是" if s.disagreement else ""])
    data = excel.scores_workbook(campaign, rows, pseudonymise=not organiser, aggregates=summary)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="expert-scores-{campaign.slug}.xlsx"'
    return response
