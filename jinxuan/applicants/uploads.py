"""Checking an uploaded attachment against its preset rule, by content.

Pure functions: nothing here touches the database or Django settings.

`safe_filename` turns whatever name a browser sent into one that is safe to
show and to offer for download. `inspect_upload` identifies a file by its
content (magic bytes via `filetype`, plus checks of our own), never by its
name, and lists in Chinese every rule of the attachment it breaks.

Limits (module constants, so a deployment can tune them):

- zip-based files (docx/xlsx/pptx/zip/ofd): at most 2,000 members, 200 MB
  uncompressed in total, compression ratio at most 100 for any member of
  1 MB or more uncompressed (smaller members cannot make a bomb under the
  total cap), a central directory of at most 4 MB; no nested archives (except
  the embedded objects Office keeps under ``*/embeddings/``), no member named
  with ``..``, an absolute path or a drive letter, no symlinks, no encrypted
  members, no VBA macros in OOXML (a ``vbaProject`` part, relationship or
  macro-enabled content type), no relationship to an external target other
  than a hyperlink (remote templates, linked OLE objects, frames, UNC image
  links...). Besides the central directory only ``[Content_Types].xml`` and the
  ``.rels`` parts are decompressed, each to at most 1 MB, at most 8 MB in all,
  and only once the directory passed the checks above.
- images: at most 50 million pixels (Pillow's decompression-bomb limit is set
  to this before any image is opened); JPEGs are decoded at 1/8 scale and
  other images verified, to catch truncated files.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filetype
from PIL import Image

from jinxuan.campaigns.schema import Attachment

MAX_NAME_CHARS = 120
MAX_EXT_CHARS = 16
HEAD_BYTES = 64 * 1024
HASH_BLOCK = 1024 * 1024

MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1024 * 1024
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_CENTRAL_DIRECTORY = 4 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
MAX_OOXML_PART = 1024 * 1024  # one [Content_Types].xml or .rels part, read to look for macros and external links
MAX_OOXML_PARTS_TOTAL = 8 * 1024 * 1024

EXT_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg", "tiff": "tif", "htm": "html", "apng": "png"}
TEXT_EXTS = {"txt", "csv"}
IMAGE_TYPES = {"jpg", "png", "gif", "webp", "bmp", "tif"}
ACTIVE_TYPES = {"html", "svg", "script"}

TYPE_LABELS = {
    "pdf": "PDF 文档",
    "jpg": "JPG 图片",
    "png": "PNG 图片",
    "gif": "GIF 图片",
    "webp": "WebP 图片",
    "bmp": "BMP 图片",
    "tif": "TIFF 图片",
    "heic": "HEIC 图片",
    "docx": "Word 文档（DOCX）",
    "xlsx": "Excel 表格（XLSX）",
    "pptx": "PowerPoint 演示文稿（PPTX）",
    "doc": "旧版 Office 文档（DOC/XLS/PPT/WPS）",
    "ofd": "OFD 版式文档",
    "zip": "ZIP 压缩包",
    "rar": "RAR 压缩包",
    "7z": "7z 压缩包",
    "gz": "GZ 压缩包",
    "mp4": "MP4 视频",
    "mov": "MOV 视频",
    "m4v": "M4V 视频",
    "avi": "AVI 视频",
    "exe": "可执行程序",
    "elf": "可执行程序",
    "html": "HTML 网页",
    "svg": "SVG 矢量图（可含脚本）",
    "script": "脚本代码",
    "xml": "XML 文本",
    "txt": "纯文本",
    "unknown": "无法识别的格式",
}

MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "html": "text/html",
    "svg": "image/svg+xml",
    "script": "text/plain",
    "xml": "application/xml",
    "txt": "text/plain",
    "unknown": "application/octet-stream",
}

OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
NESTED_ARCHIVE_EXTS = {
    "zip", "jar", "war", "apk", "docx", "docm", "xlsx", "xlsm", "pptx", "pptm", "odt", "ods", "odp",
    "ofd", "epub", "7z", "rar", "gz", "tgz", "bz2", "xz", "zst", "tar", "cab", "lz", "lzma", "z",
}  # fmt: skip

_WINDOWS_ILLEGAL = re.compile(r'[<>:"|?*]')
_RESERVED_STEMS = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
_EXT_RE = re.compile(rf"[A-Za-z0-9]{{1,{MAX_EXT_CHARS}}}")
# Markup a browser would render or run, looked for in text of unknown type.
_SVG_RE = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_HTML_RE = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|frameset|frame|object|embed|meta|link|style|"
    rb"title|base|form|input|img|div|span|table|a|p|br|h[1-6])[\s>/]",
    re.IGNORECASE,
)
_SCRIPT_RE = re.compile(rb"^#!|<\?php|<%[=@\s]|javascript:|vbscript:", re.IGNORECASE)
# OOXML package parts: relationships and content types (read as bytes; never handed to an XML parser).
_RELATIONSHIP_RE = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MACRO_TYPE_RE = re.compile(rb"macroEnabled|vbaProject|vbaData", re.IGNORECASE)
# Active markup hidden in the first bytes of an otherwise valid binary (polyglots).
_POLYGLOT_RE = re.compile(rb"<(?:script|html|svg|iframe|body|!doctype\s+html)[\s>/]", re.IGNORECASE)
_POLYGLOT_WINDOW = 1024


@dataclass(frozen=True)
class Inspection:
    ok: bool
    safe_name: str
    declared_ext: str  # lower case, as in the name ("jpeg" stays "jpeg"); "" when none
    detected: str  # a short type key: "pdf", "jpg", "docx", "html", "unknown" ...
    mime: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    problems: list[str] = field(default_factory=list)


def safe_filename(name: str) -> str:
    """A display/download name: no directories, control characters or leading dots; ≤ 120 characters.

    Chinese is kept. The extension (ASCII letters and digits, lower-cased) survives truncation.
    The result is for showing and Content-Disposition; store files under generated names
    (120 Chinese characters are 360 bytes of UTF-8, more than most file systems allow).
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if ch in "\t\n\r\v\f" or unicodedata.category(ch) == "Zs" else ch for ch in name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _WINDOWS_ILLEGAL.sub("_", name)
    name = re.sub(" +", " ", name).strip().rstrip(" .")

    stem, ext = name, ""
    dot = name.rfind(".")
    if dot >= 0 and _EXT_RE.fullmatch(name[dot + 1 :]):
        stem, ext = name[:dot], name[dot + 1 :].lower()
    stem = re.sub(r"\.{2,}", ".", stem).strip(" .")
    if _RESERVED_STEMS.match(stem.split(".")[0]):
        stem = "_" + stem
    room = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or "附件"
    return f"{stem}.{ext}" if ext else stem


