"""Rules on the form as a whole: completeness, the case name, internal consistency."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from jinxuan.textmining.wordcount import word_count

from .brands import (
    DEFAULT_ACRONYMS,
    GENERIC_CORES,
    find_name,
    latin_abbreviations,
    latin_product_tokens,
    name_variants,
    platform_names,
    quoted,
)
from .evaluate import BLOCKING, WARNING, finding, memo, rule
from .facts import as_dict, as_list, as_str, facts, find_field, sub_field, title_field
from .formcheck import check as formcheck

# Policy slogans that calls and titles put in quotes without naming a product.
DEFAULT_ALLOWED_QUOTED = (
    "数据要素×", "数据要素", "数据要素×金融服务", "五篇大文章", "专精特新", "双碳", "一带一路", "东数西算", "三农",
    "放管服", "一网通办", "跨省通办", "可用不可见", "人工智能+", "AI+", "互联网+", "数字中国",
)
# What follows a quoted name when it is a product: “易融通”平台, “科创e贷”产品 …
PRODUCT_WORDS = ("平台", "系统", "产品", "品牌", "App", "APP", "app", "小程序", "终端", "助手", "助理", "引擎", "大模型",
                 "模型", "服务", "贷", "卡", "宝", "通", "云", "中台", "工具", "应用")
_NAME_LIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9+×·\-]{2,12}")
_NAME_FIELD_LABELS = ("单位名称", "申报单位", "实施单位", "牵头单位", "合作单位")
_SPLIT_NAMES = re.compile(r"[、，,；;/\n]+")


# -- completeness ----------------------------------------------------------------------------------

@rule("completeness", BLOCKING, params=("include_unit_limit",))
def completeness(preset, record, params):
    """Required fields, limits, outline minimums, choices, credit codes (jinxuan.formalrules.formcheck,
    for submission) and the preset's required attachments.  `include_unit_limit: false` leaves the
    number of units to the unit_count rule."""
    f = facts(preset, record)
    units = [{"credit_code": as_str(u.raw.get("credit_code")), "name": u.name, "is_lead": u.is_lead, "answers": u.answers}
             for u in f.units]
    out = []
    for p in formcheck(preset, f.answers, units, for_submit=True):
        if p.path == "units" and p.label == "联合申报单位" and not params.get("include_unit_limit", True):
            continue
        out.append(finding("completeness", p.path, str(p), {"label": p.label, "problem": p.message, "source": "formcheck"}))
    files = [a for a in as_list(record.get("attachments")) if isinstance(a, dict)]
    by_key = defaultdict(list)
    for item in files:
        by_key[as_str(item.get("key"))].append(item)
    for att in preset.attachments:
        path, got = f"attachments.{att.key}", by_key.get(att.key, [])
        if att.required and not got:
            out.append(finding("completeness", path, f"缺少必要附件“{att.name}”",
                               {"attachment": att.key, "uploaded": sorted(k for k in by_key if k)}))
        if len(got) > att.max_files:
            out.append(finding("completeness", path, f"附件“{att.name}”最多 {att.max_files} 个，当前 {len(got)} 个",
                               {"attachment": att.key, "count": len(got), "max_files": att.max_files}))
        for item in got:
            kind = as_str(item.get("detected")).lower().replace("jpeg", "jpg")
            if kind and kind not in att.formats:
                out.append(finding("completeness", path,
                                   f"附件“{att.name}”的文件“{as_str(item.get('name'))}”类型为 {kind}，应为 {'/'.join(att.formats)}",
                                   {"attachment": att.key, "file": item.get("name"), "detected": kind, "formats": att.formats}))
            size = item.get("size")
            if isinstance(size, int | float) and not att.allows_size(size):
                out.append(finding("completeness", path,
                                   f"附件“{att.name}”的文件“{as_str(item.get('name'))}”大小 {size / 1024:.1f} KB，"
                                   f"{att.size_refusal}",
                                   {"attachment": att.key, "file": item.get("name"), "size": size, "max_size_kb": att.max_size_kb}))
    return out


# -- case name -------------------------------------------------------------------------------------

def organisation_names(preset, record) -> list[tuple[str, str, str]]:
    """(name, where, what) of every organisation the application names: units, unit answers, 申报单位/
    实施单位 texts and 单位名称 entries of repeats (e.g. Shanghai partners)."""
    def compute():
        f = facts(preset, record)
        seen, out = set(), []

        def add(name, where, what="申报单位名称"):
            name = re.sub(r"\s+", "", name or "")
            if len(name) >= 2 and name not in seen:
                seen.add(name)
                out.append((name, where, what))

        name_field = find_field(preset, "unit", ("text",), labels=("单位名称",))
        for u in f.units:
            add(u.name, f"units[{u.index}]")
            if name_field:
                add(as_str(u.answers.get(name_field.key)), f"units[{u.index}].{name_field.key}")
        for field in preset.form.fields("application"):
            value = f.answers.get(field.key)
            if field.type == "text" and field.label in _NAME_FIELD_LABELS:
                what = "申报单位名称" if field.label == "申报单位" else f"{field.label.removesuffix('名称')}名称"
                for part in _SPLIT_NAMES.split(as_str(value)):
                    add(part, field.key, what)
            elif field.type == "repeat":
                sub = sub_field(field, ("text",), labels=("单位名称", "名称"))
                if sub:
                    for i, item in enumerate(as_list(value)):
                        add(as_str(as_dict(item).get(sub.key)), f"{field.key}[{i}].{sub.key}", f"{field.label}名称")
        return out

    return memo(record, "organisation_names", compute)


def _quoted_elsewhere(preset, record) -> dict[str, tuple[str, str]]:
    """{quoted name: (path, the words after it)} over all the application's texts."""
    def compute():
        f = facts(preset, record)
        found: dict[str, tuple[str, str]] = {}
        for path, _label, text in f.case_texts + f.unit_texts:
            if "“" not in text and "「" not in text and "《" not in text and '"' not in text:
                continue
            for name in quoted(text):
                if name in found or not _NAME_LIKE.fullmatch(name):
                    continue
                at = text.find(name)
                after = text[at + len(name) + 1: at + len(name) + 4]
                found[name] = (path, after)
        return found

    return memo(record, "quoted_elsewhere", compute)


