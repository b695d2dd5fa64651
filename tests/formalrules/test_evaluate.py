"""The rule evaluator: registry, record validation, severity overrides, ordering, errors become findings."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from jinxuan.campaigns.preset_io import PresetError, parse_preset_text
from jinxuan.campaigns.rule_names import RULE_NAMES
from jinxuan.formalrules import FORMAT, RULES, Finding, screen, validate_record
from jinxuan.formalrules.evaluate import INFO, run_rule
from tests.formalrules import GZ, TOP, XH, field_key, fresh, make_record

BASE = make_record(GZ)


def test_every_listed_rule_is_registered_and_documented():
    assert set(RULES) == set(RULE_NAMES)
    assert all(INFO[name].doc for name in RULE_NAMES)


def test_names_module_imports_nothing():
    source = open("jinxuan/campaigns/rule_names.py", encoding="utf-8").read()
    assert "import" not in source.replace('"""', "").split("RULE_NAMES")[1]
    assert not [line for line in source.splitlines() if line.startswith(("import ", "from "))]


def test_no_django_in_the_package():
    code = ("import sys, jinxuan.formalrules as s; s.screen; "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ,
                          "DJANGO_SETTINGS_MODULE": ""})
    assert done.returncode == 0, done.stderr


def test_finding_to_json_is_json():
    item = Finding("case_name", "case_name", "blocking", "案例名称含有…", {"when": {1, 2}, "n": 3})
    data = item.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["evidence"]["when"] == [1, 2]


@pytest.mark.parametrize("data, expected", [
    ([], "JSON 对象"),
    ({**BASE, "format": "other/1"}, "记录格式"),
    ({k: v for k, v in BASE.items() if k != "campaign"}, "campaign"),
    ({**BASE, "answers": []}, "answers"),
    ({k: v for k, v in BASE.items() if k != "units"}, "units"),
    ({**BASE, "units": ["x"]}, "units[0]"),
])
def test_validate_record_names_the_problem(data, expected):
    problems = validate_record(data)
    assert problems and any(expected in p for p in problems)
    findings = screen(GZ, data)
    assert findings and all(f.rule == "record" and f.severity == "blocking" for f in findings)


def test_valid_record_has_no_problems():
    assert validate_record(BASE) == []
    assert BASE["format"] == FORMAT


def test_campaign_mismatch_is_blocking():
    findings = screen(XH, fresh(BASE), specs=[])
    assert [f.field for f in findings] == ["campaign"] and "不一致" in findings[0].message


def test_blocking_first_and_severity_override():
    record = fresh(BASE)
    record["answers"][field_key(GZ, "案例名称")] = "中信银行XPay跨境支付应用"
    record["units"][0]["name"] = "中信银行股份有限公司"
    record["units"][0]["organisation"]["founded"] = None
    record["units"][0]["answers"].pop(field_key(GZ, "成立时间", "unit"))
    findings = screen(GZ, record, specs=[{"rule": "years_in_operation"}, {"rule": "case_name"}])
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "blocking")
    assert findings[0].rule == "case_name" and findings[-1].rule == "years_in_operation"
    downgraded = screen(GZ, record, specs=[{"rule": "case_name", "severity": "warning"}])
    assert downgraded and all(f.severity == "warning" for f in downgraded)


def test_unknown_rule_and_unknown_param_are_warnings():
    findings = screen(GZ, fresh(BASE), specs=[{"rule": "no_such_rule"}, {"rule": "unit_count", "params": {"maxunits": 2}}])
    messages = [f.message for f in findings]
    assert any("未知的审核规则" in m for m in messages)
    assert any("不认识参数：maxunits" in m for m in messages)
    assert all(f.severity == "warning" for f in findings)


def test_a_rule_crashing_on_a_broken_record_gives_a_warning():
    record = fresh(BASE)
    record["answers"][field_key(GZ, "案例运行时间")] = ["2024-01"]  # a list where formcheck expects a dict
    found = run_rule("completeness", GZ, record)
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].message.startswith("规则执行出错：") and found[0].evidence["exception"] == "AttributeError"
    # the other rules still run
    findings = screen(GZ, record)
    assert {f.rule for f in findings} >= {"completeness"}


def test_presets_declare_their_rules_with_known_params():
    expected = {
        GZ.slug: {"completeness", "case_name", "unit_count", "years_in_operation", "implementation_region",
                  "implementation_dates", "consistency"},
        XH.slug: {"completeness", "implementation_dates", "applicant_type", "quantified_results", "consistency"},
        TOP.slug: {"completeness", "shanghai_scope", "technology_scope", "industry_focus", "quantified_results", "consistency"},
    }
    for preset in (GZ, XH, TOP):
        assert {s.rule for s in preset.screening} == expected[preset.slug]
        for spec in preset.screening:
            assert set(spec.params) <= set(INFO[spec.rule].params), spec
            for key in ("track",):
                if key in spec.params:
                    assert spec.params[key] in {t.key for t in preset.tracks}
            for key in spec.params.get("tracks", []):
                assert key in {t.key for t in preset.tracks}


def test_preset_with_unknown_rule_is_refused():
    data = yaml.safe_load(open("presets/gz-dianshu-2025.yaml", encoding="utf-8"))
    data["screening"].append({"rule": "lottery"})
    with pytest.raises(PresetError) as info:
        parse_preset_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "broken.yaml")
    assert any("screening" in str(p) and "未知的审核规则" in str(p) for p in info.value.problems)