def storage_name(result: Inspection) -> str:
    """A server-chosen name to store an accepted file under (the shown name stays `result.safe_name`).

    ASCII and short whatever the upload was called: 120 Chinese characters are 360 bytes, more than the
    255 a file system allows for one name.
    """
    return f"{result.sha256[:24]}.{result.detected if _EXT_RE.fullmatch(result.detected) else 'bin'}"


def inspect_upload(
    filename: str, path_or_bytes: bytes | bytearray | memoryview | str | os.PathLike, rule: Attachment
) -> Inspection:
    """Identify the file by content and check it against the attachment rule."""
    safe_name = safe_filename(filename)
    declared = _extension(safe_name)
    source = _Source.load(path_or_bytes)
    label = rule.name
    problems: list[str] = []

    if source.size == 0:
        problems.append(f"{label}：文件为空")
        return Inspection(
            ok=False,
            safe_name=safe_name,
            declared_ext=declared,
            detected="unknown",
            mime=MIME_TYPES["unknown"],
            size=0,
            sha256=source.sha256,
            problems=problems,
        )

    if not rule.allows_size(source.size):
        actual = _human_size(source.size)
        if actual == _human_size(rule.size_limit_bytes):
            actual = f"{actual}（{source.size:,} 字节）"
        problems.append(f"{label}：文件大小 {actual}，{rule.size_refusal}")

    detected, mime, structural = _detect(source, declared, label)
    problems.extend(structural)
    # A docx that is a zip without Word's parts has already been explained; skip the generic mismatch.
    explained = _norm(declared) in OOXML_MAIN_PARTS and detected not in OOXML_MAIN_PARTS and bool(structural)

    width = height = None
    if detected in IMAGE_TYPES:
        width, height, image_problems = _inspect_image(source, label)
        problems.extend(image_problems)

    if detected not in ACTIVE_TYPES and _POLYGLOT_RE.search(source.head[:_POLYGLOT_WINDOW]):
        problems.append(f"{label}：文件中夹带网页或脚本代码，已拒绝")

    problems.extend(_format_problems(label, declared, detected, rule, explained))

    if width is not None and height is not None and rule.image is not None:
        problems.extend(_image_rule_problems(label, detected, width, height, rule))

    return Inspection(
        ok=not problems,
        safe_name=safe_name,
        declared_ext=declared,
        detected=detected,
        mime=mime,
        size=source.size,
        sha256=source.sha256,
        width=width,
        height=height,
        problems=list(dict.fromkeys(problems)),
    )


