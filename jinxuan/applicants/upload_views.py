"""Resumable chunked uploads for large attachments (the browser sends 4 MB pieces; a lost connection resumes).

    POST   /apply/<pk>/uploads/                 key, filename, size[, sha256] → {"upload_id", "offset", "chunk_size"}
    GET    /apply/<pk>/uploads/<id>/            → {"offset"}
    PUT    /apply/<pk>/uploads/<id>/?offset=N   body: the bytes → {"offset"}; 409 with the server's offset when out of step
    POST   /apply/<pk>/uploads/<id>/finish/     issuer, valid_until → {"name", "sha256"} or 400 {"problems"}
"""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from jinxuan.accounts.access import guard

from .attachments import STORAGE_FULL, StorageFull, UploadRefused, _storage_full, store_upload
from .chunked import ChunkError, ChunkStore
from .submission import can_edit
from .views import _application

CHUNK_SIZE = 4 * 1024 * 1024


def _store(app) -> ChunkStore:
    return ChunkStore(settings.UPLOAD_CHUNK_DIR / str(app.pk))


def _refuse(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


@guard("applicants.edit_application", obj=_application)
@require_POST
def upload_start(request, pk):
    app = request.access_target
    if not can_edit(app):
        return _refuse("当前状态不可上传附件", 409)
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
    try:
        upload_id = _store(app).start(request.POST.get("filename", ""), size, request.POST.get("sha256") or None)
    except ChunkError as exc:
        return _refuse(f"{rule.name}：{exc.message}")
    return JsonResponse({"upload_id": upload_id, "offset": 0, "chunk_size": CHUNK_SIZE}, status=201)


@guard("applicants.edit_application", obj=_application)
@require_http_methods(["GET", "PUT"])
def upload_chunk(request, pk, upload_id):
    store = _store(request.access_target)
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


@guard("applicants.edit_application", obj=_application)
@require_POST
def upload_finish(request, pk, upload_id):
    app = request.access_target
    store = _store(app)
    try:
        meta = store.meta(upload_id)
        path, _sha = store.finish(upload_id)
    except ChunkError as exc:
        return _refuse(exc.message, 409, offset=exc.offset)
    key = request.POST.get("key", "")
    try:
        item = store_upload(app, key, None, request.user, issuer=request.POST.get("issuer", ""),
                            valid_until=request.POST.get("valid_until", ""), path=str(path), filename=meta["filename"])
    except UploadRefused as exc:
        status = 507 if isinstance(exc, StorageFull) else 400
        return JsonResponse({"detail": "；".join(exc.problems), "problems": exc.problems}, status=status)
    finally:
        store.discard(upload_id)
    return JsonResponse({"name": item.name, "sha256": item.sha256, "size": item.size}, status=201)
