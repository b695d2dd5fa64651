"""Print-outs: the watermarked 申报书 PDF (fonts embedded, every page marked), the 承诺函, the case DOCX."""

import io
import random
import shutil
import subprocess

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image
from pypdf import PdfReader

from jinxuan.applicants.documents.pdf import application_pdf, commitment_pdf
from jinxuan.applicants.documents.printable import build_printable
from jinxuan.applicants.documents.word import case_description_docx, commitment_docx
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.population import credit_code
from jinxuan.demo.text import TextFaker

GZ = read_preset("presets/gz-dianshu-2025.yaml")
CODE = credit_code(random.Random(3), "广州")
META = {"application_no": "GD2025-0042", "version_no": 2, "version_hash": "ab12cd34ef56" + "0" * 52,
        "submitted_at": "2026-04-09 16:20:00", "verify_url": "https://jinxuan.example.cn/verify/7/abc/",
        "campaign_name": GZ.name, "track_name": GZ.tracks[0].name}


def _text(page) -> str:
    return "".join(page.extract_text().replace("\x00", "").split())


@pytest.fixture(scope="module")
def printable():
    faker = TextFaker(21)
    filler = AnswerFaker(faker, GZ, GZ.tracks[0].key, [CODE], faker.topic())
    answers = filler.application("基于隐私计算的普惠信贷风控应用")
    units = [{"name": "广州示例数字银行股份有限公司", "credit_code": CODE, "is_lead": True,
              "answers": filler.unit("广州示例数字银行股份有限公司", CODE)}]
    return build_printable(GZ, answers, units, META)


@pytest.fixture(scope="module")
def pdf_bytes(printable):
    return application_pdf(printable)


def test_every_page_carries_the_watermark(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) >= 5
    for page in reader.pages:
        text = _text(page)
        assert "GD2025-0042" in text and "ab12cd34ef56" in text


def test_first_page_has_title_lead_and_qr(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    first = _text(reader.pages[0])
    assert "基于隐私计算的普惠信贷风控应用" in first and "广州示例数字银行股份有限公司" in first
    images = reader.pages[0]["/Resources"].get("/XObject", {})
    assert any(images[name].get_object()["/Subtype"] == "/Image" for name in images)


def test_fonts_are_embedded(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    for page in reader.pages[:3]:
        fonts = page["/Resources"]["/Font"]
        for name in fonts:
            font = fonts[name].get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_page_one_renders(pdf_bytes, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("需要 poppler-utils（pdftoppm）：apt-get install poppler-utils")
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 500  # text and the QR code, not a blank page


def test_commitment_letter_is_prefilled():
    pdf = commitment_pdf(GZ.name, "广州示例数字银行股份有限公司", CODE, ["材料真实准确完整", "依法合规"], "关于征集的通知")
    text = "".join(_text(p) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "广州示例数字银行股份有限公司" in text and CODE in text and "依法合规" in text
    document = docx.Document(io.BytesIO(commitment_docx(GZ.name, "广州示例数字银行股份有限公司", CODE, ["材料真实"], "通知")))
    body = "".join(p.text for p in document.paragraphs)
    assert CODE in body and "负责人签名" in body


def test_case_description_docx_follows_the_prescribed_format(printable):
    long_body = "（一）业务方案\n" + "本案例通过数据共享提升授信效率。" * 220 + "\n1. 技术架构\n采用隐私计算平台。"
    data = case_description_docx("基于隐私计算的普惠信贷风控应用", [("一、摘要", "摘要内容。" * 80), ("三、案例内容", long_body)])
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(30)
    h1, h2 = document.styles["Heading 1"], document.styles["Heading 2"]
    assert h1.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert h2.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体" and h2.font.bold
    styles = [p.style.name for p in document.paragraphs]
    assert "Heading 1" in styles and "Heading 2" in styles and "Heading 3" in styles
    body = next(p for p in document.paragraphs if p.style.name == "Normal" and len(p.text) > 100)
    indent = body.paragraph_format.first_line_indent or normal.paragraph_format.first_line_indent
    chars = body._p.pPr.ind.get(qn("w:firstLineChars")) if body._p.pPr is not None and body._p.pPr.ind is not None else None
    assert (indent is not None and indent >= Pt(31)) or chars == "200"
