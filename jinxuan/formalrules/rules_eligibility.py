"""Eligibility rules: number of units, years in operation, where and when the case was implemented,
the applicant type."""

from __future__ import annotations

import datetime as dt

from . import regions
from .evaluate import BLOCKING, WARNING, finding, rule
from .facts import as_dict, as_str, choice_of, facts, find_field, month_label, parse_date, parse_month

# 001's applicant types and the 单位类型 (000's list) that usually belong to each.
DEFAULT_UNIT_TYPE_MAP = {
    "持牌金融机构": ["银行", "证券", "保险", "基金", "期货", "信托", "消费金融", "金融租赁", "理财公司", "资产管理"],
    "金融科技公司": ["科技企业", "金融科技", "科技公司"],
    "金融基础设施机构": ["交易所", "清算所", "清算机构", "金融数据平台", "数据交易所"],
    "学术研究机构": ["科研院所", "高校", "研究院", "实验室"],
    "监管科技实践单位": ["数据局", "金融监管局", "交易中心"],
}
PERIOD_WORDS = (("实施",), ("运行",), ("起始",), ("上线",))


@rule("unit_count", BLOCKING, params=("max_units",))
def unit_count(preset, record, params):
    """000: 单个项目联合申报单位数量不超过3家 (the lead unit included)."""
    f = facts(preset, record)
    limit = params.get("max_units", f.rules.max_units)
    if not limit or len(f.units) <= int(limit):
        return []
    names = [u.name for u in f.units]
    return [finding("unit_count", "units", f"申报单位（含主申报单位）不超过 {limit} 家，当前 {len(f.units)} 家",
                    {"count": len(f.units), "max_units": limit, "units": names})]


def _months_between(start: dt.date, end: dt.date, day_precision: bool) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if day_precision and end.day < start.day:
        months -= 1
    return months


@rule("years_in_operation", BLOCKING, params=("min_years", "lead_only"))
def years_in_operation(preset, record, params):
    """000: 申报主体持续经营满两年, measured in whole months from the founding date (the organisation's
    record, else the unit's 成立时间 answer) to the submission date (a draft: the submission deadline)."""
    f = facts(preset, record)
    min_years = params.get("min_years", f.rules.min_years_in_operation)
    if min_years is None:
        return []
    min_years = int(min_years)
    ref, ref_label = f.reference
    field = find_field(preset, "unit", ("month", "date"), labels=("成立时间", "成立日期", "注册时间"), contains=(("成立",),))
    out = []
    for u in f.units:
        if params.get("lead_only") and not u.is_lead:
            continue
        org_raw = u.organisation.get("founded")
        org_date = parse_date(org_raw)
        answer_raw = u.answers.get(field.key) if field else None
        answer_date = parse_date(answer_raw)
        path = f"units[{u.index}].{field.key}" if field else f"units[{u.index}].organisation.founded"
        if org_date is None and answer_date is None:
            out.append(finding("years_in_operation", path, f"{u.who}未提供成立时间，无法核实是否持续经营满 {min_years} 年",
                               {"unit": u.name, "founded": org_raw, "answer": answer_raw}, severity=WARNING))
            continue
        if org_date is not None:
            founded, day_precision, source = org_date, len(as_str(org_raw)) >= 10, "organisation.founded"
            path = f"units[{u.index}].organisation.founded"
        else:
            founded, day_precision, source = answer_date, len(as_str(answer_raw)) >= 10, path
        months = _months_between(founded, ref, day_precision)
        shown = founded.isoformat() if day_precision else month_label((founded.year, founded.month))
        evidence = {"unit": u.name, "founded": shown, "source": source, "reference_date": ref.isoformat(),
                    "reference": ref_label, "months": months, "min_years": min_years}
        if months < min_years * 12:
            out.append(finding("years_in_operation", path,
                               f"{u.who}成立于 {shown}，至{ref_label} {ref.isoformat()} 持续经营 {months} 个月，"
                               f"未满 {min_years} 年（申报主体须持续经营满 {min_years} 年）", evidence))
        if org_date is not None and answer_date is not None and (org_date.year, org_date.month) != (answer_date.year, answer_date.month):
            out.append(finding("years_in_operation", f"units[{u.index}].{field.key}",
                               f"{u.who}填写的成立时间 {as_str(answer_raw)} 与单位档案中的成立日期 {org_date.isoformat()} 不一致，请核实",
                               {"unit": u.name, "answer": as_str(answer_raw), "organisation": org_date.isoformat()},
                               severity=WARNING))
    return out


