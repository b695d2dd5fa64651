"""Read a published compendium (.txt or .docx) into cases.

A compendium reads, line by line (blank lines carry no meaning):

    金融服务赛道                        ← optional track heading
    一等奖                              ← award-tier heading
    公共数据架起政银企信用金桥 …        ← case title
    小微企业融资难是一项…。             ← body paragraphs
    图1 “数据驱动、五位一体…”…         ← figure caption
    …
    优秀奖 – 技术创新奖                 ← tier with a special award (– — - or －)

Rules, applied to every non-empty line (stripped of spaces, full-width spaces and BOMs):

1. Track heading: a line of at most 24 characters ending in 赛道 (an outline number such as “一、” in
   front is dropped). It starts a new track; the award tier is reset.
2. Tier heading: one of 特等奖 一等奖 二等奖 三等奖 金奖 银奖 铜奖 优秀奖 优胜奖 入围奖 提名奖, optionally
   followed by a dash and a special award (“优秀奖 – 技术创新奖”), optionally with a count in brackets
   (“二等奖（3项）”). A short line that is only a name ending in 奖 (2–12 Chinese characters, e.g.
   技术创新奖) is a special award: right after a tier heading it qualifies that tier, otherwise it
   stands alone (tier empty).
3. Caption: a line of at most 80 characters starting with 图/表 and a number (图1, 图 2, 图2-1, 图一),
   without 。 — kept in the case's `captions`.
4. Organisations: “申报单位：A、B” (also 完成单位/报送单位/案例单位/单位) — kept in `organisations`.
5. Title: a *title-shaped* line — 2 to 60 characters, no 。！？ anywhere, not ending in punctuation
   (，、；：…), and not starting with an outline marker (一是 / 一、 / （一） / 1. / ①) — is a case
   title when it comes right after a tier heading, or after a finished paragraph of the current case.
   A title-shaped line directly after a title (before any body) continues the title — joined with a
   space — when it is not longer than the title so far or starts with a dash (a wrapped title or a
   subtitle), and the whole stays under 90 characters; otherwise it is the first body paragraph.
6. Body: every other line is a paragraph of the current case. A paragraph that does not end in
   sentence punctuation (。！？；：… possibly followed by a closing quote or bracket) was cut by a page
   break — unless it is a short line (≤ 60 characters) without any 。，；！？, i.e. a sub-heading —
   and the next body line is joined to it (captions in between do not interrupt it). If the next
   line is title-shaped instead, it is taken as a new title and a problem asks to check it.

Everything that cannot be placed is reported in `ParseReport.problems` with its line number, never
dropped silently: text before any tier heading, a line after a tier heading that cannot be a title,
a caption outside a case, a case without body (not imported), duplicated titles, tables and
unreadable parts of a .docx.

.docx: every paragraph and table of the body counts as one “line” (numbered from 1). Paragraphs in a
heading style (Heading n / 标题 n / Title, or with an outline level) are headings: classified as
track or tier by the rules above, otherwise they are case titles — and when a document styles its
titles that way (a styled heading after the first tier heading), plain paragraphs are never taken as
titles. Paragraphs in the Caption/题注 style are
captions. Table-of-contents paragraphs (TOC styles) are skipped (one problem says how many). A
two-column table inside a case is read as its key figures (label, value; rows marked as table header
are skipped); other tables are reported.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

TITLE_MAX = 60
TRACK_MAX = 24
CAPTION_MAX = 80

TIERS = ("特等奖", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "优秀奖", "优胜奖", "入围奖", "提名奖")
TIER_RANK = {name: i for i, name in enumerate(TIERS)}

_SPACES = " \t\r\n\u3000\u00a0\ufeff\u200b\u200c\u200d\u2028\u2029"
_OUTLINE = r"(?:[一二三四五六七八九十]+[、.．]\s*|\d+[、.．]\s*)"
_DASH = r"[–—\-－―~～]+"
_COUNT = r"(?:\s*[（(][^）)]{0,12}[）)])?"
TRACK_RE = re.compile(rf"^{_OUTLINE}?(?P<name>\S.{{0,{TRACK_MAX - 3}}}赛道)$")
TIER_RE = re.compile(
    rf"^{_OUTLINE}?(?P<tier>{'|'.join(TIERS)}){_COUNT}(?:\s*{_DASH}\s*(?P<special>\S.{{0,23}}?){_COUNT})?$"
)
SPECIAL_RE = re.compile(rf"^{_OUTLINE}?(?P<special>[\u4e00-\u9fff]{{1,11}}奖){_COUNT}$")
CAPTION_RE = re.compile(
    r"^[图表]\s*(?:\d+(?:\s*[-－.．]\s*\d+)?|[一二三四五六七八九十]+)(?:$|[\s：:、．.]|(?=[^\d\s]))"
)
ORGS_RE = re.compile(r"^(?:申报单位|完成单位|报送单位|案例单位|参与单位|单位)\s*[：:]\s*(?P<orgs>.+)$")
ORG_SPLIT = re.compile(r"\s*[、，,；;／/]\s*|\s{2,}")
OUTLINE_START = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．)）]|[①-⑳])"
)
SENTENCE_END = "。！？!?；;：:…"
CLOSERS = "”’」』）)】》〉\"'"
NOT_TITLE_END = SENTENCE_END + "，,、"


@dataclass
class ParsedCase:
    title: str
    track: str = ""
    tier: str = ""
    special: str = ""
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    line: int = 0
    organisations: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "title": self.title, "track": self.track, "tier": self.tier, "special": self.special,
            "line": self.line, "organisations": list(self.organisations), "paragraphs": list(self.paragraphs),
            "captions": list(self.captions), "figures": [list(f) for f in self.figures],
        }


@dataclass
class Problem:
    line: int
    text: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "message": self.message}


@dataclass
class ParseReport:
    cases: list[ParsedCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unit: str = "行"  # how `line` counts: 行 for text, 段 for .docx paragraphs

    def groups(self) -> list[tuple[str, str, list[ParsedCase]]]:
        """(track, tier label, cases) in reading order, consecutive cases of one track and tier together."""
        out: list[tuple[str, str, list[ParsedCase]]] = []
        for case in self.cases:
            label = tier_label(case.tier, case.special)
            if out and out[-1][0] == case.track and out[-1][1] == label:
                out[-1][2].append(case)
            else:
                out.append((case.track, label, [case]))
        return out

    def as_dict(self) -> dict:
        return {
            "cases": [c.as_dict() for c in self.cases],
            "problems": [p.as_dict() for p in self.problems],
            "unit": self.unit,
        }


class ParseError(ValueError):
    """The file cannot be read at all (message in Chinese)."""


def tier_label(tier: str, special: str) -> str:
    if tier and special:
        return f"{tier} – {special}"
    return tier or special


# ---------------------------------------------------------------- line classification


def clean(line: str) -> str:
    return line.strip(_SPACES)


def match_track(line: str) -> str | None:
    m = TRACK_RE.match(line)
    return m.group("name").strip() if m and len(line) <= TRACK_MAX + 4 else None


def match_tier(line: str) -> tuple[str, str] | None:
    """(tier, special) for a tier heading, ("", special) for a lone special award, else None."""
    m = TIER_RE.match(line)
    if m:
        return m.group("tier"), clean(m.group("special") or "")
    m = SPECIAL_RE.match(line)
    if m:
        return "", m.group("special")
    return None


def is_caption(line: str) -> bool:
    return len(line) <= CAPTION_MAX and "。" not in line and bool(CAPTION_RE.match(line))


def match_organisations(line: str) -> list[str] | None:
    m = ORGS_RE.match(line)
    if not m or len(line) > 200:
        return None
    return [o for o in (clean(x) for x in ORG_SPLIT.split(m.group("orgs"))) if o]


def is_title_shaped(line: str) -> bool:
    return (
        2 <= len(line) <= TITLE_MAX
        and not any(ch in line for ch in "。！？!?")
        and line[-1] not in NOT_TITLE_END
        and not OUTLINE_START.match(line)
    )


def is_finished(paragraph: str) -> bool:
    """A paragraph is finished when it ends in sentence punctuation (a closing quote may follow),
    or is a short line without sentence punctuation or commas (a sub-heading such as “一、项目背景”)."""
    end = paragraph.rstrip(CLOSERS)
    if end and end[-1] in SENTENCE_END:
        return True
    return len(paragraph) <= TITLE_MAX and not any(ch in paragraph for ch in "。！？!?；;，,")


def join_lines(first: str, second: str) -> str:
    """Join a line cut by a page break: no space between Chinese text, one between Latin words/numbers."""
    if first and second and first[-1].isascii() and first[-1].isalnum() and second[0].isascii() and second[0].isalnum():
        return f"{first} {second}"
    return first + second


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


# ---------------------------------------------------------------- the state machine


@dataclass
class Line:
    number: int
    text: str
    kind: str = ""  # "" (decide by the line rules), "heading", "caption", "table"
    rows: list[list[str]] | None = None  # for tables


class _Parser:
    def __init__(self, titles_from_headings: bool):
        self.titles_from_headings = titles_from_headings
        self.report = ParseReport()
        self.track = ""
        self.tier: tuple[str, str] | None = None
        self.tier_fresh = False  # a tier heading was just read, no case under it yet
        self.case: ParsedCase | None = None
        self.open_paragraph = False
        self.seen_titles: dict[str, int] = {}

    def problem(self, line: Line, message: str) -> None:
        self.report.problems.append(Problem(line.number, _short(line.text, 60), message))

    # -- case boundaries

    def close_case(self) -> None:
        case, self.case = self.case, None
        self.open_paragraph = False
        if case is None:
            return
        if not case.paragraphs:
            self.report.problems.append(Problem(
                case.line, _short(case.title, 60),
                f"案例“{_short(case.title, 30)}”没有正文，未导入；请补充正文或删除该标题",
            ))
            return
        first = self.seen_titles.get(case.title)
        if first is not None:
            self.report.problems.append(Problem(
                case.line, _short(case.title, 60),
                f"标题与第 {first} {self.report.unit}的案例重复，请核对是否重复收录",
            ))
        else:
            self.seen_titles[case.title] = case.line
        self.report.cases.append(case)

    def start_case(self, line: Line) -> None:
        self.close_case()
        tier, special = self.tier or ("", "")
        self.case = ParsedCase(title=line.text, track=self.track, tier=tier, special=special, line=line.number)
        self.tier_fresh = False

    # -- per line

    def feed(self, line: Line) -> None:
        if line.kind == "table":
            self.table(line)
            return
        text = line.text
        track = match_track(text) if line.kind in ("", "heading") else None
        if track:
            self.close_case()
            self.track, self.tier, self.tier_fresh = track, None, False
            return
        tier = match_tier(text) if line.kind in ("", "heading") else None
        if tier:
            self.close_case()
            if tier[0] == "" and self.tier_fresh and self.tier and self.tier[0] and not self.tier[1]:
                tier = (self.tier[0], tier[1])  # 优秀奖 / 技术创新奖 on two lines
            self.tier, self.tier_fresh = tier, True
            return
        if line.kind == "caption" or (line.kind == "" and is_caption(text)):
            if self.case is None:
                self.problem(line, "图注不在任何案例之内（应位于案例标题之后），未导入")
            else:
                self.case.captions.append(text)
            return
        orgs = match_organisations(text) if line.kind == "" else None
        if orgs is not None and self.case is not None and not self.case.paragraphs:
            self.case.organisations.extend(o for o in orgs if o not in self.case.organisations)
            return
        if self.tier is None:
            self.problem(line, "位于奖项标题（如“一等奖”）之前，无法归入任何案例，未导入")
            return
        if line.kind == "heading":
            self.start_case(line)
            return
        self.body_or_title(line)

    def body_or_title(self, line: Line) -> None:
        text, case = line.text, self.case
        titled = not self.titles_from_headings and is_title_shaped(text)
        if case is None:
            if self.titles_from_headings:
                self.problem(line, "不属于任何案例（前面没有标题样式的案例标题），未导入")
            elif titled:
                self.start_case(line)
            elif self.tier_fresh:
                self.problem(line, f"奖项标题后应为案例标题（不超过 {TITLE_MAX} 字、不含句号），此行像正文，未导入")
            else:
                self.problem(line, "不属于任何案例（前面没有案例标题），未导入")
            return
        if not case.paragraphs and not case.captions:
            wrapped = len(text) <= len(case.title) or text[0] in "—–-－"
            if titled and wrapped and len(case.title) + len(text) < TITLE_MAX * 3 // 2:
                case.title = f"{case.title} {text}"
                return
            titled = False  # a case has a body before the next title can start
        if self.open_paragraph and not titled:
            case.paragraphs[-1] = join_lines(case.paragraphs[-1], text)
        elif titled:
            if self.open_paragraph:
                self.problem(line, "上一段未以句末标点结束，本行已作为新案例标题；若本行是上一段的续行，请在原文中合并")
            self.start_case(line)
            return
        else:
            case.paragraphs.append(text)
        self.open_paragraph = not is_finished(case.paragraphs[-1])

    def table(self, line: Line) -> None:
        rows = [r for r in (line.rows or []) if any(c for c in r)]
        if self.case is not None and rows and all(len(r) == 2 for r in rows):
            self.case.figures.extend((r[0], r[1]) for r in rows)
            return
        self.problem(line, "表格未导入（只有案例内的两列表格会作为关键数据读入）")

    def finish(self) -> ParseReport:
        self.close_case()
        if not self.report.cases and not self.report.problems:
            self.report.problems.append(Problem(0, "", "文件中没有找到任何内容"))
        elif not self.report.cases:
            self.report.problems.append(Problem(
                0, "", "没有识别出任何案例：请确认文件含奖项标题（如“一等奖”）及其后的案例标题"
            ))
        return self.report


def parse_lines(lines: list[Line], *, titles_from_headings: bool = False, unit: str = "行") -> ParseReport:
    parser = _Parser(titles_from_headings)
    parser.report.unit = unit
    for line in lines:
        line.text = clean(line.text)
        if line.text or line.kind == "table":
            parser.feed(line)
    return parser.finish()


# ---------------------------------------------------------------- inputs


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError("文件不是 UTF-8 或 GB18030（GBK）编码的文本，请另存为 UTF-8 后重试")


def parse_text(text: str) -> ParseReport:
    lines = [Line(i, raw) for i, raw in enumerate(text.splitlines(), start=1)]
    return parse_lines(lines)


_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*\d|^title$|^标题$", re.I)
_CAPTION_STYLE = re.compile(r"^(?:caption|题注)$", re.I)
_TOC_STYLE = re.compile(r"^(?:toc|目录)\s*\d*$|^toc heading$", re.I)


def _outline_level(paragraph) -> int | None:
    from docx.oxml.ns import qn

    for ppr in (paragraph._p.pPr, getattr(paragraph.style.element, "pPr", None) if paragraph.style else None):
        if ppr is None:
            continue
        lvl = ppr.find(qn("w:outlineLvl"))
        if lvl is not None:
            try:
                value = int(lvl.get(qn("w:val")))
            except (TypeError, ValueError):
                continue
            if value < 9:
                return value
    return None


def docx_lines(data: bytes) -> tuple[list[Line], int]:
    """The body of a .docx as numbered lines (paragraphs and tables in order); also the count of
    skipped table-of-contents paragraphs."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise ParseError("无法读取该 Word 文件（仅支持 .docx；旧版 .doc 请先另存为 .docx）") from exc
    lines: list[Line] = []
    toc = 0
    for number, block in enumerate(doc.iter_inner_content(), start=1):
        if isinstance(block, Table):
            rows = [[clean(c.text) for c in _unique_cells(r)] for r in block.rows if not _is_header_row(r)]
            lines.append(Line(number, " | ".join(" ".join(r) for r in rows)[:200], "table", rows))
            continue
        assert isinstance(block, Paragraph)
        style = block.style.name if block.style is not None else ""
        if _TOC_STYLE.match(style or ""):
            toc += int(bool(clean(block.text)))
            continue
        kind = ""
        if _CAPTION_STYLE.match(style or ""):
            kind = "caption"
        elif _HEADING_STYLE.match(style or "") or _outline_level(block) is not None:
            kind = "heading"
        lines.append(Line(number, block.text, kind))
    return lines, toc