# -- reading ------------------------------------------------------------------------------------


@dataclass
class _Source:
    data: bytes | None
    path: Path | None
    size: int
    head: bytes
    sha256: str

    @classmethod
    def load(cls, obj) -> _Source:
        if isinstance(obj, bytes | bytearray | memoryview):
            data = bytes(obj)
            return cls(data, None, len(data), data[:HEAD_BYTES], hashlib.sha256(data).hexdigest())
        if isinstance(obj, str | os.PathLike):
            path = Path(obj)
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                info = os.fstat(fh.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise ValueError(f"not a regular file: {path}")
                head = fh.read(HEAD_BYTES)
                digest.update(head)
                size = len(head)
                while block := fh.read(HASH_BLOCK):
                    digest.update(block)
                    size += len(block)
            return cls(None, path, size, head, digest.hexdigest())
        raise TypeError(f"expected bytes or a path, got {type(obj).__name__}")

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot + 1 :].lower() if dot > 0 else ""


def _norm(ext: str) -> str:
    ext = ext.lower()
    return EXT_ALIASES.get(ext, ext)


# -- detection ----------------------------------------------------------------------------------


def _detect(source: _Source, declared: str, label: str) -> tuple[str, str, list[str]]:
    """(type key, mime, structural problems) from the content alone."""
    head = source.head
    if head.startswith(b"%PDF-"):
        return "pdf", MIME_TYPES["pdf"], []
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        detected, problems = _inspect_zip(source, declared, label)
        return detected, MIME_TYPES.get(detected, MIME_TYPES["zip"]), problems
    kind = filetype.guess(head)
    if kind is not None:
        ext = _norm(kind.extension)
        if ext in {"doc", "xls", "ppt"}:  # one OLE2 container format; filetype cannot tell them apart
            ext = "doc"
        if ext == "pdf":  # filetype found %PDF- somewhere other than at offset 0
            ext = "unknown"
        return ext, kind.mime, []
    detected = _sniff_text(head)
    return detected, MIME_TYPES[detected], []