def _unit_regions(preset, unit) -> list[str]:
    values = [as_str(unit.organisation.get("registered_region")), as_str(unit.organisation.get("office_region"))]
    values += [as_str(unit.answers.get(fl.key)) for fl in preset.form.fields("unit") if fl.type == "region"]
    return [v for v in values if v]


@rule("implementation_region", BLOCKING, params=("regions",))
def implementation_region(preset, record, params):
    """000: 所申报案例应为在用且落地应用于广东.  Established by a unit located there or by the case texts
    naming the province or one of its cities; blocking only when every unit is located elsewhere and no
    text names the region (or the form states another place of implementation), else a warning."""
    f = facts(preset, record)
    wanted = params.get("regions", f.rules.implementation_regions)
    if isinstance(wanted, str):
        wanted = [wanted]
    if not wanted:
        return []
    names = "、".join(wanted)
    stated = []
    for field in preset.form.fields("application"):
        if field.type == "region" and any(w in field.label for w in ("实践地", "落地", "实施地", "应用地")):
            value = as_str(f.answers.get(field.key))
            if value:
                stated.append((field, value))
    for field, value in stated:
        if not any(regions.in_region(value, r) for r in wanted):
            return [finding("implementation_region", field.key, f"{field.label}为“{value}”，不在{names}（案例须落地应用于{names}）",
                            {"stated": value, "regions": wanted})]
    if stated:
        return []
    mentions = []
    for path, _label, text in f.case_texts:
        for region in wanted:
            words = regions.mentions(text, region)
            if words:
                mentions.append({"field": path, "words": sorted(set(words))[:5]})
        if len(mentions) >= 3:
            break
    if mentions:
        return []
    located = {}
    for u in f.units:
        values = _unit_regions(preset, u)
        located[u.name or f"units[{u.index}]"] = values
        if any(regions.in_region(v, r) for v in values for r in wanted):
            return []  # a unit located in the region: the case most likely runs there
    evidence = {"regions": wanted, "unit_regions": located, "text_mentions": []}
    known = bool(located) and all(any(regions.province_code(v) for v in vs) for vs in located.values())
    if known:
        where = "；".join(k + "：" + "、".join(dict.fromkeys(v)) for k, v in located.items())  # each place once
        return [finding("implementation_region", "units",
                        f"申报单位均不在{names}（{where}），"
                        f"案例材料亦未提及在{names}落地应用（案例须在用且落地应用于{names}）", evidence)]
    return [finding("implementation_region", "units",
                    f"无法确认案例落地应用于{names}：申报单位所在地不详，案例材料未提及{names}，请核实", evidence, severity=WARNING)]


def _period(preset, answers):
    """(field, start month, end month or "至今" or None) of the case's implementation period."""
    field = find_field(preset, "application", ("month_range",))
    if field:
        value = as_dict(answers.get(field.key))
        end = value.get("end")
        return field, parse_month(value.get("start")), end if end == "至今" else parse_month(end)
    field = find_field(preset, "application", ("month",), contains=PERIOD_WORDS)
    if field:
        return field, parse_month(answers.get(field.key)), None
    return None, None, None


def _month_param(value) -> tuple[int, int] | None:
    if isinstance(value, dt.date):
        return value.year, value.month
    return parse_month(value) if value else None


