"""Printable application documents: the watermarked PDF 申报书, the 承诺函 (PDF / Word) and the
Word 申报案例说明 — built from the gz-dianshu-2025 preset with faked answers, no database."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image
from pypdf import PdfReader

from jinxuan.applicants.documents import (
    application_pdf,
    build_printable,
    case_description_docx,
    commitment_docx,
    commitment_pdf,
)
from jinxuan.applicants.documents.pdf import NO_LINE_START, wrap_lines
from jinxuan.campaigns.preset_io import read_preset
from jinxuan.demo.answers import AnswerFaker
from jinxuan.demo.text import TextFaker

PRESET = Path(__file__).resolve().parents[2] / "presets" / "gz-dianshu-2025.yaml"
LEAD_CODE, JOINT_CODE = "91440101MA5CXXX12A", "91440300MA5DYYY34B"
APP_NO = "DSCJ-2025-00042"
VERSION_HASH = "3f9a1c0b7e5d2a4f" * 4
CALL_TITLE = "关于征集2025年“点数成金”数字金融创新实践案例的通知"


def squash(text: str) -> str:
    """Text without whitespace and NULs, for comparison.

    fpdf2 embeds the CFF-based Noto fonts with an embedded code→CID CMap as /Encoding (not
    /Identity-H); poppler and PDF viewers decode it, but pypdf reads the 2-byte codes as
    single bytes, so its text has a NUL (and sometimes a space) between the characters."""
    return "".join(text.replace("\x00", "").split())


@pytest.fixture(scope="module")
def case():
    preset = read_preset(PRESET)
    faker = TextFaker(1)
    topic = faker.topic()
    answers_faker = AnswerFaker(faker, preset, "data_elements", [LEAD_CODE, JOINT_CODE], topic)
    title = faker.case_title(topic=topic)
    answers = answers_faker.application(title)
    lead, joint = faker.org_name("bank"), faker.org_name("fintech")
    units = [
        {
            "name": joint,
            "credit_code": JOINT_CODE,
            "is_lead": False,
            "answers": answers_faker.unit(joint, JOINT_CODE),
        },
        {
            "name": lead,
            "credit_code": LEAD_CODE,
            "is_lead": True,
            "answers": answers_faker.unit(lead, LEAD_CODE),
        },
    ]
    meta = {
        "application_no": APP_NO,
        "version_no": 3,
        "version_hash": VERSION_HASH,
        "submitted_at": "2026-03-15 14:32",
        "verify_url": f"https://jinxuan.example.cn/verify/{APP_NO}/{VERSION_HASH[:12]}",
        "campaign_name": preset.name,
        "track_name": "“数据要素×”金融创新案例",
    }
    doc = build_printable(preset, answers, units, meta)
    pdf = application_pdf(doc)
    return {
        "preset": preset,
        "answers": answers,
        "doc": doc,
        "pdf": pdf,
        "title": title,
        "lead": lead,
        "joint": joint,
    }


@pytest.fixture(scope="module")
def reader(case):
    return PdfReader(io.BytesIO(case["pdf"]))


@pytest.fixture(scope="module")
def declaration(case):
    field = next(f for f in case["preset"].form.fields() if f.type == "declaration")
    return field.text.strip().splitlines()


@pytest.fixture(scope="module")
def outline_sections(case):
    field = next(f for f in case["preset"].form.fields() if f.type == "outline")
    sections = [(s.title, case["answers"][field.key][s.key]) for s in field.sections]
    # 案例内容 of 3,000+ characters with level-2 and level-3 headings inside.
    content = case["answers"][field.key]["content"]
    assert len(squash(content)) >= 3000
    body = f"（一）业务方案\n1. 总体架构\n{content}\n（二）技术方案\n2. 安全设计\n{content[:400]}"
    return [(t, body if t == "案例内容" else text) for t, text in sections]


# ---------------------------------------------------------------------------- printable


def test_printable_walks_the_form_in_order(case):
    doc = case["doc"]
    assert doc.lead_org == case["lead"] and doc.joint_orgs == [case["joint"]]
    assert doc.title == case["title"]
    assert [s.title for s in doc.sections] == [
        "1. 案例信息摘要表",
        "2. 申报单位与联系人信息",
        "2. 申报单位与联系人信息",
        "3. 申报案例说明",
        "4. 承诺函",
    ]
    assert doc.sections[1].subtitle == "主申报单位基本情况及联系人"
    assert doc.sections[2].subtitle == "联合申报单位基本情况及联系人（一）"

    summary = dict(doc.sections[0].rows)
    team = case["answers"]["team_size"]
    assert summary["案例团队人数"] == (
        f"共 {team['total']} 人（业务运营 {team['business_ops']} 人、产品 {team['product']} 人、技术 {team['tech']} 人）"
    )
    assert summary["申报方向"] == "“数据要素×”金融创新案例"
    assert summary["案例运行时间"].endswith("至今") and "年" in summary["案例运行时间"]
    ratio = summary["案例自研比例"]  # per unit, keyed by credit code → unit names
    assert case["lead"] in ratio and case["joint"] in ratio and LEAD_CODE not in ratio
    assert summary["案例项目研发成本"].endswith(" 万元")

    lead_rows = dict(doc.sections[1].rows)
    assert lead_rows["单位名称"] == case["lead"]
    assert (
        lead_rows["营业收入（万元）"].startswith("2023年 ") and " / 2025年 " in lead_rows["营业收入（万元）"]
    )
    assert "姓名：" in lead_rows["申报联系人"] and "电子邮箱：" in lead_rows["申报联系人"]

    outline = dict(doc.sections[3].paragraphs)
    assert list(outline)[:3] == ["一、摘要", "二、引言", "三、案例内容"]
    assert len(squash(outline["三、案例内容"])) >= 3000
    assert "承诺如下" in dict(doc.sections[4].rows)["申报承诺"]


def test_cjk_wrapping_keeps_punctuation_off_line_starts():
    text = "一二三四五六七八九，十一二三四五六七八。（九十）联系邮箱 abc@example.cn 结束。" * 3
    lines = wrap_lines(len, text, 10)
    assert "".join(lines) == text
    assert all(len(line) <= 10 for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    assert not any(line.endswith("（") for line in lines)


# ---------------------------------------------------------------------------- application PDF


def test_every_page_carries_the_watermark(case, reader):
    doc = case["doc"]
    assert len(reader.pages) > 3
    for number, page in enumerate(reader.pages, start=1):
        text = squash(page.extract_text())
        assert APP_NO in text and VERSION_HASH[:12] in text, f"page {number} lacks the watermark"
        assert f"第{number}页/共{len(reader.pages)}页" in text

        rotated = []  # text drawn under a rotated matrix: the diagonal watermark itself

        def visit(fragment, cm, tm, font, size, rotated=rotated):
            if abs(cm[1]) > 0.1 or abs(tm[1]) > 0.1:
                rotated.append(fragment)

        page.extract_text(visitor_text=visit)
        diagonal = squash("".join(rotated))
        assert diagonal.count(APP_NO) >= 4, f"page {number}: diagonal watermark not repeated"
        assert (
            squash(doc.lead_org) in diagonal
            and VERSION_HASH[:12] in diagonal
            and "2026-03-1514:32" in diagonal
        )


def test_cover_page(case, reader):
    first = squash(reader.pages[0].extract_text())
    for expected in (
        case["title"],
        case["lead"],
        case["joint"],
        "申报书",
        "主申报单位（盖章）",
        "2026年3月15日",
    ):
        assert squash(expected) in first
    assert "扫码核验纸质件与系统提交版本是否一致" in first
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values()), "no QR image on the cover"


def _font_files(font) -> bool:
    font = font.get_object()
    if font["/Subtype"] == "/Type0":
        return all(_font_files(d) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def test_fonts_are_embedded(reader):
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts and all(_font_files(f) for f in fonts.values())


def test_first_page_renders(case, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm not found: install poppler-utils (apt-get install poppler-utils)")
    source = tmp_path / "application.pdf"
    source.write_bytes(case["pdf"])
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    low, high = image.getextrema()
    assert high > low, "page 1 rendered blank"
    dark = sum(image.histogram()[:100])
    assert dark > 500, "page 1 has almost no dark pixels (text or QR missing)"


# ---------------------------------------------------------------------------- 承诺函


def test_commitment_pdf(case, declaration):
    data = commitment_pdf(case["preset"].name, case["lead"], LEAD_CODE, declaration, CALL_TITLE)
    reader = PdfReader(io.BytesIO(data))
    text = squash("".join(p.extract_text() for p in reader.pages))
    for expected in (
        case["lead"],
        LEAD_CODE,
        "承诺函",
        "单位名称（加盖公章）",
        "统一社会信用代码",
        "负责人签名",
        "四、本单位将主动申报",
    ):
        assert squash(expected) in text
    assert all(_font_files(f) for p in reader.pages for f in p["/Resources"]["/Font"].values())


def test_commitment_docx_prefills_unit(case):
    items = [
        "本单位提供的一切申报材料和信息真实、准确和完整。",
        "申报案例符合依法合规、有序创新、风险可控的原则。",
    ]
    data = commitment_docx(case["preset"].name, case["lead"], LEAD_CODE, items, CALL_TITLE)
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[1].startswith(f"根据《{CALL_TITLE}》要求") and texts[1].endswith("承诺如下：")
    assert texts[2].startswith("一、") and texts[3].startswith("二、")
    assert f"单位名称（加盖公章）：{case['lead']}" in texts
    assert f"统一社会信用代码：{LEAD_CODE}" in texts


# ---------------------------------------------------------------------------- 申报案例说明 (Word)


def _east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_case_description_docx_format(case, outline_sections):
    data = case_description_docx(case["title"], outline_sections)
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297

    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and _east_asia(normal) == "仿宋"
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(30)
    h1, h2, h3 = (doc.styles[f"Heading {n}"] for n in (1, 2, 3))
    assert _east_asia(h1) == "黑体" and h1.font.size == Pt(16) and not h1.font.bold
    assert _east_asia(h2) == "楷体" and h2.font.bold and h2.font.size == Pt(16)
    assert _east_asia(h3) == "仿宋" and h3.font.size == Pt(16)
    for style in (h1, h2, h3):
        assert style.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert style.element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None

    by_style = {}
    for p in doc.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Heading 1"] == [
        f"{n}、{t}" for n, (t, _) in zip("一二三四五六七", outline_sections, strict=True)
    ]
    assert by_style["Heading 2"] == ["（一）业务方案", "（二）技术方案"]
    assert by_style["Heading 3"] == ["1. 总体架构", "2. 安全设计"]

    body = next(p for p in doc.paragraphs if p.style.name == "Normal" and len(p.text) > 50)
    indent = body.paragraph_format.first_line_indent or normal.paragraph_format.first_line_indent
    assert indent == Pt(32)
    assert normal.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    content = sum(len(squash(p.text)) for p in doc.paragraphs if p.style.name == "Normal")
    assert content > 3000
