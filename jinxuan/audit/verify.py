"""Check the stored audit log against its hash chain, its head and published anchors."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import chain
from .models import AuditEvent, AuditHead


def read_anchors(path: Path | None = None) -> list[tuple[int, str]]:
    path = Path(path or settings.AUDIT_ANCHOR_FILE)
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            anchors.append((int(parts[0]), parts[1]))
    return anchors


def verify_database(extra_anchors: list[tuple[int, str]] = (), anchor_file: Path | None = None) -> list[chain.Problem]:
    events = (e.as_chain_dict() for e in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000))
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return chain.verify(events, head=head, anchors=[*read_anchors(anchor_file), *extra_anchors])


def publish_anchor(anchor_file: Path | None = None) -> tuple[int, str]:
    """Append the current head to the anchor file (to be copied somewhere the database role cannot write)."""
    seq, hash_ = AuditHead.objects.values_list("seq", "hash").get(pk=1)
    path = Path(anchor_file or settings.AUDIT_ANCHOR_FILE)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{seq} {hash_} {timezone.now().isoformat()}\n")
    return seq, hash_
