"""The application as the 申报书 lays it out: the preset's sections and fields in order, tables as tables.

`build(spec, content, lens, unit_names, terms)` walks the form of a submitted version's content and returns
plain `Section`s of `Block`s (a labelled value, a long text, or a table) that the reader's template lays out.
What the lens may not see is left out here, before anything reaches a template: fields reviewers may not see,
the unit sections in blind review; identities are masked in every string (blind review) and personal data by
field type (jinxuan/accounts/personal_data.py). `place(sections, findings, figures)` puts the formal-review
findings and the extracted figures beside the blocks they concern; `headline(figures)` picks the figures a
reader wants first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinxuan.accounts.personal_data import mask_content
from jinxuan.applicants.documents.printable import EMPTY, _Renderer, _year, cn_ordinal
from jinxuan.review import masking
from jinxuan.review.presentation import reviewable

from .lens import Lens


@dataclass
class Block:
    kind: str  # "field" (label and value) | "text" (a long text) | "table"
    label: str
    key: str  # the answer key (the finding paths and figure sources name it)
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)


@dataclass
class Section:
    title: str
    anchor: str
    subtitle: str = ""
    unit: int | None = None  # the position of the unit in the version's content, for unit sections
    blocks: list[Block] = field(default_factory=list)


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Walker:
    def __init__(self, spec, lens: Lens, unit_names: dict[str, str], terms: list[str]):
        self.r = _Renderer(spec, unit_names)
        self.lens = lens
        self.terms = terms

    def hide(self, text: str) -> str:
        return masking.mask(text, self.terms) if self.lens.blind else text

    def keep(self, f) -> bool:
        return reviewable(f) if self.lens.reviewable_only else True

    def blocks(self, fields, answers: dict) -> list[Block]:
        out: list[Block] = []
        for f in fields:
            if self.keep(f) and self.r._shown(f, answers):
                out += self.field(f, answers.get(f.key))
        return out

    def field(self, f, value) -> list[Block]:
        if f.per_unit and self.lens.blind:
            return []  # answers per named unit: the unit names are the identities blind review hides
        if f.per_unit:
            return [Block("field", f.label, f.key, self.hide(self.r.per_unit(f, value)))]
        if f.type == "outline":
            value = value if isinstance(value, dict) else {}
            return [Block("text", f"{f.label}·{s.title}", f.key, self.hide(str(value.get(s.key) or "").strip() or EMPTY))
                    for s in f.sections]
        if f.type == "textarea":
            return [Block("text", f.label, f.key, self.hide(str(value or "").strip() or EMPTY))]
        if f.type == "indicator_table":
            value = value if isinstance(value, dict) else {}
            rows = []
            for row in f.rows:
                cells = value.get(row.key) or {}
                label = f"{row.label}（{row.unit}）" if row.unit else row.label
                rows.append([label, *(self.r.value(_Plain, cells.get(col)) if not _blank(cells.get(col)) else "—"
                                      for col in f.columns)])
            return [Block("table", f.label, f.key, head=["指标", *(_year(c) for c in f.columns)], rows=rows)]
        if f.type == "repeat":
            items = [i for i in (value or []) if isinstance(i, dict)]
            subs = [s for s in f.fields if self.keep(s)]
            if not items:
                return [Block("field", f.label, f.key, EMPTY)]
            rows = [[self.hide(self.r.value(s, item.get(s.key))) for s in subs] for item in items]
            return [Block("table", f.label, f.key, head=[s.label for s in subs], rows=rows)]
        return [Block("field", f.label, f.key, self.hide(self.r.value(f, value)))]


class _Plain:
    """A number cell of an indicator table, rendered as entered."""

    type, unit = "decimal", ""


def build(spec, content: dict, lens: Lens, unit_names: dict[str, str] | None = None,
          terms: list[str] | None = None) -> list[Section]:
    """The sections of `content` ({"answers", "units": [{"credit_code", "is_lead", "answers"}]}) as `lens` sees them.

    `unit_names`: credit code → organisation name; `terms`: the identities blind review hides."""
    if lens.personal_masked:
        content = mask_content(spec, content)
    walker = _Walker(spec, lens, unit_names or {}, list(terms or []))
    units = list(enumerate(content.get("units") or []))
    units.sort(key=lambda pair: not pair[1].get("is_lead"))
    out: list[Section] = []
    for number, section in enumerate(spec.form.sections, start=1):
        title = f"{cn_ordinal(number)}、{section.title}"
        if section.scope == "unit":
            if not lens.units:
                continue
            joint = 0
            for index, unit in units:
                if unit.get("is_lead"):
                    subtitle = "主申报单位"
                else:
                    joint += 1
                    subtitle = f"联合申报单位（{cn_ordinal(joint)}）"
                name = (unit_names or {}).get(unit.get("credit_code"), "")
                blocks = walker.blocks(section.fields, unit.get("answers") or {})
                if blocks:
                    out.append(Section(title, f"s{number}-u{index}", f"{subtitle}：{name}" if name else subtitle,
                                       unit=index, blocks=blocks))
        else:
            blocks = walker.blocks(section.fields, content.get("answers") or {})
            if blocks:
                out.append(Section(title, f"s{number}", blocks=blocks))
    return out


_UNIT_PATH = re.compile(r"^units\[(\d+)\]\.(\w+)")
_KEY_PATH = re.compile(r"^(?:answers\.)?(\w+)")


def _target(path: str) -> tuple[int | None, str]:
    """(unit position or None, answer key) named by a finding's path ("units[1].founded", "case_name.x")."""
    m = _UNIT_PATH.match(path or "")
    if m:
        return int(m[1]), m[2]
    m = _KEY_PATH.match(path or "")
    return None, m[1] if m else ""


def place(sections: list[Section], findings: list[dict] = (), figures: list[dict] = ()) -> list[dict]:
    """Put each finding beside the block of the field it names and each figure beside the text it was read
    from; return the findings that concern no shown block (the whole application, the attachments, units)."""
    by_key: dict[tuple[int | None, str], Block] = {}
    by_label: dict[str, Block] = {}
    for section in sections:
        for block in section.blocks:
            by_key.setdefault((section.unit, block.key), block)
            by_label.setdefault(block.label, block)
    rest = []
    for finding in findings:
        block = by_key.get(_target(finding.get("field", "")))
        (block.findings if block is not None else rest).append(finding)
    for figure in figures:
        block = by_label.get(figure.get("source", ""))
        if block is not None and block.kind == "text":
            block.figures.append(figure)
    return rest


HEADLINE_KINDS = {"money", "percent", "points", "times"}
HEADLINE_COUNTS = re.compile(r"客户|用户|企业|商户|农户|机构|主体|家|户|人|笔")


def headline(figures: list[dict], limit: int = 12) -> list[dict]:
    """The figures a reader wants first: money, percentages and changes, counts of customers and institutions;
    each once (by the words as written), in the order the text gives them."""
    out, seen = [], set()
    for m in figures:
        span = (m.get("span") or "").strip()
        wanted = (m.get("kind") in HEADLINE_KINDS or m.get("before") is not None
                  or (m.get("kind") == "count" and HEADLINE_COUNTS.search(f"{m.get('unit', '')}{m.get('measure', '')}")))
        if wanted and span and span not in seen:
            seen.add(span)
            out.append(m)
        if len(out) >= limit:
            break
    return out
