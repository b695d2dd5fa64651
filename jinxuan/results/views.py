"""The public results page: only after publication; before it answers 404 like a missing page."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from jinxuan.accounts.access import public
from jinxuan.applicants.personal_data import public_contacts
from jinxuan.campaigns.models import Campaign

from . import services


@public
def index(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    made = services.decision(campaign)
    if made is None or made.published_at is None:
        raise Http404
    groups = services.grouped(campaign)
    for a in (a for g in groups for t in g["tiers"] for a in t["awards"]):
        lead = a.application.lead
        a.lead_name = lead.name if lead else "—"
        a.contacts = public_contacts(a.application)  # only with the applicant's consent
    specials = [a for g in groups for t in g["tiers"] for a in t["awards"] if a.special_key]
    return render(request, "results/index.html", {
        "campaign": campaign, "decision": made, "groups": groups, "specials": specials,
        "stage": services.publish_stage(campaign)})
