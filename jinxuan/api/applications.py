"""Application endpoints for institutions that integrate: drafts, uploads, submission, status."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from jinxuan.accounts.access import api_guard
from jinxuan.accounts.personal_data import mask_export
from jinxuan.applicants.answer_keys import refusal
from jinxuan.applicants.attachments import UploadRefused, store_upload
from jinxuan.applicants.export import export_application
from jinxuan.applicants.models import Application, ApplicationUnit, ApplicationVersion, Organisation
from jinxuan.applicants.ownership import visible_applications
from jinxuan.applicants.personal_data import sees_unmasked
from jinxuan.applicants.submission import (
    SubmissionClosed,
    SubmissionError,
    closed_reason,
    edit_refusal,
    problems_of,
    save_draft,
    submit,
    window_open,
)
from jinxuan.audit.log import record
from jinxuan.campaigns.models import Campaign

from .schemas import BodyIn, errors

router = Router(tags=["申报"])


class ProblemOut(Schema):
    path: str
    label: str
    message: str


class ApplicationOut(Schema):
    id: int
    number: str
    campaign: str
    track: str
    title: str
    state: str
    state_label: str
    submitted_at: datetime | None
    versions: int
    problems: list[ProblemOut]


class DraftIn(BodyIn):
    campaign: str
    track: str
    credit_code: str


class AnswersIn(BodyIn):
    answers: dict = {}
    # keys are unit positions (0 = the lead unit); JSON object keys are strings, so say they are digits
    units: dict[int, dict] = Field({}, json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}})


class SubmitIn(BodyIn):
    idempotency_key: str = ""


class VersionOut(Schema):
    number: int
    content_hash: str
    submitted_at: datetime


class AttachmentOut(Schema):
    id: int
    key: str
    name: str
    size: int
    sha256: str


def _application(request, id, **_):
    return get_object_or_404(Application.objects.select_related("campaign", "track"), pk=id)


def _out(app: Application) -> dict:
    return {"id": app.pk, "number": app.number, "campaign": app.campaign.slug, "track": app.track.key, "title": app.title,
            "state": app.state, "state_label": app.get_state_display(), "submitted_at": app.submitted_at,
            "versions": app.version_count if hasattr(app, "version_count") else app.versions.count(),
            "problems": [{"path": p.path, "label": p.label, "message": p.message} for p in problems_of(app)]}


@router.get("/applications", response={200: list[ApplicationOut], **errors(401, 403)}, summary="本人所属单位的申报")
@api_guard("applicants.start_application")
def list_applications(request):
    versions = ApplicationVersion.objects.filter(application=OuterRef("pk")).order_by().values("application")
    apps = (visible_applications(request.user)
            .select_related("campaign", "track").prefetch_related("units__organisation", "attachments")
            .annotate(version_count=Coalesce(Subquery(versions.annotate(n=Count("pk")).values("n")), 0)))
    return [_out(a) for a in apps]


@router.post("/applications", response={201: ApplicationOut, **errors(400, 401, 403, 404, 409, 422)}, summary="创建申报草稿")
@api_guard("applicants.start_application")
def create_application(request, body: DraftIn):
    campaign = get_object_or_404(Campaign, slug=body.campaign)
    org = Organisation.objects.filter(credit_code=body.credit_code.strip().upper(), memberships__user=request.user).first()
    if org is None:
        raise HttpError(404, "未找到您所属的该统一社会信用代码对应单位")
    track = campaign.tracks.filter(key=body.track).first()
    if track is None:
        raise HttpError(400, f"申报方向 {body.track!r} 不存在")

    closed = closed_reason(campaign)
    if closed:
        raise HttpError(409, closed)
    if not window_open(campaign):
        raise HttpError(400, "该征集活动当前不在申报时间内")
    with transaction.atomic():
        app = Application.objects.create(campaign=campaign, track=track, title="（未命名案例）", created_by=request.user)
        ApplicationUnit.objects.create(application=app, organisation=org, is_lead=True, position=0)
        record("application.created", app, after={"lead": org.credit_code, "via": "api"})
    return Status(201, _out(app))


@router.get("/applications/{id}", response={200: ApplicationOut, **errors(401, 404, 422)}, summary="申报状态与待完善项")
@api_guard("applicants.view_application", obj=_application)
def get_application(request, id: int):
    return _out(request.access_target)


@router.patch("/applications/{id}", response={200: ApplicationOut, **errors(401, 403, 404, 409, 422)},
               summary="保存草稿内容")
@api_guard("applicants.edit_application", obj=_application)
def update_application(request, id: int, body: AnswersIn):
    refused = refusal(request.access_target.campaign.spec, body.answers, body.units)
    if refused:  # the shape of every 422 (InvalidRequest): the message and the problem at the body's answers
        return Status(422, {"detail": refused, "errors": [{"loc": ["body", "answers"], "message": refused}]})
    try:
        app = save_draft(request.access_target, body.answers, body.units, actor=request.user, via="API")
    except SubmissionError as exc:
        raise HttpError(409, exc.message) from exc
    return _out(app)


@router.post("/applications/{id}/attachments", response={201: AttachmentOut, **errors(400, 401, 403, 404, 409, 422, 503, 507)},
             summary="上传附件（按内容校验类型、大小与尺寸）")
@api_guard("applicants.edit_application", obj=_application)
def upload_attachment(request, id: int, key: Form[str], file: File[UploadedFile]):
    refused = edit_refusal(request.access_target)  # not `refusal`: the module imports a function of that name
    if refused:
        raise HttpError(409, refused)
    try:
        item = store_upload(request.access_target, key, file, request.user)
    except UploadRefused as exc:  # 409 locked or over quota; 507 full disk and 503 store down: retry later
        raise HttpError(exc.status, "；".join(exc.problems)) from exc
    return Status(201, {"id": item.pk, "key": item.key, "name": item.name, "size": item.size, "sha256": item.sha256})


@router.post("/applications/{id}/submit", response={200: VersionOut, 400: dict, **errors(401, 403, 404, 409, 422)},
              summary="提交（幂等）")
@api_guard("applicants.edit_application", obj=_application)
def submit_application(request, id: int, body: SubmitIn):
    try:
        version = submit(request.access_target, actor=request.user, idempotency_key=body.idempotency_key[:64],
                         base_url=request.build_absolute_uri("/")[:-1])
    except SubmissionClosed as exc:
        raise HttpError(409, exc.message) from exc
    except SubmissionError as exc:
        return Status(400, {"detail": exc.message,
                            "problems": [{"path": p.path, "label": p.label, "message": p.message} for p in exc.problems]})
    return version


@router.get("/applications/{id}/versions", response={200: list[VersionOut], **errors(401, 404, 422)},
            summary="已提交的版本")
@api_guard("applicants.view_application", obj=_application)
def list_versions(request, id: int):
    return list(request.access_target.versions.order_by("number"))


@router.get("/applications/{id}/export", response={200: dict, **errors(401, 404, 422)},
            summary="导出申报（jinxuan.application/1 格式，可供 jinxuan formalreview 使用）")
@api_guard("applicants.view_application", obj=_application)
def export_application_json(request, id: int):
    app = request.access_target
    data = export_application(app)
    return data if sees_unmasked(request.user, app) else mask_export(app.campaign.spec, data)
