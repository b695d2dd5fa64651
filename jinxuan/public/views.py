"""Public pages: the calls anyone may read (public fields of the preset only)."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from jinxuan.accounts.access import public
from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.readiness import check, reports
from jinxuan.pipeline.links import public_links

from .status import public_text, status_of


@public
def home(request):
    campaigns = list(Campaign.objects.prefetch_related("tracks", "stages"))
    for c in campaigns:
        c.status = status_of(c)
    return render(request, "campaigns/home.html", {"campaigns": campaigns})


@public
def campaign(request, slug):
    campaign = get_object_or_404(Campaign.objects.prefetch_related("tracks", "stages"), slug=slug)
    spec = campaign.spec

    results = public_text(spec.schedule.results)
    return render(request, "campaigns/detail.html", {
        "campaign": campaign, "spec": spec, "links": public_links(campaign), "status": status_of(campaign),
        "results_when": results})


@public
def livez(request):
    """Liveness: the process answers (no database); `healthz` also checks the database."""
    return HttpResponse("ok", content_type="text/plain")


@public
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
def readyz(request):
    """Readiness: database reachable and migrated, cache (Redis when configured) answering; 503 otherwise.
    The body also tells how far this host's case-library search index is behind (`library_index`)."""
    problems = check()
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"status": "ok", **reports()})
