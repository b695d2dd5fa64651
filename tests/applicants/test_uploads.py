import dataclasses
import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from docx import Document
from fpdf import FPDF
from PIL import Image

from jinxuan.applicants import uploads
from jinxuan.applicants.uploads import inspect_upload, safe_filename
from jinxuan.campaigns.schema import Attachment

LOGO = Attachment.model_validate(
    {
        "key": "logo",
        "name": "商标图",
        "formats": ["jpg"],
        "max_size_kb": 200,
        "size_below": True,
        "image": {"formats": ["jpg"], "min_px": 400, "max_px": 1500},
    }
)
PLAN = Attachment.model_validate({"key": "plan", "name": "方案书", "formats": ["pdf", "docx"]})
LICENCE = Attachment.model_validate(
    {"key": "business_licence", "name": "营业执照", "formats": ["pdf", "jpg", "png"], "max_size_kb": 20480}
)
FORM = Attachment.model_validate({"key": "form", "name": "申报表", "formats": ["docx"]})


# -- fixtures -----------------------------------------------------------------------------------


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Case study")
    return bytes(pdf.output())


def make_docx() -> bytes:
    doc = Document()
    doc.add_paragraph("Case study")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def make_image(width: int, height: int, fmt: str = "JPEG", stripes: bool = True, **kw) -> bytes:
    im = Image.new("RGB", (width, height), (30, 90, 160))
    for x in range(0, width if stripes else 0, 50):  # some structure so it is not a flat colour
        im.paste((200, 40, 40), (x, 0, min(x + 10, width), height))
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": 70} if fmt == "JPEG" else {}) | kw)
    return buf.getvalue()


