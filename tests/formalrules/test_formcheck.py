"""Answers against the form schema: complete demo answers pass; each broken rule is named."""

import copy

import pytest

from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker
from jinxuan.formalrules.formcheck import check, credit_code_problem

GZ = read_preset("presets/gz-dianshu-2025.yaml")


def _key(label, scope="application"):
    return next(f.key for f in GZ.form.fields(scope) if f.label == label)


@pytest.fixture
def filled():
    import random

    faker = TextFaker(11)
    codes = [credit_code(random.Random(i), "广州") for i in range(2)]
    topic = faker.topic()
    filler = AnswerFaker(faker, GZ, GZ.tracks[0].key, codes, topic)
    answers = filler.application("基于隐私计算的普惠信贷应用")
    units = [{"credit_code": c, "name": f"单位{i}", "is_lead": i == 0, "answers": filler.unit(f"单位{i}", c)}
             for i, c in enumerate(codes)]
    return answers, units


def _messages(problems):
    return [str(p) for p in problems]


def test_complete_answers_pass(filled):
    answers, units = filled
    assert check(GZ, answers, units, for_submit=True) == []


def test_drafts_may_be_incomplete_but_not_over_limit(filled):
    answers, units = filled
    assert check(GZ, {}, units[:1], for_submit=False) == []
    blocking = check(GZ, {}, units[:1], for_submit=True)
    assert any("案例名称：必填项" in m for m in _messages(blocking))


def test_21_character_case_name(filled):
    answers, units = filled
    answers[_key("案例名称")] = "基于大模型技术的普惠金融小微企业信贷风控应用"  # 22 chars
    msgs = _messages(check(GZ, answers, units, for_submit=False))
    assert any(m.startswith("案例名称：限 20 字以内，当前 22 字") for m in msgs)


def test_team_total_must_add_up(filled):
    answers, units = filled
    team = next(f for f in GZ.form.fields("application") if f.type == "group" and f.checks)
    answers[team.key][team.checks[0].total] = 999
    msgs = _messages(check(GZ, answers, units, for_submit=True))
    assert any(m.startswith(f"{team.label}：") and "合计 999 与各项" in m for m in msgs)


def test_derived_ratio_is_checked_against_its_inputs(filled):
    answers, units = filled
    table = next(f for f in GZ.form.fields("unit") if f.type == "indicator_table")
    row = next(r for r in table.rows if r.ratio_of)
    units[0]["answers"][table.key][row.key]["2024"] = "99.5"
    msgs = _messages(check(GZ, answers, units, for_submit=True))
    assert any(row.label in m and "（2024）" in m and "计算应为" in m for m in msgs)


def test_wrong_credit_code_is_explained():
    assert "校验位不正确" in credit_code_problem("91440101MA5CXXXXX1")
    assert "18 位" in credit_code_problem("9144010")
    good = credit_code(__import__("random").Random(5), "深圳")
    assert credit_code_problem(good) is None
    assert credit_code_problem(good.lower()) is None


def test_per_unit_ratio_and_too_many_units(filled):
    answers, units = filled
    ratio = next(f for f in GZ.form.fields("application") if f.per_unit)
    answers[ratio.key][units[1]["credit_code"]] = "120"
    extra = [copy.deepcopy(units[1]) | {"credit_code": f"X{i}", "name": f"多余{i}"} for i in range(2)]
    msgs = _messages(check(GZ, answers, units + extra, for_submit=True))
    assert any(m.startswith(f"{ratio.label}（单位1）：不能大于 100") for m in msgs)
    assert any("不超过 3 家，当前 4 家" in m for m in msgs)


def test_choice_rules(filled):
    answers, units = filled
    domains = _key("应用领域")
    answers[domains] = {"choices": ["其他"], "other": ""}
    comparison = next(f for f in GZ.form.fields("application") if any(getattr(c, "text", False) for c in f.choices))
    spec = next(c for c in comparison.choices if getattr(c, "text", False))
    answers[comparison.key] = {"choice": spec.label, "sub": [], "text": ""}
    msgs = _messages(check(GZ, answers, units, for_submit=True))
    assert any(m.startswith("应用领域：勾选“其他”时须填写具体内容") for m in msgs)
    assert any(m.startswith(f"{comparison.label}：选择“{spec.label}”时须填写") for m in msgs)


def test_outline_sections_have_minimum_lengths(filled):
    answers, units = filled
    outline = next(f for f in GZ.form.fields() if f.type == "outline")
    answers[outline.key][outline.sections[2].key] = "内容太短。"
    msgs = _messages(check(GZ, answers, units, for_submit=True))
    assert any(f"·{outline.sections[2].title}：不少于 3000 字，当前 5 字" in m for m in msgs)


def test_contact_mobile_and_email(filled):
    answers, units = filled
    contacts = next(f for f in GZ.form.fields("unit") if f.type == "repeat")
    mobile = next(s.key for s in contacts.fields if s.type == "mobile")
    email = next(s.key for s in contacts.fields if s.type == "email")
    units[0]["answers"][contacts.key][0][mobile] = "12345678901"
    units[0]["answers"][contacts.key][0][email] = "not-an-email"
    msgs = _messages(check(GZ, answers, units, for_submit=True))
    assert any("主申报单位·" in m and "手机号码应为 11 位" in m for m in msgs)
    assert any("主申报单位·" in m and "电子邮箱格式不正确" in m for m in msgs)
