"""Django-free. A printable application: the preset's form schema walked in order, every answer rendered to text.

No Django here: `build_printable` takes the validated `Preset`, the application's answers,
the applying units and some metadata, and returns plain dataclasses that `pdf` and `word`
lay out. Answer shapes are those documented in `jinxuan.demo.answers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jinxuan.campaigns.schema import ChoiceSpec, FormField, FormSection, Preset

EMPTY = "（未填写）"
# A textarea longer than this is printed as a heading + body paragraph rather than a table row,
# so that no table row grows taller than a page.
LONG_TEXT = 800
TITLE_KEYS = ("case_name", "event_name", "title")
CN_NUMERALS = "一二三四五六七八九十"


@dataclass
class PrintSection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label / value table
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # heading / body, for long texts
    subtitle: str = ""  # e.g. 主申报单位基本情况及联系人 under 申报单位与联系人信息


@dataclass
class PrintableApplication:
    campaign_name: str
    application_no: str
    title: str
    track_name: str
    lead_org: str
    joint_orgs: list[str]
    version_no: int | str
    version_hash: str
    submitted_at: str
    verify_url: str
    sections: list[PrintSection]

    @property
    def hash_prefix(self) -> str:
        return self.version_hash[:12]

    @property
    def watermark(self) -> str:
        """The text repeated diagonally on every page of the paper copy."""
        return f"{self.application_no}  {self.lead_org}  {self.hash_prefix}  {self.submitted_at}"

    @property
    def submitted_date(self) -> str:
        """申报日期 as printed on the cover: 2026年3月15日 (falls back to the raw string)."""
        m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", self.submitted_at or "")
        return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else self.submitted_at


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for section and unit numbering)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def build_printable(preset: Preset, answers: dict, units: list[dict], meta: dict) -> PrintableApplication:
    """Render `answers` (application scope) and `units` (unit scope) in the preset's form order.

    units: [{"name", "credit_code", "is_lead", "answers"}], lead first (re-sorted if not);
    meta: application_no, version_no, version_hash, submitted_at, verify_url, campaign_name, track_name,
    and optionally title.
    """
    units = sorted(units, key=lambda u: not u.get("is_lead"))
    names = {u.get("credit_code"): u.get("name", "") for u in units}
    r = _Renderer(preset, names)
    sections: list[PrintSection] = []
    for number, section in enumerate(preset.form.sections, start=1):
        title = f"{number}. {section.title}"
        if section.scope == "unit":
            joint_no = 0
            for unit in units:
                if unit.get("is_lead"):
                    subtitle = "主申报单位基本情况及联系人"
                else:
                    joint_no += 1
                    subtitle = f"联合申报单位基本情况及联系人（{cn_ordinal(joint_no)}）"
                sections.append(r.section(section, unit.get("answers") or {}, title, subtitle))
        else:
            sections.append(r.section(section, answers, title))
    lead = next((u for u in units if u.get("is_lead")), units[0] if units else {})
    track_name = meta.get("track_name") or r.track_name(_track_answer(preset, answers))
    return PrintableApplication(
        campaign_name=meta.get("campaign_name") or preset.name,
        application_no=str(meta.get("application_no", "")),
        title=meta.get("title") or _title(preset, answers),
        track_name=track_name,
        lead_org=lead.get("name", ""),
        joint_orgs=[u.get("name", "") for u in units if u is not lead],
        version_no=meta.get("version_no", ""),
        version_hash=str(meta.get("version_hash", "")),
        submitted_at=str(meta.get("submitted_at", "")),
        verify_url=str(meta.get("verify_url", "")),
        sections=sections,
    )


def render_section(preset: Preset, section: FormSection, answers: dict, keep) -> PrintSection:
    """One application-scope section with only the fields ``keep(field)`` accepts (e.g. what experts see)."""
    r = _Renderer(preset, {})
    out = PrintSection(title=section.title)
    for f in section.fields:
        if keep(f) and r._shown(f, answers):
            r.field(f, answers.get(f.key), out)
    return out


def _title(preset: Preset, answers: dict) -> str:
    for f in preset.form.fields("application"):
        if f.type == "text" and (f.key in TITLE_KEYS or f.label in {"案例名称", "事件名称"}):
            return str(answers.get(f.key) or "")
    return ""


def _track_answer(preset: Preset, answers: dict) -> str:
    for f in preset.form.fields("application"):
        if f.type == "track":
            return str(answers.get(f.key) or "")
    return ""


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _with_unit(value, unit: str) -> str:
    text = str(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in {"%", "％"} else f"{text} {unit}"


def _month(value: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value))
    return f"{m[1]}年{int(m[2])}月" if m else str(value)


def _date(value: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value))
    return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else str(value)


def _number(value) -> str:
    """Decimal strings as entered, without float artefacts."""
    try:
        return format(Decimal(str(value)), "f")
    except (InvalidOperation, ValueError):
        return str(value)


class _Renderer:
    def __init__(self, preset: Preset, unit_names: dict[str, str]):
        self.preset = preset
        self.unit_names = unit_names
        self.tracks = {t.key: t.name for t in preset.tracks}

    def track_name(self, key: str) -> str:
        return self.tracks.get(key, key)

    # ------------------------------------------------------------------ sections

    def section(self, section: FormSection, answers: dict, title: str, subtitle: str = "") -> PrintSection:
        out = PrintSection(title=title, subtitle=subtitle)
        for f in section.fields:
            if not self._shown(f, answers):
                continue
            self.field(f, answers.get(f.key), out)
        return out

    def _shown(self, f: FormField, answers: dict) -> bool:
        if not f.show_if:
            return True
        value = answers.get(f.show_if.field)
        if isinstance(value, dict):
            value = value.get("choice", value.get("accepted"))
        return value == f.show_if.equals

    def field(self, f: FormField, value, out: PrintSection) -> None:  # noqa: C901 - one branch per layout
        label = f.label
        if f.per_unit:
            out.rows.append((label, self.per_unit(f, value)))
        elif f.type == "outline":
            value = value or {}
            for i, s in enumerate(f.sections, start=1):
                body = str(value.get(s.key) or "").strip()
                out.paragraphs.append((f"{cn_ordinal(i)}、{s.title}", body or EMPTY))
        elif f.type == "declaration":
            accepted = bool(value.get("accepted")) if isinstance(value, dict) else bool(value)
            status = "（申报单位已阅读并确认上述承诺）" if accepted else "（未确认）"
            out.rows.append((label, f"{f.text.strip()}\n{status}"))
        elif f.type == "indicator_table":
            value = value or {}
            for row in f.rows:
                cells = value.get(row.key) or {}
                row_label = f"{row.label}（{row.unit}）" if row.unit else row.label
                parts = [
                    f"{_year(col)} {_number(cells[col]) if not _blank(cells.get(col)) else '—'}"
                    for col in f.columns
                ]
                out.rows.append((row_label, " / ".join(parts)))
        elif f.type == "repeat":
            items = value or []
            if not items:
                out.rows.append((label, EMPTY))
            for i, item in enumerate(items, start=1):
                row_label = f"{label}（{i}）" if len(items) > 1 else label
                out.rows.append((row_label, self.record(f, item)))
        elif f.type == "textarea" and isinstance(value, str) and len(value) > LONG_TEXT:
            out.paragraphs.append((label, value.strip()))
        else:
            out.rows.append((label, self.value(f, value)))

    # ------------------------------------------------------------------ values

    def per_unit(self, f: FormField, value) -> str:
        if not isinstance(value, dict) or not value:
            return EMPTY
        lines = []
        for code, v in value.items():
            name = self.unit_names.get(code) or code
            lines.append(f"{name}：{self.value(f, v)}")
        return "\n".join(lines)

    def record(self, f: FormField, item: dict) -> str:
        item = item or {}
        return "；".join(f"{sub.label}：{self.value(sub, item.get(sub.key))}" for sub in f.fields)

    def value(self, f: FormField, value) -> str:  # noqa: C901 - one branch per field type
        t = f.type
        if _blank(value) and t not in {"integer", "boolean"}:
            return EMPTY
        if value is None:
            return EMPTY
        if t in {"integer", "decimal", "percent", "money"}:
            return _with_unit(_number(value), f.unit)
        if t == "month":
            return _month(value)
        if t == "date":
            return _date(value)
        if t == "month_range":
            start, end = _month(value.get("start", "")), value.get("end") or ""
            return f"{start}至{'今' if end == '至今' else _month(end)}"
        if t == "boolean":
            return "是" if value else "否"
        if t == "track":
            return self.track_name(str(value))
        if t == "single_choice":
            return self.single(f, value)
        if t == "multi_choice":
            return self.multi(value)
        if t == "group":
            return self.group(f, value)
        if t == "repeat":
            return "\n".join(self.record(f, item) for item in value)
        if t == "declaration":
            return "已确认" if (value.get("accepted") if isinstance(value, dict) else value) else "未确认"
        if isinstance(value, dict | list):  # an outline or table nested somewhere unexpected
            return "；".join(str(v) for v in (value.values() if isinstance(value, dict) else value))
        return _with_unit(value, f.unit) if t == "text" and f.unit else str(value)

    def single(self, f: FormField, value) -> str:
        if isinstance(value, str):
            value = {"choice": value}
        choice = value.get("choice") or ""
        if not choice:
            return EMPTY
        spec = next((c for c in f.choices if isinstance(c, ChoiceSpec) and c.label == choice), None)
        text = str(value.get("text") or "").strip()
        out = choice
        if choice == "其他" and text:
            return f"其他（{text}）"
        sub = [s for s in value.get("sub") or [] if s]
        if sub:
            out += f"（{'、'.join(sub)}）"
        if text:
            out += f"\n{spec.text_label if spec and spec.text_label else '说明'}：{text}"
        return out

    @staticmethod
    def multi(value) -> str:
        if isinstance(value, list):
            value = {"choices": value}
        other = str(value.get("other") or "").strip()
        labels = [c for c in value.get("choices") or [] if c != "其他"]
        if other:
            labels.append(f"其他（{other}）")
        elif "其他" in (value.get("choices") or []):
            labels.append("其他")
        return "、".join(labels) if labels else EMPTY

    def group(self, f: FormField, value: dict) -> str:
        if not isinstance(value, dict):
            return str(value)
        subs = {s.key: s for s in f.fields}

        def part(key: str) -> str:
            sub = subs[key]
            return f"{sub.label} {self.value(sub, value.get(key))}"

        if f.checks:  # 共 12 人（业务运营 3 人、产品 4 人、技术 5 人）
            check = f.checks[0]
            inner = "、".join(part(k) for k in check.parts)
            rest = [k for k in subs if k != check.total and k not in check.parts]
            head = f"{part(check.total)}（{inner}）"
            return "，".join([head, *(part(k) for k in rest)])
        return "，".join(part(s.key) for s in f.fields)


def _year(column: str) -> str:
    return f"{column}年" if re.fullmatch(r"\d{4}", column) else column


_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\d+[.．、]|（[一二三四五六七八九十\d]+）)")


def commitment_paragraphs(
    campaign_name: str, commitments: list[str], call_title: str
) -> tuple[str, list[str]]:
    """The 承诺函's opening sentence and its numbered items (一、…).

    `commitments` may be the bare items, or the declaration's lines as written in the preset
    (an opening line ending in 承诺如下： followed by items already numbered 一、二、…).
    """
    items = [line.strip() for c in commitments for line in (c or "").splitlines() if line.strip()]
    if items and ("承诺如下" in items[0] or items[0].startswith("根据")):
        intro, items = items[0], items[1:]
    else:
        call = call_title.strip().strip("《》")
        basis = f"根据《{call}》要求，" if call else ""
        intro = f"{basis}本单位自愿参加{campaign_name}，承诺如下："
    numbered = [c if _NUMBERED.match(c) else f"{cn_ordinal(i)}、{c}" for i, c in enumerate(items, start=1)]
    return intro, numbered
