"""The faster PDF path gives what fpdf2 gives: widths measured incrementally equal get_string_width, and the
embedded font programs do not depend on what the process rendered before (the per-process glyph cache)."""

import io
import random

from fpdf import FPDF
from pypdf import PdfReader

from jinxuan.applicants.documents import fonts
from jinxuan.applicants.documents.pdf import FontMeasure, commitment_pdf, measure_of, wrap_lines

SAMPLE = "数字金融创新实践案例，（一）提升审批效率 37.5%；API 接口 v2.1 与“数据要素×”！" + "abcXYZ 0123 —……《》"


def _pdf() -> FPDF:
    pdf = FPDF()
    fonts.register(pdf)
    pdf.add_page()
    return pdf


def test_incremental_width_equals_fpdf_width():
    pdf = _pdf()
    rng = random.Random(3)
    for family in (fonts.SERIF_FAMILY, fonts.SANS_FAMILY):
        for size in (7.5, 10.5, 11, 13, 34):
            pdf.set_font(family, size=size)
            measure = measure_of(pdf)
            assert isinstance(measure, FontMeasure)
            for _ in range(200):
                text = "".join(rng.choice(SAMPLE) for _ in range(rng.randint(1, 60)))
                assert measure(text) == pdf.get_string_width(text)
                assert measure.width(measure.units(text[:-1]) + measure.units(text[-1])) == pdf.get_string_width(text)
            para = "".join(rng.choice(SAMPLE) for _ in range(400))
            assert wrap_lines(measure, para, 120) == wrap_lines(pdf.get_string_width, para, 120)


def test_char_spacing_falls_back_to_fpdf():
    pdf = _pdf()
    pdf.set_font(fonts.SERIF_FAMILY, size=11)
    pdf.set_char_spacing(1)
    assert measure_of(pdf) == pdf.get_string_width


def _font_programs(data: bytes) -> list[bytes]:
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            out.append(descriptor["/FontFile3"].get_object().get_data())
    return sorted(set(out))


def test_embedded_fonts_do_not_depend_on_the_glyph_cache():
    args = ("2025年“点数成金”数字金融创新实践案例征集", "广州示例数字科技有限公司", "91440101MA5CXXX12A",
            ["申报材料真实、准确、完整。", "不侵犯他人知识产权。"], "关于征集的通知")
    fonts._GLYPHS.clear()
    cold = commitment_pdf(*args)
    commitment_pdf("另一份：鑫淼焱垚犇骉", "其他单位", "91440300MA5DYYY34B", ["其他承诺"], "")
    warm = commitment_pdf(*args)
    assert _font_programs(cold) == _font_programs(warm) and len(_font_programs(cold)) == 2
