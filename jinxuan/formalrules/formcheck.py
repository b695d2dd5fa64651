"""Django-free. Check answers against a campaign's form schema: every problem names the field and the rule.

Drafts are always stored as typed; these problems are shown next to the fields
and every blocking one stops submission. Answer shapes: see jinxuan.demo.answers.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stdnum.cn import uscc

from jinxuan.campaigns.schema import ChoiceSpec, FormField, Preset
from jinxuan.textmining.wordcount import word_count

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MONTH = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
DATE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
RATIO_TOLERANCE = Decimal("0.1")  # percentage points between a stated ratio and its inputs


@dataclass(frozen=True)
class Problem:
    path: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        if "choice" in value:
            return not value.get("choice")
        if "choices" in value:
            return not value.get("choices")
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return False


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def credit_code_problem(code: str) -> str | None:
    """Chinese explanation of what is wrong with a 统一社会信用代码, or None."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，当前为 {len(code)} 位"
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        return "统一社会信用代码校验位不正确，请核对是否有输错的字符"
    except uscc.ValidationError:
        return "统一社会信用代码格式不正确（只能包含数字和除 I、O、Z、S、V 以外的大写字母）"
    return None


class Checker:
    def __init__(self, spec: Preset, *, for_submit: bool, unit_names: dict[str, str] | None = None):
        self.spec, self.for_submit = spec, for_submit
        self.unit_names = unit_names or {}
        self.problems: list[Problem] = []

    def add(self, path: str, label: str, message: str) -> None:
        self.problems.append(Problem(path, label, message))

    # -- entry points ---------------------------------------------------------------------------

    def application(self, answers: dict, unit_codes: list[str]) -> None:
        answers = answers or {}
        for field in self.spec.form.fields("application"):
            if not self._visible(field, answers):
                continue
            value = answers.get(field.key)
            if field.per_unit:
                per = value if isinstance(value, dict) else {}
                for code in unit_codes:
                    name = self.unit_names.get(code, code)
                    self.field(field, per.get(code), f"{field.key}.{code}", f"{field.label}（{name}）")
            else:
                self.field(field, value, field.key, field.label)

    def unit(self, index: int, answers: dict, is_lead: bool) -> None:
        who = "主申报单位" if is_lead else f"联合申报单位（{index}）"
        for field in self.spec.form.fields("unit"):
            self.field(field, (answers or {}).get(field.key), f"units[{index}].{field.key}", f"{who}·{field.label}")

    # -- one field ------------------------------------------------------------------------------

    def _visible(self, field: FormField, answers: dict) -> bool:
        if not field.show_if:
            return True
        other = answers.get(field.show_if.field)
        if isinstance(other, dict):
            other = other.get("choice", other)
        return other == field.show_if.equals

    def field(self, field: FormField, value, path: str, label: str) -> None:  # noqa: C901 - one branch per type
        if _empty(value):
            if field.required and self.for_submit:
                self.add(path, label, "必填项，尚未填写")
            return
        t = field.type
        if t in {"text", "textarea"}:
            self._chars(str(value), field.min_chars, field.max_chars, path, label)
        elif t in {"integer", "decimal", "money", "percent"}:
            self._number(field, value, path, label)
        elif t == "email" and not EMAIL.match(str(value).strip()):
            self.add(path, label, "电子邮箱格式不正确")
        elif t == "mobile" and not MOBILE.match(str(value).strip()):
            self.add(path, label, "手机号码应为 11 位中国大陆手机号（以 13–19 开头）")
        elif t == "uscc":
            problem = credit_code_problem(str(value))
            if problem:
                self.add(path, label, problem)
        elif t == "month" and not MONTH.match(str(value)):
            self.add(path, label, "月份格式应为 YYYY-MM")
        elif t == "date" and not DATE.match(str(value)):
            self.add(path, label, "日期格式应为 YYYY-MM-DD")
        elif t == "month_range":
            self._month_range(field, value, path, label)
        elif t == "single_choice":
            self._single(field, value, path, label)
        elif t == "multi_choice":
            self._multi(field, value, path, label)
        elif t == "track":
            if value not in {tr.key for tr in self.spec.tracks}:
                self.add(path, label, "请选择一个有效的申报方向")
        elif t == "group":
            self._group(field, value, path, label)
        elif t == "repeat":
            self._repeat(field, value, path, label)
        elif t == "indicator_table":
            self._table(field, value, path, label)
        elif t == "outline":
            self._outline(field, value, path, label)
        elif t == "declaration":
            if self.for_submit and not (isinstance(value, dict) and value.get("accepted") is True):
                self.add(path, label, "须阅读并确认承诺内容")

    def _chars(self, text: str, low, high, path, label) -> None:
        n = word_count(text)
        if high is not None and n > high:
            self.add(path, label, f"限 {high} 字以内，当前 {n} 字（按 Word 字数统计）")
        if low is not None and n < low and self.for_submit:
            self.add(path, label, f"不少于 {low} 字，当前 {n} 字（按 Word 字数统计）")

    def _number(self, field, value, path, label) -> None:
        number = _decimal(value)
        unit = f"（{field.unit}）" if field.unit else ""
        if number is None:
            self.add(path, label, f"应填写数字{unit}")
            return
        if field.type == "integer" and number != number.to_integral_value():
            self.add(path, label, "应填写整数")
        low = field.min_value if field.min_value is not None else (Decimal(0) if field.type in {"integer", "percent", "money"} else None)
        high = field.max_value if field.max_value is not None else (Decimal(100) if field.type == "percent" else None)
        if low is not None and number < low:
            self.add(path, label, f"不能小于 {low}{field.unit}")
        if high is not None and number > high:
            self.add(path, label, f"不能大于 {high}{field.unit}")

    def _month_range(self, field, value, path, label) -> None:
        start, end = (value or {}).get("start", ""), (value or {}).get("end", "")
        if not MONTH.match(str(start)):
            self.add(path, label, "起始月份格式应为 YYYY-MM")
            return
        if end == "至今" and field.open_end:
            return
        if not MONTH.match(str(end)):
            self.add(path, label, "结束月份格式应为 YYYY-MM" + ("，或选择“至今”" if field.open_end else ""))
        elif end < start:
            self.add(path, label, "结束月份不能早于起始月份")

    def _single(self, field, value, path, label) -> None:
        value = value if isinstance(value, dict) else {"choice": value}
        choice = value.get("choice")
        labels = field.choice_labels()
        if choice not in labels:
            self.add(path, label, f"“{choice}”不是可选项")
            return
        if choice == "其他" and field.other and _empty(value.get("text")):
            self.add(path, label, "选择“其他”时须填写具体内容")
        spec = next((c for c in field.choices if isinstance(c, ChoiceSpec) and c.label == choice), None)
        if spec:
            sub = value.get("sub") or []
            if not set(sub) <= set(spec.sub_choices):
                self.add(path, label, "子选项无效")
            if spec.sub_choices and not spec.sub_multi and len(sub) > 1:
                self.add(path, label, f"“{choice}”的子选项只能选一项")
            if spec.sub_choices and not sub and self.for_submit:
                self.add(path, label, f"选择“{choice}”时须勾选具体类型")
            if spec.text and self.for_submit and _empty(value.get("text")):
                self.add(path, label, f"选择“{choice}”时须填写{spec.text_label or '说明'}")
            if spec.text and spec.text_max_chars and value.get("text"):
                self._chars(value["text"], None, spec.text_max_chars, path, label)

    def _multi(self, field, value, path, label) -> None:
        value = value if isinstance(value, dict) else {"choices": value}
        chosen = list(value.get("choices") or [])
        bad = [c for c in chosen if c not in field.choice_labels()]
        if bad:
            self.add(path, label, f"“{'、'.join(bad)}”不是可选项")
        if field.min_selected and len(chosen) < field.min_selected and self.for_submit:
            self.add(path, label, f"至少选择 {field.min_selected} 项")
        if field.max_selected and len(chosen) > field.max_selected:
            self.add(path, label, f"最多选择 {field.max_selected} 项")
        if "其他" in chosen and _empty(value.get("other")):
            self.add(path, label, "勾选“其他”时须填写具体内容")

    def _group(self, field, value, path, label) -> None:
        value = value if isinstance(value, dict) else {}
        for sub in field.fields:
            self.field(sub, value.get(sub.key), f"{path}.{sub.key}", f"{label}·{sub.label}")
        for check in field.checks:
            total, parts = _decimal(value.get(check.total)), [_decimal(value.get(p)) for p in check.parts]
            if total is None or any(p is None for p in parts):
                continue
            if total != sum(parts):
                names = "、".join(s.label for s in field.fields if s.key in check.parts)
                detail = f"合计 {total} 与各项（{names}）之和 {sum(parts)} 不一致"
                self.add(f"{path}.{check.total}", label, f"{check.message}（{detail}）" if check.message else detail)

    def _repeat(self, field, value, path, label) -> None:
        items = [v for v in (value if isinstance(value, list) else []) if not _empty(v)]
        if self.for_submit and len(items) < field.min_items:
            self.add(path, label, f"至少填写 {field.min_items} 项")
        if field.max_items and len(items) > field.max_items:
            self.add(path, label, f"最多填写 {field.max_items} 项")
        for i, item in enumerate(items):
            for sub in field.fields:
                self.field(sub, item.get(sub.key), f"{path}[{i}].{sub.key}", f"{label}（{i + 1}）·{sub.label}")

    def _table(self, field, value, path, label) -> None:
        table = value if isinstance(value, dict) else {}
        numbers: dict[tuple[str, str], Decimal] = {}
        for row in field.rows:
            for col in field.columns:
                raw = (table.get(row.key) or {}).get(col)
                where, what = f"{path}.{row.key}.{col}", f"{label}·{row.label}（{col}）"
                if _empty(raw):
                    if self.for_submit and field.required:
                        self.add(where, what, "必填项，尚未填写")
                    continue
                number = _decimal(raw)
                if number is None:
                    self.add(where, what, f"应填写数字（{row.unit}）" if row.unit else "应填写数字")
                    continue
                if row.kind == "percent" and not Decimal(0) <= number <= Decimal(100):
                    self.add(where, what, "百分比应在 0–100 之间")
                numbers[(row.key, col)] = number
        for row in field.rows:
            if not row.ratio_of:
                continue
            num, den = row.ratio_of
            for col in field.columns:
                stated, n, d = numbers.get((row.key, col)), numbers.get((num, col)), numbers.get((den, col))
                if stated is None or n is None or not d:
                    continue
                expected = n / d * 100
                if abs(stated - expected) > RATIO_TOLERANCE:
                    names = {r.key: r.label for r in field.rows}
                    self.add(f"{path}.{row.key}.{col}", f"{label}·{row.label}（{col}）",
                             f"填写为 {stated}%，但按{names[num]} ÷ {names[den]} 计算应为 {expected.quantize(Decimal('0.01'))}%")

    def _outline(self, field, value, path, label) -> None:
        sections = value if isinstance(value, dict) else {}
        total = 0
        for section in field.sections:
            text = str(sections.get(section.key) or "")
            total += word_count(text)
            what = f"{label}·{section.title}"
            if not text.strip():
                if self.for_submit:
                    self.add(f"{path}.{section.key}", what, "必填部分，尚未填写")
                continue
            self._chars(text, section.min_chars, section.max_chars, f"{path}.{section.key}", what)
        if field.max_chars is not None and total > field.max_chars:
            self.add(path, label, f"全文限 {field.max_chars} 字以内，当前 {total} 字")
        if field.min_chars is not None and total < field.min_chars and self.for_submit:
            self.add(path, label, f"全文不少于 {field.min_chars} 字，当前 {total} 字")


def check(spec: Preset, answers: dict, units: list[dict], *, for_submit: bool) -> list[Problem]:
    """units: [{"credit_code", "name", "is_lead", "answers"}] in order, lead first."""
    names = {u["credit_code"]: u["name"] for u in units}
    checker = Checker(spec, for_submit=for_submit, unit_names=names)
    limit = spec.applicant_rules.max_units
    if limit and len(units) > limit:
        checker.add("units", "联合申报单位", f"申报单位（含主申报单位）不超过 {limit} 家，当前 {len(units)} 家")
    if for_submit and not any(u.get("is_lead") for u in units):
        checker.add("units", "主申报单位", "尚未确定主申报单位")
    checker.application(answers, [u["credit_code"] for u in units])
    for i, unit in enumerate(units):
        if unit.get("is_lead") or spec.form.fields("unit"):
            checker.unit(i, unit.get("answers") or {}, bool(unit.get("is_lead")))
    return checker.problems