def make_zip(members: dict[str, bytes], compresslevel: int | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))

    ihdr = struct.pack(">LLBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name.replace("/", "_")
    path.write_bytes(data)
    return path


# -- safe_filename ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\方案.docx", "方案.docx"),
        ("C:\\Users\\张三\\Desktop\\申报表（终稿）.DOCX", "申报表（终稿）.docx"),
        ("\x00evil\x1f\x7f.pdf", "evil.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("...pdf", "附件.pdf"),
        (".pdf", "附件.pdf"),
        ("", "附件"),
        ("../..", "附件"),
        ("/", "附件"),
        ("a..b...c.pdf", "a.b.c.pdf"),
        ("report.pdf. . ", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ('a:b*c?"d<e>|.pdf', "a_b_c__d_e__.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("商标  图\t最终.jpg", "商标 图 最终.jpg"),
        ("金融科技创新案例", "金融科技创新案例"),
    ],
)
def test_safe_filename(raw, expected):
    assert safe_filename(raw) == expected


def test_safe_filename_truncates_keeping_extension():
    name = safe_filename("数" * 300 + ".pdf")
    assert len(name) == 120
    assert name.endswith("数.pdf")
    assert len(safe_filename("x" * 500)) == 120


# -- valid files --------------------------------------------------------------------------------


def test_valid_pdf_passes(tmp_path):
    data = make_pdf()
    result = inspect_upload("方案书.pdf", write(tmp_path, "a.pdf", data), PLAN)
    assert result.ok, result.problems
    assert (result.detected, result.mime, result.declared_ext) == ("pdf", "application/pdf", "pdf")
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.width is None and result.height is None


def test_valid_docx_passes(tmp_path):
    result = inspect_upload("申报表.docx", write(tmp_path, "a.docx", make_docx()), FORM)
    assert result.ok, result.problems
    assert result.detected == "docx"
    assert result.mime.endswith("wordprocessingml.document")


def test_valid_logo_passes_and_bytes_equal_path(tmp_path):
    data = make_image(800, 800)
    assert len(data) < 199 * 1024
    from_bytes = inspect_upload("商标.jpg", data, LOGO)
    from_path = inspect_upload("商标.jpg", write(tmp_path, "logo.jpg", data), LOGO)
    assert from_bytes.ok, from_bytes.problems
    assert from_bytes == from_path
    assert (from_bytes.width, from_bytes.height, from_bytes.detected) == (800, 800, "jpg")
    assert from_bytes.sha256 == hashlib.sha256(data).hexdigest()


def test_jpeg_extension_equals_jpg():
    result = inspect_upload("商标.JPEG", make_image(800, 600), LOGO)
    assert result.ok, result.problems
    assert result.declared_ext == "jpeg"


def test_inspection_is_frozen():
    result = inspect_upload("商标.jpg", make_image(800, 800), LOGO)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ok = False


def test_traversal_name_is_sanitised(tmp_path):
    result = inspect_upload("../../etc/passwd.pdf", make_pdf(), PLAN)
    assert result.ok, result.problems
    assert result.safe_name == "passwd.pdf"


# -- images -------------------------------------------------------------------------------------


def test_png_renamed_jpg_is_refused():
    result = inspect_upload("商标.jpg", make_image(800, 800, "PNG"), LOGO)
    assert not result.ok
    assert result.detected == "png"
    assert result.problems == ["商标图：文件实际为 PNG 图片，与扩展名 .jpg 不符；要求 JPG 格式"]


def test_too_large_image_is_refused():
    result = inspect_upload("商标.jpg", make_image(3000, 3000, stripes=False), LOGO)
    assert (result.width, result.height) == (3000, 3000)
    assert result.problems == ["商标图：图片尺寸 3000×3000 像素，超出 400–1500 像素的要求"]


@pytest.mark.parametrize(("size", "ok"), [(400, True), (1500, True), (399, False), (1501, False)])
def test_image_bounds(size, ok):
    result = inspect_upload("商标.jpg", make_image(size, size, stripes=False), LOGO)
    assert result.ok is ok, result.problems
    if size == 399:
        assert result.problems == ["商标图：图片尺寸 399×399 像素，低于 400–1500 像素的要求"]


def test_one_side_out_of_bounds():
    result = inspect_upload("商标.jpg", make_image(1200, 300), LOGO)
    assert result.problems == ["商标图：图片尺寸 1200×300 像素，低于 400–1500 像素的要求"]


def test_image_format_rule_applies_to_images_only():
    rule = Attachment.model_validate(
        {"key": "photo", "name": "现场照片", "formats": ["pdf", "jpg", "png"], "image": {"formats": ["jpg"]}}
    )
    assert inspect_upload("照片.pdf", make_pdf(), rule).ok
    result = inspect_upload("照片.png", make_image(500, 500, "PNG"), rule)
    assert result.problems == ["现场照片：图片格式为 PNG；要求 JPG 格式"]


def test_pixel_bomb_header_is_refused():
    result = inspect_upload("营业执照.png", png_header_only(30000, 30000), LICENCE)
    assert not result.ok
    assert any("疑似解压炸弹" in p for p in result.problems), result.problems


def test_pixel_limit_between_warning_and_error(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 500_000)
    result = inspect_upload("商标.jpg", make_image(800, 800), LOGO)
    assert result.problems == ["商标图：图片像素过多（800×800），疑似解压炸弹，已拒绝"]


def test_truncated_jpeg_is_refused():
    data = make_image(800, 800)
    result = inspect_upload("商标.jpg", data[: len(data) // 2], LOGO)
    assert result.problems == ["商标图：图片文件已损坏或不完整"]


def test_script_hidden_in_jpeg_is_refused():
    data = make_image(800, 800)
    comment = b"<script>alert(1)</script>"
    polyglot = data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
    result = inspect_upload("商标.jpg", polyglot, LOGO)
    assert result.detected == "jpg"
    assert result.problems == ["商标图：文件中夹带网页或脚本代码，已拒绝"]


# -- disguised content --------------------------------------------------------------------------


def test_html_named_pdf_is_refused(tmp_path):
    html = "<!DOCTYPE html>\n<html><body><script>alert(1)</script>方案</body></html>".encode()
    result = inspect_upload("方案书.pdf", write(tmp_path, "x.pdf", html), PLAN)
    assert result.detected == "html"
    assert result.mime == "text/html"
    assert result.problems == ["方案书：文件内容为 HTML 网页，不是 PDF"]


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "svg"),
        ("\ufeff  <HTML><HEAD></HEAD></HTML>".encode("utf-16"), "html"),
        (b"<?php system($_GET['c']); ?>", "script"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
    ],
)
def test_active_text_is_refused(content, detected):
    result = inspect_upload("商标.jpg", content, LOGO)
    assert result.detected == detected
    assert not result.ok
    assert result.problems[0].startswith("商标图：文件内容为 ")
    assert result.problems[0].endswith("，不是 JPG")


def test_pdf_must_start_with_magic():
    result = inspect_upload("方案书.pdf", b"\n\n" + make_pdf(), PLAN)
    assert not result.ok
    assert result.detected != "pdf"


def test_unknown_content():
    result = inspect_upload("方案书.pdf", bytes(range(256)) * 8, PLAN)
    assert result.detected == "unknown"
    assert result.problems == ["方案书：无法识别文件内容，不是有效的 .pdf 文件；要求 PDF、DOCX 格式"]


def test_extension_not_allowed():
    result = inspect_upload("商标.pdf", make_pdf(), LOGO)
    assert result.problems == ["商标图：不接受 .pdf 格式的文件；要求 JPG 格式"]


def test_missing_extension():
    result = inspect_upload("方案书", make_pdf(), PLAN)
    assert result.problems == ["方案书：文件名缺少扩展名；要求 PDF、DOCX 格式"]


def test_empty_file():
    result = inspect_upload("方案书.pdf", b"", PLAN)
    assert result.problems == ["方案书：文件为空"]
    assert result.sha256 == hashlib.sha256(b"").hexdigest()


# -- size ---------------------------------------------------------------------------------------


def test_oversize_file_is_refused(tmp_path):
    path = tmp_path / "licence.pdf"
    with open(path, "wb") as fh:
        fh.write(make_pdf())
        fh.truncate(int(25.3 * 1024 * 1024))
    result = inspect_upload("营业执照.pdf", path, LICENCE)
    assert result.detected == "pdf"
    assert result.problems == ["营业执照：文件大小 25.3 MB，超过上限 20 MB"]


def test_just_over_the_limit_shows_bytes():
    data = make_image(800, 800)
    rule = LOGO.model_copy(update={"max_size_kb": 1})
    result = inspect_upload("商标.jpg", data[:1025], rule)
    assert any(p.startswith("商标图：文件大小 1 KB（1,025 字节），应小于 1 KB") for p in result.problems)


def test_a_logo_of_199_2_kb_is_under_200_kb(tmp_path):
    """The preset's 小于 200 KB: 199.2 KB (as a file manager shows it) passes; 200 KB exactly does not."""
    path = tmp_path / "logo.jpg"
    path.write_bytes(make_image(800, 800))
    with open(path, "r+b") as fh:
        fh.truncate(round(199.2 * 1024))
    assert not [p for p in inspect_upload("商标.jpg", path, LOGO).problems if "文件大小" in p]
    with open(path, "r+b") as fh:
        fh.truncate(200 * 1024)
    assert [p for p in inspect_upload("商标.jpg", path, LOGO).problems if "文件大小" in p] == [
        "商标图：文件大小 200 KB（204,800 字节），应小于 200 KB"]


# -- zip-based ----------------------------------------------------------------------------------

OOXML_BASE = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}


def test_zip_bomb_named_docx_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(210):
                member.write(block)
    result = inspect_upload("方案书.docx", path, PLAN)
    assert not result.ok
    assert result.detected == "docx"
    assert "方案书：压缩包展开后过大，疑似压缩炸弹，已拒绝" in result.problems
    assert any("压缩比超过 100 倍" in p for p in result.problems)


def test_high_ratio_member_is_refused():
    data = make_zip({**OOXML_BASE, "word/document.xml": bytes(5 * 1024 * 1024)})
    result = inspect_upload("方案书.docx", data, PLAN)
    assert result.problems == ["方案书：压缩包内“word/document.xml”的压缩比超过 100 倍，疑似压缩炸弹，已拒绝"]


def test_too_many_members():
    members = {**OOXML_BASE, "word/document.xml": b"<w/>"} | {f"word/m{i}.xml": b"" for i in range(2000)}
    result = inspect_upload("申报表.docx", make_zip(members), FORM)
    assert result.problems == ["申报表：压缩包内文件过多（2003 个，上限 2000 个），已拒绝"]


@pytest.mark.parametrize(
    "member", ["../evil.xml", "word/../../evil.xml", "/etc/cron.d/x", "C:/x.xml", "..\\x"]
)
def test_traversal_member_is_refused(member):
    data = make_zip({**OOXML_BASE, "word/document.xml": b"<w/>", member: b"x"})
    result = inspect_upload("申报表.docx", data, FORM)
    assert not result.ok
    assert any("含非法路径" in p for p in result.problems), result.problems


def test_nested_zip_is_refused():
    inner = make_zip({"a.txt": b"a"})
    data = make_zip({**OOXML_BASE, "word/document.xml": b"<w/>", "word/media/inner.zip": inner})
    result = inspect_upload("申报表.docx", data, FORM)
    assert result.problems == ["申报表：压缩包内含有嵌套压缩包“word/media/inner.zip”，已拒绝"]


def test_office_embedded_workbook_is_allowed():
    embedded = make_zip({**OOXML_BASE, "xl/workbook.xml": b"<wb/>"})
    data = make_zip(
        {
            **OOXML_BASE,
            "word/document.xml": b"<w/>",
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": embedded,
        }
    )
    assert inspect_upload("申报表.docx", data, FORM).ok


def test_docx_without_main_part():
    result = inspect_upload("申报表.docx", make_zip(OOXML_BASE), FORM)
    assert result.detected == "zip"
    assert result.problems == ["申报表：文件不是有效的 Word 文档（DOCX）（缺少 word/document.xml）"]


def test_plain_zip_named_docx():
    result = inspect_upload("申报表.docx", make_zip({"a.txt": b"a"}), FORM)
    assert result.problems == ["申报表：文件不是有效的 Word 文档（DOCX）（缺少 [Content_Types].xml）"]


def test_xlsx_named_docx():
    result = inspect_upload("申报表.docx", make_zip({**OOXML_BASE, "xl/workbook.xml": b"<wb/>"}), FORM)
    assert result.detected == "xlsx"
    assert result.problems == ["申报表：文件实际为 Excel 表格（XLSX），与扩展名 .docx 不符；要求 DOCX 格式"]


def test_macro_in_docx_is_refused():
    data = make_zip({**OOXML_BASE, "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})
    assert inspect_upload("申报表.docx", data, FORM).problems == ["申报表：文件含有宏代码，已拒绝"]


def test_truncated_docx_is_refused():
    data = make_docx()
    result = inspect_upload("申报表.docx", data[: len(data) // 2], FORM)
    assert result.problems[0] == "申报表：文件已损坏或不完整，无法读取其中内容"
