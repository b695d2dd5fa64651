"""Store an application's attachments after checking them by content (see uploads.inspect_upload).

Every path that adds a file (the page, the API, a finished resumable upload) ends in `store_upload`, which locks
the application row and checks, at that moment, that the application is still editable and within its quota.
The file goes to the configured storage (local folder or object store) and is read back there to check its
SHA-256 before the row is written.
"""

import errno

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction

from jinxuan.audit.log import record
from jinxuan.storage.files import sha256_of

from . import quotas
from .models import Application, StoredAttachment
from .submission import edit_refusal
from .uploads import inspect_upload, storage_name

DATABASE_ERRORS = (OperationalError, InterfaceError)


class UploadRefused(Exception):
    status = 400

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


STORAGE_FULL = "存储空间不足，附件暂未保存，请稍后重试（已保存的内容不受影响）"
SERVICE_BUSY = "服务繁忙，请稍后再试：本次操作未完成，已保存的内容不受影响"
STORAGE_UNAVAILABLE = "文件存储暂时不可用，附件暂未保存，请稍后再试（已保存的内容不受影响）"
STORED_CORRUPT = "附件写入存储后校验不一致，未保存，请重新上传"


class StorageFull(UploadRefused):
    """The disk (or quota) of the upload storage is full: nothing was stored, a later retry may succeed."""

    status = 507


class StorageUnavailable(UploadRefused):
    """The object store did not answer or refused the write: nothing was stored, a later retry may succeed."""

    status = 503


class NotEditable(UploadRefused):
    """The application was locked (submitted for review, past its deadline...) before the file could be added."""

    status = 409


class OverQuota(UploadRefused):
    status = 409


def _storage_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is a dependency
        return ()
    return (BotoCoreError, ClientError)


def _storage_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def requirement_text(rule) -> str:
    parts = ["、".join(f.upper() for f in rule.formats), rule.size_text]
    if rule.image:
        parts.append(f"{rule.image.min_px}–{rule.image.max_px or '不限'} 像素（每边）")
    if rule.max_files > 1:
        parts.append(f"最多 {rule.max_files} 个文件")
    return "；".join(parts)


def rows_for(application: Application) -> list[dict]:
    stored: dict[str, list[StoredAttachment]] = {}
    for item in application.attachments.all():
        stored.setdefault(item.key, []).append(item)
    return [
        {"rule": rule, "files": stored.get(rule.key, []), "requirement": requirement_text(rule),
         "can_add": len(stored.get(rule.key, [])) < rule.max_files}
        for rule in application.campaign.spec.attachments
    ]


def store_upload(application: Application, key: str, upload, actor=None, issuer: str = "", valid_until: str = "",
                 path: str | None = None, filename: str | None = None, reservation: str = "",
                 check_state: bool = True) -> StoredAttachment:
    """Check and store one file given as a Django upload, or as a finished chunked upload (path + filename).

    `reservation` is the upload id of a finished resumable upload: its reserved size is not counted twice,
    and the reservation ends with the stored row. `check_state=False` is for building history (the demo's past
    campaigns), never for a request.
    """
    rule = next((a for a in application.campaign.spec.attachments if a.key == key), None)
    if rule is None:
        raise UploadRefused(["附件：未知的材料类型"])
    if upload is None and path is None:
        raise UploadRefused([f"{rule.name}：请选择要上传的文件"])
    name = filename or upload.name
    if path is None:
        source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
    else:
        source = path
    result = inspect_upload(name, source, rule)
    if not result.ok:
        raise UploadRefused(result.problems)
    _check_can_add(application, rule, result, reservation, check_state)  # early, before writing anything
    item = StoredAttachment(application=application, key=key, name=result.safe_name, detected=result.detected,
                            size=result.size, sha256=result.sha256, width=result.width, height=result.height,
                            issuer=issuer[:120], valid_until=valid_until[:40], uploaded_by=actor)
    _write(item, source, storage_name(result), rule.name)  # outside the row lock: an object store takes its time
    _check_stored(item, result.sha256, rule.name)
    try:
        with transaction.atomic():
            # Again under the application's row lock: the state and the quota at the moment the row is written.
            application = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
            _check_can_add(application, rule, result, reservation, check_state)
            item.application = application
            item.save()
            if reservation:
                quotas.release(reservation)
            record("application.attachment_added", application,
                   after={"key": key, "name": item.name, "sha256": item.sha256})
    except BaseException:
        _delete_quietly(item.file.storage, item.file.name)  # no row names it: nothing may be left behind
        raise
    return item


def _check_can_add(application: Application, rule, result, reservation: str, check_state: bool) -> None:
    refusal = edit_refusal(application) if check_state else ""
    if refusal:
        raise NotEditable([f"{rule.name}：{refusal}"])
    try:
        quotas.check_application(application, result.size, excluding=reservation)
    except quotas.QuotaExceeded as exc:
        raise OverQuota([f"{rule.name}：{exc.message}"]) from None
    if application.attachments.filter(key=rule.key).count() >= rule.max_files:
        raise UploadRefused([f"{rule.name}：最多上传 {rule.max_files} 个文件，请先删除已上传的文件"])
    if application.attachments.filter(key=rule.key, sha256=result.sha256).exists():
        raise UploadRefused([f"{rule.name}：同一文件已上传"])


def _write(item: StoredAttachment, source, name: str, label: str) -> None:
    try:
        if isinstance(source, bytes):
            item.file.save(name, ContentFile(source), save=False)
        else:
            with open(source, "rb") as fh:
                item.file.save(name, File(fh), save=False)
    except OSError as exc:
        if not _storage_full(exc):
            raise
        _remove_partial(item, name)
        raise StorageFull([f"{label}：{STORAGE_FULL}"]) from exc
    except _storage_errors() as exc:
        raise StorageUnavailable([f"{label}：{STORAGE_UNAVAILABLE}"]) from exc


def _check_stored(item: StoredAttachment, sha256: str, label: str) -> None:
    """Read the stored object back and compare its SHA-256 with the checked upload's."""
    storage = item.file.storage
    try:
        same = sha256_of(storage, item.file.name) == sha256
    except (OSError, *_storage_errors()) as exc:
        _delete_quietly(storage, item.file.name)
        raise StorageUnavailable([f"{label}：{STORAGE_UNAVAILABLE}"]) from exc
    if not same:
        _delete_quietly(storage, item.file.name)
        raise StorageUnavailable([f"{label}：{STORED_CORRUPT}"])


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # noqa: BLE001 - best effort; `jinxuan uploads purge` removes what no row references
        pass


def _remove_partial(item: StoredAttachment, name: str) -> None:
    """Remove what a write cut short by a full disk left behind (unless a stored attachment uses that file)."""
    field = item.file.field
    target = field.generate_filename(item, name)
    try:
        if field.storage.exists(target) and not StoredAttachment.objects.filter(file=target).exists():
            field.storage.delete(target)
    except OSError:
        pass
