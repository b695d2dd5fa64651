"""Typesetting compendiums: DOCX structure and fonts, PDF text order, TOC page numbers, embedded CJK fonts."""

import io
import os
import re
import zipfile

import pytest
from docx import Document

from jinxuan.compendium.export import (
    Compendium,
    CompendiumCase,
    compendium_docx,
    compendium_pdf,
    groups,
    key_figures,
    outline,
    toc_pages_needed,
)
from jinxuan.compendium.parse import parse_docx, parse_text
from jinxuan.textmining import metrics
from tests.helpers.seeds import SEED_003, SEED_003_CASES

from . import pdftools

FIGURES = [("放款金额", "超 463 亿元"), ("融资服务覆盖率提升", "70%")]


def _seed_book() -> Compendium:
    if not SEED_003.is_file():
        pytest.skip(f"种子文件不在检出目录旁（{SEED_003}），跳过依赖 003 案例集的测试")
    report = parse_text(SEED_003.read_text(encoding="utf-8"))
    cases = [
        CompendiumCase(title=c.title, track=c.track, tier=c.tier, special=c.special, paragraphs=c.paragraphs,
                       captions=c.captions, organisations=[f"第{i}申报单位", "联合单位"], figures=FIGURES)
        for i, c in enumerate(report.cases, start=1)
    ]
    return Compendium(title="2025年数字金融创新实践案例集", subtitle="获奖案例汇编", year=2025,
                      organiser="广州市数字金融协会", cases=cases)


@pytest.fixture(scope="module")
def seed_book() -> Compendium:
    return _seed_book()


@pytest.fixture(scope="module")
def seed_pdf(seed_book, tmp_path_factory):
    pdftools.require_poppler()
    path = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    path.write_bytes(compendium_pdf(seed_book))
    return path


def _expected_sequence() -> list[str]:
    """Track, then each tier heading once, each title under its tier, in the order of 003."""
    seq, tier = [SEED_003_CASES[0][1]], None
    for _, _, case_tier, title in SEED_003_CASES:
        if case_tier != tier:
            seq.append(case_tier)
            tier = case_tier
        seq.append(title)
    return seq


def _find_in_order(haystack: str, needles: list[str], start: int = 0) -> int:
    """Position after the last needle, each found after the previous; fails naming the missing one."""
    pos = start
    for needle in needles:
        found = haystack.find(pdftools.squash(needle), pos)
        assert found >= 0, f"“{needle}” not found after position {pos}"
        pos = found + len(pdftools.squash(needle))
    return pos


# ---------------------------------------------------------------- grouping


def test_groups_order_tracks_by_appearance_and_tiers_by_rank():
    c = lambda title, track, tier, special="": CompendiumCase(title, track=track, tier=tier, special=special)  # noqa: E731
    book = Compendium(title="t", cases=[
        c("乙1", "乙赛道", "二等奖"), c("甲1", "甲赛道", "优秀奖", "技术创新奖"), c("乙2", "乙赛道", "一等奖"),
        c("甲2", "甲赛道", "一等奖"), c("乙3", "乙赛道", ""), c("乙4", "乙赛道", "二等奖"), c("丙", "", "三等奖"),
        c("甲3", "甲赛道", "优秀奖"),
    ])
    assert [(g.track, g.tier, [x.title for x in g.cases]) for g in groups(book)] == [
        ("乙赛道", "一等奖", ["乙2"]),
        ("乙赛道", "二等奖", ["乙1", "乙4"]),
        ("乙赛道", "入选案例", ["乙3"]),
        ("甲赛道", "一等奖", ["甲2"]),
        ("甲赛道", "优秀奖", ["甲3"]),
        ("甲赛道", "优秀奖 – 技术创新奖", ["甲1"]),
        ("其他案例", "三等奖", ["丙"]),
    ]
    levels = [(level, text) for level, text, _ in outline(book)][:4]
    assert levels == [(0, "乙赛道"), (1, "一等奖"), (2, "乙2"), (1, "二等奖")]
    no_tracks = Compendium(title="t", cases=[c("A", "", "一等奖"), c("B", "", "二等奖")])
    assert [(level, text) for level, text, _ in outline(no_tracks)] == [
        (0, "一等奖"), (1, "A"), (0, "二等奖"), (1, "B")]


