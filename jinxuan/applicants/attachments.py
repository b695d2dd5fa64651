"""Store an application's attachments after checking them by content (see uploads.inspect_upload)."""

import errno

from django.core.files import File
from django.db import transaction

from jinxuan.audit.log import record

from .models import Application, StoredAttachment
from .uploads import inspect_upload, storage_name


class UploadRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


STORAGE_FULL = "存储空间不足，附件暂未保存，请稍后重试（已保存的内容不受影响）"


class StorageFull(UploadRefused):
    """The disk (or quota) of the upload storage is full: nothing was stored, a later retry may succeed."""


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
                 path: str | None = None, filename: str | None = None) -> StoredAttachment:
    """Check and store one file given as a Django upload, or as a finished chunked upload (path + filename)."""
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
    with transaction.atomic():
        if application.attachments.filter(key=key).count() >= rule.max_files:
            raise UploadRefused([f"{rule.name}：最多上传 {rule.max_files} 个文件，请先删除已上传的文件"])
        if application.attachments.filter(key=key, sha256=result.sha256).exists():
            raise UploadRefused([f"{rule.name}：同一文件已上传"])
        item = StoredAttachment(application=application, key=key, name=result.safe_name, detected=result.detected,
                                size=result.size, sha256=result.sha256, width=result.width, height=result.height,
                                issuer=issuer[:120], valid_until=valid_until[:40], uploaded_by=actor)
        try:
            if isinstance(source, bytes):
                from django.core.files.base import ContentFile

                item.file.save(storage_name(result), ContentFile(source), save=False)
            else:
                with open(source, "rb") as fh:
                    item.file.save(storage_name(result), File(fh), save=False)
        except OSError as exc:
            if not _storage_full(exc):
                raise
            _remove_partial(item, storage_name(result))
            raise StorageFull([f"{rule.name}：{STORAGE_FULL}"]) from exc
        item.save()
        record("application.attachment_added", application, after={"key": key, "name": item.name, "sha256": item.sha256})
    return item


def _remove_partial(item: StoredAttachment, name: str) -> None:
    """Remove what a write cut short by a full disk left behind (unless a stored attachment uses that file)."""
    field = item.file.field
    target = field.generate_filename(item, name)
    try:
        if field.storage.exists(target) and not StoredAttachment.objects.filter(file=target).exists():
            field.storage.delete(target)
    except OSError:
        pass
