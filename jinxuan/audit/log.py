"""Write audit events. Every decision that changes who advances goes through `record`."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import chain
from .context import current_request
from .key import chain_key
from .models import AuditEvent, AuditHead
from .verify import publish_anchor

logger = logging.getLogger(__name__)


def record(
    action: str,
    obj=None,
    *,
    campaign=None,
    actor=None,
    true_actor=None,
    before=None,
    after=None,
    reason: str = "",
    ip: str | None = None,
) -> AuditEvent:
    request = current_request()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if ip is None and request is not None:
        ip = request.META.get("REMOTE_ADDR", "")
    if campaign is None and obj is not None:
        campaign = getattr(obj, "campaign", None)
    fields = {
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": str(actor)[:150] if actor is not None else "系统",
        "true_actor_id": getattr(true_actor, "pk", None),
        "ip": ip or "",
        "campaign_id": getattr(campaign, "pk", None),
        "object_type": obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        "object_id": str(getattr(obj, "pk", "") or "") if obj is not None else "",
        "action": action,
        "reason": reason,
        "before": chain.jsonable(before),
        "after": chain.jsonable(after),
    }
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(seq=head.seq + 1, prev_hash=head.hash, **fields)
        event.hash = chain.digest(event.as_chain_dict(), head.hash, chain_key())
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
        every = getattr(settings, "AUDIT_ANCHOR_EVERY", 0)
        if every and event.seq % every == 0:  # the head anchored outside the database every N events
            transaction.on_commit(lambda: _anchor(event.seq, event.hash))
    return event


def _anchor(seq: int, hash_: str) -> None:
    try:
        publish_anchor(head=(seq, hash_))
    except OSError:  # the event is stored; the hourly anchor and `audit verify` will show the gap
        logger.exception("审计锚点写入失败：%s", settings.AUDIT_ANCHOR_FILE)
