"""Typeset a compendium (案例集) as Word (python-docx) and PDF (fpdf2).

Both share one layout: a cover (title, subtitle, organiser, year), a table of contents, then the
cases grouped by track and award tier — every case starts on a new page with the track and tier
headings printed before it when they change; a case shows its title, organisations, body paragraphs,
figure captions and a key-figures table.

DOCX: Chinese fonts are set through w:eastAsia (宋体 body, 黑体 headings). The table of contents is a
real TOC field whose stored result is the written list of entries, so it shows without Word updating
fields (and becomes a paged TOC once it does). PDF: the Noto Serif SC / Sans SC fonts the application
PDFs use are embedded (subset), lines are broken character by character with the Chinese
punctuation rules, the TOC carries page numbers and the outline (bookmarks) mirrors it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from jinxuan.textmining.metrics import FILLERS, PREFIXES

from .parse import TIER_RANK, tier_label

NO_TRACK = "其他案例"
FIGURES_HEADER = ("关键数据", "数值")
ORGANISATIONS_LABEL = "申报单位"
NO_TIER = "入选案例"


@dataclass
class CompendiumCase:
    title: str
    organisations: list[str] = field(default_factory=list)
    track: str = ""
    tier: str = ""
    special: str = ""
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # key figures as (label, value) rows


@dataclass
class Compendium:
    title: str
    subtitle: str = ""
    year: int | None = None
    organiser: str = ""
    cases: list[CompendiumCase] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return "".join(ch for ch in self.title if ch not in '\\/:*?"<>|').strip() or "案例集"


@dataclass
class Group:
    track: str  # "" when the compendium has no tracks at all
    tier: str
    cases: list[CompendiumCase]


def figure_rows(figures: Iterable) -> list[tuple[str, str]]:
    """Key figures as (label, value): accepts pairs, or dicts with label/name and value (+ unit)."""
    rows: list[tuple[str, str]] = []
    for item in figures or ():
        if isinstance(item, dict):
            label = item.get("label") or item.get("name") or item.get("metric") or ""
            value = item.get("value", item.get("text", ""))
            unit = item.get("unit") or ""
            value = f"{value}{unit}" if unit and not str(value).endswith(unit) else value
        elif isinstance(item, list | tuple) and len(item) >= 2:
            label, value = item[0], item[1]
        else:
            label, value = "", item
        label, value = str(label or "").strip(), str(value if value is not None else "").strip()
        if label or value:
            rows.append((label, value))
    return rows


_CLAUSE_BREAK = "，。；：！？、,;:!?\n（）()“”"
_LEAD = ("已实实在在", "已", "并", "且", "同时", "此外", "实现了", "实现", "累计", "其中", "目前", "共", "为", "向",
         "对")
_VALUE_PREFIX = ("超", "逾", "近", "约")
_VALUE_SUFFIX = ("以上", "以下", "左右")
KEY_FIGURES_MAX = 6
LABEL_MAX = 22


def _qualifier_patterns() -> list[str]:
    keep = {"提升", "提高", "增长", "下降", "降低", "减少", "缩短", "降至"}  # verbs belong to the label
    return sorted({p for p, q in PREFIXES if q not in keep} | set(FILLERS), key=len, reverse=True)


def _strip_end(label: str, patterns: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        label = label.rstrip(" \u00a0")
        for pattern in patterns:
            if label.endswith(pattern) and len(label) > len(pattern):
                label, changed = label[: -len(pattern)], True
                break
    return label


def key_figures(paragraphs: list[str], figures: Iterable[dict], limit: int = KEY_FIGURES_MAX) -> list[tuple[str, str]]:
    """(label, value) rows from the quantified results the text-metrics extractor found in a case body
    (dicts with paragraph, start, end, span, qualifier, kind): the label is the clause around the figure
    without it, the value the figure as written (with 超/近/约 and 以上/以下)."""
    patterns = _qualifier_patterns()
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for f in figures or ():
        if not isinstance(f, dict) or "span" not in f:
            continue
        if f.get("kind") == "duration" and f.get("before") is None:
            continue  # "七年累计…" is a period, not a result
        try:
            text = paragraphs[int(f.get("paragraph", 0))]
            start, end = int(f["start"]), int(f["end"])
        except (IndexError, KeyError, TypeError, ValueError):
            continue
        if text[start:end] != f["span"]:
            continue
        head, tail = start, end
        while head > 0 and text[head - 1] not in _CLAUSE_BREAK:
            head -= 1
        while tail < len(text) and text[tail] not in _CLAUSE_BREAK:
            tail += 1
        before = _strip_end(text[head:start], patterns).strip()
        after = text[end:tail].strip()
        value = f["span"].strip()
        for suffix in _VALUE_SUFFIX:
            if after.startswith(suffix):
                after = after[len(suffix):].strip()
                if not value.endswith(suffix):
                    value += suffix
        qualifiers = [q.strip() for q in str(f.get("qualifier") or "").split(",")]
        prefix = next((q for q in qualifiers if q in _VALUE_PREFIX), "")
        if prefix and not value.startswith(prefix):
            value = prefix + value
        for lead in _LEAD:
            if before.startswith(lead) and len(before) > len(lead) + 1:
                before = before[len(lead):].strip()
                break
        label = f"{before}{after}" if not (before[-1:].isascii() and after[:1].isascii()) else f"{before} {after}"
        label = label.strip()
        if len(label) < 2 or value in seen:
            continue
        if len(label) > LABEL_MAX:
            label = "…" + label[-(LABEL_MAX - 1):]
        seen.add(value)
        rows.append((label, value))
        if len(rows) >= limit:
            break
    return rows


def groups(compendium: Compendium) -> list[Group]:
    """Cases grouped by track (first appearance order) then award tier (特等奖 … 提名奖 first in that
    order — a tier before its special awards —, other tiers in first appearance order, cases without
    tier last); case order is kept."""
    has_tracks = any(c.track for c in compendium.cases)
    tracks: dict[str, list[CompendiumCase]] = {}
    for case in compendium.cases:
        tracks.setdefault(case.track or (NO_TRACK if has_tracks else ""), []).append(case)
    out: list[Group] = []
    for track, cases in tracks.items():
        tiers: dict[str, list[CompendiumCase]] = {}
        rank: dict[str, tuple] = {}
        for i, case in enumerate(cases):
            label = tier_label(case.tier, case.special) or NO_TIER
            tiers.setdefault(label, []).append(case)
            if label not in rank:
                base = TIER_RANK.get(case.tier, len(TIER_RANK)) if (case.tier or case.special) else len(TIER_RANK) + 1
                rank[label] = (base, bool(case.tier and case.special), i)
        for label in sorted(tiers, key=rank.__getitem__):
            out.append(Group(track, label, tiers[label]))
    return out


def outline(compendium: Compendium) -> list[tuple[int, str, CompendiumCase | None]]:
    """The headings in reading order as (level, text, case or None): track 0, tier 1, title 2 (one
    level less everywhere when there are no tracks)."""
    items: list[tuple[int, str, CompendiumCase | None]] = []
    previous_track = None
    for group in groups(compendium):
        base = 0
        if group.track:
            if group.track != previous_track:
                items.append((0, group.track, None))
            base = 1
        previous_track = group.track
        items.append((base, group.tier, None))
        items.extend((base + 1, case.title, case) for case in group.cases)
    return items


def organisations_line(organisations: list[str]) -> str:
    return f"{ORGANISATIONS_LABEL}：{'、'.join(organisations)}"


def _cover_lines(c: Compendium) -> list[str]:
    return [x for x in (c.organiser, f"{c.year}年" if c.year else "") if x]


# ====================================================================== DOCX

SONGTI, HEITI, KAITI = "宋体", "黑体", "楷体"


def _docx_field(paragraph, instruction: str, placeholder: str = "") -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    run = paragraph.add_run()
    run._r.append(fld("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run._r.append(fld("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(fld("end"))


def _docx_styles(doc):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    from jinxuan.applicants.documents.word import set_fonts  # heavy: python-docx (imported with it)

    def style(name, east_asia, size, bold=False, align=None, before=0, after=0, indent_chars=0):
        try:
            s = doc.styles[name]
        except KeyError:
            s = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = doc.styles["Normal"]
        set_fonts(s, east_asia)
        s.font.size, s.font.bold, s.font.italic = Pt(size), bold, False
        s.font.color.rgb = RGBColor(0, 0, 0)
        pf = s.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE if name == "Normal" else WD_LINE_SPACING.SINGLE
        if align is not None:
            pf.alignment = align
        pf.first_line_indent = Pt(size * indent_chars) if indent_chars else None
        return s

    style("Normal", SONGTI, 12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
    style("Title", HEITI, 26, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    style("Subtitle", HEITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    style("Heading 1", HEITI, 18, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=12)
    style("Heading 2", HEITI, 15, align=WD_ALIGN_PARAGRAPH.LEFT, before=6, after=6)
    style("Heading 3", HEITI, 14, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=6)
    style("Caption", KAITI, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    style("TOC Heading", HEITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    style("Organisations", KAITI, 12, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)
    for level in (1, 2, 3):
        s = style(f"toc {level}", SONGTI if level == 3 else HEITI, 12 if level < 3 else 11, after=3)
        s.paragraph_format.left_indent = Pt(14 * (level - 1))
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Heading 1", "Heading 2", "Heading 3", "Organisations"):
        doc.styles[name].paragraph_format.keep_with_next = True


def _docx_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = None
    p.add_run("— ")
    _docx_field(p, "PAGE", "1")
    p.add_run(" —")


def compendium_docx(compendium: Compendium) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt

    from jinxuan.applicants.documents.word import set_fonts  # heavy: python-docx (imported with it)

    doc = Document()
    _docx_styles(doc)
    doc.core_properties.title = compendium.title
    doc.core_properties.subject = compendium.subtitle
    doc.core_properties.author = compendium.organiser or "金选"
    cover = doc.sections[0]
    cover.page_width, cover.page_height = Mm(210), Mm(297)
    cover.top_margin, cover.bottom_margin, cover.left_margin, cover.right_margin = Mm(30), Mm(28), Mm(26), Mm(26)

    # Cover
    for _ in range(6):
        doc.add_paragraph().paragraph_format.first_line_indent = None
    doc.add_paragraph(compendium.title, style="Title")
    if compendium.subtitle:
        doc.add_paragraph(compendium.subtitle, style="Subtitle")
    for _ in range(10):
        doc.add_paragraph().paragraph_format.first_line_indent = None
    for line in _cover_lines(compendium):
        doc.add_paragraph(line, style="Subtitle")

    # Table of contents: a TOC field whose stored result is the written list.
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    body.footer.is_linked_to_previous = False
    _docx_footer(body)
    doc.add_paragraph("目　录", style="TOC Heading")
    items = outline(compendium)
    top = min((lvl for lvl, _, _ in items), default=0)
    entries = [(lvl - top + 1, text) for lvl, text, _ in items]
    if not entries:
        doc.add_paragraph("（暂无案例）")
    for i, (level, text) in enumerate(entries):
        p = doc.add_paragraph(style=f"toc {min(level, 3)}")
        if i == 0:
            _toc_field_begin(p)
        p.add_run(text)
        if i == len(entries) - 1:
            _toc_field_end(p)

    # Cases
    previous = {0: None, 1: None}
    first = True
    for group in groups(compendium):
        for case in group.cases:
            heading_p = None
            if group.track and group.track != previous[0]:
                heading_p = doc.add_paragraph(group.track, style="Heading 1")
                previous[0], previous[1] = group.track, None
            if (group.track, group.tier) != previous[1]:
                p = doc.add_paragraph(group.tier, style="Heading 2" if group.track else "Heading 1")
                heading_p = heading_p or p
                previous[1] = (group.track, group.tier)
            title_p = doc.add_paragraph(case.title, style="Heading 3" if group.track else "Heading 2")
            start = heading_p or title_p
            start.paragraph_format.page_break_before = True
            first = False
            if case.organisations:
                doc.add_paragraph(organisations_line(case.organisations), style="Organisations")
            for text in case.paragraphs:
                doc.add_paragraph(text)
            for caption in case.captions:
                doc.add_paragraph(caption, style="Caption")
            rows = figure_rows(case.figures)
            if rows:
                doc.add_paragraph().paragraph_format.first_line_indent = None
                table = doc.add_table(rows=1, cols=2)
                table.style = doc.styles["Table Grid"]
                table.alignment = WD_TABLE_ALIGNMENT.CENTER
                _repeat_header(table.rows[0])
                head = table.rows[0].cells
                for cell, text in zip(head, FIGURES_HEADER, strict=True):
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(text)
                    run.bold = True
                    set_fonts(run, HEITI)
                for k, v in rows:
                    cells = table.add_row().cells
                    cells[0].text, cells[1].text = k, v
                for row in table.rows:
                    for cell in row.cells:
                        for para in cell.paragraphs:
                            para.paragraph_format.first_line_indent = None
                            for run in para.runs:
                                run.font.size = Pt(10.5)
    if first:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_paragraph("本案例集暂无案例。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _repeat_header(row) -> None:
    """Mark a table row as header row (w:tblHeader): repeated on every page, and not data when read back."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _toc_field_begin(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-3" \\h \\z \\u '
    run._r.append(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)


