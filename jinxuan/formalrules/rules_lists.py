"""Rules of particular lists and calls: 002's Shanghai list, technology and industry lists; quantified
results (001 需提供数据说明, 002 可量化的成效证据)."""

from __future__ import annotations

import re

from . import regions
from .evaluate import BLOCKING, WARNING, finding, memo, rule
from .facts import as_dict, as_list, as_str, choices_of, facts, find_field, sub_field, track_name
from .formcheck import credit_code_problem
from .quantities import quantities


def _applies(f, params, default) -> bool:
    """A rule with `track` / `tracks` applies to those tracks only; otherwise where `default(rules)` holds."""
    wanted = params.get("tracks", params.get("track"))
    if wanted:
        return f.track in ([wanted] if isinstance(wanted, str) else list(wanted))
    return bool(default(f.rules))


# -- Shanghai list ---------------------------------------------------------------------------------

CONDITION_DEFAULTS = {"partner": "上海本地必有深度合作方", "resources": "核心资源投入在上海", "value": "价值主要释放在上海"}


def _condition_names(geo) -> dict[str, str]:
    names = dict(CONDITION_DEFAULTS)
    for text in (geo.otherwise_all_of if geo else []):
        head = text.split("：", 1)[0]
        for key, word in (("partner", "合作方"), ("resources", "资源"), ("value", "价值")):
            if word in head:
                names[key] = head
    return names


def _partner_condition(preset, f, region):
    field = find_field(preset, "application", ("repeat",), contains=(("合作方",),))
    if field is None:
        joint = [u for u in f.units if not u.is_lead and regions.in_region(as_str(u.organisation.get("office_region")), region)]
        return bool(joint), ("联合申报单位中有主要办公地在" + region + "的单位" if joint else "未列出" + region + "本地合作方"), "units", []
    name_sub = sub_field(field, ("text",), labels=("单位名称", "名称"))
    code_sub = sub_field(field, ("uscc",))
    contribution_sub = sub_field(field, ("text", "textarea"), contains=(("贡献",),))
    items = [as_dict(i) for i in as_list(f.answers.get(field.key)) if as_dict(i)]
    if not items:
        return False, f"未填写{field.label}", field.key, []
    notes, good = [], []
    for i, item in enumerate(items):
        name = as_str(item.get(name_sub.key)) if name_sub else ""
        code = as_str(item.get(code_sub.key)) if code_sub else ""
        lacks = []
        if name_sub and not name:
            lacks.append("单位名称")
        if code_sub and (not code or credit_code_problem(code)):
            lacks.append("有效的统一社会信用代码")
        if contribution_sub and not as_str(item.get(contribution_sub.key)):
            lacks.append("关键贡献说明")
        if lacks:
            notes.append(f"第 {i + 1} 家合作方缺少{'、'.join(lacks)}")
        else:
            good.append({"name": name, "credit_code": code.upper()})
    if good:
        return True, f"已列出 {len(good)} 家合作方", field.key, good
    return False, "；".join(notes), field.key, []


