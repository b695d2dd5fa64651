"""The public publicity page and objection filing. GET never changes anything; an objection is a POST."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan.accounts.access import public
from jinxuan.applicants.attachments import requirement_text
from jinxuan.applicants.personal_data import public_fields
from jinxuan.campaigns.models import Campaign
from jinxuan.voting.presentation import public_summary

from . import services
from .models import Publicity


def _opened(slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    pub = Publicity.objects.filter(campaign=campaign, starts_on__isnull=False).first()
    if pub is None:
        raise Http404
    return campaign, pub


def _page(request, campaign, pub, form=None, problems=None, status=200):
    apps = services.listed_applications(campaign)
    rows = [{"app": a, "lead": a.lead, "summary": public_fields(a, public_summary(a, full=True))} for a in apps]
    p = services.params(campaign)
    return render(request, "publicity/index.html", {
        "campaign": campaign, "pub": pub, "rows": rows, "stage": services.stage(campaign), "params": p,
        "convention": services.convention_text(pub.start_counts), "open": services.in_period(pub),
        "accepting": p.objections and services.in_period(pub), "form": form or {}, "problems": problems or [],
        "requirement": requirement_text(services.EVIDENCE_RULE),
    }, status=status)


@public
def index(request, slug):
    campaign, pub = _opened(slug)
    return _page(request, campaign, pub)


@public
def objection(request, slug):
    campaign, pub = _opened(slug)
    if request.method != "POST":
        return redirect("publicity:index", slug=slug)
    try:
        filed = services.file_objection(
            campaign, application_id=request.POST.get("application"), name=request.POST.get("name", ""),
            contact=request.POST.get("contact", ""), text=request.POST.get("text", ""),
            upload=request.FILES.get("evidence"), ip=request.META.get("REMOTE_ADDR"))
    except services.ObjectionRefused as exc:
        return _page(request, campaign, pub, form=request.POST, problems=exc.problems, status=400)
    messages.success(request, f"异议已受理，回执编号 {filed.receipt}。请妥善保存，评审工作组核实后将与您联系。")
    return redirect("publicity:index", slug=slug)
