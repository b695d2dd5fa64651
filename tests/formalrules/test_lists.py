"""002's list rules (shanghai_scope, technology_scope, industry_focus) and quantified_results (001, 002)."""

import pytest

from jinxuan.formalrules.evaluate import run_rule
from jinxuan.formalrules.quantities import quantities
from tests.formalrules import TOP, XH, credit_code, field_key, fresh, make_record

SH = make_record(TOP, "shanghai_data_finance",
                 units=[("北京瀚澜数据科技有限公司", "北京", "2012-01-01"), ("上海睿拓科技有限公司", "上海", "2015-01-01")])
CORE = field_key(TOP, "核心实践地")
LEAD_REGION = field_key(TOP, "牵头单位主营业务所在地")
PARTNERS = field_key(TOP, "上海本地合作方")
RESOURCES = field_key(TOP, "核心资源是否部署在上海")
VALUE = field_key(TOP, "价值主要释放地")


def _shanghai(partner=True, resources=True, value="上海市", lead="北京市", core="上海市"):
    record = fresh(SH)
    answers = record["answers"]
    answers[CORE], answers[LEAD_REGION] = core, lead
    answers[PARTNERS] = [{"name": "上海睿拓科技有限公司", "uscc": record["units"][1]["credit_code"],
                          "contribution": "负责数据产品的合规评估、上海数据交易所挂牌及本地客户运营。"}] if partner else []
    answers[RESOURCES], answers[VALUE] = resources, value
    return record


def test_led_from_beijing_with_two_of_three_conditions_is_blocked():
    found = run_rule("shanghai_scope", TOP, _shanghai(value="北京市"))
    assert len(found) == 1 and found[0].severity == "blocking"
    assert found[0].evidence["failed"] == ["价值主要释放在上海"]
    assert found[0].field == VALUE
    assert "牵头单位不在上海市" in found[0].message and "价值主要释放在上海（价值主要释放地为“北京市”）" in found[0].message
    met = {c["condition"]: c["met"] for c in found[0].evidence["conditions"]}
    assert met == {"上海本地必有深度合作方": True, "核心资源投入在上海": True, "价值主要释放在上海": False}


@pytest.mark.parametrize("missing, failed", [({"partner": False}, "上海本地必有深度合作方"),
                                             ({"resources": False}, "核心资源投入在上海")])
def test_each_missing_condition_is_named(missing, failed):
    found = run_rule("shanghai_scope", TOP, _shanghai(**missing))
    assert found[0].evidence["failed"] == [failed]


def test_led_from_beijing_with_all_three_conditions_passes():
    assert run_rule("shanghai_scope", TOP, _shanghai()) == []


def test_led_from_shanghai_needs_no_conditions():
    record = _shanghai(partner=False, resources=False, value="", lead="上海市")
    assert run_rule("shanghai_scope", TOP, record) == []


def test_core_practice_outside_shanghai_is_blocked():
    found = run_rule("shanghai_scope", TOP, _shanghai(core="浙江省杭州市"))
    assert [f.field for f in found] == [CORE] and "不在上海市" in found[0].message


def test_partner_without_credit_code_does_not_count_and_beijing_registration_is_flagged():
    record = _shanghai()
    record["answers"][PARTNERS][0]["uscc"] = ""
    assert run_rule("shanghai_scope", TOP, record)[0].evidence["failed"] == ["上海本地必有深度合作方"]
    record = _shanghai()
    record["answers"][PARTNERS][0]["uscc"] = credit_code(99, "北京")
    found = run_rule("shanghai_scope", TOP, record)
    assert [f.severity for f in found] == ["warning"] and "登记地为北京市" in found[0].message


def test_shanghai_rule_only_for_its_list():
    record = _shanghai(value="北京市")
    record["track"] = "digital_finance_events"
    assert run_rule("shanghai_scope", TOP, record, {"track": "shanghai_data_finance"}) == []


# -- technology_scope ------------------------------------------------------------------------------

TECH = make_record(TOP, "tech_breakthrough")
TECHS = field_key(TOP, "所用技术")


def _tech(choices, other=""):
    record = fresh(TECH)
    record["answers"][TECHS] = {"choices": choices, "other": other}
    return run_rule("technology_scope", TOP, record, {"track": "tech_breakthrough"})


def test_only_cloud_computing_is_blocked_blockchain_passes():
    found = _tech(["云计算"])
    assert len(found) == 1 and found[0].severity == "blocking" and "云计算" in found[0].message
    assert found[0].evidence["outside"] == ["云计算"]
    assert _tech(["区块链"]) == []


