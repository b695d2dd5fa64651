"""Each host's search index follows the library's change log (`changes.py`).

The index directory (`search_index.path()`) records the last change it applied in `applied.json` (number and log epoch,
written after Tantivy's commit: a crash in between re-applies changes, which is harmless, since applying a change
writes the case as the database holds it now).  Changes are applied

- right after the commit that made them, on the host that made them (`changes.append`);
- by `jinxuan library follow`, a loop every host runs beside its application servers (every 2 s);
- before a search, when the index is behind: at most `INLINE_CHANGES` changes (an empty index is rebuilt inline
  up to `INLINE_REBUILD` cases), else the search answers from the index as it is and the loop catches up.

Only committed changes are applied: nothing is applied from inside a transaction (the test suite's own wrapping
transaction counts as committed), so a rolled-back publication never reaches any index.  Processes of one host take
turns through a lock file (`follow.lock`); a search never waits for it.  The index is rebuilt from the database
when its position cannot be continued: no position yet, another epoch (a fresh or restored database), a position
beyond the log's head, or changes pruned before it was applied.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone

from . import changes, search_index
from .models import SearchDoc

POSITION = "applied.json"
LOCK = "follow.lock"
INLINE_CHANGES = 200
INLINE_REBUILD = 2000
BATCH = 1000
INTERVAL = 2.0  # seconds between two rounds of `jinxuan library follow`
PRUNE_EVERY = 3600.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Position:
    seq: int
    epoch: str


@dataclass(frozen=True)
class Lag:
    changes: int  # changes committed but not applied to this host's index
    seconds: float  # age of the oldest of them (0 when none)
    position: int
    head: int


def position() -> Position | None:
    try:
        data = json.loads((search_index.path() / POSITION).read_text())
        return Position(int(data["seq"]), str(data["epoch"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(pos: Position) -> None:
    target = search_index.path() / POSITION
    tmp = target.with_name(f".{POSITION}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps({"seq": pos.seq, "epoch": pos.epoch}))
    os.replace(tmp, target)


@contextmanager
def _host_lock(wait: float):
    """Yields whether this process holds the host's follow lock (waiting up to `wait` seconds for it)."""
    where = search_index.path()
    where.mkdir(parents=True, exist_ok=True)
    fd = os.open(where / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def in_transaction() -> bool:
    """An open transaction of our own (not the test suite's wrapping one): its changes may yet roll back."""
    conn = connections[changes.DB]
    return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


def _usable(pos: Position | None, head: int, epoch: str) -> bool:
    return pos is not None and pos.epoch == epoch and pos.seq <= head


def catch_up(limit: int | None = None, wait: float = 30.0) -> int | None:
    """Apply the changes this host's index has not seen (at most `limit`; all when None). Returns the number
    applied (a rebuild counts its cases), or None when nothing could be done now: inside a transaction, another
    process of this host is at it (after `wait` seconds), or a rebuild is needed beyond what `limit` allows."""
    if in_transaction():
        return None
    with _host_lock(wait) as held:
        if not held:
            return None
        head, epoch = changes.head()
        pos = position()
        if not _usable(pos, head, epoch):
            return _rebuild_within(head, epoch, limit)
        seq, applied = pos.seq, 0
        while seq < head and (limit is None or applied < limit):
            rows = changes.after(seq, BATCH if limit is None else min(BATCH, limit - applied))
            if not rows or rows[0][0] != seq + 1:  # pruned before this host applied them
                return _rebuild_within(head, epoch, limit)
            apply([case_id for _, case_id in rows])
            seq = rows[-1][0]
            _save(Position(seq, epoch))
            applied += len(rows)
        return applied


def _rebuild_within(head: int, epoch: str, limit: int | None) -> int | None:
    if limit is not None and SearchDoc.objects.using(changes.DB).count() > max(limit, INLINE_REBUILD):
        return None
    return _rebuild(head, epoch)


def apply(case_ids: list[int]) -> None:
    """Write the index entries of `case_ids` as the database holds them now (removed when not indexed there)."""
    from . import search  # cycle: search imports follow

    ids = list(dict.fromkeys(case_ids))
    stamps = dict(SearchDoc.objects.using(changes.DB).filter(case_id__in=ids).values_list("case_id", "id"))
    cases = list(search.listing().using(changes.DB).filter(pk__in=list(stamps)))
    search_index.write(search.documents(cases, stamps), remove=ids)


def _rebuild(head: int, epoch: str, batch: int = BATCH, progress=None) -> int:
    """Rewrite the index from the cases (read after the head, so they hold at least every change up to it)."""
    from . import search  # cycle: search imports follow

    stamps = dict(SearchDoc.objects.using(changes.DB).values_list("case_id", "id"))
    indexed = SearchDoc.objects.using(changes.DB).values("case_id")
    qs = search.listing().using(changes.DB).filter(pk__in=indexed).order_by("pk")
    n, last, first = 0, 0, True
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        search_index.write(search.documents(chunk, stamps), clear=first)
        first = False
        if not chunk:
            break
        n += len(chunk)
        last = chunk[-1].pk
        if progress:
            progress(n, len(stamps))
    _save(Position(head, epoch))
    return n


def rebuild(batch: int = BATCH, progress=None) -> int:
    """Rewrite this host's index from the database and set its position to the log's head (`library reindex`,
    `backup restore`). Returns the number of cases indexed."""
    with _host_lock(search_index.LOCK_WAIT * 10) as held:
        if not held:
            raise search_index.IndexBusy("案例库索引正被其他进程更新，请稍后重试")
        head, epoch = changes.head()
        return _rebuild(head, epoch, batch, progress)


def before_search() -> None:
    """Bring the index up to date before a search when it is behind, within bounds (never waiting for a lock).
    The log's head is read at most once per `changes.HEAD_TTL` per process (a change made in this process reads
    it again at once): searches add no query to the database while the library does not change."""
    if in_transaction():
        return
    head, epoch = changes.recent_head()
    pos = position()
    if _usable(pos, head, epoch) and pos.seq == head:
        return
    try:
        catch_up(limit=INLINE_CHANGES, wait=0)
    except (search_index.IndexBusy, OSError, ValueError):  # the search answers from the index as it is
        log.warning("案例库检索索引未能在检索前追赶", exc_info=True)


def lag() -> Lag:
    head, epoch = changes.head()
    pos = position()
    at = pos.seq if _usable(pos, head, epoch) else 0
    behind = head - at
    seconds = 0.0
    if behind:
        oldest = changes.made_at(at + 1) or changes.made_at(head)
        seconds = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    return Lag(changes=behind, seconds=round(seconds, 1), position=at, head=head)


def follow(interval: float = INTERVAL, stop: threading.Event | None = None, rounds: int | None = None) -> None:
    """The loop `jinxuan library follow` runs: catch up every `interval` seconds; prune old changes hourly."""
    stop = stop or threading.Event()
    pruned_at = 0.0
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        _fresh_connection()
        try:
            catch_up(wait=interval)
            if time.monotonic() - pruned_at > PRUNE_EVERY:
                with transaction.atomic(using=changes.DB):
                    changes.prune()
                pruned_at = time.monotonic()
        except Exception:  # a database or index outage: try again next round  # noqa: BLE001
            log.exception("案例库检索索引追赶失败")
        done += 1
        stop.wait(interval)
    _fresh_connection()


def _fresh_connection() -> None:
    """Drop a broken or expired database connection between rounds, as Django does between requests (not inside
    a transaction: the test suite calls the loop inside its own)."""
    from django.db import close_old_connections

    if not connections[changes.DB].in_atomic_block:
        close_old_connections()
