"""A complete faked application passes every preset's own rules; mangled records never make screen() raise."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinxuan.formalrules import Finding, screen
from tests.formalrules import GZ, TOP, XH, field_key, fresh, make_record

FIGURES = "审批效率提升35%，运营成本降低2个百分点，累计服务小微企业5200家、投放贷款12.6亿元。"


def complete(preset, track):
    record = make_record(preset, track, submitted_at="2025-10-15T09:30:00+08:00" if preset is not GZ else
                         "2026-04-01T09:30:00+08:00")
    answers = record["answers"]
    if preset is GZ:
        answers[field_key(GZ, "案例运行时间")] = {"start": "2024-03", "end": "至今"}
    if preset is XH:
        answers[field_key(XH, "实施起始时间")] = "2023-06"
        answers[field_key(XH, "申报单位类型")] = {"choice": "持牌金融机构", "sub": [], "text": ""}  # the lead is a bank
        answers[field_key(XH, "案例报告")]["quantified_results"] += FIGURES
    if preset is TOP:
        answers[field_key(TOP, "关键成效与量化证据")] = "为集成电路产业链上下游企业提供服务，" + FIGURES
        answers[field_key(TOP, "所用技术")] = {"choices": ["区块链", "隐私计算"], "other": ""}
        answers[field_key(TOP, "服务产业")] = "集成电路产业链"
        answers[field_key(TOP, "核心实践地")] = answers[field_key(TOP, "牵头单位主营业务所在地")] = "上海市"
        for unit in record["units"]:
            unit["organisation"]["office_region"] = "上海市"
        answers[field_key(TOP, "上海本地合作方")] = []
    return record


CASES = [(p, t.key) for p in (GZ, XH, TOP) for t in p.tracks]


@pytest.mark.parametrize("preset, track", CASES, ids=[f"{p.slug}:{t}" for p, t in CASES])
def test_complete_faked_application_has_no_blocking_finding(preset, track):
    findings = screen(preset, complete(preset, track))
    assert [f.message for f in findings if f.severity == "blocking"] == []
    assert not [f for f in findings if f.message.startswith("规则执行出错")]
    json.dumps([f.to_json() for f in findings], ensure_ascii=False)


# -- mangled records -------------------------------------------------------------------------------

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6), st.floats(allow_nan=True),
    st.text(max_size=6), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["至今", "2024-13", "91440101MA5CXXXXX1", "上海市", "“易融通”", "2024-02-30", "-1", "NaN"]),
)
SEEDS = {p.slug: complete(p, p.tracks[-1].key) for p in (GZ, XH, TOP)}


def _mangle(data, node, depth=0):
    """Delete a key/item or replace a value somewhere below `node` (a random walk)."""
    if isinstance(node, dict):
        keys = list(node)
    elif isinstance(node, list):
        keys = list(range(len(node)))
    else:
        return
    if not keys:
        return
    key = data.draw(st.sampled_from(keys))
    child = node[key]
    if isinstance(child, dict | list) and child and depth < 8 and data.draw(st.booleans()):
        _mangle(data, child, depth + 1)
    elif data.draw(st.booleans()):
        del node[key]
    else:
        node[key] = data.draw(JUNK)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), slug=st.sampled_from(sorted(SEEDS)), edits=st.integers(min_value=1, max_value=12))
def test_screen_never_raises_on_mangled_records(data, slug, edits):
    preset = {p.slug: p for p in (GZ, XH, TOP)}[slug]
    record = fresh(SEEDS[slug])
    for _ in range(edits):
        _mangle(data, record)
    if data.draw(st.integers(min_value=0, max_value=20)) == 0:
        record = data.draw(JUNK)
    findings = screen(preset, record)
    assert all(isinstance(f, Finding) and f.severity in {"blocking", "warning"} for f in findings)
    json.dumps([f.to_json() for f in findings], ensure_ascii=False)