@rule("implementation_dates", BLOCKING, params=("implemented_from", "implemented_by", "must_have_started", "in_use"))
def implementation_dates(preset, record, params):
    """000: 须在2025年底前实施应用 (start ≤ implemented_by); 001: 案例实施时间为2023年1月及之后
    (start ≥ implemented_from).  Also: a start after the submission date (not yet implemented), and with
    `in_use: true` a period that ended before submission (warning: 应为在用案例)."""
    f = facts(preset, record)
    field, start, end = _period(preset, f.answers)
    if field is None or start is None:
        return []
    since = _month_param(params.get("implemented_from", f.rules.implemented_from))
    until = _month_param(params.get("implemented_by", f.rules.implemented_by))
    ref, ref_label = f.reference
    evidence = {"start": month_label(start), "end": end if isinstance(end, str) or end is None else month_label(end),
                "implemented_from": month_label(since) if since else None,
                "implemented_by": month_label(until) if until else None}
    out = []
    if until and start > until:
        out.append(finding("implementation_dates", field.key,
                           f"{field.label}起始于 {month_label(start)}，晚于 {until[0]}年{until[1]}月（案例须在 {until[0]}年{until[1]}月及之前实施应用）",
                           evidence))
    if since and start < since:
        out.append(finding("implementation_dates", field.key,
                           f"{field.label}为 {month_label(start)}，早于 {since[0]}年{since[1]}月（案例实施时间须为 {since[0]}年{since[1]}月及之后）",
                           evidence))
    if params.get("must_have_started", True) and start > (ref.year, ref.month):
        out.append(finding("implementation_dates", field.key,
                           f"{field.label}起始于 {month_label(start)}，晚于{ref_label} {ref.isoformat()}，案例尚未实施（须为已落地应用的案例）",
                           {**evidence, "reference_date": ref.isoformat()}))
    if params.get("in_use") and isinstance(end, tuple) and end < (ref.year, ref.month):
        out.append(finding("implementation_dates", field.key,
                           f"{field.label}截至 {month_label(end)}，早于{ref_label}，案例可能已停止运行（须为在用案例），请核实",
                           {**evidence, "reference_date": ref.isoformat()}, severity=WARNING))
    return out


@rule("applicant_type", BLOCKING, params=("types", "unit_type_map"))
def applicant_type(preset, record, params):
    """001: 申报主体 is one of 持牌金融机构 / 金融科技公司 / 金融基础设施机构 / 学术研究机构 / 监管科技实践单位;
    a choice that does not fit the lead organisation's 单位类型 is a warning."""
    f = facts(preset, record)
    types = list(params.get("types", f.rules.applicant_types) or [])
    field = (find_field(preset, "application", ("single_choice",), labels=("申报单位类型", "申报主体类型"))
             or find_field(preset, "application", ("single_choice",), contains=(("申报", "类型"),)))
    if not types or field is None:
        return []
    chosen = choice_of(f.answers.get(field.key))
    if not chosen:
        return [finding("applicant_type", field.key, f"未选择{field.label}（可选：{'、'.join(types)}）", {"allowed": types})]
    if chosen not in types:
        return [finding("applicant_type", field.key,
                        f"{field.label}“{chosen}”不在本次征集的申报主体范围内（{'、'.join(types)}）",
                        {"chosen": chosen, "allowed": types})]
    org_type = as_str(f.lead.organisation.get("unit_type")) if f.lead else ""
    mapping = params.get("unit_type_map", DEFAULT_UNIT_TYPE_MAP)
    expected = [t for t, kinds in mapping.items() if org_type and any(k == org_type for k in kinds)]
    if expected and chosen not in expected:
        return [finding("applicant_type", field.key,
                        f"主申报单位的单位类型为“{org_type}”，通常属于“{'、'.join(expected)}”，与所选{field.label}“{chosen}”不一致，请核实",
                        {"chosen": chosen, "unit_type": org_type, "expected": expected}, severity=WARNING)]
    return []
