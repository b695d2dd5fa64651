"""consistency: figures and identities that contradict each other (beyond what formcheck checks)."""

from jinxuan.formalrules.evaluate import run_rule
from tests.formalrules import GZ, TOP, credit_code, field_key, fresh, make_record

BASE = make_record(GZ)
TABLE = next(f.key for f in GZ.form.fields("unit") if f.type == "indicator_table")


def test_consistent_record_passes():
    assert run_rule("consistency", GZ, fresh(BASE)) == []


def test_digital_finance_revenue_above_total_revenue_is_blocked():
    record = fresh(BASE)
    table = record["units"][0]["answers"][TABLE]
    table["revenue"]["2024"], table["digital_finance_revenue"]["2024"] = "1000", "1200.5"
    table["rd_investment"]["2024"], table["rd_ratio"]["2024"] = "100", "10"
    found = run_rule("consistency", GZ, record)
    assert len(found) == 1 and found[0].severity == "blocking"
    assert found[0].field == f"units[0].{TABLE}.digital_finance_revenue.2024"
    assert "2024年数字金融业务收入（1200.5万元）高于营业收入（1000万元）" in found[0].message


def test_rnd_above_revenue_is_a_warning():
    record = fresh(BASE)
    table = record["units"][1]["answers"][TABLE]
    table["revenue"]["2025"], table["digital_finance_revenue"]["2025"], table["rd_investment"]["2025"] = "500", "100", "800"
    found = run_rule("consistency", GZ, record)
    assert [f.severity for f in found] == ["warning"] and "研发投入（800万元）高于营业收入" in found[0].message


def test_one_credit_code_under_two_names_and_the_same_unit_twice():
    record = fresh(BASE)
    record["units"][1]["credit_code"] = record["units"][0]["credit_code"]
    found = run_rule("consistency", GZ, record)
    messages = [f.message for f in found if f.severity == "blocking"]
    assert any("对应了不同的单位名称" in m for m in messages)
    assert any("在申报单位中出现了 2 次" in m for m in messages)


def test_same_name_with_two_codes():
    record = fresh(BASE)
    record["units"][1]["name"] = record["units"][0]["name"]
    found = run_rule("consistency", GZ, record)
    assert any("单位“广州瀚澜银行股份有限公司”在申报单位中出现了 2 次" in f.message for f in found)


def test_unit_answer_code_differs_from_the_organisation():
    record = fresh(BASE)
    record["units"][0]["answers"][field_key(GZ, "统一社会信用代码", "unit")] = credit_code(555)
    found = run_rule("consistency", GZ, record)
    assert [f.severity for f in found] == ["blocking"] and "不一致" in found[0].message


def test_per_unit_answer_for_a_stranger_is_a_warning():
    record = fresh(BASE)
    ratio = field_key(GZ, "案例自研比例")
    record["answers"][ratio][credit_code(777)] = "50"
    found = run_rule("consistency", GZ, record)
    assert [f.severity for f in found] == ["warning"] and found[0].field == ratio


def test_shanghai_partner_with_a_units_code_but_another_name():
    record = make_record(TOP, "shanghai_data_finance")
    partners = field_key(TOP, "上海本地合作方")
    record["answers"][partners] = [{"name": "上海另一家科技有限公司", "uscc": record["units"][0]["credit_code"],
                                    "contribution": "本地运营"}]
    found = run_rule("consistency", TOP, record)
    assert found and found[0].field == f"{partners}[0]" and "对应了不同的单位名称" in found[0].message
