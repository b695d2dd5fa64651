"""The formal-review workspace: the queue (search, filters, sort, paging, Excel, bulk actions), re-checks; each
application is read and decided in the application reader (jinxuan.reader)."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from jinxuan import lists
from jinxuan.accounts.access import guard
from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.exports.xlsx import CONTENT_TYPE

from . import bulk
from . import queue as q
from .insights import insights
from .models import RecheckBatch
from .recheck import start_recheck


def _queue_url(slug, query: str) -> str:
    return reverse("formalreview:queue", args=[slug]) + (f"?{query}" if query else "")


@guard("formalreview.decide", obj=campaign_from_url)
def queue(request, slug):
    return _queue_page(request, request.access_target, request.GET)


def _queue_page(request, campaign, params, result=None, status=200, typed=None):
    slug = campaign.slug
    query = q.Query.from_params(params)
    rows = q.rows(campaign, query)
    page = q.paginate(rows, query.page)
    list_query = query.urlencode(page=query.page)
    for row in page.rows:
        row.url = lists.reader_url(campaign, row.app.pk, "formal", list_query)
    batch = RecheckBatch.objects.filter(campaign=campaign).order_by("-created_at").first()
    return render(request, "formalreview/queue.html", {
        "campaign": campaign, "page": page, "query": query, "list_query": list_query,
        "rules": q.rules_in(campaign), "severities": q.SEVERITIES.items(),
        "states": [(s, State(s).label) for s in q.STATES], "tracks": campaign.tracks.order_by("position"),
        "sorts": [(k, label) for k, (label, _) in q.SORTS.items()], "batch": batch,
        "previous_url": _queue_url(slug, query.urlencode(page=page.number - 1)) if page.has_previous else "",
        "next_url": _queue_url(slug, query.urlencode(page=page.number + 1)) if page.has_next else "",
        "bulk_result": result, "typed": typed or {},
    }, status=status)


@guard("formalreview.decide", obj=campaign_from_url)
def export(request, slug):
    """Excel of exactly the filtered list (every page)."""
    campaign = request.access_target
    data = q.workbook(campaign, q.rows(campaign, q.Query.from_params(request.GET)))
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{slug}-formal-review.xlsx")
    return response


@guard("formalreview.decide", obj=campaign_from_url)
@require_POST
def bulk_action(request, slug):
    """通过所选 / 要求补正所选: one reason (and deadline) for every selected application, each audited."""
    campaign = request.access_target
    action = request.POST.get("action", "")
    ids = request.POST.getlist("selected")
    typed = {"reason": request.POST.get("reason", ""), "due": request.POST.get("due", ""), "selected": ids}
    try:
        if action == "pass":
            result = bulk.bulk_pass(campaign, ids, typed["reason"], actor=request.user)
        elif action == "correction":
            result = bulk.bulk_correction(campaign, ids, typed["reason"], bulk.parse_due(typed["due"]),
                                          actor=request.user)
        else:
            raise bulk.BulkError("请选择操作")
    except bulk.BulkError as exc:
        messages.error(request, str(exc))
        return _queue_page(request, campaign, _list_params(request), status=exc.status, typed=typed)
    verb = "通过" if action == "pass" else "要求补正"
    messages.success(request, f"已{verb} {len(result.done)} 份申报" + (f"，跳过 {len(result.skipped)} 份" if result.skipped else ""))
    if result.skipped:
        return _queue_page(request, campaign, _list_params(request), result=result)
    return redirect(_queue_url(slug, request.POST.get("list_query", "")))


def _list_params(request):
    return QueryDict(request.POST.get("list_query", ""))


@guard("formalreview.decide", obj=campaign_from_url)
def detail(request, slug, pk):
    """The former case page: the application reader now (the list's filters kept); a decision posted here is
    taken by the reader."""
    app = get_object_or_404(Application, campaign=request.access_target, pk=pk)
    url = lists.reader_url(app.campaign, app.pk, "formal", request.GET.urlencode())
    if request.method == "POST":  # 307: the browser posts the same decision to the reader
        response = HttpResponseRedirect(url)
        response.status_code = 307
        return response
    return redirect(url)


@guard("formalreview.decide", obj=campaign_from_url)
def recheck(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        batch = start_recheck(campaign, actor=request.user)
        messages.success(request, f"已开始重新检查 {batch.total} 份申报")
        return redirect("formalreview:queue", slug=slug)
    batch = RecheckBatch.objects.filter(campaign=campaign).order_by("-created_at").first()
    return render(request, "formalreview/_batch.html", {"batch": batch, "campaign": campaign})


@guard("formalreview.decide", obj=campaign_from_url)
def insights_fragment(request, slug, pk):
    """htmx fragment: figures, tags vs ticks, duplicates and policy clauses for one application."""
    app = get_object_or_404(Application, campaign=request.access_target, pk=pk)
    return render(request, "formalreview/_insights.html", {"campaign": request.access_target, "app": app, **insights(app)})
