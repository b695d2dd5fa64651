"""The organiser's page of district recommendations: mark one (with the letter), correct, withdraw, import."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from jinxuan.accounts.access import guard
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.storage.files import download_response

from . import services
from .districts import DISTRICTS
from .models import DistrictRecommendation

SESSION_KEY = "district-import:{}"


def _context(campaign, values=None, **extra):
    return {"campaign": campaign, "districts": DISTRICTS, "rows": services.listing(campaign),
            "refusal": services.refusal(campaign), "skips": services.skips_text(campaign),
            "values": values or {}, **extra}


@guard("recommendations.manage", obj=campaign_from_url)
def page(request, slug):
    campaign = request.access_target
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            app = services.candidate(campaign, request.POST.get("number", ""))
            if action == "withdraw":
                services.withdraw(app, reason=request.POST.get("reason", ""), actor=request.user)
                messages.success(request, f"已撤销 {app.number}（{app.title}）的区级推荐")
            else:
                item = services.recommend(app, request.POST.get("district", ""),
                                          letter=request.FILES.get("letter"), note=request.POST.get("note", ""),
                                          actor=request.user)
                messages.success(request, f"已登记 {app.number}（{app.title}）为{item.district}推荐")
            return redirect("recommendations:page", slug=slug)
        except services.RecommendationError as exc:  # the form keeps what was typed
            messages.error(request, str(exc))
            return render(request, "recommendations/page.html", _context(campaign, request.POST), status=400)
    values = {"number": request.GET.get("number", "")}
    return render(request, "recommendations/page.html", _context(campaign, values))


@guard("recommendations.manage", obj=campaign_from_url)
def import_excel(request, slug):
    """Upload → preview (nothing written); confirm → every previewed row applied, or none."""
    campaign = request.access_target
    key = SESSION_KEY.format(campaign.pk)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        rows = request.session.pop(key, None)
        if not rows:
            messages.error(request, "没有待确认的导入，请重新上传表格")
            return redirect("recommendations:import", slug=slug)
        try:
            count = services.apply_import(campaign, rows, actor=request.user)
        except services.RecommendationError as exc:
            messages.error(request, f"导入未执行，没有任何更改：{exc}")
            return redirect("recommendations:import", slug=slug)
        messages.success(request, f"已导入 {count} 条区级推荐；请在列表中为每条推荐上传推荐函")
        return redirect("recommendations:page", slug=slug)
    preview = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            preview = services.Preview(errors=["请选择要导入的 Excel 表格"])
        else:
            preview = services.parse_import(campaign, upload.read())
        if preview.rows and not preview.errors:
            request.session[key] = preview.rows
        else:
            request.session.pop(key, None)
    return render(request, "recommendations/import.html", {"campaign": campaign, "preview": preview,
                                                           "refusal": services.refusal(campaign)})


@guard("recommendations.manage", obj=campaign_from_url)
def template(request, slug):
    response = HttpResponse(services.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, "区级推荐导入模板.xlsx")
    return response


@guard("recommendations.manage", obj=campaign_from_url)
def letter(request, slug, pk):
    item = DistrictRecommendation.objects.filter(application__campaign=request.access_target,
                                                 application_id=pk).first()
    if item is None or not item.letter:
        raise Http404
    return download_response(item.letter, item.letter_name or "推荐函")
