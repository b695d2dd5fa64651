"""The hash chain: any altered, deleted or reordered event is reported."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.audit import chain

EVENT = st.fixed_dictionaries({
    "at": st.datetimes().map(lambda d: d.isoformat()),
    "actor_id": st.one_of(st.none(), st.integers(1, 10**6)),
    "actor_label": st.text(max_size=10),
    "true_actor_id": st.none(),
    "ip": st.ip_addresses().map(str),
    "campaign_id": st.one_of(st.none(), st.integers(1, 50)),
    "object_type": st.sampled_from(["applicants.application", "campaigns.campaign"]),
    "object_id": st.integers(1, 999).map(str),
    "action": st.sampled_from(["提交申报", "形式审核通过", "未晋级", "评定入选"]),
    "reason": st.text(max_size=20),
    "before": st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
    "after": st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
})
CHAINS = st.lists(EVENT, min_size=2, max_size=25).map(chain.build)


def _head(events):
    return (events[-1]["seq"], events[-1]["hash"])


@given(CHAINS)
def test_intact_chain_verifies(events):
    assert chain.verify(events, head=_head(events)) == []


@given(CHAINS, st.data())
@settings(max_examples=200)
def test_any_mutation_is_detected(events, data):
    head = _head(events)
    i = data.draw(st.integers(0, len(events) - 1))
    field = data.draw(st.sampled_from([f for f in chain.HASHED_FIELDS if f != "seq"]))
    tampered = [dict(e) for e in events]
    original = tampered[i][field]
    replacement = data.draw(st.text(min_size=1, max_size=8).filter(lambda v: v != original))
    tampered[i][field] = replacement
    problems = chain.verify(tampered, head=head)
    assert any(p.seq == events[i]["seq"] and p.kind == "altered" for p in problems)


@given(CHAINS, st.data())
@settings(max_examples=200)
def test_any_deletion_is_detected(events, data):
    head = _head(events)
    i = data.draw(st.integers(0, len(events) - 1))
    remaining = events[:i] + events[i + 1:]
    assert chain.verify(remaining, head=head) != []


@given(CHAINS, st.data())
@settings(max_examples=200)
def test_any_reordering_is_detected(events, data):
    i = data.draw(st.integers(0, len(events) - 2))
    j = data.draw(st.integers(i + 1, len(events) - 1))
    swapped = list(events)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert chain.verify(swapped, head=_head(events)) != []


@given(CHAINS, st.data())
@settings(max_examples=100)
def test_rewritten_history_is_caught_by_an_anchor(events, data):
    """An attacker who recomputes every hash passes the chain check but not a published anchor."""
    anchor = _head(events)
    i = data.draw(st.integers(0, len(events) - 1))
    plain = [{k: v for k, v in e.items() if k not in {"seq", "hash", "prev_hash"}} for e in events]
    plain[i]["reason"] = plain[i]["reason"] + "（改）"
    rewritten = chain.build(plain)
    assert chain.verify(rewritten, head=_head(rewritten)) == []
    problems = chain.verify(rewritten, head=_head(rewritten), anchors=[anchor])
    assert [p.kind for p in problems] == ["anchor"]
