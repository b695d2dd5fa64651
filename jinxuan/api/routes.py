"""REST API (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs). Handlers are thin."""

from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jinxuan.accounts.access import PUBLIC, api_guard
from jinxuan.applicants.attachments import SERVICE_BUSY
from jinxuan.campaigns.loader import after_load
from jinxuan.campaigns.loader import load_preset as load
from jinxuan.campaigns.lookups import campaign_from_url
from jinxuan.campaigns.models import Campaign
from jinxuan.campaigns.preset_io import PresetError, parse_preset_text
from jinxuan.dashboard.queries import state_counts
from jinxuan.pipeline.runtime import StageClosed

from .applications import router as applications_router
from .auth import AUTH, OPTIONAL, PUBLIC_SECURITY
from .errors import invalid_request, unparsable_body
from .review import router as review_router
from .schemas import CampaignOut, LoadOut, PresetIn, StateCount, ValidationOut, errors

api = NinjaAPI(title="金选 API", version="1", urls_namespace="api", auth=AUTH)
api.add_router("", applications_router)
api.add_router("", review_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    # The same answer for a missing object and for one the caller may not see.
    return api.create_response(request, {"detail": "未找到"}, status=404)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    # The database cannot be reached: the caller may retry; nothing already stored is affected.
    return api.create_response(request, {"detail": SERVICE_BUSY}, status=503)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "需要登录或有效的 API 令牌"}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, invalid_request(exc.errors), status=422)


@api.exception_handler(StageClosed)
def stage_closed(request, exc):
    # Any work refused because its stage is closed: a conflict with the campaign's state, not a bad request.
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):  # ninja's own wording
        return api.create_response(request, unparsable_body(), status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _invalid(exc: PresetError) -> dict:
    return {"valid": False, "problems": [{"path": p.path, "message": p.message, "line": p.line} for p in exc.problems]}


def _campaign_out(c: Campaign) -> dict:
    return {
        "slug": c.slug, "name": c.name, "short_name": c.short_name, "year": c.year,
        "organiser": c.organiser_name, "submission_opens": c.submission_opens,
        "submission_closes": c.submission_closes,
        "tracks": list(c.tracks.values("key", "name", "kind", "winners")),
        "stages": list(c.stages.values("key", "kind", "name")),
    }


@api.get("/campaigns", response=list[CampaignOut], tags=["征集活动"], summary="征集活动列表（公开）", auth=OPTIONAL,
         openapi_extra=PUBLIC_SECURITY)
@api_guard(PUBLIC)
def list_campaigns(request):
    return [_campaign_out(c) for c in Campaign.objects.prefetch_related("tracks", "stages")]


@api.get("/campaigns/{slug}", response={200: CampaignOut, **errors(404)}, tags=["征集活动"],
         summary="征集活动详情（公开）", auth=OPTIONAL, openapi_extra=PUBLIC_SECURITY)
@api_guard(PUBLIC)
def get_campaign(request, slug: str):
    return _campaign_out(get_object_or_404(Campaign, slug=slug))


@api.get("/campaigns/{slug}/preset", response={200: dict, **errors(401, 404)}, tags=["征集活动"],
         summary="完整预设（主办方、指导单位）")
@api_guard("campaigns.view_preset", obj=campaign_from_url)
def get_preset(request, slug: str):
    return request.access_target.preset


@api.get("/campaigns/{slug}/counts", response={200: list[StateCount], **errors(401, 404)}, tags=["征集活动"],
         summary="各状态申报数量（主办方、指导单位）")
@api_guard("campaigns.view_dashboard", obj=campaign_from_url)
def get_counts(request, slug: str):
    return state_counts(request.access_target)


@api.post("/presets/validate", response={200: ValidationOut, **errors(401, 403, 422)}, tags=["预设"],
          summary="校验预设 YAML")
@api_guard("campaigns.create")
def validate_preset(request, body: PresetIn):
    try:
        preset = parse_preset_text(body.yaml, "请求体")
    except PresetError as exc:
        return _invalid(exc)
    return {"valid": True, "slug": preset.slug, "problems": []}


@api.post("/presets", response={201: LoadOut, 400: ValidationOut, **errors(401, 403, 422)}, tags=["预设"],
          summary="载入预设（创建或更新征集活动）")
@api_guard("campaigns.create")
def load_preset(request, body: PresetIn):
    try:
        preset = parse_preset_text(body.yaml, "请求体")
        existing = Campaign.objects.filter(slug=preset.slug).first()
        if existing and not request.user.has_perm("campaigns.change", existing):
            raise HttpError(403, "没有权限修改该征集活动")
        campaign, created = load(preset, "请求体")
        after_load(campaign, existing.preset_hash if existing else None, actor=request.user)
    except PresetError as exc:
        return Status(400, _invalid(exc))
    return Status(201, {"slug": campaign.slug, "created": created})
