"""Expert-review endpoints: an expert's own assignments (conflicted applications never appear)."""

from decimal import Decimal

from ninja import Router, Schema

from jinxuan.accounts.access import api_guard
from jinxuan.applicants.prefetch import share_campaign
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.review.presentation import masked_title
from jinxuan.review.services import stage_params
from jinxuan.review.visibility import visible_assignments

from .schemas import errors

router = Router(tags=["专业评审"])


class AssignmentOut(Schema):
    application: int
    number: str
    title: str
    track: str
    state: str
    total: Decimal | None


@router.get("/review/{slug}/assignments", response={200: list[AssignmentOut], **errors(401, 404)},
            summary="我的评审任务（评审专家）")
@api_guard("review.workspace", obj=campaign_from_url)
def my_assignments(request, slug: str):
    campaign = request.access_target
    blind = stage_params(campaign).blind
    out = []
    rows = visible_assignments(request.user, campaign).select_related("application__track", "review").order_by(
        "application_id")
    if blind:  # what the masking reads, for every row at once
        rows = rows.select_related("application__created_by").prefetch_related("application__units__organisation")
    rows = list(rows)
    share_campaign((a.application for a in rows), campaign)  # `number` without a query per row
    for a in rows:
        review = getattr(a, "review", None)
        out.append({"application": a.application_id, "number": a.application.number,
                    "title": masked_title(a.application) if blind else a.application.title,
                    "track": a.application.track.name, "state": review.state if review else "not_started",
                    "total": review.total if review else None})
    return out