def _is_header_row(row) -> bool:
    from docx.oxml.ns import qn

    trpr = row._tr.trPr
    flag = trpr.find(qn("w:tblHeader")) if trpr is not None else None
    return flag is not None and flag.get(qn("w:val"), "true") not in ("false", "0")


def _unique_cells(row) -> list:
    """Row cells with horizontally merged cells counted once."""
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def _titles_are_styled(lines: list[Line]) -> bool:
    """Whether a heading-styled paragraph that is neither track nor tier follows the first tier heading
    (a styled cover title before it does not count)."""
    seen_tier = False
    for line in lines:
        text = clean(line.text)
        if not text or line.kind not in ("", "heading"):
            continue
        if match_track(text):
            continue
        if match_tier(text):
            seen_tier = True
        elif seen_tier and line.kind == "heading":
            return True
    return False


def parse_docx(data: bytes) -> ParseReport:
    lines, toc = docx_lines(data)
    report = parse_lines(lines, titles_from_headings=_titles_are_styled(lines), unit="段")
    if toc:
        report.problems.insert(0, Problem(0, "", f"已跳过目录（{toc} 段），案例以正文为准"))
    return report


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def parse_file(data: bytes, filename: str = "") -> ParseReport:
    """Parse an uploaded file: .docx by content (a Word package), anything else as text."""
    name = filename.lower()
    if name.endswith(".doc") and not is_docx(data):
        raise ParseError("不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传")
    if is_docx(data):
        return parse_docx(data)
    if name.endswith(".docx") or data.startswith(b"PK"):
        raise ParseError("无法读取该 Word 文件（文件已损坏或不是 .docx）")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("文件不是文本文件（请上传 .txt 或 .docx）")
    return parse_text(decode_text(data))
