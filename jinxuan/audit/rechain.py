"""Moving a log chained with plain SHA-256 (before the key) to the keyed chain: once, by migration audit 0003.

The old chain is verified first, against its head and the anchor file; only an intact log is re-chained (every
event's prev_hash and hash recomputed under the application's key, the head moved along, the append-only
triggers lifted for that one statement batch and restored). The old anchors stay readable in the anchor file
renamed to ``<name>.sha256``, and the re-chained head is anchored at once. A log that fails verification stops
the migration: investigate it (`jinxuan audit verify` before migrating) instead of sealing a rewritten history."""

from __future__ import annotations

from pathlib import Path

from . import chain
from .verify import read_anchors

PG_OFF = "ALTER TABLE audit_auditevent DISABLE TRIGGER USER"
PG_ON = "ALTER TABLE audit_auditevent ENABLE TRIGGER USER"
SQLITE_GUARDS = [
    ("audit_event_no_update", """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""),
    ("audit_event_no_delete", """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""),
]


class LegacyChainBroken(RuntimeError):
    pass


def _as_dict(event) -> dict:
    from datetime import UTC

    return {"seq": event.seq, "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            **{f: getattr(event, f) for f in chain.HASHED_FIELDS if f not in {"seq", "at"}},
            "prev_hash": event.prev_hash, "hash": event.hash}


def rechain(Event, Head, connection, key: bytes, anchor_file: Path) -> int:
    """Re-chain every stored event under `key`; the number of events re-chained. Raises LegacyChainBroken."""
    events = [_as_dict(e) for e in Event.objects.order_by("pk")]
    head = Head.objects.filter(pk=1).values_list("seq", "hash").first()
    if not events:
        return 0
    if chain.verify(events, head=head, key=key) == []:
        return 0  # already keyed
    problems = chain.verify(events, head=head, anchors=read_anchors(anchor_file))
    if problems:
        raise LegacyChainBroken("审计日志在启用密钥前未通过校验，拒绝重新链接：" + "；".join(map(str, problems[:5])))
    rebuilt = chain.build([{k: v for k, v in e.items() if k not in {"seq", "prev_hash", "hash"}} for e in events],
                          key=key)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_OFF)
        else:
            for name, _ in SQLITE_GUARDS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        try:
            for old, new in zip(Event.objects.order_by("pk").only("pk"), rebuilt, strict=True):
                Event.objects.filter(pk=old.pk).update(prev_hash=new["prev_hash"], hash=new["hash"])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(PG_ON)
            else:
                for _, sql in SQLITE_GUARDS:
                    cursor.execute(sql)
    Head.objects.filter(pk=1).update(seq=rebuilt[-1]["seq"], hash=rebuilt[-1]["hash"])
    if anchor_file.exists():
        anchor_file.rename(anchor_file.with_name(anchor_file.name + ".sha256"))
    anchor_file.parent.mkdir(parents=True, exist_ok=True)
    with anchor_file.open("a", encoding="utf-8") as fh:
        fh.write(f"{rebuilt[-1]['seq']} {rebuilt[-1]['hash']} rechained\n")
    return len(rebuilt)
