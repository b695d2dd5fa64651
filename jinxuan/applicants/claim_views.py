"""Organiser pages: verify or reject organisation claims, with the 营业执照 beside the registered name and code."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render

from jinxuan.accounts.access import guard

from . import ownership
from .models import OrganisationClaim


def _claim(request, pk, **_):
    return get_object_or_404(OrganisationClaim.objects.select_related("organisation", "claimant"), pk=pk)


@guard("applicants.verify_organisation")
def claim_list(request):
    pending = OrganisationClaim.objects.filter(state=OrganisationClaim.PENDING).select_related("organisation",
                                                                                                "claimant")
    decided = (OrganisationClaim.objects.exclude(state=OrganisationClaim.PENDING)
               .select_related("organisation", "claimant", "decided_by")[:100])
    return render(request, "applicants/claims.html", {"pending": pending, "decided": decided})


@guard("applicants.verify_organisation", obj=_claim)
def claim_detail(request, pk):
    claim = request.access_target
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "verify":
                ownership.verify_claim(claim, request.user, reason=request.POST.get("reason", "").strip(),
                                       base_url=request.build_absolute_uri("/")[:-1])
                messages.success(request, f"已认证：{claim.claimed_name}")
            else:
                ownership.reject_claim(claim, request.user, request.POST.get("reason", ""))
                messages.success(request, f"已不予认证：{claim.claimed_name}")
            return redirect("claims:list")
        except ownership.OwnershipError as exc:
            messages.error(request, str(exc))
    org = claim.organisation
    competing = org.claims.exclude(pk=claim.pk).select_related("claimant")
    return render(request, "applicants/claim_detail.html", {
        "claim": claim, "org": org, "competing": competing,
        "members": org.memberships.select_related("user"),
        "details": claim.details or {}, "reason": request.POST.get("reason", ""),
    })


@guard("applicants.verify_organisation", obj=_claim)
def claim_licence(request, pk):
    claim = request.access_target
    if not claim.licence:
        from django.http import Http404

        raise Http404
    kind = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(claim.licence_type,
                                                                                  "application/octet-stream")
    response = FileResponse(claim.licence.open("rb"), content_type=kind,
                            as_attachment=request.GET.get("download") == "1", filename=claim.licence_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response