@rule("shanghai_scope", BLOCKING, params=("track", "region"))
def shanghai_scope(preset, record, params):
    """002 “数据要素×金融服务”上海示范案例: 核心实践地 in Shanghai, and the lead unit based in Shanghai or
    else all three conditions of a cross-regional project (a Shanghai partner with credit code and key
    contribution; core resources in Shanghai; value mainly released in Shanghai)."""
    f = facts(preset, record)
    if not _applies(f, params, lambda r: r.geographic is not None):
        return []
    geo = f.rules.geographic
    region = params.get("region") or (geo.region if geo else "")
    if not region:
        return []
    out = []
    core = find_field(preset, "application", ("region",), contains=(("核心实践地",), ("实践地",)))
    if core and (geo is None or geo.core_practice_in_region):
        value = as_str(f.answers.get(core.key))
        if not value:
            out.append(finding("shanghai_scope", core.key, f"未填写{core.label}（本榜单案例的{core.label}须为{region}）",
                               {"region": region}))
        elif not regions.in_region(value, region):
            out.append(finding("shanghai_scope", core.key,
                               f"{core.label}为“{value}”，不在{region}（案例的核心创新场景、主要落地应用及价值实现须发生在{region}行政区域内）",
                               {"stated": value, "region": region}))

    lead_sources = {}
    if f.lead:
        lead_sources["单位档案·主要办公地"] = as_str(f.lead.organisation.get("office_region"))
        office = find_field(preset, "unit", ("region",), contains=(("办公地",), ("主营业务",)))
        if office:
            lead_sources[f"主申报单位·{office.label}"] = as_str(f.lead.answers.get(office.key))
    lead_field = find_field(preset, "application", ("region",), contains=(("牵头",),))
    if lead_field:
        lead_sources[lead_field.label] = as_str(f.answers.get(lead_field.key))
    lead_sources = {k: v for k, v in lead_sources.items() if v}
    if any(regions.in_region(v, region) for v in lead_sources.values()):
        return out

    names = _condition_names(geo)
    conditions = []
    met, detail, path, partners = _partner_condition(preset, f, region)
    conditions.append({"condition": names["partner"], "met": met, "detail": detail, "field": path})
    resources = find_field(preset, "application", ("boolean",), contains=(("核心资源",),))
    if resources:
        value = f.answers.get(resources.key)
        conditions.append({"condition": names["resources"], "met": value is True, "field": resources.key,
                           "detail": "已确认" if value is True else f"{resources.label}未选“是”"})
    else:
        conditions.append({"condition": names["resources"], "met": False, "field": "", "detail": "表单未提供该项"})
    released = find_field(preset, "application", ("region",), contains=(("价值",), ("释放",)))
    if released:
        value = as_str(f.answers.get(released.key))
        ok = bool(value) and regions.in_region(value, region)
        conditions.append({"condition": names["value"], "met": ok, "field": released.key,
                           "detail": f"{released.label}为“{value}”" if value else f"未填写{released.label}"})
    else:
        conditions.append({"condition": names["value"], "met": False, "field": "", "detail": "表单未提供该项"})
    failed = [c for c in conditions if not c["met"]]
    lead_text = "；".join(f"{k}：{v}" for k, v in lead_sources.items()) or "所在地未填写"
    evidence = {"region": region, "lead_regions": lead_sources, "conditions": conditions,
                "failed": [c["condition"] for c in failed], "partners": partners}
    if failed:
        reasons = "；".join(f"{c['condition']}（{c['detail']}）" for c in failed)
        out.append(finding("shanghai_scope", failed[0]["field"] or "units",
                           f"牵头单位不在{region}（{lead_text}），跨区域合作项目须同时满足三项条件，未满足：{reasons}", evidence))
    for p in partners:
        province = regions.credit_code_province(p["credit_code"])
        if province and not regions.in_region(regions.province_name(province), region):
            out.append(finding("shanghai_scope", path,
                               f"合作方“{p['name']}”的统一社会信用代码登记地为{regions.province_name(province)}，"
                               f"请核实其主营业务地是否在{region}",
                               {"partner": p, "registered_province": regions.province_name(province)}, severity=WARNING))
    return out


# -- technology list -------------------------------------------------------------------------------

DEFAULT_ALIASES = {
    "人工智能大模型": ["大模型", "AIGC", "生成式人工智能", "生成式AI"],
    "隐私计算": ["多方安全计算", "安全多方计算", "联邦学习", "可信执行环境", "同态加密", "差分隐私"],
    "生物识别": ["人脸识别", "指纹识别", "声纹识别", "虹膜识别", "掌纹识别", "静脉识别"],
    "区块链": ["分布式账本"],
    "量子计算": ["量子通信", "量子加密"],
}
_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")


