"""The stored log: append-only in the database, verified by `jinxuan audit verify`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from jinxuan.audit.log import record
from jinxuan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(campaigns):
    campaign = campaigns["gz-dianshu-2025"]
    for i in range(5):
        record("测试事件", campaign, campaign=campaign, after={"i": i, "金额": "1.50"}, reason=f"第{i}条")
    return AuditEvent.objects.order_by("seq")


def _drop_triggers():
    """What only the table owner could do: remove the append-only guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


def test_verify_passes_on_an_intact_log(events, capsys):
    call_command("audit", "verify")
    assert "审计日志完好" in capsys.readouterr().out


def test_the_app_cannot_update_or_delete_events(events):
    event = events[2]
    for statement in ("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason


@pytest.mark.parametrize("tamper", ["alter", "delete_middle", "delete_last", "reorder"])
def test_verify_detects_tampering_behind_the_triggers(events, tamper):
    _drop_triggers()
    rows = list(events)
    with connection.cursor() as cursor:
        if tamper == "alter":
            cursor.execute("UPDATE audit_auditevent SET reason = '改过' WHERE id = %s", [rows[2].pk])
        elif tamper == "delete_middle":
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].pk])
        elif tamper == "delete_last":
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])
        else:
            a, b = rows[1], rows[3]
            cursor.execute("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [a.pk])
            cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
            cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    with pytest.raises(CommandError, match="校验失败"):
        call_command("audit", "verify")


def test_recomputed_chain_is_caught_by_the_anchor_file(events, settings):
    call_command("audit", "anchor")
    assert settings.AUDIT_ANCHOR_FILE.read_text().startswith(f"{events.last().seq} ")
    _drop_triggers()
    from jinxuan.audit import chain

    rows = [e.as_chain_dict() for e in events]
    rows[0]["reason"] = "改写"
    rebuilt = chain.build([{k: v for k, v in r.items() if k not in {"seq", "hash", "prev_hash"}} for r in rows])
    with connection.cursor() as cursor:
        for row, new in zip(events, rebuilt, strict=True):
            cursor.execute("UPDATE audit_auditevent SET reason=%s, prev_hash=%s, hash=%s WHERE id=%s",
                           [new["reason"], new["prev_hash"], new["hash"], row.pk])
        cursor.execute("UPDATE audit_audithead SET hash=%s WHERE id=1", [rebuilt[-1]["hash"]])
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_head_export_verifies_later_and_catches_a_rewrite(events, capsys):
    import json

    call_command("audit", "head")
    head = json.loads(capsys.readouterr().out)
    assert head["seq"] == AuditEvent.objects.order_by("-seq").first().seq and len(head["hash"]) == 64
    call_command("audit", "verify", "--anchor", f"{head['seq']}:{head['hash']}")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor", f"{head['seq']}:{'0' * 64}")
