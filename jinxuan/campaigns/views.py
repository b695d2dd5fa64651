"""Public pages: the calls anyone may read (public fields of the preset only)."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from jinxuan.accounts.access import public

from .models import Campaign


@public
def home(request):
    campaigns = Campaign.objects.prefetch_related("tracks")
    return render(request, "campaigns/home.html", {"campaigns": campaigns})


@public
def campaign(request, slug):
    campaign = get_object_or_404(Campaign.objects.prefetch_related("tracks", "stages"), slug=slug)
    spec = campaign.spec
    return render(request, "campaigns/detail.html", {"campaign": campaign, "spec": spec})


@public
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