def _vocabulary(preset) -> set[str]:
    """Words of the preset itself (choice labels, track names): generic, never brand names."""
    words = {t.name for t in preset.tracks}
    for field in preset.form.fields():
        if field.choices:
            words.update(field.choice_labels())
    return words


@rule("case_name", BLOCKING, params=("max_chars", "allowed_acronyms", "allowed_quoted", "generic_cores",
                                     "platform_min_count"))
def case_name(preset, record, params):
    """000: 20 characters at most (Word count) and no enterprise, brand or product names: the applying
    units' names and their short forms, names in quotes, names the application quotes elsewhere, and
    Latin product tokens (XPay, eCNY, …Pay/Bank/Link/Cloud/GPT; common acronyms such as AI, 5G allowed).
    Warnings, with the evidence: upper-case abbreviations that are not common acronyms (often a product's
    initials), and a "…平台" / "…网" phrase of the title that the application's texts repeat verbatim as a
    proper name (`platform_min_count` times, 3 by default)."""
    f = facts(preset, record)
    field = title_field(preset)
    label, path = (field.label, field.key) if field else ("案例名称", "title")
    title = f.title
    if not title:
        return []  # completeness reports a missing title
    out = []
    limit = params.get("max_chars", field.max_chars if field else None)
    count = word_count(title)
    if limit and count > int(limit):
        out.append(finding("case_name", path, f"{label}限 {limit} 字以内，当前 {count} 字（按 Word 字数统计）",
                           {"title": title, "count": count, "max_chars": limit}))
    reported: set[str] = set()
    generic = frozenset(params.get("generic_cores", GENERIC_CORES))
    for name, where, what in organisation_names(preset, record):
        variants = name_variants(name, generic)
        hit = find_name(title, variants)
        if hit and hit not in reported:
            reported.add(hit)
            out.append(finding("case_name", path, f"{label}含有{what}“{hit}”（品牌/企业名称不得出现在{label}中）",
                               {"title": title, "matched": hit, "organisation": name, "source": where,
                                "form": "full" if hit == name else "short", "variants": variants}))
    allowed = set(params.get("allowed_quoted", DEFAULT_ALLOWED_QUOTED)) | _vocabulary(preset)
    for name in quoted(title):
        if name not in allowed and name not in reported:
            reported.add(name)
            out.append(finding("case_name", path, f"{label}含有引号标注的名称“{name}”（产品、平台等名称不得出现在{label}中）",
                               {"title": title, "matched": name, "form": "quoted_in_title"}))
    for name, (where, after) in sorted(_quoted_elsewhere(preset, record).items(), key=lambda kv: -len(kv[0])):
        if name in allowed or name not in title or any(name in r for r in reported):
            continue
        reported.add(name)
        product = after.startswith(PRODUCT_WORDS)
        out.append(finding(
            "case_name", path,
            f"{label}中的“{name}”在申报材料中以引号标注{'为产品/平台名称' if product else '，疑似产品/平台名称'}"
            f"（产品、平台等名称不得出现在{label}中）",
            {"title": title, "matched": name, "form": "quoted_elsewhere", "quoted_in": where, "followed_by": after},
            severity=None if product else WARNING))
    for token in latin_product_tokens(title, params.get("allowed_acronyms", DEFAULT_ACRONYMS)):
        if token not in reported:
            reported.add(token)
            out.append(finding("case_name", path, f"{label}含有英文产品名“{token}”（品牌/产品名称不得出现在{label}中）",
                               {"title": title, "matched": token, "form": "latin_token"}))
    texts = [t for t in f.case_texts + f.unit_texts if t[0] != path]  # the title itself does not count
    for token in latin_abbreviations(title, params.get("allowed_acronyms", DEFAULT_ACRONYMS)):
        if any(token in r for r in reported):
            continue
        reported.add(token)
        where = _where(texts, token)
        seen = f"，申报材料中出现 {sum(w['count'] for w in where)} 次（{_places(where)}）" if where else ""
        out.append(finding(
            "case_name", path, f"{label}含有英文缩写“{token}”，不是常见技术缩写，疑似产品名称{seen}"
            f"（产品名称不得出现在{label}中；如为通用术语可忽略）",
            {"title": title, "matched": token, "form": "latin_abbreviation", "where": where}, severity=WARNING))
    for hit in platform_names(title, texts, int(params.get("platform_min_count", 3))):
        phrase = hit["phrase"]
        if any(phrase in r or r in phrase for r in reported):
            continue
        reported.add(phrase)
        out.append(finding(
            "case_name", path, f"{label}中的“{phrase}”在申报材料中作为专有名称反复出现（共 {hit['count']} 次：{_places(hit['where'])}），"
            f"疑似平台名称（产品、平台等名称不得出现在{label}中）",
            {"title": title, "matched": phrase, "form": "platform_name", "count": hit["count"], "where": hit["where"]},
            severity=WARNING))
    return out


