"""Quantified results in Chinese case texts: ground truth from seed 003, hand-made examples, exclusions,
`jinxuan text metrics` and a property test."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.textmining.metrics import Metric, extract, to_json

SEED_003 = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "003_cf5b663ec63ff4f9.part1.txt"


def find(metrics, value, unit):
    return [m for m in metrics if abs(m.value - value) < 1e-6 * max(1.0, abs(value)) and m.unit == unit]


# --- seed 003 ----------------------------------------------------------------------------------

# (span inside the text, value, unit, qualifiers that must be present)
SEED_EXPECTED = [
    ("1500 余家", 1500, "家", {"余"}),
    ("13609 项", 13609, "项", set()),
    ("18 项", 18, "项", set()),
    ("10 个", 10, "个", set()),
    ("60 万经营主体", 600000, "经营主体", set()),
    ("53 家", 53, "家", set()),
    ("90% 以上", 90, "%", {"提升", "以上"}),
    ("60%", 60, "%", {"降低"}),
    ("8 万多户", 80000, "户", {"多"}),
    ("15 万次", 150000, "次", set()),
    ("35%", 35, "%", set()),
    ("463 亿元", 46300000000, "元", {"超"}),
    ("6.4 万余人", 64000, "人", {"余"}),
    ("70%", 70, "%", {"提升"}),
    ("6 万多户", 60000, "户", {"多"}),
    ("20倍", 20, "倍", {"增长", "超"}),
    ("120倍", 120, "倍", {"提高"}),
    ("1%以下", 1, "%", {"降至", "以下"}),
    ("三十项", 30, "项", {"近"}),
    ("2000余类", 2000, "类", {"余"}),
    ("4000多个", 4000, "个", {"多"}),
    ("2万余项", 20000, "项", {"余"}),
    ("两万余家", 20000, "家", {"余"}),
    ("370+", 370, "", {"以上"}),
    ("54 项", 54, "项", set()),
    ("9 大类", 9, "类", set()),
    ("万亿", 1e12, "元", {"超"}),
    ("百亿", 1e10, "元", {"超"}),
]


@pytest.fixture(scope="module")
def seed_text():
    if not SEED_003.exists():
        pytest.skip(f"seed file absent: {SEED_003}")
    return SEED_003.read_text(encoding="utf-8")


@pytest.mark.parametrize("span,value,unit,quals", SEED_EXPECTED, ids=[e[0] for e in SEED_EXPECTED])
def test_seed_003_figures(seed_text, span, value, unit, quals):
    assert span in seed_text
    metrics = extract(seed_text)
    hits = [m for m in find(metrics, value, unit) if span in m.span or m.span in span]
    assert hits, f"{span} not found"
    assert any(quals <= set(m.qualifier.split(",")) for m in hits), [m.qualifier for m in hits]


def test_seed_003_range_and_no_false_figures(seed_text):
    metrics = extract(seed_text)
    for m in metrics:
        assert seed_text[m.start:m.end] == m.span
        assert "年" not in m.measure or m.value < 100 * 31536000
        assert not m.span.startswith(("图", "一是", "二是", "三是", "四是"))
    ranges = [m for m in metrics if m.before is not None]
    assert ranges and ranges[0].value == 14 * 86400 and ranges[0].before == 4 * 30 * 86400
    assert "从…到…" in ranges[0].qualifier and "缩短" in ranges[0].qualifier
    # 图1, 图 2 and 一是…四是 produce nothing
    starts = {m.start for m in metrics}
    for marker in ("图1", "图 2", "一是", "二是", "三是", "四是"):
        pos = seed_text.find(marker)
        assert pos >= 0 and not any(pos <= s < pos + len(marker) for s in starts)


# --- hand-made examples ------------------------------------------------------------------------

MONEY = [
    ("放款超 463 亿元", 463e8, "超"), ("投资一千二百万元", 12e6, ""), ("节约成本 500 万元", 5e6, ""),
    ("累计投放 1.2 万亿元", 1.2e12, ""), ("营收 3,200 万元", 3.2e7, ""), ("补贴 800元", 800, ""),
    ("融资逾 20 亿元", 2e9, "逾"), ("约 5000 万元", 5e7, "约"), ("近 3 亿元", 3e8, "近"),
    ("贷款 12.5亿元", 1.25e9, ""), ("两亿元资金", 2e8, ""), ("三千万元", 3e7, ""),
    ("交易额达 80 亿元", 8e9, ""), ("降低费用 200 余万元", 2e6, "余"), ("减少支出 1000 多万元", 1e7, "多"),
    ("收入增长至 6 亿元", 6e8, "增长"), ("超过 10 万元", 1e5, "超"), ("带动 300 亿元投资", 3e10, ""),
    ("五百万元", 5e6, ""), ("1,500 元/户", 1500, ""), ("投入 4.5 千万元", 4.5e7, ""),
    ("年均 9 万元", 9e4, ""), ("价值 100 亿元以上", 1e10, "以上"), ("成本 50 元", 50, ""),
    ("累计放款 1 万亿元", 1e12, ""), ("六点五亿元", 6.5e8, ""), ("投放贷款超万亿，", 1e12, "超"),
    ("实现超百亿的经济效益", 1e10, "超"),
]
PERCENT = [
    ("提升 90% 以上", 90, "提升"), ("降低 60%", 60, "降低"), ("转化率达 35%", 35, ""), ("覆盖率提升 70%", 70, "提升"),
    ("不良率降低至1%以下", 1, "降至"), ("占比达90%以上", 90, "以上"), ("缩短 80%以上", 80, "缩短"),
    ("增长 12.5%", 12.5, "增长"), ("下降 3%", 3, "下降"), ("约 45％", 45, "约"), ("近 99.9%", 99.9, "近"),
    ("百分之三十", 30, ""), ("超过 50%", 50, "超"), ("提高了 15%", 15, "提高"), ("减少 20%", 20, "减少"),
    ("30% 财产险保司", 30, ""), ("80%的国民经济行业", 80, ""), ("合格率 100%", 100, ""),
    ("逾 60%", 60, "逾"), ("效率提升 3.5 %", 3.5, "提升"), ("误报率下降至 5%", 5, "降至"),
    ("增幅为 8%", 8, ""), ("准确率 95% 以上", 95, "以上"), ("10%以下", 10, "以下"), ("百分之九十五", 95, ""),
]
TIMES = [
    ("增长超过20倍", 20, "倍", "超"), ("提高了120倍", 120, "倍", "提高"), ("提升至原来的3倍", 3, "倍", "提升"),
    ("增长23倍", 23, "倍", "增长"), ("效率提升 10 倍", 10, "倍", "提升"), ("提高 2.5 倍", 2.5, "倍", "提高"),
    ("五倍", 5, "倍", ""), ("近 4 倍", 4, "倍", "近"), ("十倍以上", 10, "倍", "以上"),
    ("增长 100 多倍", 100, "倍", "多"), ("下降 2 个百分点", 2, "个百分点", "下降"),
    ("提高 5.3 个百分点", 5.3, "个百分点", "提高"), ("提升了 3 个百分点", 3, "个百分点", "提升"),
    ("降低 0.5 个百分点", 0.5, "个百分点", "降低"), ("高出 12 个百分点", 12, "个百分点", ""),
    ("增长 8 个百分点", 8, "个百分点", "增长"), ("超 6 个百分点", 6, "个百分点", "超"),
    ("约 1.5 倍", 1.5, "倍", "约"), ("30 倍", 30, "倍", ""), ("增长了三倍", 3, "倍", "增长"),
    ("提高 40 倍以上", 40, "倍", "以上"), ("逾 7 倍", 7, "倍", "逾"), ("1.8倍", 1.8, "倍", ""),
    ("两个百分点", 2, "个百分点", ""), ("增长 2000 倍", 2000, "倍", "增长"),
]
COUNTS = [
    ("全面归集 1500 余家部门", 1500, "家", "余"), ("13609 项公共数据", 13609, "项", ""),
    ("两万余家金融机构", 20000, "家", "余"), ("近三十项产品", 30, "项", "近"), ("6.4 万余人就业", 64000, "人", "余"),
    ("1,800 家企业", 1800, "家", ""), ("8 万多户经营主体", 80000, "户", "多"), ("推送 15 万次", 150000, "次", ""),
    ("服务 300 万人次", 3e6, "人次", ""), ("办理 2.3 万笔", 23000, "笔", ""), ("发布 120 条规则", 120, "条", ""),
    ("接入 500 辆车", 500, "辆", ""), ("推出 12 款产品", 12, "款", ""), ("制定 7 项行业标准", 7, "项", ""),
    ("处理 3000 件案件", 3000, "件", ""), ("部署 200 台服务器", 200, "台", ""), ("覆盖 40 所高校", 40, "所", ""),
    ("支持 20 种语言", 20, "种", ""), ("上线 5 套系统", 5, "套", ""), ("举办 30 场活动", 30, "场", ""),
    ("培训 600 名干部", 600, "名", ""), ("邀请 15 位专家", 15, "位", ""), ("种植 1.2 万亩", 12000, "亩", ""),
    ("减排 3 万吨", 30000, "吨", ""), ("节电 500 万千瓦时", 5e6, "千瓦时", ""), ("服务逾 1000 户农户", 1000, "户", "逾"),
    ("向全省 60 万经营主体提供", 600000, "经营主体", ""), ("打通 370+外部数据源", 370, "", "以上"),
    ("超 1800+ 用户", 1800, "", "以上"), ("共享数据资产2万余项", 20000, "项", "余"), ("一千二百个", 1200, "个", ""), ("数量不超过3家", 3, "家", "以下"), ("不少于 10 项", 10, "项", "以上"),
    ("实现 9 大类政策推送", 9, "类", ""), ("近万张报表", 10000, "张", "近"),
]
DURATIONS = [
    ("缩短至 3 天", 3 * 86400, "缩短"), ("用时 30 秒", 30, ""), ("仅需 5 分钟", 300, ""), ("2 小时内", 7200, ""),
    ("两周", 14 * 86400, ""), ("四个月", 4 * 2592000, ""), ("近 3 年", 3 * 31536000, "近"), ("七年累计", 7 * 31536000, ""),
    ("10 个工作日", 10 * 86400, ""), ("1.5 小时", 5400, ""), ("三天", 3 * 86400, ""), ("约 20 分钟", 1200, "约"),
    ("缩短到 15 秒", 15, "缩短"), ("半年", None, ""), ("6 个月", 6 * 2592000, ""), ("90 天", 90 * 86400, ""),
    ("48小时", 48 * 3600, ""), ("3 年内", 3 * 31536000, ""), ("十秒钟", 10, ""), ("两个星期", 14 * 86400, ""),
    ("逾 5 年", 5 * 31536000, "逾"), ("12 个月", 12 * 2592000, ""), ("八小时", 8 * 3600, ""), ("200毫秒", None, ""),
    ("100 多天", 100 * 86400, "多"),
]
EXCLUSIONS = [
    "2024年", "2023 年", "二〇二四年", "2024年度", "3月15日", "12 月", "2025-10-20", "2025/10/20", "2025.10.20",
    "一是构建体系", "二是", "第一", "第三届", "第 5 项", "第12名", "图1 “数据驱动”", "图 2 以数据为核心", "表3 指标",
    "表 4", "附件 2", "（一）总体情况", "1. 背景", "2.1 概述", "电话 0971-6312345", "13800138000", "热线 12345 次",
    "统一社会信用代码 91630000MA752XXXXX", "V2.0 版本", "版本 3.1.2", "5G 基站", "3D 打印", "区块链3.0", "Web3.0",
    "T+1", "五位一体", "三位一体", "三个阶段", "一网通办", "三大平台", "十大数据集", "千行百业", "万物互联", "数万个指标",
    "90年代", "H5 页面", "区块链3.0 所示", "工业4.0 项目", "如表所示", "上亿赔案", "“5+1”篇大文章", "1+N 模式", "万元", "亿元以下", "ISO9001 认证", "GB/T 22239", "1号文件", "",
]


@pytest.mark.parametrize("text,value,qual", MONEY, ids=[e[0] for e in MONEY])
def test_money(text, value, qual):
    hits = find(extract(text), value, "元")
    assert len(hits) == 1, extract(text)
    assert qual in hits[0].qualifier and hits[0].kind == "money"


@pytest.mark.parametrize("text,value,qual", PERCENT, ids=[e[0] for e in PERCENT])
def test_percent(text, value, qual):
    hits = find(extract(text), value, "%")
    assert len(hits) == 1, extract(text)
    assert qual in hits[0].qualifier


@pytest.mark.parametrize("text,value,unit,qual", TIMES, ids=[e[0] for e in TIMES])
def test_times_and_points(text, value, unit, qual):
    hits = find(extract(text), value, unit)
    assert len(hits) == 1, extract(text)
    assert qual in hits[0].qualifier


@pytest.mark.parametrize("text,value,unit,qual", COUNTS, ids=[e[0] for e in COUNTS])
def test_counts(text, value, unit, qual):
    hits = find(extract(text), value, unit)
    assert len(hits) == 1, extract(text)
    assert qual in hits[0].qualifier


@pytest.mark.parametrize("text,value,qual", DURATIONS, ids=[e[0] for e in DURATIONS])
def test_durations(text, value, qual):
    metrics = extract(text)
    if value is None:  # 半年, 毫秒: not understood, and nothing wrong reported either
        assert not find(metrics, 0, "秒")
        return
    hits = find(metrics, value, "秒")
    assert len(hits) == 1, metrics
    assert qual in hits[0].qualifier and hits[0].kind == "duration" and hits[0].measure


@pytest.mark.parametrize("text", EXCLUSIONS)
def test_exclusions(text):
    assert extract(text) == []


def test_ranges():
    (m,) = extract("研发周期从四个月大幅缩短至两周")
    assert (m.value, m.before, m.unit, m.span) == (14 * 86400, 4 * 2592000, "秒", "四个月大幅缩短至两周")
    assert m.qualifier.split(",")[:2] == ["从…到…", "缩短"]
    (m,) = extract("审批时间由 5 天缩短至 1 天")
    assert (m.value, m.before) == (86400, 5 * 86400)
    (m,) = extract("覆盖率从 40% 提升到 85%")
    assert (m.value, m.before, m.unit) == (85, 40, "%") and "提升" in m.qualifier
    (m,) = extract("用户从 3 万户增长至 10 万户")
    assert (m.value, m.before, m.unit) == (100000, 30000, "户")
    assert len(extract("3 万户和 40% 提升到")) == 2  # different units never merge


def test_mixed_sentence_with_distractors():
    text = "2024年3月15日，图1 显示：一是 60 万户受益，二是放款超 463 亿元（2023 年为 300 亿元），效率提升 90% 以上。"
    got = [(m.value, m.unit, m.qualifier) for m in extract(text)]
    assert got == [(600000, "户", ""), (46300000000, "元", "超"), (30000000000, "元", ""), (90, "%", "提升,以上")]


def test_measure_and_offsets():
    text = "向 60 万经营主体、8 万多户提供服务，节约 1.2 亿元"
    metrics = extract(text)
    assert [m.measure for m in metrics] == ["万", "万户", "亿元"]
    assert [m.measure for m in extract("超万亿、两万余家、一千二百万元")] == ["万亿", "万家", "万元"]
    for m in metrics:
        assert text[m.start:m.end] == m.span


def test_to_json():
    data = to_json(extract("放款超 463 亿元"))
    assert data == [{"value": 46300000000.0, "unit": "元", "measure": "亿元", "qualifier": "超", "span": "463 亿元",
                     "start": 4, "end": 10, "kind": "money", "before": None}]
    json.dumps(data, ensure_ascii=False)
    with pytest.raises(AttributeError):
        Metric(1, "元", "元", "", "1元", 0, 2).value = 2  # frozen


def test_command(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("全面归集 1500 余家部门，2024 年放款超 463 亿元。"))
    call_command("text", "metrics")
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 2
    assert [(m["value"], m["unit"], m["qualifier"]) for m in out["metrics"]] == [
        (1500, "家", "余"), (46300000000, "元", "超")]


ALPHABET = st.sampled_from(list("0123456789,.+-% 年月日图表第万亿元家户人个项倍余多超近约以上下从到至缩短提升一二两三十百千点是")
                           + ["个百分点", "百分之", "个月", "\n", "V", "G"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(ALPHABET, max_size=40).map("".join)))
def test_never_raises_and_offsets_slice(text):
    for m in extract(text):
        assert text[m.start:m.end] == m.span
        assert m.start < m.end
        assert m.value == m.value  # not NaN
        if m.before is not None:
            assert "从…到…" in m.qualifier