def _sniff_text(head: bytes) -> str:
    """Classify content no magic number matched: markup, script, plain text or unknown."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8", errors="ignore")
            break
    else:
        if head[:512].count(0) > 64:  # UTF-16 without BOM: drop the zero bytes of ASCII characters
            text = head.replace(b"\x00", b"")
        else:
            text = head
    probe = text.lstrip()
    if _SVG_RE.search(probe):
        return "svg"
    if _HTML_RE.search(probe):
        return "html"
    if _SCRIPT_RE.search(probe):
        return "script"
    if probe[:5].lower() == b"<?xml":
        return "xml"
    if b"\x00" not in text and _is_text(text):
        return "txt"
    return "unknown"


def _is_text(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            # The head may cut a multi-byte character: retry without the last few bytes.
            try:
                decoded = data[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        controls = sum(1 for ch in decoded if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
        return controls <= len(decoded) // 100
    return False


def _zip_central_directory_size(fh: BinaryIO, size: int) -> int | None:
    """The central directory size the end record declares (as zipfile will read it), or None."""
    tail_len = min(size, 65536 + 22)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    cd_size = struct.unpack("<L", tail[at + 12 : at + 16])[0]
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        record_offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        if record_offset + 56 > size:
            return None
        fh.seek(record_offset)
        record = fh.read(56)
        if record[:4] != b"PK\x06\x06":
            return None
        cd_size = struct.unpack("<Q", record[40:48])[0]
    return cd_size


def _inspect_zip(source: _Source, declared: str, label: str) -> tuple[str, list[str]]:
    declared = _norm(declared)
    broken = f"{label}：文件已损坏或不完整，无法读取其中内容"
    with source.open() as fh:
        cd_size = _zip_central_directory_size(fh, source.size)
        if cd_size is None:
            return "zip", [broken]
        if cd_size > MAX_ZIP_CENTRAL_DIRECTORY:
            return "zip", [f"{label}：压缩包目录过大，疑似压缩炸弹，已拒绝"]
        fh.seek(0)
        try:
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError):  # fmt: skip
            return "zip", [broken]

    names = {info.filename for info in infos}
    detected = "zip"
    if "[Content_Types].xml" in names:
        for kind, part in OOXML_MAIN_PARTS.items():
            if part in names:
                detected = kind
                break
    elif "OFD.xml" in names:
        detected = "ofd"
    ooxml = detected in OOXML_MAIN_PARTS

    problems: list[str] = []
    if declared in OOXML_MAIN_PARTS and detected not in OOXML_MAIN_PARTS:
        missing = OOXML_MAIN_PARTS[declared] if "[Content_Types].xml" in names else "[Content_Types].xml"
        problems.append(f"{label}：文件不是有效的 {TYPE_LABELS[declared]}（缺少 {missing}）")

    if len(infos) > MAX_ZIP_MEMBERS:
        problems.append(f"{label}：压缩包内文件过多（{len(infos)} 个，上限 {MAX_ZIP_MEMBERS} 个），已拒绝")
        return detected, problems

    total = 0
    for info in infos:
        name = info.filename
        total += info.file_size
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\x00" in name:
            problems.append(f"{label}：压缩包内文件名“{_short(name)}”含非法路径，已拒绝")
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(f"{label}：压缩包内含符号链接“{_short(name)}”，已拒绝")
        if info.flag_bits & 0x1:
            problems.append(f"{label}：压缩包内文件已加密，无法检查，已拒绝")
        if info.file_size >= ZIP_RATIO_MIN_SIZE and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_ZIP_RATIO
        ):
            problems.append(
                f"{label}：压缩包内“{_short(name)}”的压缩比超过 {MAX_ZIP_RATIO} 倍，疑似压缩炸弹，已拒绝"
            )
        member_ext = _extension(parts[-1])
        embedded = ooxml and len(parts) > 2 and parts[-2] == "embeddings"
        if member_ext in NESTED_ARCHIVE_EXTS and not info.is_dir() and not embedded:
            problems.append(f"{label}：压缩包内含有嵌套压缩包“{_short(name)}”，已拒绝")
        if ooxml and parts[-1].lower() == "vbaproject.bin":
            problems.append(f"{label}：文件含有宏代码，已拒绝")
    if total > MAX_ZIP_TOTAL:
        problems.append(f"{label}：压缩包展开后过大，疑似压缩炸弹，已拒绝")
    if not problems and (ooxml or declared in OOXML_MAIN_PARTS):
        problems.extend(_ooxml_package_problems(source, infos, label))
    return detected, problems


def _ooxml_package_problems(source: _Source, infos: list[zipfile.ZipInfo], label: str) -> list[str]:
    """Macros and external links, from [Content_Types].xml and the .rels parts (bounded reads, no XML parser)."""
    parts = [i for i in infos if not i.is_dir() and (i.filename == "[Content_Types].xml"
                                                     or i.filename.lower().endswith(".rels"))]
    problems: list[str] = []
    budget = MAX_OOXML_PARTS_TOTAL
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as zf:
            for info in parts:
                if info.file_size > MAX_OOXML_PART or info.file_size > budget:
                    return [f"{label}：文档结构部件过大，无法检查，已拒绝"]
                with zf.open(info) as member:
                    data = member.read(MAX_OOXML_PART + 1)
                budget -= len(data)
                if len(data) > MAX_OOXML_PART or budget < 0:
                    return [f"{label}：文档结构部件过大，无法检查，已拒绝"]
                if info.filename == "[Content_Types].xml":
                    if _MACRO_TYPE_RE.search(data):
                        problems.append(f"{label}：文件含有宏代码，已拒绝")
                    continue
                for match in _RELATIONSHIP_RE.finditer(data):
                    attrs = {m[1].split(b":")[-1].lower(): m[2] if m[2] is not None else m[3]
                             for m in _ATTRIBUTE_RE.finditer(match[1])}
                    kind = attrs.get(b"type", b"").rsplit(b"/", 1)[-1].lower()
                    if _MACRO_TYPE_RE.search(kind):
                        problems.append(f"{label}：文件含有宏代码，已拒绝")
                    elif attrs.get(b"targetmode", b"").lower() == b"external" and kind != b"hyperlink":
                        target = attrs.get(b"target", b"").decode("utf-8", "replace")
                        problems.append(f"{label}：文件引用外部资源“{_short(target)}”（{kind.decode('ascii', 'replace')}），"
                                        "打开时会自动连接外部地址，已拒绝")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error, zlib.error,
            NotImplementedError, RuntimeError):  # fmt: skip
        return [f"{label}：文件已损坏或不完整，无法读取其中内容"]
    return list(dict.fromkeys(problems))


def _short(name: str, limit: int = 60) -> str:
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _inspect_image(source: _Source, label: str) -> tuple[int | None, int | None, list[str]]:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    too_many = f"{label}：图片像素过多，疑似解压炸弹，已拒绝"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with source.open() as fh, Image.open(fh) as im:
                width, height = im.size
                if width * height > MAX_IMAGE_PIXELS:
                    return width, height, [f"{label}：图片像素过多（{width}×{height}），疑似解压炸弹，已拒绝"]
                if im.format == "JPEG":
                    im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    im.load()
                else:
                    im.verify()
    except Image.DecompressionBombError:
        return None, None, [too_many]
    except (OSError, ValueError, SyntaxError, struct.error, EOFError):
        return None, None, [f"{label}：图片文件已损坏或不完整"]
    return width, height, []


# -- rules --------------------------------------------------------------------------------------


def _formats_text(formats: list[str]) -> str:
    return "、".join(dict.fromkeys(f.upper() for f in formats))


def _type_label(key: str) -> str:
    return TYPE_LABELS.get(key, f"{key.upper()} 文件")


def _format_problems(
    label: str, declared: str, detected: str, rule: Attachment, explained: bool
) -> list[str]:
    wanted = _formats_text(rule.formats)
    allowed = {_norm(f) for f in rule.formats}
    norm = _norm(declared)
    if detected in ACTIVE_TYPES:
        target = norm.upper() if declared else "允许的格式"
        return [f"{label}：文件内容为 {_type_label(detected)}，不是 {target}"]
    if not declared:
        return [f"{label}：文件名缺少扩展名；要求 {wanted} 格式"]
    matches = norm == detected or (detected == "txt" and norm in TEXT_EXTS)
    if not matches:
        if explained:
            return [] if norm in allowed else [f"{label}：不接受 .{declared} 格式的文件；要求 {wanted} 格式"]
        if detected == "unknown":
            return [f"{label}：无法识别文件内容，不是有效的 .{declared} 文件；要求 {wanted} 格式"]
        return [f"{label}：文件实际为 {_type_label(detected)}，与扩展名 .{declared} 不符；要求 {wanted} 格式"]
    if norm not in allowed:
        return [f"{label}：不接受 .{declared} 格式的文件；要求 {wanted} 格式"]
    return []


def _image_rule_problems(label: str, detected: str, width: int, height: int, rule: Attachment) -> list[str]:
    image = rule.image
    problems = []
    image_formats = {_norm(f) for f in image.formats}
    if detected not in image_formats and detected in {_norm(f) for f in rule.formats}:
        problems.append(f"{label}：图片格式为 {detected.upper()}；要求 {_formats_text(image.formats)} 格式")
    low, high = image.min_px, image.max_px
    sides = (width, height)
    below = any(side < low for side in sides)
    above = high is not None and any(side > high for side in sides)
    if below or above:
        wanted = f"{low}–{high} 像素" if high is not None else f"每边至少 {low} 像素"
        verb = "不符合" if below and above else ("超出" if above else "低于")
        problems.append(f"{label}：图片尺寸 {width}×{height} 像素，{verb} {wanted}的要求")
    return problems


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        value, unit = n / (1024 * 1024), "MB"
    else:
        value, unit = n / 1024, "KB"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"
