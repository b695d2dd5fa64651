"""Resumable chunked uploads for large attachments (the browser sends 4 MB pieces; a lost connection resumes).

    POST   /apply/<pk>/uploads/                 key, filename, size[, sha256] → {"upload_id", "offset", "chunk_size"}
    GET    /apply/<pk>/uploads/<id>/            → {"offset"}
    PUT    /apply/<pk>/uploads/<id>/?offset=N   body: the bytes → {"offset"}; 409 with the server's offset when out of step
    DELETE /apply/<pk>/uploads/<id>/            cancel: the pieces are removed and the reservation released
    POST   /apply/<pk>/uploads/<id>/finish/     issuer, valid_until → {"name", "sha256"} or 400 {"problems"}

Every step checks that the application is still editable at that moment (409 otherwise, and a finish then
discards the pieces). A start reserves the declared size against the application's and the user's quotas; an
unfinished upload expires after UPLOAD_EXPIRY_SECONDS. The pieces stay on this host's disk (UPLOAD_CHUNK_DIR);
the assembled file goes to the configured storage. A database outage answers 503 "服务繁忙", never 507.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from jinxuan.accounts.access import guard

from . import quotas
from .attachments import (
    DATABASE_ERRORS,
    SERVICE_BUSY,
    STORAGE_FULL,
    UploadRefused,
    _storage_full,
    store_upload,
)
from .chunked import ChunkError, ChunkStore
from .submission import edit_refusal
from .views import _application

CHUNK_SIZE = 4 * 1024 * 1024
RETRYABLE = {503, 507}  # the server's trouble: the pieces and the reservation stay, so the finish can be retried
GONE = "上传不存在或已过期（超过 24 小时未完成），请重新上传"


def _store(app) -> ChunkStore:
    return ChunkStore(settings.UPLOAD_CHUNK_DIR / str(app.pk))


def _refuse(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


def busy_on_database_outage(view):
    """Outermost: a database that cannot be reached (also while checking the session) is a 503 that says so."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DATABASE_ERRORS:
            return _refuse(SERVICE_BUSY, 503)

    return wrapper


@busy_on_database_outage
@guard("applicants.edit_application", obj=_application)
@require_POST
def upload_start(request, pk):
    app = request.access_target
    refusal = edit_refusal(app)
    if refusal:
        return _refuse(refusal, 409)
    rule = next((a for a in app.campaign.spec.attachments if a.key == request.POST.get("key")), None)
    if rule is None:
        return _refuse("附件：未知的材料类型")
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        return _refuse(f"{rule.name}：文件大小无效")
    if not rule.allows_size(size):
        shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"
        return _refuse(f"{rule.name}：文件大小 {shown}，{rule.size_refusal}")
    store = _store(app)
    try:
        upload_id = store.start(request.POST.get("filename", ""), size, request.POST.get("sha256") or None)
    except ChunkError as exc:
        return _refuse(f"{rule.name}：{exc.message}")
    try:
        quotas.reserve(app, request.user, rule.key, size, upload_id)
    except quotas.QuotaExceeded as exc:
        store.discard(upload_id)
        return _refuse(f"{rule.name}：{exc.message}", 409)
    except BaseException:
        store.discard(upload_id)
        raise
    return JsonResponse({"upload_id": upload_id, "offset": 0, "chunk_size": CHUNK_SIZE}, status=201)


@busy_on_database_outage
@guard("applicants.edit_application", obj=_application)
@require_http_methods(["GET", "PUT", "DELETE"])
def upload_chunk(request, pk, upload_id):
    app = request.access_target
    store = _store(app)
    if quotas.reservation(app, upload_id) is None:
        return _refuse(GONE, 404)
    if request.method == "DELETE":
        _abandon(store, upload_id)
        return JsonResponse({"offset": 0})
    if request.method == "PUT":
        refusal = edit_refusal(app)
        if refusal:
            return _refuse(refusal, 409)
    try:
        if request.method == "GET":
            return JsonResponse({"offset": store.offset(upload_id)})
        offset = int(request.GET.get("offset", "-1"))
        return JsonResponse({"offset": store.append(upload_id, offset, request.body)})
    except ValueError:
        return _refuse("偏移量无效")
    except ChunkError as exc:
        return _refuse(exc.message, 409 if exc.offset is not None else 404, offset=exc.offset)
    except OSError as exc:  # the chunk was cut back to a clean prefix: the client resumes from `offset` later
        if not _storage_full(exc):
            raise
        return _refuse(STORAGE_FULL, 507, offset=store.offset(upload_id))


@busy_on_database_outage
@guard("applicants.edit_application", obj=_application)
@require_POST
def upload_finish(request, pk, upload_id):
    app = request.access_target
    store = _store(app)
    if quotas.reservation(app, upload_id) is None:
        return _refuse(GONE, 404)
    refusal = edit_refusal(app)
    if refusal:  # checked again under the row lock in store_upload
        _abandon(store, upload_id)
        return _refuse(refusal, 409, problems=[refusal])
    try:
        meta = store.meta(upload_id)
        path, _sha = store.finish(upload_id)
    except ChunkError as exc:
        return _refuse(exc.message, 409, offset=exc.offset)
    key = request.POST.get("key", "")
    try:
        item = store_upload(app, key, None, request.user, issuer=request.POST.get("issuer", ""),
                            valid_until=request.POST.get("valid_until", ""), path=str(path), filename=meta["filename"],
                            reservation=upload_id)
    except UploadRefused as exc:
        if exc.status not in RETRYABLE:
            _abandon(store, upload_id)
        return JsonResponse({"detail": "；".join(exc.problems), "problems": exc.problems}, status=exc.status)
    store.discard(upload_id)
    return JsonResponse({"name": item.name, "sha256": item.sha256, "size": item.size}, status=201)


def _abandon(store: ChunkStore, upload_id: str) -> None:
    store.discard(upload_id)
    quotas.release(upload_id)