def test_key_figures_label_each_figure_with_its_clause():
    para = "项目上线以来，小微企业融资服务覆盖率提升 70%，已成功放款超 463 亿元，七年累计服务 6 万多户经营主体。"
    found = metrics.to_json(metrics.extract(para))
    for f in found:
        f["paragraph"] = 0
    rows = key_figures([para], found)
    assert ("小微企业融资服务覆盖率提升", "70%") in rows
    assert ("成功放款", "超463 亿元") in rows
    assert any(value == "6 万多户" and "经营主体" in label for label, value in rows)
    assert key_figures([para], [{"paragraph": 0, "start": 0, "end": 3, "span": "不匹配"}]) == []


# ---------------------------------------------------------------- DOCX


def test_docx_structure_toc_fonts_and_figures(seed_book):
    data = compendium_docx(seed_book)
    doc = Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    expected = [("Heading 1", "金融服务赛道"), ("Heading 2", "一等奖"), ("Heading 3", SEED_003_CASES[0][3]),
                ("Heading 2", "二等奖")] + [("Heading 3", t) for _, _, _, t in SEED_003_CASES[1:]]
    assert headings == expected
    # every case starts a new page
    starts = [(p.style.name, p.text) for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert starts == [("Heading 1", "金融服务赛道"), ("Heading 2", "二等奖")] + [
        ("Heading 3", t) for _, _, _, t in SEED_003_CASES[2:]]
    # table of contents: a TOC field whose stored result is the written list
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-3"', xml)
    toc = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("toc ")]
    assert toc == [
        ("toc 1", "金融服务赛道"), ("toc 2", "一等奖"), ("toc 3", SEED_003_CASES[0][3]), ("toc 2", "二等奖"),
        *[("toc 3", t) for _, _, _, t in SEED_003_CASES[1:]],
    ]
    assert xml.index('w:fldCharType="separate"') < xml.index("金融服务赛道") < xml.index('w:fldCharType="end"')
    # Chinese fonts through w:eastAsia: 宋体 body, 黑体 headings
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    assert re.search(r'w:styleId="Normal".*?w:eastAsia="宋体"', styles, re.S)
    assert re.search(r'w:styleId="Heading1".*?w:eastAsia="黑体"', styles, re.S)
    # organisations, captions, key figures
    texts = [p.text for p in doc.paragraphs]
    assert "申报单位：第1申报单位、联合单位" in texts
    assert "图1 “数据驱动、五位一体、闭环运行”融资架构体系" in texts
    assert len(doc.tables) == 4
    assert [[c.text for c in r.cells] for r in doc.tables[0].rows] == [["关键数据", "数值"], *map(list, FIGURES)]


def test_docx_reads_back_into_the_same_cases(seed_book):
    report = parse_docx(compendium_docx(seed_book))
    assert [(c.track, c.tier, c.title, c.paragraphs, c.captions, c.organisations, c.figures) for c in report.cases] == [
        (c.track, c.tier, c.title, c.paragraphs, c.captions, c.organisations, c.figures) for c in seed_book.cases]
    # only the cover is left over (and the skipped table of contents is mentioned)
    assert {p.text for p in report.problems if p.line} == {seed_book.title, seed_book.subtitle, seed_book.organiser,
                                                           "2025年"}


# ---------------------------------------------------------------- PDF


def test_pdf_text_has_every_title_under_its_tier_in_order(seed_pdf):
    whole = pdftools.squash(pdftools.text(seed_pdf))
    sequence = _expected_sequence()
    after_toc = _find_in_order(whole, sequence)  # the table of contents …
    _find_in_order(whole, sequence, after_toc)  # … and the body
    body = pdftools.squash(pdftools.text(seed_pdf, first=3))
    assert "青海省公共信用信息中心以公共数据的复用增效" in body
    assert "推送适配政策15万次" in body  # the page-break cut of 003 is joined
    assert "申报单位：第1申报单位、联合单位" in body
    assert "图2以数据为核心的企业融资服务新模式" in body
    assert "融资服务覆盖率提升70%" in body  # key-figures table


