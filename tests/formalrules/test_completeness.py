"""completeness: formcheck's problems for submission as blocking findings, plus the required attachments."""

from jinxuan.formalrules.evaluate import run_rule
from tests.formalrules import GZ, XH, field_key, fresh, make_record

BASE = make_record(GZ)


def test_complete_record_passes():
    assert run_rule("completeness", GZ, fresh(BASE)) == []


def test_formcheck_problems_become_blocking_findings_at_their_path():
    record = fresh(BASE)
    record["answers"][field_key(GZ, "案例简介")] = ""
    found = run_rule("completeness", GZ, record)
    assert [(f.field, f.severity, f.message) for f in found] == [
        (field_key(GZ, "案例简介"), "blocking", "案例简介：必填项，尚未填写")]
    assert found[0].evidence == {"label": "案例简介", "problem": "必填项，尚未填写", "source": "formcheck"}


def test_missing_required_attachment():
    record = fresh(BASE)
    record["attachments"] = [a for a in record["attachments"] if a["key"] != "business_licence"]
    found = run_rule("completeness", GZ, record)
    assert [(f.field, f.message) for f in found] == [("attachments.business_licence", "缺少必要附件“营业执照”")]


def test_attachment_of_the_wrong_type_or_too_large():
    record = make_record(XH)
    logo = next(a for a in record["attachments"] if a["key"] == "logo")
    logo.update(detected="png", size=300 * 1024)
    messages = [f.message for f in run_rule("completeness", XH, record)]
    assert any("类型为 png，应为 jpg" in m for m in messages)
    assert any("大小 300.0 KB，应小于 200 KB" in m for m in messages)


def test_logo_of_199_2_kb_passes_the_under_200_kb_rule():
    """001 says 小于200kb: a logo of 199.2 KB is within it, one of exactly 200 KB is not."""
    record = make_record(XH)
    logo = next(a for a in record["attachments"] if a["key"] == "logo")
    logo.update(size=round(199.2 * 1024))
    assert not [f for f in run_rule("completeness", XH, record) if "商标" in f.message]
    logo.update(size=200 * 1024)
    assert [f.message for f in run_rule("completeness", XH, record) if "商标" in f.message] == [
        f"附件“商标”的文件“{logo['name']}”大小 200.0 KB，应小于 200 KB"]


def test_unit_limit_can_be_left_to_unit_count():
    units = [("广州瀚澜银行股份有限公司", "广州", "2010-01-01"), ("深圳睿拓数据科技有限公司", "深圳", "2012-01-01"),
             ("广州锦程科技有限公司", "广州", "2013-01-01"), ("深圳恒达信息技术有限公司", "深圳", "2014-01-01")]
    record = make_record(GZ, units=units)
    assert any(f.field == "units" for f in run_rule("completeness", GZ, record))
    assert not any(f.field == "units" for f in run_rule("completeness", GZ, record, {"include_unit_limit": False}))