def _scope_terms(scope, aliases) -> dict[str, list[str]]:
    """{scope item: [words that name it]}: "人工智能大模型（AIGC）" → [人工智能大模型（AIGC）, 人工智能大模型, AIGC, 大模型 …]."""
    out = {}
    for item in scope:
        base = _PAREN.sub("", item).strip()
        words = [item, base]
        for inner in _PAREN.findall(item):
            words += [w.strip() for w in re.split(r"[、，,]", inner) if w.strip() and w.strip() != "等"]
        words += aliases.get(base, []) + aliases.get(item, [])
        out[item] = list(dict.fromkeys(words))
    return out


@rule("technology_scope", BLOCKING, params=("track", "scope", "aliases"))
def technology_scope(preset, record, params):
    """002 年度技术创新突破: 技术领域严格限定于 AIGC、区块链、隐私计算、量子计算、生物识别.  No chosen
    technology in scope is blocking; chosen technologies outside it are warnings."""
    f = facts(preset, record)
    if not _applies(f, params, lambda r: bool(r.technology_scope)):
        return []
    scope = list(params.get("scope", f.rules.technology_scope) or [])
    field = (find_field(preset, "application", ("multi_choice",), labels=("主要技术", "所用技术", "应用技术", "核心技术"))
             or find_field(preset, "application", ("multi_choice",), contains=(("技术",),)))
    if not scope or field is None:
        return []
    terms = _scope_terms(scope, {**DEFAULT_ALIASES, **params.get("aliases", {})})
    listing = "、".join(scope)
    list_name = track_name(preset, f.track)
    chosen, other = choices_of(f.answers.get(field.key))
    matched, outside = {}, []
    for label in chosen:
        if label == "其他":
            continue
        hit = next((item for item, words in terms.items() if label in words), None)
        if hit:
            matched[label] = hit
        else:
            outside.append(label)
    if other:
        hit = next((item for item, words in terms.items() if any(w in other for w in words)), None)
        if hit:
            matched[f"其他：{other}"] = hit
        else:
            outside.append(f"其他：{other}")
    evidence = {"chosen": chosen, "other": other, "scope": scope, "in_scope": matched, "outside": outside}
    if not chosen and not other:
        return [finding("technology_scope", field.key, f"未选择{field.label}（{list_name}的技术领域限定于：{listing}）", evidence)]
    if not matched:
        return [finding("technology_scope", field.key,
                        f"所选{field.label}（{'、'.join(outside)}）均不在{list_name}限定的技术领域内（{listing}）", evidence)]
    if outside:
        return [finding("technology_scope", field.key,
                        f"所选{field.label}中“{'、'.join(outside)}”不在{list_name}限定的技术领域内（{listing}），评审以限定技术为准",
                        evidence, severity=WARNING)]
    return []


# -- industry list ---------------------------------------------------------------------------------

GENERIC_INDUSTRY = (
    "产业", "行业", "产业链", "供应链", "各行业", "各行各业", "千行百业", "多个行业", "多个产业", "全行业", "所有行业",
    "实体经济", "中小企业", "小微企业", "企业", "金融", "金融业", "金融行业", "其他", "无", "不限",
)
GENERIC_PATTERNS = re.compile(r"^(各类|各种|多个|多种|多类|所有|全部|全)|千行百业|各行各业|等多个|跨行业")
INDUSTRY_EFFECT_WORDS = ("企业", "家", "户", "融资成本", "成本", "投资", "产业链", "供应链", "上下游", "园区", "集群",
                         "产业", "链上", "订单", "产值")
RESULT_WORDS = ("成效", "效益", "成果", "效果", "量化")


def _result_texts(preset, record, scope: str) -> tuple[list[tuple[str, str, str]], str]:
    """Texts that report results (sections/fields whose title or label names 成效/效益/成果/效果/量化);
    all case texts when the form has none or scope is "all"."""
    f = facts(preset, record)
    if scope == "all":
        return f.case_texts, "all"
    picked = [t for t in f.case_texts if any(w in t[1] for w in RESULT_WORDS)]
    return (picked, "results") if picked else (f.case_texts, "all")


def _generic_industry(value: str) -> bool:
    compact = re.sub(r"[\s，,、。.；;/等及和与]", "", value)
    return (compact in GENERIC_INDUSTRY or len(compact) < 2 or bool(GENERIC_PATTERNS.search(compact)))