def test_technologies_outside_the_scope_beside_one_inside_are_warnings():
    found = _tech(["区块链", "云计算", "大数据"])
    assert [f.severity for f in found] == ["warning"] and "云计算、大数据" in found[0].message


def test_other_text_naming_a_scope_technology_counts():
    assert _tech(["其他"], "联邦学习") == []
    assert _tech([])[0].severity == "blocking"


def test_technology_scope_not_applied_to_other_lists():
    record = fresh(TECH)
    record["track"] = "digital_finance_events"
    record["answers"][TECHS] = {"choices": ["云计算"], "other": ""}
    assert run_rule("technology_scope", TOP, record) == []  # the main list has no technology_scope


# -- industry_focus --------------------------------------------------------------------------------

INDUSTRY = make_record(TOP, "industry_empowerment")
SERVED = field_key(TOP, "服务产业")
RESULTS = field_key(TOP, "关键成效与量化证据")
GOOD_RESULTS = "已为集成电路产业链上下游 320 家企业提供融资 18.5 亿元，产业链整体融资成本降低 1.2 个百分点。"


def _industry(served, results=GOOD_RESULTS):
    record = fresh(INDUSTRY)
    record["answers"][SERVED], record["answers"][RESULTS] = served, results
    return run_rule("industry_focus", TOP, record, {"track": "industry_empowerment"})


def test_concrete_industry_with_figures_passes():
    assert _industry("集成电路产业链") == []
    assert _industry("生物医药") == []


@pytest.mark.parametrize("served", ["", "各行业", "实体经济", "产业链", "千行百业"])
def test_empty_or_generic_industry_is_blocked(served):
    found = _industry(served)
    assert [f.severity for f in found] == ["blocking"] and found[0].field == SERVED


def test_results_without_figures_are_blocked_unrelated_figures_warned():
    found = _industry("集成电路", "项目显著提升了服务效率，获得客户好评。")
    assert [f.severity for f in found] == ["blocking"] and "量化证据" in found[0].message
    found = _industry("集成电路", "系统响应时间缩短至 200 毫秒，模型准确率提升 12%。")
    assert [f.severity for f in found] == ["warning"]


# -- quantified_results ----------------------------------------------------------------------------

XH_RECORD = make_record(XH)
REPORT = field_key(XH, "案例报告")


def _report(text):
    record = fresh(XH_RECORD)
    record["answers"][REPORT]["quantified_results"] = text
    return run_rule("quantified_results", XH, record)


def test_001_report_without_numbers_is_blocked_with_numbers_passes():
    found = _report("项目上线后，业务效率显著提升，运营成本明显下降，风险控制能力持续增强，得到了客户的广泛认可。")
    assert len(found) == 1 and found[0].severity == "blocking"
    assert found[0].message.startswith("案例报告·量化成效分析缺少量化成效：未发现量化数据，至少需要 3 处")
    assert _report("审批效率提升30%，不良率降低2个百分点，累计投放1.2亿元，服务5000家小微企业。") == []


def test_two_figures_are_not_enough_by_default():
    found = _report("审批效率提升30%，累计投放1.2亿元。2023年1月上线。")
    assert found and found[0].evidence["found"] == ["30%", "1.2亿元"]
    assert _report("审批效率提升30%，累计投放1.2亿元。") != []
    record = fresh(XH_RECORD)
    record["answers"][REPORT]["quantified_results"] = "审批效率提升30%，累计投放1.2亿元。"
    assert run_rule("quantified_results", XH, record, {"min_mentions": 2}) == []


def test_002_quantified_results_only_for_the_named_lists():
    record = make_record(TOP, "industry_empowerment")
    record["answers"][RESULTS] = "项目成效显著。"
    params = {"tracks": ["industry_empowerment"]}
    assert run_rule("quantified_results", TOP, record, params)[0].field == RESULTS
    record["track"] = "sci_tech_finance_events"
    assert run_rule("quantified_results", TOP, record, params) == []


@pytest.mark.parametrize("text, expected", [
    ("授信评估效率提升 90% 以上", ["90%"]),
    ("降低2个百分点，1.2亿元，服务5000家", ["2个百分点", "1.2亿元", "5000家"]),
    ("放款超 463 亿元，覆盖 1,800+家机构", ["463 亿元", "1,800+家"]),
    ("风控决策效率提高了120倍，七年累计，7年间", ["120倍", "7年"]),
    ("2023年1月上线，2025年底前完成，5G和AI", []),
])
def test_quantity_detector(text, expected):
    assert quantities(text) == expected