def test_pdf_toc_page_numbers_point_at_the_pages_of_the_titles(seed_pdf):
    n = pdftools.pages(seed_pdf)
    page_texts = {p: pdftools.squash(pdftools.text(seed_pdf, first=p, last=p)) for p in range(1, n + 1)}
    toc = pdftools.squash(pdftools.text(seed_pdf, first=2, last=2, layout=True))  # one line per entry
    assert "目录" in toc
    for _, _, _, title in SEED_003_CASES:
        key = pdftools.squash(title)
        on = [p for p in range(3, n + 1) if key in page_texts[p]]
        assert on, title
        assert f"{key}{on[0]}" in toc, (title, on[0])
    # page numbers printed in the footer, none on the cover
    assert "—3—" in page_texts[3] and "—1—" not in page_texts[1]


def test_pdf_embeds_cjk_fonts_and_page_one_shows_glyphs(seed_book, seed_pdf, tmp_path):
    rows = pdftools.fonts(seed_pdf)
    cjk = [r for r in rows if re.search(r"Noto(Serif|Sans)SC", r["name"])]
    assert cjk and all(r["emb"] == "yes" and r["uni"] == "yes" for r in cjk), rows
    assert all(r["emb"] == "yes" for r in rows), rows
    # page 1 rendered: real glyphs, not a blank page and not boxes
    page = pdftools.render(seed_pdf, 1, tmp_path)
    boxes = lambda s: re.sub(r"[\u4e00-\u9fff]", "□", s)  # noqa: E731
    tofu = Compendium(title=boxes(seed_book.title), subtitle=boxes(seed_book.subtitle), year=seed_book.year,
                      organiser=boxes(seed_book.organiser))
    blank = Compendium(title="")
    renders = {}
    for name, book in (("tofu", tofu), ("blank", blank)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(compendium_pdf(book))
        renders[name] = pdftools.render(path, 1, tmp_path)
    real, box, empty = pdftools.ink(page), pdftools.ink(renders["tofu"]), pdftools.ink(renders["blank"])
    assert empty == 0
    assert real > 500, real
    assert real > 3 * box, (real, box)  # hollow boxes carry far less ink than the glyphs
    # with no system font at all, poppler draws the same page from the embedded fonts
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path}/none</dir>'
                    f"<cachedir>{tmp_path}/fc</cachedir></fontconfig>", encoding="utf-8")
    bare_dir = tmp_path / "bare"
    bare_dir.mkdir()
    bare = pdftools.render(seed_pdf, 1, bare_dir, env=dict(os.environ, FONTCONFIG_FILE=str(conf)))
    assert bare.tobytes() == page.tobytes()


def test_pdf_toc_over_several_pages_keeps_every_page_number_right(tmp_path):
    pdftools.require_poppler()
    tiers = ["一等奖", "二等奖", "优秀奖", ""]
    cases = [CompendiumCase(title=f"第{i}号案例" + "数字金融创新实践" * (1 + i % 4), track=["甲赛道", "乙赛道"][i % 2],
                            tier=tiers[i % 4], paragraphs=["正文内容。" * (20 + 15 * (i % 3))]) for i in range(70)]
    path = tmp_path / "big.pdf"
    path.write_bytes(compendium_pdf(Compendium(title="多页目录", cases=cases)))
    toc_pages = toc_pages_needed(Compendium(title="多页目录", cases=cases))
    assert toc_pages >= 2
    pages = pdftools.text(path).split("\f")  # pdftotext separates pages by form feeds
    toc = pdftools.squash(pdftools.text(path, first=2, last=1 + toc_pages, layout=True))
    body = {n: pdftools.squash(t) for n, t in enumerate(pages, start=1) if n > 1 + toc_pages}
    for case in cases:
        key = pdftools.squash(case.title)
        on = [n for n, t in body.items() if key in t]
        assert len(on) == 1 and f"{key}{on[0]}" in toc, (case.title, on)


def test_pdf_without_cases_still_renders(tmp_path):
    pdftools.require_poppler()
    path = tmp_path / "empty.pdf"
    path.write_bytes(compendium_pdf(Compendium(title="空案例集", year=2025)))
    assert pdftools.pages(path) == 2
    assert "本案例集暂无案例。" in pdftools.text(path)
