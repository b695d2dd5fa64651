"""Django-free. Word documents with python-docx, in the format the call prescribes for 申报案例说明:

A4; body 三号仿宋 (16 pt), line spacing exactly 30 pt, first-line indent 2 characters;
一级标题 三号黑体, 二级标题 三号楷体加粗, 三级标题 三号仿宋.

Chinese fonts are set through w:rFonts/@w:eastAsia on the styles themselves (Normal,
Heading 1–3), and the template's theme-font attributes are removed, because Word uses
the eastAsia font — not the ascii one — for Chinese characters.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .printable import cn_ordinal, commitment_paragraphs

FANGSONG, HEITI, KAITI = "仿宋", "黑体", "楷体"
LATIN = "Times New Roman"
SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE = Pt(30)

_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
_LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
_LEVEL3 = re.compile(r"^\d+[.．、]\s*\S")
# A numbered line longer than this is a numbered body paragraph, not a heading.
MAX_HEADING_CHARS = 60


def set_fonts(target, east_asia: str, latin: str = LATIN) -> None:
    """Set ascii/hAnsi/cs to `latin` and eastAsia to `east_asia` on a style's or run's rPr."""
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _first_line_chars(paragraph_format, chars: int) -> None:
    """First-line indent in characters (w:firstLineChars, hundredths), with the pt value as fallback."""
    paragraph_format.first_line_indent = Pt(16 * chars)
    ind = paragraph_format.element.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), str(chars * 100))


def _style(doc, name: str, east_asia: str, bold: bool, indent_chars: int = 2):
    style = doc.styles[name]
    set_fonts(style, east_asia)
    font = style.font
    font.size, font.bold, font.italic = SIZE, bold, False
    font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _first_line_chars(pf, indent_chars)
    return style


def _document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    # 公文 margins (GB/T 9704): top 37, bottom 35, left 28, right 26 mm.
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _style(doc, "Normal", FANGSONG, bold=False)
    _style(doc, "Heading 1", HEITI, bold=False)
    _style(doc, "Heading 2", KAITI, bold=True)
    _style(doc, "Heading 3", FANGSONG, bold=False)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].paragraph_format.keep_with_next = True
    _page_number_footer(section)
    return doc


def _page_number_footer(section) -> None:
    """Centered "— N —" page number in the footer."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.add_run("— ")
    run = p.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    p.add_run(" —")
    for r in p.runs:
        r.font.size = Pt(14)


def _title(doc, text: str):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _first_line_chars(p.paragraph_format, 0)
    p.paragraph_format.space_after = Pt(15)
    run = p.add_run(text)
    run.font.size = TITLE_SIZE
    set_fonts(run, HEITI)
    return p


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def heading_level(line: str) -> int:
    """0 for body text, 1–3 for 一、… / （一）… / 1. … headings (short lines only)."""
    if len(line) > MAX_HEADING_CHARS:
        return 0
    if _LEVEL1.match(line):
        return 1
    if _LEVEL2.match(line):
        return 2
    if _LEVEL3.match(line):
        return 3
    return 0


def case_description_docx(title: str, sections: list[tuple[str, str]]) -> bytes:
    """申报案例说明: each (section title, body) becomes a level-1 heading (一、摘要) and its body;
    body lines like （一）… are level-2 and 1. … level-3 headings, other lines body paragraphs."""
    doc = _document()
    _title(doc, title)
    for i, (section_title, body) in enumerate(sections, start=1):
        section_title = section_title.strip()
        if not _LEVEL1.match(section_title):
            section_title = f"{cn_ordinal(i)}、{section_title}"
        doc.add_paragraph(section_title, style="Heading 1")
        for line in (body or "").splitlines():
            line = line.strip()
            if not line:
                continue
            level = heading_level(line)
            # Level 1 belongs to the section titles; a 一、 line inside a body stays body text.
            doc.add_paragraph(line, style=f"Heading {level}" if level >= 2 else "Normal")
    return _save(doc)


def commitment_docx(
    campaign_name: str, org_name: str, credit_code: str, commitments: list[str], call_title: str
) -> bytes:
    """The 承诺函 as an editable Word file, with 单位名称 and 统一社会信用代码 pre-filled."""
    intro, items = commitment_paragraphs(campaign_name, commitments, call_title)
    doc = _document()
    _title(doc, "承诺函")
    for text in (intro, *items):
        doc.add_paragraph(text)
    for _ in range(3):
        doc.add_paragraph()
    for line in (
        f"单位名称（加盖公章）：{org_name}",
        f"统一社会信用代码：{credit_code}",
        "负责人签名：",
        "日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
    ):
        p = doc.add_paragraph(line)
        p.paragraph_format.left_indent = Pt(16 * 11)
        _first_line_chars(p.paragraph_format, 0)
    return _save(doc)
