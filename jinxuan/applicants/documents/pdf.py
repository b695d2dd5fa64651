"""Django-free. PDF rendering with fpdf2: the watermarked 申报书 for the paper copy, and the 承诺函.

Watermark: drawn by the FPDF subclass's footer(), which fpdf2 calls when closing every
page (including the last one, at output time), so no page can miss it. It is painted
*over* the page content with low opacity rather than under it, so filled table cells
cannot hide it and it cannot be removed by covering it with content.
"""

from __future__ import annotations

import io
import math
import re

import segno
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from . import fonts
from .printable import PrintableApplication, PrintSection, commitment_paragraphs

SERIF, SANS = fonts.SERIF_FAMILY, fonts.SANS_FAMILY
QR_CAPTION = "扫码核验纸质件与系统提交版本是否一致"
INK = (30, 30, 30)
MUTED = (110, 110, 110)
LABEL_FILL = (242, 243, 245)
# A table row must fit on one page; longer values are printed as paragraphs instead.
MAX_ROW_CHARS = 1400

MARGIN_X = 20
MARGIN_TOP = 22
MARGIN_BOTTOM = 30  # room for the footer's QR code and page number


# Chinese line-breaking rules (禁则): no line starts with closing punctuation, none ends with an opening one.
NO_LINE_START = set("，。、；：？！）》」』”’】〕〉…—％%,.;:!?)]}·～")
NO_LINE_END = set("（《「『“‘【〔〈([{")
_ASCII_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-/")


def _legal_break(full: str, cut: int, split_words: bool) -> bool:
    before, after = full[cut - 1], full[cut]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return split_words or not (before in _ASCII_WORD and after in _ASCII_WORD)


class FontMeasure:
    """`FPDF.get_string_width` for the font and size current at creation, in parts: a string's width is the sum
    of its characters' advance widths (integers in font units) scaled once, exactly as fpdf2 computes it when
    there is no text shaping, stretching or character spacing, so a line can be measured as it grows."""

    def __init__(self, pdf: FPDF):
        self.cw = pdf.current_font.cw
        self.size_pt, self.k = pdf.font_size_pt, pdf.k

    def units(self, text: str) -> int:
        cw = self.cw
        return sum(cw[ord(ch)] for ch in text)

    def width(self, units: int) -> float:
        return units * self.size_pt * 0.001 / self.k

    def __call__(self, text: str) -> float:
        return self.width(self.units(text))


def measure_of(pdf: FPDF):
    """A FontMeasure when it gives what get_string_width gives, else get_string_width itself."""
    plain = (pdf.is_ttf_font and not pdf.text_shaping and pdf.font_stretching == 100 and not pdf.char_spacing
             and not pdf.current_font.is_symbol)
    return FontMeasure(pdf) if plain else pdf.get_string_width


