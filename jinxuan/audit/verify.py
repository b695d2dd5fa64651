"""Check the stored audit log against its hash chain, its head and published anchors."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import chain
from .key import chain_key
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


def verify_database(extra_anchors: list[tuple[int, str]] = (), anchor_file: Path | None = None,
                    key: bytes | None = None) -> list[chain.Problem]:
    return verify_report(extra_anchors, anchor_file, key)[0]


def verify_report(extra_anchors: list[tuple[int, str]] = (), anchor_file: Path | None = None,
                  key: bytes | None = None) -> tuple[list[chain.Problem], chain.Problem | None, tuple | None]:
    """(every problem, the first event that fails, the last anchor that holds) of the stored log, its head and
    the anchors (the anchor file's and `extra_anchors`), under the application's key."""
    events = (e.as_chain_dict() for e in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000))
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    anchors = [*read_anchors(anchor_file), *extra_anchors]
    problems = chain.verify(events, head=head, anchors=anchors, key=key or chain_key())
    return problems, chain.first_failure(problems), chain.last_holding_anchor(problems, anchors)


def publish_anchor(anchor_file: Path | None = None, head: tuple[int, str] | None = None) -> tuple[int, str]:
    """Append the current head to the anchor file: outside the data folder, where the database role cannot write
    (every AUDIT_ANCHOR_EVERY events from `record`, hourly by the task worker, `audit.tasks.anchor_task`)."""
    seq, hash_ = head or AuditHead.objects.values_list("seq", "hash").get(pk=1)
    path = Path(anchor_file or settings.AUDIT_ANCHOR_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{seq} {hash_} {timezone.now().isoformat()}\n")
    return seq, hash_
