"""Expert-facing pages: my assignments, the scoring page (blind, rubric), declaring a conflict, my scores."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan.accounts.access import guard
from jinxuan.applicants.models import Application
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.campaigns.todo import deadline_words

from . import excel, services
from .models import ConflictSource, Review
from .presentation import expert_sections, masked_title
from .rubric import input_name
from .todo import expert_groups
from .visibility import expert_of, visible_assignments


def application_for_expert(request, slug, pk, **_):
    """The application named by the URL (404 when missing; the gate answers 404 too when it is not visible)."""
    return get_object_or_404(Application.objects.select_related("campaign", "track"), campaign__slug=slug, pk=pk)


@guard("accounts.workspace")
def home(request):
    """/review/: the expert's campaigns with their sheets to do; straight to the one campaign when there is one."""
    groups = expert_groups(request.user)
    if len(groups) == 1:
        return redirect("review:workspace", slug=groups[0].campaign.slug)
    return render(request, "review/home.html", {"groups": groups})


@guard("review.workspace", obj=campaign_from_url)
def workspace(request, slug):
    campaign = request.access_target
    rows = (visible_assignments(request.user, campaign)
            .select_related("application__campaign", "application__created_by", "review")
            .prefetch_related("application__units__organisation").order_by("application__pk"))
    done = sum(1 for a in rows if getattr(a, "review", None) and a.review.state == Review.SUBMITTED)
    stage = campaign.stages.filter(kind="expert_review").first()
    blind = services.stage_params(campaign).blind
    extra = services.settings_of(campaign).mask_terms
    for a in rows:
        a.shown_title = masked_title(a.application, extra) if blind else a.application.title

    deadline, overdue = deadline_words(stage.ends if stage else None)
    return render(request, "review/workspace.html", {
        "campaign": campaign, "rows": rows, "done": done, "stage": stage, "blind": blind,
        "todo": len(rows) - done, "deadline": deadline, "overdue": overdue})


def _rubric_rows(rubric, review):
    scores = review.scores if review else {}
    comments = review.comments if review else {}
    rows = []
    for c in rubric.criteria:
        subs = [{"name": s.name, "input": input_name(c.key, s.key),
                 "value": (scores.get(c.key) or {}).get(s.key, "") if isinstance(scores.get(c.key), dict) else ""}
                for s in c.sub_items]
        rows.append({"criterion": c, "input": input_name(c.key), "subs": subs,
                     "value": "" if c.sub_items else scores.get(c.key, ""),
                     "comment": comments.get(c.key, ""), "comment_input": f"comment__{c.key}"})
    return rows


def _with_posted(rows, data):
    for row in rows:
        row["value"] = data.get(row["input"], row["value"])
        row["comment"] = data.get(row["comment_input"], row["comment"])
        for sub in row["subs"]:
            sub["value"] = data.get(sub["input"], sub["value"])
    return rows


@guard("review.score", obj=application_for_expert)
def score(request, slug, pk):
    app = request.access_target
    campaign = app.campaign
    expert = expert_of(request.user)
    assignment = visible_assignments(request.user, campaign).get(application=app)
    rubric = campaign.spec.rubric
    review = Review.objects.filter(assignment=assignment).first()
    errors = {}
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            review, errors = services.save_review(assignment, request.POST, submit=submit, actor=request.user)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
            return redirect("review:score", slug=slug, pk=pk)
        if not errors:
            messages.success(request, "评分已提交，已锁定" if submit else "草稿已保存")
            return redirect("review:workspace" if submit else "review:score", **(
                {"slug": slug} if submit else {"slug": slug, "pk": pk}))
        messages.error(request, "请按提示修改后再提交；已填写的内容均已保存为草稿")
    rows = _rubric_rows(rubric, review) if rubric else []
    if errors:
        rows = _with_posted(rows, request.POST)
    settings = services.settings_of(campaign)
    params = services.stage_params(campaign)
    peers = []
    if settings.peer_scores_visible and review and review.state == Review.SUBMITTED:
        peers = [{"pseudonym": p.pseudonym, "total": r.total} for r, p in services.peer_reviews(assignment)]
    return render(request, "review/score.html", {
        "campaign": campaign, "app": app, "view": expert_sections(app, params.blind, settings.mask_terms),
        "rubric": rubric, "rows": rows, "review": review, "errors": errors, "expert": expert,
        "locked": bool(review and review.state == Review.SUBMITTED), "blind": params.blind, "peers": peers,
        "form_error": errors.get("__all__", ""),
    })


@guard("review.score", obj=application_for_expert)
def declare_conflict(request, slug, pk):
    app = request.access_target
    if request.method != "POST":
        return redirect("review:score", slug=slug, pk=pk)
    try:
        services.add_conflict(app.campaign, expert_of(request.user), app, source=ConflictSource.DECLARED,
                              reason=request.POST.get("reason", ""), actor=request.user)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("review:score", slug=slug, pk=pk)
    messages.success(request, "已申报回避，该申报已从您的评审任务中移除")
    return redirect("review:workspace", slug=slug)


@guard("review.workspace", obj=campaign_from_url)
def my_scores(request, slug):
    campaign = request.access_target
    # the titles as the expert's pages show them: masked in a blind review
    rows = excel.expert_rows(campaign, visible_assignments(request.user, campaign),
                             blind=services.stage_params(campaign).blind,
                             extra_terms=services.settings_of(campaign).mask_terms)
    data = excel.scores_workbook(campaign, rows, pseudonymise=False)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="my-scores-{campaign.slug}.xlsx"'
    return response