def wrap_lines(measure, text: str, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (as measured by `measure`), character by character,
    keeping the punctuation rules and not splitting Latin words or numbers of up to 20 characters.
    Hard newlines are kept. With a FontMeasure, a growing line is measured by adding its last character."""
    units = measure.units if isinstance(measure, FontMeasure) else None
    out: list[str] = []
    for hard in text.split("\n"):
        line, line_units = "", 0
        for ch in hard:
            if units is not None:
                grown = line_units + units(ch)
                fits = not line or measure.width(grown) <= width
            else:
                fits = not line or measure(line + ch) <= width
            if fits:
                line += ch
                if units is not None:
                    line_units = grown
                continue
            full, cut = line + ch, len(line)
            for split_words, reach in ((False, 20), (True, 4)):
                c = cut
                while c > max(1, cut - reach) and not _legal_break(full, c, split_words):
                    c -= 1
                if _legal_break(full, c, split_words):
                    cut = c
                    break
            out.append(full[:cut])
            line = full[cut:]
            if units is not None:
                line_units = units(line)
        out.append(line)
    return out


def qr_png(data: str, scale: int = 8) -> bytes:
    """A QR code (level M) as PNG bytes, rendered in memory."""
    buf = io.BytesIO()
    segno.make_qr(data or " ", error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


class _Base(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts.register(self)
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        self.set_text_color(*INK)
        self.set_creator("金选")

    def text_block(self, text: str, family: str, size: float, line_h: float, align=Align.L, w: float = 0):
        self.set_font(family, size=size)
        self.multi_cell(
            w, line_h, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def wrap(self, text: str, width: float) -> str:
        """`text` with line breaks inserted for the current font (a little slack so fpdf2 keeps them)."""
        return "\n".join(wrap_lines(measure_of(self), text, width - 0.6))

    def body_paragraphs(self, body: str, size: float = 11, line_h: float = 7):
        """Body text: one paragraph per line, first line indented by two full-width spaces."""
        self.set_font(SERIF, size=size)
        for para in body.splitlines():
            para = para.strip()
            if not para:
                continue
            text = self.wrap("\u3000\u3000" + para, self.epw - 2 * self.c_margin)
            self.multi_cell(
                0, line_h, text, align=Align.L, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )


class _ApplicationPDF(_Base):
    def __init__(self, doc: PrintableApplication):
        super().__init__()
        self.doc = doc
        self.qr = qr_png(doc.verify_url)
        self.alias_nb_pages("{nb}")
        self.set_title(f"{doc.title} 申报书")
        self.set_subject(doc.campaign_name)
        self.set_keywords(f"{doc.application_no} {doc.hash_prefix}")

    # ------------------------------------------------------------------ every page

    def header(self):
        if self.page_no() == 1:
            return
        d = self.doc
        with self.local_context(text_color=MUTED, draw_color=(190, 190, 190)):
            self.set_font(SANS, size=8)
            self.set_xy(MARGIN_X, 10)
            self.cell(self.epw / 2, 5, d.campaign_name, align=Align.L)
            self.cell(self.epw / 2, 5, f"申报编号 {d.application_no}", align=Align.R)
            self.set_line_width(0.2)
            self.line(MARGIN_X, 15.5, self.w - MARGIN_X, 15.5)
        self.set_xy(MARGIN_X, MARGIN_TOP)

    def footer(self):
        d = self.doc
        top = self.h - 24
        with self.local_context(text_color=MUTED, draw_color=(190, 190, 190)):
            self.set_line_width(0.2)
            self.line(MARGIN_X, top - 1.5, self.w - MARGIN_X, top - 1.5)
            self.image(self.qr, x=MARGIN_X, y=top, w=16, h=16)
            self.set_font(SANS, size=7.5)
            self.set_xy(MARGIN_X + 18, top + 2)
            self.cell(110, 4, QR_CAPTION, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(SERIF, size=7.5)
            self.cell(
                110,
                4,
                f"申报编号 {d.application_no}　版本 第{d.version_no}版 · {d.hash_prefix}",
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
            self.cell(110, 4, f"提交时间 {d.submitted_at}")
            self.set_font(SANS, size=9)
            self.set_xy(self.w - MARGIN_X - 50, top + 6)
            self.cell(50, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.R)
        self.watermark()

    def watermark(self):
        """Diagonal light-grey text tiled across the whole page, over the content."""
        text = self.doc.watermark
        cx, cy = self.w / 2, self.h / 2
        with self.local_context(fill_opacity=0.16, text_color=(90, 90, 90)):
            self.set_font(SANS, size=10.5)
            step_x = self.get_string_width(text) + 18
            step_y = 34
            reach = math.hypot(self.w, self.h) / 2 + 10
            with self.rotation(32, cx, cy):
                rows = int(2 * reach // step_y) + 1
                for i in range(rows):
                    y = cy - reach + i * step_y
                    x = cx - reach - (i % 2) * step_x / 2
                    while x < cx + reach:
                        self.text(x, y, text)
                        x += step_x

    # ------------------------------------------------------------------ cover

    def cover(self):
        d = self.doc
        self.add_page()
        self.set_y(42)
        heading = re.sub(r"(征集活动|征集|评选活动)$", "", d.campaign_name) or d.campaign_name
        self.text_block(heading, SANS, 20, 11, align=Align.C)
        self.ln(6)
        self.set_font(SANS, size=34)
        self.cell(0, 18, "申 报 书", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(16)
        rows = [
            ("案例名称", d.title),
            ("主申报单位（盖章）", d.lead_org),
            ("联合申报单位（盖章）", "\n".join(d.joint_orgs) or "无"),
            ("申报方向", d.track_name),
            ("申报编号", d.application_no),
            ("申报日期", d.submitted_date),
        ]
        label_w, value_w = 52, 108
        x0 = (self.w - label_w - value_w) / 2
        for label, value in rows:
            y = self.get_y()
            self.set_xy(x0, y)
            self.set_font(SANS, size=13)
            self.cell(label_w, 10, f"{label}：", align=Align.R)
            self.set_xy(x0 + label_w, y)
            self.set_font(SERIF, size=13)
            self.multi_cell(
                value_w,
                10,
                value,
                border="B",
                align=Align.C,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            self.ln(3)
        size = 34
        y = max(self.get_y() + 8, 200)
        self.image(self.qr, x=(self.w - size) / 2, y=y, w=size, h=size)
        self.set_xy(MARGIN_X, y + size + 1)
        with self.local_context(text_color=MUTED):
            self.set_font(SANS, size=9)
            self.cell(0, 5, QR_CAPTION, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(SERIF, size=8.5)
            self.cell(0, 5, f"系统提交版本：第{d.version_no}版 · 摘要 {d.hash_prefix}", align=Align.C)

    # ------------------------------------------------------------------ body

    def sections(self):
        previous = None
        self.add_page()
        for section in self.doc.sections:
            if section.title != previous:
                if previous is not None:
                    self.ln(4)
                self.heading(section.title)
                previous = section.title
            if section.subtitle:
                self.subheading(section.subtitle)
            self.section_body(section)

    def heading(self, text: str):
        if self.will_page_break(30):
            self.add_page()
        self.set_font(SANS, size=15)
        self.cell(0, 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def subheading(self, text: str):
        if self.will_page_break(24):
            self.add_page()
        self.ln(2)
        y = self.get_y()
        with self.local_context(fill_color=(90, 90, 90)):
            self.rect(MARGIN_X, y + 1.5, 1.2, 5, style="F")
        self.set_x(MARGIN_X + 3)
        self.set_font(SANS, size=12)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def section_body(self, section: PrintSection):
        rows = [(k, v) for k, v in section.rows if len(v) <= MAX_ROW_CHARS]
        paragraphs = [(k, v) for k, v in section.rows if len(v) > MAX_ROW_CHARS] + list(section.paragraphs)
        if rows:
            self.rows_table(rows)
        for title, body in paragraphs:
            self.ln(3)
            if self.will_page_break(20):
                self.add_page()
            self.set_font(SANS, size=12)
            self.cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.body_paragraphs(body)

    def rows_table(self, rows: list[tuple[str, str]]):
        label_style = FontFace(family=SANS, size_pt=10, color=INK, fill_color=LABEL_FILL)
        value_style = FontFace(family=SERIF, size_pt=10.5, color=INK)
        widths = (42, 128)
        pad_x = 2.2
        value_w = self.epw * widths[1] / sum(widths) - 2 * pad_x
        self.set_font(SERIF, size=10.5)
        with self.local_context(draw_color=(160, 160, 160), line_width=0.2):
            with self.table(
                col_widths=widths,
                first_row_as_headings=False,
                line_height=6,
                padding=(1.6, pad_x),
                text_align=("LEFT", "LEFT"),
                v_align="MIDDLE",
                wrapmode=WrapMode.CHAR,
            ) as table:
                for label, value in rows:
                    row = table.row()
                    row.cell(label, style=label_style)
                    row.cell(self.wrap(value, value_w), style=value_style)
        self.ln(2)


def application_pdf(doc: PrintableApplication) -> bytes:
    """The watermarked 申报书 (cover + every section), ready to print, stamp and mail."""
    pdf = _ApplicationPDF(doc)
    pdf.cover()
    pdf.sections()
    return bytes(pdf.output())


class _CommitmentPDF(_Base):
    def footer(self):
        pass


def commitment_pdf(
    campaign_name: str, org_name: str, credit_code: str, commitments: list[str], call_title: str
) -> bytes:
    """The 承诺函 with 单位名称 and 统一社会信用代码 pre-filled; signature and date left blank."""
    intro, items = commitment_paragraphs(campaign_name, commitments, call_title)
    pdf = _CommitmentPDF()
    pdf.set_margins(28, 30, 26)
    pdf.set_title("承诺函")
    pdf.add_page()
    pdf.set_y(38)
    pdf.set_font(SANS, size=22)
    pdf.cell(0, 14, "承诺函", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    pdf.body_paragraphs("\n".join([intro, *items]), size=14, line_h=10)
    pdf.ln(22)
    # The signature block sits right-aligned, as wide as its longest line (at least 100 mm).
    pdf.set_font(SERIF, size=14)
    blank = "\u3000" * 8
    lines = [
        ("单位名称（加盖公章）：", org_name),
        ("统一社会信用代码：", credit_code),
        ("负责人签名：", ""),
        ("日期：", "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"),
    ]
    label_w = max(pdf.get_string_width(label) for label, _ in lines) + 1
    value_w = max([pdf.get_string_width(v or blank) + 3 for _, v in lines] + [100 - label_w])
    value_w = min(value_w, pdf.epw - label_w)
    x = pdf.w - pdf.r_margin - label_w - value_w
    for label, value in lines:
        if pdf.will_page_break(13):
            pdf.add_page()
        pdf.set_x(x)
        pdf.cell(label_w, 11, label)
        pdf.multi_cell(
            value_w,
            11,
            value,
            border=0 if value else "B",
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(2)
    return bytes(pdf.output())
