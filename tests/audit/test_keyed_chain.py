"""The audit chain is keyed (issue 18, finding 16): with write access to the database alone, history cannot be
rewritten and the chain recomputed undetected, even after the last anchor; the head is anchored automatically;
`jinxuan audit verify` names the first event that fails and the last anchor that holds."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jinxuan.audit import chain, log, rechain
from jinxuan.audit.key import chain_key
from jinxuan.audit.models import AuditEvent, AuditHead
from jinxuan.audit.verify import read_anchors, verify_database

from .test_audit_db import _drop_triggers

pytestmark = pytest.mark.django_db


def _record(campaign, n, start=0):
    for i in range(start, start + n):
        log.record("测试事件", campaign, campaign=campaign, after={"i": i}, reason=f"第{i}条")


def _rewrite(from_seq: int, reason: str, key: bytes | None):
    """What a database role can do: change an event and recompute the chain from it on, with the key it has."""
    _drop_triggers()
    rows = list(AuditEvent.objects.order_by("seq"))
    prev = chain.GENESIS
    with connection.cursor() as cursor:
        for event in rows:
            data = event.as_chain_dict()
            if event.seq == from_seq:
                data["reason"] = reason
            if event.seq >= from_seq:
                new = chain.digest(data, prev, key)
                cursor.execute("UPDATE audit_auditevent SET reason=%s, prev_hash=%s, hash=%s WHERE id=%s",
                               [data["reason"], prev, new, event.pk])
                prev = new
            else:
                prev = event.hash
        cursor.execute("UPDATE audit_audithead SET hash=%s WHERE id=1", [prev])


@pytest.fixture
def gz(campaigns):
    return campaigns["gz-dianshu-2025"]


@pytest.mark.parametrize("attacker_key", [None, b"a guessed key"])
def test_a_recomputed_chain_fails_without_the_applications_key_even_past_every_anchor(gz, attacker_key, capsys):
    _record(gz, 3)
    call_command("audit", "anchor")
    anchored = AuditHead.objects.get(pk=1).seq
    _record(gz, 3, start=3)
    target = anchored + 2  # after the last anchor: only the key protects it
    _rewrite(target, "改写后的原因", attacker_key)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"首个未通过校验的事件：#{target}" in err and f"最后一个仍吻合的锚点：#{anchored}" in err


def test_the_chain_fails_under_another_key(gz, settings):
    _record(gz, 2)
    assert verify_database() == []
    settings.AUDIT_HMAC_KEY = "another key"
    assert any(p.kind == "altered" for p in verify_database())


def test_the_head_is_anchored_every_n_events(gz, settings, django_capture_on_commit_callbacks, capsys):
    settings.AUDIT_ANCHOR_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        _record(gz, 7)
    anchors = read_anchors()
    head = AuditHead.objects.get(pk=1).seq
    assert [s for s, _ in anchors] == [s for s in range(1, head + 1) if s % 3 == 0][-len(anchors):] and anchors
    assert all(AuditEvent.objects.get(seq=s).hash == h for s, h in anchors)
    call_command("audit", "verify")
    assert f"最后一个仍吻合的锚点：#{anchors[-1][0]}" in capsys.readouterr().out


def test_the_worker_anchors_hourly_and_a_restart_queues_no_second_run(gz, settings):
    import datetime as dt
    from io import StringIO

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from jinxuan.audit.tasks import anchor_task

    _record(gz, 1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as under deploy/start.sh
    for _ in range(2):  # two starts of the service
        call_command("audit", "anchor", "--every", "3600", stdout=StringIO())
    queued = DBTaskResult.objects.get(task_path=anchor_task.module_path, status="READY")
    assert queued.args_kwargs["args"] == [3600]
    queued.delete()
    assert read_anchors() == []
    anchor_task.call(3600)  # what the worker runs: it anchors, then queues the next run an hour later
    head = AuditHead.objects.get(pk=1)
    assert read_anchors() == [(head.seq, head.hash)]
    following = DBTaskResult.objects.get(task_path=anchor_task.module_path, status="READY")
    assert following.run_after > timezone.now() + dt.timedelta(minutes=59)


def _to_legacy():
    """The stored log as an installation before the key wrote it: plain SHA-256 (the guard lifted to do so)."""
    _drop_triggers()
    prev = chain.GENESIS
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("seq"):
            new = chain.digest(event.as_chain_dict(), prev)
            cursor.execute("UPDATE audit_auditevent SET prev_hash=%s, hash=%s WHERE id=%s", [prev, new, event.pk])
            prev = new
        cursor.execute("UPDATE audit_audithead SET hash=%s WHERE id=1", [prev])


def test_an_old_sha256_log_is_rechained_only_when_it_verifies(gz, settings):
    _record(gz, 4)
    _to_legacy()
    legacy = AuditHead.objects.get(pk=1).hash
    settings.AUDIT_ANCHOR_FILE.write_text(f"{AuditHead.objects.get(pk=1).seq} {legacy} old\n")
    assert verify_database() != []  # under the key, the old chain does not hold
    count = rechain.rechain(AuditEvent, AuditHead, connection, chain_key(), settings.AUDIT_ANCHOR_FILE)
    assert count == AuditHead.objects.get(pk=1).seq and verify_database() == []
    assert (settings.AUDIT_ANCHOR_FILE.parent / "anchors.log.sha256").read_text().startswith(f"{count} {legacy}")
    assert rechain.rechain(AuditEvent, AuditHead, connection, chain_key(), settings.AUDIT_ANCHOR_FILE) == 0
    _record(gz, 1)  # appends keep working
    assert verify_database() == []
    with pytest.raises(Exception, match="append-only"):  # the guard is back
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET reason='x' WHERE seq=1")


def test_a_broken_old_log_is_not_rechained(gz, settings):
    _record(gz, 3)
    _to_legacy()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason='改过' WHERE seq=2")
    with pytest.raises(rechain.LegacyChainBroken, match="拒绝重新链接"):
        rechain.rechain(AuditEvent, AuditHead, connection, chain_key(), settings.AUDIT_ANCHOR_FILE)
