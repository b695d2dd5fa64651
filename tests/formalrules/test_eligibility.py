"""unit_count, years_in_operation, implementation_region, implementation_dates, applicant_type."""

import pytest

from jinxuan.formalrules.evaluate import run_rule
from tests.formalrules import GZ, XH, credit_code, field_key, fresh, make_record

BASE = make_record(GZ)  # a draft: measured at the deadline 2026-04-10
FOUNDED = field_key(GZ, "成立时间", "unit")


# -- unit_count ------------------------------------------------------------------------------------

def test_four_units_under_000_are_blocked_three_pass():
    units = [("广州瀚澜银行股份有限公司", "广州", "2010-01-01"), ("深圳睿拓数据科技有限公司", "深圳", "2012-01-01"),
             ("广州锦程科技有限公司", "广州", "2013-01-01"), ("深圳恒达信息技术有限公司", "深圳", "2014-01-01")]
    four = make_record(GZ, units=units)
    found = run_rule("unit_count", GZ, four)
    assert len(found) == 1 and found[0].severity == "blocking"
    assert found[0].message == "申报单位（含主申报单位）不超过 3 家，当前 4 家"
    assert found[0].evidence["units"] == [u[0] for u in units]
    assert run_rule("unit_count", GZ, make_record(GZ, units=units[:3])) == []
    assert run_rule("unit_count", GZ, four, {"max_units": 4}) == []


# -- years_in_operation ----------------------------------------------------------------------------

def _founded(record, organisation, answer=None):
    record["units"][0]["organisation"]["founded"] = organisation
    record["units"][0]["answers"][FOUNDED] = answer if answer is not None else (organisation or "")[:7]
    return record


def test_founded_23_months_before_the_deadline_is_blocked_24_passes():
    blocked = run_rule("years_in_operation", GZ, _founded(fresh(BASE), "2024-05-10"))
    assert len(blocked) == 1 and blocked[0].severity == "blocking"
    assert blocked[0].evidence["months"] == 23 and blocked[0].evidence["reference"] == "申报截止日期"
    assert "持续经营 23 个月，未满 2 年" in blocked[0].message
    assert run_rule("years_in_operation", GZ, _founded(fresh(BASE), "2024-04-10")) == []


def test_measured_at_submission_in_china_time():
    record = _founded(fresh(BASE), "2024-03-01")
    record["submitted_at"] = "2026-02-28T20:00:00+00:00"  # 2026-03-01 04:00 in Beijing
    assert run_rule("years_in_operation", GZ, record) == []
    record["units"][0]["organisation"]["founded"] = "2024-03-02"
    record["units"][0]["answers"][FOUNDED] = "2024-03"
    found = run_rule("years_in_operation", GZ, record)
    assert [f.evidence["months"] for f in found] == [23]
    assert found[0].evidence["reference_date"] == "2026-03-01"


def test_founding_month_from_the_unit_answer():
    record = _founded(fresh(BASE), None, "2024-05")
    found = run_rule("years_in_operation", GZ, record)
    assert found and found[0].field == f"units[0].{FOUNDED}" and found[0].evidence["founded"] == "2024-05"
    assert run_rule("years_in_operation", GZ, _founded(fresh(BASE), None, "2024-04")) == []


def test_missing_founding_date_is_a_warning():
    found = run_rule("years_in_operation", GZ, _founded(fresh(BASE), None, ""))
    assert [f.severity for f in found] == ["warning"] and "未提供成立时间" in found[0].message


def test_joint_unit_founded_recently_is_blocked_unless_lead_only():
    record = fresh(BASE)
    record["units"][1]["organisation"]["founded"] = "2025-01-01"
    record["units"][1]["answers"][FOUNDED] = "2025-01"
    assert run_rule("years_in_operation", GZ, record)[0].field == "units[1].organisation.founded"
    assert run_rule("years_in_operation", GZ, record, {"lead_only": True}) == []


def test_founding_answer_contradicting_the_organisation_record_is_a_warning():
    found = run_rule("years_in_operation", GZ, _founded(fresh(BASE), "2010-05-01", "2012-05"))
    assert [f.severity for f in found] == ["warning"] and "不一致" in found[0].message


# -- implementation_region -------------------------------------------------------------------------