def _where(texts, token: str) -> list[dict]:
    return [{"path": p, "label": lb, "count": t.count(token)} for p, lb, t in texts if t and token in t]


def _places(where: list[dict]) -> str:
    """案例简介 5 次、案例创新点 2 次 (at most four fields named)."""
    shown = "、".join(f"{w['label']} {w['count']} 次" for w in where[:4])
    return shown + (f" 等 {len(where)} 处" if len(where) > 4 else "")


# -- consistency -----------------------------------------------------------------------------------

def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _row(table, labels=(), contains=()):
    for row in table.rows:
        if row.label in labels or any(all(w in row.label for w in words) for words in contains):
            return row
    return None


def _normal_name(name: str) -> str:
    return re.sub(r"\s+", "", name or "").replace("(", "（").replace(")", "）")


def _table_findings(table, values: dict, path: str, who: str) -> list:
    out = []
    revenue = _row(table, labels=("营业收入",))
    digital = _row(table, contains=(("数字金融", "收入"),))
    rnd = _row(table, labels=("研发投入",))
    staff = _row(table, contains=(("研发人员", "占比"), ("研发人员", "比例")))

    def cell(row, col):
        return _number(as_dict(values.get(row.key)).get(col)) if row else None

    for col in table.columns:
        total = cell(revenue, col)
        if total is not None and (d := cell(digital, col)) is not None and d > total:
            out.append(finding("consistency", f"{path}.{digital.key}.{col}",
                               f"{who}{col}年{digital.label.removeprefix('其中：')}（{d}{digital.unit}）高于{revenue.label}（{total}{revenue.unit}）",
                               {"column": col, digital.key: str(d), revenue.key: str(total)}))
        if total is not None and (r := cell(rnd, col)) is not None and r > total:
            out.append(finding("consistency", f"{path}.{rnd.key}.{col}",
                               f"{who}{col}年{rnd.label}（{r}{rnd.unit}）高于{revenue.label}（{total}{revenue.unit}），请核实",
                               {"column": col, rnd.key: str(r), revenue.key: str(total)}, severity=WARNING))
        # formcheck keeps percent rows within 0–100; a ratio row of another kind is checked here.
        if staff and staff.kind != "percent" and (s := cell(staff, col)) is not None and not 0 <= s <= 100:
            out.append(finding("consistency", f"{path}.{staff.key}.{col}", f"{who}{col}年{staff.label}为 {s}%，应在 0–100 之间",
                               {"column": col, staff.key: str(s)}))
    return out


