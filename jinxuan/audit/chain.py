"""Django-free. The hash chain of the audit log, with no Django import.

Each event's hash is HMAC-SHA256, under a key that lives with the application and never in the database, over
its canonical JSON (sorted keys, UTF-8) which includes the previous event's hash: write access to the database
alone cannot recompute the chain after rewriting history. (Without a key, plain SHA-256: the chain of databases
made before the key, re-chained once by migration audit 0003.) `verify` walks events in sequence order and
reports every event that was altered, removed or moved, and any mismatch with the recorded head and with
published anchors.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_label", "true_actor_id", "ip",
    "campaign_id", "object_type", "object_id", "action", "reason", "before", "after",
)  # fmt: skip


def canonical(event: Mapping, prev_hash: str) -> bytes:
    body = {name: event.get(name) for name in HASHED_FIELDS}
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(event: Mapping, prev_hash: str, key: bytes | None = None) -> str:
    body = canonical(event, prev_hash)
    return hmac.new(key, body, hashlib.sha256).hexdigest() if key else hashlib.sha256(body).hexdigest()


def jsonable(value):
    """Normalise a payload to what a JSON column gives back (str for Decimal, dates …)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True))


@dataclass(frozen=True)
class Problem:
    seq: int | None
    kind: str  # altered | missing | reordered | broken_link | head | anchor
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}" if self.seq is not None else self.message


def build(events: Iterable[dict], key: bytes | None = None) -> list[dict]:
    """Number and chain plain events (used by tests, imports and the re-chaining migration)."""
    out, prev = [], GENESIS
    for seq, event in enumerate(events, start=1):
        event = {**event, "seq": seq, "prev_hash": prev}
        event["hash"] = digest(event, prev, key)
        prev = event["hash"]
        out.append(event)
    return out


def verify(
    events: Iterable[Mapping],
    head: tuple[int, str] | None = None,
    anchors: Iterable[tuple[int, str]] = (),
    key: bytes | None = None,
) -> list[Problem]:
    """Events must come ordered as stored (by primary key / insertion order)."""
    problems: list[Problem] = []
    expected_seq, prev = 1, GENESIS
    by_seq: dict[int, str] = {}
    for event in events:
        seq = event["seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                kind, text = "missing", f"第 {expected_seq}–{seq - 1} 号事件缺失（被删除）"
            else:
                kind, text = "reordered", f"事件序号 {seq} 出现在 {expected_seq - 1} 号之后（顺序被改动或重复）"
            problems.append(Problem(seq, kind, text))
        if event["prev_hash"] != prev:
            problems.append(Problem(seq, "broken_link", "与前一事件的哈希链接不符"))
        if digest(event, event["prev_hash"], key) != event["hash"]:
            problems.append(Problem(seq, "altered", "内容与其哈希不符（事件被篡改）"))
        by_seq[seq] = event["hash"]
        prev = event["hash"]
        expected_seq = seq + 1
    last = (expected_seq - 1, prev)
    if head is not None and tuple(head) != last and not (head[0] == 0 and last[0] == 0):
        problems.append(Problem(None, "head", f"链尾 #{last[0]} 与记录的链头 #{head[0]} 不一致（末尾事件被删除或改写）"))
    for seq, hash_ in anchors:
        if by_seq.get(seq) != hash_:
            problems.append(Problem(seq, "anchor", f"与外部锚点 #{seq} 不一致（历史被重写）"))
    return problems


def first_failure(problems: Iterable[Problem]) -> Problem | None:
    """The problem at the lowest event number (a chain problem before an anchor's at the same event)."""
    found = [p for p in problems if p.seq is not None]
    order = {"missing": 0, "reordered": 0, "broken_link": 1, "altered": 1, "anchor": 2}
    return min(found, key=lambda p: (p.seq, order.get(p.kind, 3)), default=None)


def last_holding_anchor(problems: Iterable[Problem], anchors: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """The highest anchor that still matches the stored chain, below any event that fails."""
    problems = list(problems)
    failed = {p.seq for p in problems if p.kind == "anchor"}
    first = first_failure([p for p in problems if p.kind != "anchor"])
    holding = [(s, h) for s, h in anchors if s not in failed and (first is None or s < first.seq)]
    return max(holding, default=None)