def _outside_guangdong():
    return make_record(GZ, units=[("北京瀚澜银行股份有限公司", "北京", "2010-01-01"), ("上海睿拓科技有限公司", "上海", "2012-01-01")])


def test_units_outside_and_no_text_mention_is_blocking():
    found = run_rule("implementation_region", GZ, _outside_guangdong())
    assert len(found) == 1 and found[0].severity == "blocking"
    assert "申报单位均不在广东" in found[0].message
    assert found[0].evidence["unit_regions"]["北京瀚澜银行股份有限公司"][0] == "北京市"
    assert found[0].message.count("北京市") == 1  # a place the unit gives in several fields is named once



def test_a_text_naming_a_guangdong_city_establishes_the_region():
    record = _outside_guangdong()
    record["answers"][field_key(GZ, "业务方案")] += "项目已在广州、佛山两地的普惠信贷业务中落地应用。"
    assert run_rule("implementation_region", GZ, record) == []


def test_a_unit_in_guangdong_establishes_the_region():
    assert run_rule("implementation_region", GZ, fresh(BASE)) == []


def test_unknown_unit_regions_and_no_text_is_only_a_warning():
    record = _outside_guangdong()
    for unit in record["units"]:
        unit["organisation"].update(registered_region="", office_region="")
        for key in (field_key(GZ, "注册地", "unit"), field_key(GZ, "主要办公地", "unit")):
            unit["answers"][key] = ""
    found = run_rule("implementation_region", GZ, record)
    assert [f.severity for f in found] == ["warning"] and "无法确认" in found[0].message


# -- implementation_dates --------------------------------------------------------------------------

XH_RECORD = make_record(XH, submitted_at="2025-10-15T10:00:00+08:00")
SINCE = field_key(XH, "实施起始时间")


def test_001_implementation_starting_2022_12_is_blocked_2023_01_passes():
    record = fresh(XH_RECORD)
    record["answers"][SINCE] = "2022-12"
    found = run_rule("implementation_dates", XH, record)
    assert len(found) == 1 and found[0].severity == "blocking" and found[0].field == SINCE
    assert "早于 2023年1月" in found[0].message and found[0].evidence["start"] == "2022-12"
    record["answers"][SINCE] = "2023-01"
    assert run_rule("implementation_dates", XH, record) == []


def test_000_implementation_must_start_by_end_of_2025():
    record = fresh(BASE)
    period = field_key(GZ, "案例运行时间")
    record["answers"][period] = {"start": "2025-12", "end": "至今"}
    assert run_rule("implementation_dates", GZ, record) == []
    record["answers"][period] = {"start": "2026-01", "end": "至今"}
    found = run_rule("implementation_dates", GZ, record)
    assert found and found[0].severity == "blocking" and "晚于 2025年12月" in found[0].message


def test_not_yet_started_and_no_longer_in_use():
    record = fresh(XH_RECORD)
    record["answers"][SINCE] = "2025-11"  # submitted 2025-10-15
    assert any("尚未实施" in f.message for f in run_rule("implementation_dates", XH, record))
    record = fresh(BASE)
    record["answers"][field_key(GZ, "案例运行时间")] = {"start": "2023-01", "end": "2024-06"}
    found = run_rule("implementation_dates", GZ, record, {"in_use": True})
    assert [f.severity for f in found] == ["warning"] and "在用" in found[0].message


# -- applicant_type --------------------------------------------------------------------------------

APPLICANT_TYPE = field_key(XH, "申报单位类型")


@pytest.mark.parametrize("choice, severity", [("持牌金融机构", None), ("政府部门", "blocking"), ("", "blocking"),
                                              ("金融科技公司", "warning")])
def test_001_applicant_type(choice, severity):
    record = fresh(XH_RECORD)  # lead: a bank
    record["answers"][APPLICANT_TYPE] = {"choice": choice, "sub": [], "text": ""}
    found = run_rule("applicant_type", XH, record)
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_applicant_type_needs_the_field():
    assert run_rule("applicant_type", GZ, fresh(BASE), {"types": ["持牌金融机构"]}) == []


def test_credit_codes_used_by_fixtures_are_valid():
    from jinxuan.formalrules.formcheck import credit_code_problem

    assert credit_code_problem(credit_code(1, "上海")) is None