@rule("consistency", BLOCKING)
def consistency(preset, record, params):
    """Figures and identities that contradict each other (what formcheck does not already check):
    数字金融业务收入 above 营业收入, 研发投入 above 营业收入 (warning), a staff ratio above 100 in a
    non-percent row, one credit code under two names, the same unit twice, per-unit answers for codes
    that are not among the units."""
    f = facts(preset, record)
    out = []
    for table in [t for t in preset.form.fields("application") if t.type == "indicator_table"]:
        out += _table_findings(table, as_dict(f.answers.get(table.key)), table.key, "")
    unit_tables = [t for t in preset.form.fields("unit") if t.type == "indicator_table"]
    for u in f.units:
        for table in unit_tables:
            out += _table_findings(table, as_dict(u.answers.get(table.key)), f"units[{u.index}].{table.key}", u.who)

    # identities: the same credit code must always go with the same organisation
    seen_codes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for u in f.units:
        if u.credit_code:
            seen_codes[u.credit_code.upper()].append((_normal_name(u.name), f"units[{u.index}]"))
    uscc_field = find_field(preset, "unit", ("uscc",))
    name_field = find_field(preset, "unit", ("text",), labels=("单位名称",))
    for u in f.units:
        stated = as_str(u.answers.get(uscc_field.key)).upper() if uscc_field else ""
        if stated and u.credit_code and stated != u.credit_code.upper():
            out.append(finding("consistency", f"units[{u.index}].{uscc_field.key}",
                               f"{u.who}填写的统一社会信用代码 {stated} 与单位档案中的 {u.credit_code} 不一致",
                               {"stated": stated, "organisation": u.credit_code}))
        named = _normal_name(as_str(u.answers.get(name_field.key))) if name_field else ""
        if named and u.name and named != _normal_name(u.name):
            out.append(finding("consistency", f"units[{u.index}].{name_field.key}",
                               f"{u.who}填写的单位名称“{named}”与单位档案名称不一致，请核实", {"stated": named, "organisation": u.name},
                               severity=WARNING))
    for field in preset.form.fields("application"):
        if field.type != "repeat":
            continue
        code_sub, name_sub = sub_field(field, ("uscc",)), sub_field(field, ("text",), labels=("单位名称", "名称"))
        if not code_sub or not name_sub:
            continue
        for i, item in enumerate(as_list(f.answers.get(field.key))):
            item = as_dict(item)
            code, name = as_str(item.get(code_sub.key)).upper(), _normal_name(as_str(item.get(name_sub.key)))
            if code and name:
                seen_codes[code].append((name, f"{field.key}[{i}]"))
    for code, entries in seen_codes.items():
        names = sorted({n for n, _ in entries if n})
        if len(names) > 1:
            out.append(finding("consistency", entries[-1][1],
                               f"统一社会信用代码 {code} 对应了不同的单位名称：{'、'.join(names)}",
                               {"credit_code": code, "names": names, "where": [w for _, w in entries]}))
    unit_codes = [u.credit_code.upper() for u in f.units if u.credit_code]
    for code in sorted({c for c in unit_codes if unit_codes.count(c) > 1}):
        where = [f"units[{u.index}]" for u in f.units if u.credit_code.upper() == code]
        out.append(finding("consistency", where[-1], f"同一申报单位（统一社会信用代码 {code}）在申报单位中出现了 {len(where)} 次",
                           {"credit_code": code, "where": where}))
    names = [_normal_name(u.name) for u in f.units if u.name]
    for name in sorted({n for n in names if names.count(n) > 1}):
        where = [f"units[{u.index}]" for u in f.units if _normal_name(u.name) == name]
        if len({u.credit_code.upper() for u in f.units if _normal_name(u.name) == name}) > 1:
            out.append(finding("consistency", where[-1], f"单位“{name}”在申报单位中出现了 {len(where)} 次（统一社会信用代码不同）",
                               {"name": name, "where": where}))
    for field in preset.form.fields("application"):
        if field.per_unit and isinstance(f.answers.get(field.key), dict):
            stray = sorted(k for k in f.answers[field.key] if str(k).upper() not in set(unit_codes))
            if stray:
                out.append(finding("consistency", field.key,
                                   f"{field.label}填写了不在申报单位中的统一社会信用代码：{'、'.join(map(str, stray))}",
                                   {"codes": stray, "unit_codes": unit_codes}, severity=WARNING))
    return out