@rule("industry_focus", BLOCKING, params=("track", "min_figures"))
def industry_focus(preset, record, params):
    """002 年度产业赋能典范: 服务产业 names a concrete industry or chain (not empty, not generic such as
    各行业/实体经济), and the results give figures; figures none of which concern enterprises, financing
    costs, investment or the chain (服务企业数量、降低产业链整体融资成本…) are a warning."""
    f = facts(preset, record)
    if not _applies(f, params, lambda r: True):
        return []
    field = (find_field(preset, "application", ("text", "textarea", "single_choice"), labels=("服务产业", "服务行业", "服务产业链"))
             or find_field(preset, "application", ("text", "textarea"), contains=(("服务", "产业"),)))
    if field is None:
        return []
    out = []
    raw = f.answers.get(field.key)
    value = as_str(raw.get("choice") if isinstance(raw, dict) else raw)
    hint = "须明确服务于某一具体重点产业（如集成电路、生物医药、高端制造、绿色能源）或产业链/供应链"
    if not value:
        out.append(finding("industry_focus", field.key, f"未填写{field.label}（{hint}）", {"value": value}))
    elif _generic_industry(value):
        out.append(finding("industry_focus", field.key, f"{field.label}“{value}”过于笼统（{hint}）", {"value": value}))
    texts, scope = _result_texts(preset, record, "results")
    minimum = int(params.get("min_figures", 1))
    figures, tied = [], []
    for path, _label, text in texts:
        for sentence in re.split(r"[。；;！!\n]", text):
            found = quantities(sentence)
            figures += found
            if found and any(w in sentence for w in INDUSTRY_EFFECT_WORDS):
                tied.append({"field": path, "sentence": sentence.strip()[:120], "figures": found})
    evidence = {"scope": scope, "fields": sorted({t[0] for t in texts}), "figures": figures[:10], "industry_figures": tied[:5]}
    if len(figures) < minimum:
        out.append(finding("industry_focus", texts[0][0] if texts else field.key,
                           "未提供赋能成效的量化证据（须提供服务企业数量、降低产业链整体融资成本、促进产业投资规模、稳定供应链等具体数据）",
                           evidence))
    elif not tied:
        out.append(finding("industry_focus", texts[0][0] if texts else field.key,
                           "成效数据未涉及服务企业数量、产业链融资成本、产业投资规模或供应链等产业赋能指标，请核实",
                           evidence, severity=WARNING))
    return out


# -- quantified results ----------------------------------------------------------------------------

@rule("quantified_results", BLOCKING, params=("min_mentions", "tracks", "scope"))
def quantified_results(preset, record, params):
    """001 真实性：需提供数据说明（效率提升率、成本降低率、风险控制指标等）; 002 可量化的成效证据.
    The results texts must contain at least `min_mentions` (default 3) figures with a unit (30%、2个百分点、
    1.2亿元、5000家 …), found by the small detector in .quantities."""
    f = facts(preset, record)
    if not _applies(f, params, lambda r: True):
        return []
    scope = params.get("scope", "results")
    texts, used = _result_texts(preset, record, scope)
    if not texts:
        return []  # nothing written yet: completeness reports the empty fields
    minimum = int(params.get("min_mentions", 3))
    found = memo(record, f"quantities:{used}", lambda: [(p, q) for p, _l, t in texts for q in quantities(t)])
    if len(found) >= minimum:
        return []
    labels = "、".join(dict.fromkeys(t[1] for t in texts)) if used == "results" else "申报材料"
    shown = "、".join(q for _, q in found[:5])
    got = f"仅发现 {len(found)} 处数据（{shown}）" if found else "未发现量化数据"
    return [finding("quantified_results", texts[0][0],
                    f"{labels}缺少量化成效：{got}，至少需要 {minimum} 处（如提升30%、降低2个百分点、1.2亿元、服务5000家）",
                    {"scope": used, "fields": [t[0] for t in texts], "found": [q for _, q in found], "min_mentions": minimum})]
