"""Public case library pages: search with facets, case page, featured list, JSON feed, Excel export."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from jinxuan.accounts.access import check, guard, public

from . import excel, grams, search, services
from .models import Case

EXPORT_LIMIT = 5000
FEED_PER_PAGE = 50


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _params(query: str, filters: dict, **extra) -> str:
    data = {"q": query, **filters, **extra}
    return urlencode({k: v for k, v in data.items() if v not in (None, "")})


@public
def index(request):
    query = request.GET.get("q", "").strip()[:100]
    result = search.search(query, request.GET, page=_page(request))
    rows = [{"case": c, "snippet": mark_safe(grams.snippet(c.paragraphs, result.terms)),
             "title": mark_safe(grams.highlight(c.title, result.terms))} for c in result.cases]
    facets = []
    for kind, label in search.FACET_KINDS:
        items = []
        for value, n in result.facets.get(kind, [])[:12]:
            on = result.filters.get(kind) == value
            f = {k: v for k, v in result.filters.items() if k != kind}
            if not on:
                f[kind] = value
            items.append({"value": value, "count": n, "on": on, "url": "?" + _params(query, f)})
        if items:
            facets.append({"kind": kind, "label": label, "items": items})
    base = _params(query, result.filters)
    return render(request, "library/index.html", {
        "query": query, "result": result, "rows": rows, "facets": facets, "base": base,
        "prev_url": "?" + _params(query, result.filters, page=result.page - 1) if result.page > 1 else "",
        "next_url": "?" + _params(query, result.filters, page=result.page + 1) if result.page < result.pages else "",
        "active": [(search.FACET_LABELS[k], v) for k, v in result.filters.items()],
        "featured": services.featured_cases()[:6] if not query and not result.filters else [],
    })


def _curator(request, case) -> bool:
    return request.user.is_authenticated and check(request.user, "library.curate", case)


@public
def case(request, pk):
    case = get_object_or_404(Case.objects.select_related("campaign"), pk=pk)
    terms = grams.parse_query(request.GET.get("q", "")[:100]).terms
    return render(request, "library/case.html", {
        "case": case,
        "title": mark_safe(grams.highlight(case.title, terms)),
        "paragraphs": [mark_safe(grams.highlight(p, terms)) for p in case.paragraphs],
        "similar": search.similar(case),
        "curator": _curator(request, case),
    })


@public
def featured(request):
    return render(request, "library/featured.html", {"cases": services.featured_cases()})


@public
def feed(request):
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request)
    result = search.search(query, request.GET, page=page, per_page=FEED_PER_PAGE)
    items = []
    for c in result.cases:
        item = services.public_dict(c)
        item["url"] = request.build_absolute_uri(f"/library/{c.pk}/")
        item["snippet"] = grams.snippet(c.paragraphs, result.terms)
        items.append(item)
    return JsonResponse({
        "query": query, "filters": result.filters, "total": result.total, "page": result.page,
        "pages": result.pages, "facets": {k: [{"value": v, "count": n} for v, n in items_]
                                          for k, items_ in result.facets.items()},
        "results": items,
    }, json_dumps_params={"ensure_ascii": False})


@public
def export(request):
    query = request.GET.get("q", "").strip()[:100]
    result = search.search(query, request.GET, facets=False, limit=EXPORT_LIMIT)
    data = excel.export(result.cases, query, result.filters)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''library.xlsx"
    return response


def _case_obj(request, pk):
    case = Case.objects.select_related("campaign").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@guard("library.curate", obj=_case_obj)
@require_POST
def feature(request, pk):
    case = request.access_target
    on = request.POST.get("featured") == "1"
    services.set_featured(case, on, actor=request.user)
    messages.success(request, "已加入精选案例" if on else "已移出精选案例")
    return redirect("library:case", pk=case.pk)