def _toc_field_end(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


# ====================================================================== PDF

PAGE_MARGIN_X = 22
PAGE_MARGIN_TOP = 24
PAGE_MARGIN_BOTTOM = 22
TOC_LINE_H = 7.2
TOC_NUMBER_W = 14
TOC_INDENT = 7
TOC_SIZES = {0: 12.5, 1: 11.5, 2: 10.5}
INK = (25, 25, 25)
MUTED = (115, 115, 115)


def _fpdf_class():
    from fpdf import FPDF
    from fpdf.enums import Align, WrapMode, XPos, YPos

    from jinxuan.applicants.documents import fonts  # heavy: fpdf, fontTools (imported with them)
    from jinxuan.applicants.documents.pdf import measure_of, wrap_lines  # heavy: fpdf

    SERIF, SANS = fonts.SERIF_FAMILY, fonts.SANS_FAMILY

    class CompendiumPDF(FPDF):
        def __init__(self, compendium: Compendium):
            super().__init__(orientation="P", unit="mm", format="A4")
            fonts.register(self)
            self.compendium = compendium
            self.set_margins(PAGE_MARGIN_X, PAGE_MARGIN_TOP, PAGE_MARGIN_X)
            self.set_auto_page_break(True, margin=PAGE_MARGIN_BOTTOM)
            self.set_text_color(*INK)
            self.set_creator("金选")
            self.set_title(compendium.title)
            if compendium.subtitle:
                self.set_subject(compendium.subtitle)
            if compendium.organiser:
                self.set_author(compendium.organiser)
            self.running = ""

        # -------------------------------------------------------------- helpers

        def wrap(self, text: str, width: float) -> list[str]:
            return wrap_lines(measure_of(self), text, width - 0.6)

        def lines(self, text: str, family: str, size: float, line_h: float, align=Align.L, indent: float = 0):
            self.set_font(family, size=size)
            width = self.epw - indent
            self.set_x(self.l_margin + indent)
            self.multi_cell(width, line_h, "\n".join(self.wrap(text, width - 2 * self.c_margin)), align=align,
                            wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        # -------------------------------------------------------------- every page

        def header(self):
            label = self.running
            toc = self.toc_placeholder
            if toc is not None and self.page < toc.start_page + toc.pages:
                label = "目录"
            if self.page_no() == 1 or not label:
                return
            with self.local_context(text_color=MUTED, draw_color=(200, 200, 200)):
                self.set_font(SANS, size=8)
                self.set_xy(PAGE_MARGIN_X, 11)
                self.cell(self.epw / 2, 5, self.compendium.title[:40], align=Align.L)
                self.cell(self.epw / 2, 5, label[:40], align=Align.R)
                self.set_line_width(0.2)
                self.line(PAGE_MARGIN_X, 16.5, self.w - PAGE_MARGIN_X, 16.5)
            self.set_xy(PAGE_MARGIN_X, PAGE_MARGIN_TOP)

        def footer(self):
            if self.page_no() == 1:
                return
            with self.local_context(text_color=MUTED):
                self.set_font(SERIF, size=9)
                self.set_xy(PAGE_MARGIN_X, self.h - 14)
                self.cell(self.epw, 5, f"— {self.page_no()} —", align=Align.C)

        # -------------------------------------------------------------- cover

        def cover(self):
            c = self.compendium
            self.add_page()
            self.set_y(80)
            self.lines(c.title, SANS, 26, 13, align=Align.C)
            if c.subtitle:
                self.ln(6)
                self.lines(c.subtitle, SANS, 16, 9, align=Align.C)
            self.set_y(205)
            for line in _cover_lines(c):
                self.lines(line, SERIF, 15, 9, align=Align.C)
                self.ln(2)

        # -------------------------------------------------------------- table of contents

        def toc_layout(self, entries: list[tuple[int, str]]) -> list[list[tuple[int, float, list[str]]]]:
            """Entries split into pages: per page a list of (level, y, wrapped lines)."""
            pages: list[list[tuple[int, float, list[str]]]] = [[]]
            top_first, top = PAGE_MARGIN_TOP + 16, PAGE_MARGIN_TOP
            bottom = self.h - PAGE_MARGIN_BOTTOM
            y = top_first
            for level, text in entries:
                self.set_font(SANS if level < 2 else SERIF, size=TOC_SIZES[min(level, 2)])
                indent = TOC_INDENT * level
                wrapped = self.wrap(text, self.epw - indent - TOC_NUMBER_W - 2 * self.c_margin)
                gap = 2.5 if level == 0 else 0.8
                height = len(wrapped) * TOC_LINE_H + gap
                if y + height > bottom:
                    pages.append([])
                    y = top
                pages[-1].append((level, y + gap, wrapped))
                y += height
            return pages

        def toc_entries(self) -> list[tuple[int, str]]:
            return [(level, text) for level, text, _ in outline(self.compendium)]

        def render_toc(self, pdf, sections):
            """Called by fpdf2 at output time with the recorded sections (their page numbers known)."""
            entries = [(s.level, s.name) for s in sections]
            numbers = [s.page_number for s in sections]
            self.set_y(PAGE_MARGIN_TOP)
            self.set_font(SANS, size=18)
            self.cell(0, 10, "目　录", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            layout = self.toc_layout(entries)
            k = 0
            for p, page in enumerate(layout):
                if p:
                    self.add_page()
                for level, y, wrapped in page:
                    size = TOC_SIZES[min(level, 2)]
                    family = SANS if level < 2 else SERIF
                    x = self.l_margin + TOC_INDENT * level
                    link = self.add_link(page=numbers[k])
                    self.set_font(family, size=size)
                    for j, line in enumerate(wrapped):
                        self.set_xy(x, y + j * TOC_LINE_H)
                        self.cell(self.get_string_width(line) + 2 * self.c_margin, TOC_LINE_H, line, link=link)
                    last_y = y + (len(wrapped) - 1) * TOC_LINE_H
                    end_x = x + self.get_string_width(wrapped[-1]) + 2 * self.c_margin + 1
                    number_x = self.w - self.r_margin - TOC_NUMBER_W
                    with self.local_context(draw_color=(150, 150, 150), line_width=0.25):
                        self.set_dash_pattern(dash=0.4, gap=1.2)
                        if number_x - 1 > end_x:
                            self.line(end_x, last_y + TOC_LINE_H * 0.68, number_x - 1, last_y + TOC_LINE_H * 0.68)
                        self.set_dash_pattern()
                    self.set_font(SERIF, size=size)
                    self.set_xy(number_x, last_y)
                    self.cell(TOC_NUMBER_W, TOC_LINE_H, str(numbers[k]), align=Align.R, link=link)
                    k += 1

        # -------------------------------------------------------------- cases

        def cases(self, on_fresh_page: bool):
            """Every case on a new page; `on_fresh_page`: the current page is empty and takes the first."""
            previous_track, previous_tier = None, None
            level_shift = 0 if any(g.track for g in groups(self.compendium)) else -1
            for group in groups(self.compendium):
                for case in group.cases:
                    self.running = group.track or group.tier
                    if not on_fresh_page:
                        self.add_page()
                    on_fresh_page = False
                    if group.track and group.track != previous_track:
                        self.start_section(group.track, 0)
                        self.lines(group.track, SANS, 20, 11, align=Align.C)
                        self.ln(4)
                        previous_track, previous_tier = group.track, None
                    if (group.track, group.tier) != previous_tier:
                        self.start_section(group.tier, 1 + level_shift)
                        self.tier_heading(group.tier)
                        previous_tier = (group.track, group.tier)
                    self.start_section(case.title, 2 + level_shift)
                    self.case(case)

        def tier_heading(self, text: str):
            self.set_font(SANS, size=15)
            y = self.get_y()
            with self.local_context(fill_color=(160, 30, 30)):
                self.rect(self.l_margin, y + 1.8, 1.4, 6.4, style="F")
            self.set_xy(self.l_margin + 4, y)
            self.cell(0, 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)

        def case(self, case: CompendiumCase):
            self.lines(case.title, SANS, 16, 9, align=Align.C)
            self.ln(1)
            if case.organisations:
                with self.local_context(text_color=MUTED):
                    self.lines(organisations_line(case.organisations), SERIF, 11, 6.5, align=Align.C)
            self.ln(4)
            for para in case.paragraphs:
                self.lines("\u3000\u3000" + para, SERIF, 11, 7)
                self.ln(1.2)
            for caption in case.captions:
                with self.local_context(text_color=MUTED):
                    self.lines(caption, SANS, 9.5, 6, align=Align.C)
            rows = figure_rows(case.figures)
            if rows:
                self.figures_table(rows)

        def figures_table(self, rows: list[tuple[str, str]]):
            from fpdf.fonts import FontFace

            self.ln(4)
            if self.will_page_break(24):
                self.add_page()
            head = FontFace(family=SANS, size_pt=10, color=INK, fill_color=(240, 241, 243))
            cell = FontFace(family=SERIF, size_pt=10, color=INK)
            widths = (60, 110)
            pad = 2
            self.set_font(SERIF, size=10)
            with self.local_context(draw_color=(160, 160, 160), line_width=0.2):
                with self.table(col_widths=widths, first_row_as_headings=True, headings_style=head, line_height=5.6,
                                padding=(1.4, pad), text_align=("LEFT", "LEFT"), wrapmode=WrapMode.CHAR) as table:
                    row = table.row()
                    for text in FIGURES_HEADER:
                        row.cell(text)
                    for label, value in rows:
                        row = table.row()
                        for text, w in ((label, widths[0]), (value, widths[1])):
                            width = self.epw * w / sum(widths) - 2 * pad
                            self.set_font(SERIF, size=10)
                            row.cell("\n".join(self.wrap(text, width)), style=cell)

    return CompendiumPDF


def compendium_pdf(compendium: Compendium) -> bytes:
    pdf = _fpdf_class()(compendium)
    pdf.cover()
    entries = pdf.toc_entries()
    if entries:
        pdf.running = "目录"
        pdf.add_page()
        first = groups(compendium)[0]
        pdf.running = first.track or first.tier
        # Breaks `pages` times from the current page: the body starts on a fresh page after the TOC.
        pdf.insert_toc_placeholder(pdf.render_toc, pages=len(pdf.toc_layout(entries)), reset_page_indices=False)
        pdf.cases(on_fresh_page=True)
    else:
        pdf.add_page()
        pdf.lines("本案例集暂无案例。", "notoserifsc", 12, 8)
    return bytes(pdf.output())


def toc_pages_needed(compendium: Compendium) -> int:
    """How many pages the PDF's table of contents takes."""
    pdf = _fpdf_class()(compendium)
    entries = pdf.toc_entries()
    return len(pdf.toc_layout(entries)) if entries else 0
