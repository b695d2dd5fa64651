"""Stage results for organisers and the guidance unit: overview, one stage's table, the printable report, Excel."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import guard
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.pipeline import runtime

from . import charts, excel, services
from . import tables as T

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERM = "campaigns.view_dashboard"
STAGE_PAGE = 100  # rows of a stage's table on one page


@guard(PERM, obj=campaign_from_url)
def overview(request, slug):
    campaign = request.access_target
    tables = services.stage_tables(campaign, rows=False)
    steps = T.funnel(tables)
    cards = [{"table": t, "step": s, "summary": T.summary(t.scores)} for t, s in zip(tables, steps, strict=True)]
    return render(request, "reports/overview.html", {
        "campaign": campaign, "cards": cards, "funnel": charts.funnel_chart(steps),
        "can_manage": request.user.has_perm(runtime.MANAGE_PERMISSION, campaign)})


ACTIONS = {"open": "开启", "close": "结束", "reopen": "重开"}


@guard(runtime.MANAGE_PERMISSION, obj=campaign_from_url)
@require_POST
def lifecycle(request, slug, stage_key):
    """The organiser opens, closes or reopens (with a reason) one stage; the page says what happened."""
    campaign = request.access_target
    stage = runtime.stage_by_key(campaign, stage_key)
    action = request.POST.get("action", "")
    if stage is None or action not in ACTIONS:
        raise Http404
    try:
        if action == "open":
            runtime.open_stage(campaign, stage, actor=request.user)
            messages.success(request, f"已开启「{stage.name}」")
        elif action == "close":
            runtime.close_stage(campaign, stage, actor=request.user)
            messages.success(request, f"已结束「{stage.name}」，本阶段不再接受任何提交与决定")
        else:
            stale = runtime.reopen_stage(campaign, stage, request.POST.get("reason", ""), actor=request.user)
            names = dict(campaign.stages.values_list("key", "name"))
            text = f"已重开「{stage.name}」"
            if stale:
                text += "；以下阶段的结果需要重新计算：" + "、".join(names[k] for k in stale)
            messages.success(request, text)
    except ValueError as exc:  # LifecycleError, or the stage's own refusal (e.g. work still pending)
        messages.error(request, f"未能{ACTIONS[action]}「{stage.name}」：{exc}")
    return redirect(f"{reverse('reports:overview', args=[slug])}#stage-{stage.key}")


def _headers(table: T.StageTable, sort: str, desc: bool, advanced: str) -> list[dict]:
    fields = list(T.SORT_FIELDS.items()) + [(c.key, c.label) for c in table.columns]
    out = []
    for key, label in fields:
        # the active column toggles; a new one starts high-to-low for scores and detail numbers, else A-Z / 1-9
        descending = not desc if key == sort else (key == "score" or key not in T.SORT_FIELDS)
        query = {"sort": key, "dir": "desc" if descending else "asc"} | ({"advanced": advanced} if advanced else {})
        out.append({"key": key, "label": label, "url": "?" + urlencode(query),
                    "arrow": ("▼" if desc else "▲") if key == sort else ""})
    return out


@guard(PERM, obj=campaign_from_url)
def stage(request, slug, stage_key):
    campaign = request.access_target
    table = next(iter(services.stage_tables(campaign, only=stage_key)), None)
    if table is None:
        raise Http404
    sort = request.GET.get("sort", "rank")
    if sort not in T.SORT_FIELDS and sort not in {c.key for c in table.columns}:
        sort = "rank"
    desc = request.GET.get("dir") == "desc"
    advanced = request.GET.get("advanced", "")
    wanted = {"1": True, "0": False}.get(advanced)
    rows = T.sort_rows(T.filter_rows(table.rows, wanted), sort, desc)
    page = Paginator(rows, STAGE_PAGE).get_page(request.GET.get("page"))
    keep = urlencode({"sort": sort, "dir": "desc" if desc else "asc"} | ({"advanced": advanced} if advanced else {}))
    return render(request, "reports/stage.html", {
        "campaign": campaign, "table": table, "rows": T.formatted_rows(page.object_list, table.columns),
        "page": page, "shown": len(rows), "keep": keep,
        "headers": _headers(table, sort, desc, advanced), "advanced": advanced, "sort": sort,
        "dir": "desc" if desc else "asc", "summary": T.summary(table.scores),
        "chart": charts.histogram_chart(T.stage_histogram(table), table.distribution_title, width=520),
    })


@guard(PERM, obj=campaign_from_url)
def report(request, slug):
    return render(request, "reports/report.html", services.report(request.access_target))


@guard(PERM, obj=campaign_from_url)
def export(request, slug):
    campaign = request.access_target
    data = excel.stages_workbook(campaign.name, services.stage_tables(campaign))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-stages.xlsx"'
    return response
