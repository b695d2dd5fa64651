"""Reading published compendiums (.txt / .docx) into cases; no database needed."""

import io

import pytest
from docx import Document

from jinxuan.compendium.parse import ParseError, parse_docx, parse_file, parse_text
from tests.helpers.seeds import SEED_003_CASES


def _docx(lines: list[str]) -> bytes:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _summary(report):
    return [(c.line, c.track, c.tier, c.title) for c in report.cases]


# ---------------------------------------------------------------- the 003 compendium


def test_seed_003_yields_its_four_cases_with_tiers_and_titles(seed003_text):
    report = parse_text(seed003_text)
    assert _summary(report) == SEED_003_CASES
    assert [c.special for c in report.cases] == ["", "", "", ""]
    assert report.problems == []


def test_seed_003_keeps_captions_and_joins_paragraphs_cut_by_page_breaks(seed003_text):
    first, second, third, fourth = parse_text(seed003_text).cases
    assert first.captions == ["图1 “数据驱动、五位一体、闭环运行”融资架构体系", "图 2 以数据为核心的企业融资服务新模式"]
    assert second.captions == []
    assert third.captions == ["图 1 高质量数据平台建设"]
    assert fourth.captions == ["图 1 解决方案"]
    assert [len(c.paragraphs) for c in (first, second, third, fourth)] == [5, 5, 5, 5]
    # "…推送适配政" / blank / "策 15 万次…" is one paragraph again, and so on.
    assert "为 8 万多户经营主体推送适配政策 15 万次，落地转化率达 35%。" in first.paragraphs[3]
    assert "“产品服务支持+资源能力输出”新模式，持续提供数据治理" in second.paragraphs[4]
    assert "流通输出，提升保险业及全社会风险防控水平。" in fourth.paragraphs[3]
    assert second.paragraphs[1].endswith("推动数据资产沉淀与价值转化。")
    assert all(not p.startswith("图") for c in (first, second, third, fourth) for p in c.paragraphs)


def test_seed_003_as_docx_parses_the_same(seed003_text):
    lines = seed003_text.splitlines()
    from_text = parse_text(seed003_text)
    from_docx = parse_file(_docx(lines), "案例集.docx")
    assert from_docx.unit == "段"
    assert [c.as_dict() for c in from_docx.cases] == [c.as_dict() for c in from_text.cases]
    assert from_docx.problems == from_text.problems == []


def test_seed_003_in_gb18030_and_with_bom(seed003_text):
    gb = seed003_text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    expected = [c.as_dict() for c in parse_text(seed003_text).cases]
    assert [c.as_dict() for c in parse_file(gb, "003.txt").cases] == expected
    assert [c.as_dict() for c in parse_file(b"\xef\xbb\xbf" + seed003_text.encode(), "003.txt").cases] == expected
    assert [c.as_dict() for c in parse_file(seed003_text.encode("utf-16"), "003.txt").cases] == expected


# ---------------------------------------------------------------- the line rules


def test_gb18030_text_without_seed():
    text = "科技金融赛道\n\n一等奖\n\n普惠信贷数字化风控平台\n\n本项目服务小微企业 3 万户。\n"
    report = parse_file(text.encode("gb18030"), "x.txt")
    assert _summary(report) == [(5, "科技金融赛道", "一等奖", "普惠信贷数字化风控平台")]
    assert report.cases[0].paragraphs == ["本项目服务小微企业 3 万户。"]


@pytest.mark.parametrize("heading", [
    "优秀奖 – 技术创新奖", "优秀奖—技术创新奖", "优秀奖 - 技术创新奖", "优秀奖－技术创新奖"])
def test_tier_with_special_award_any_dash(heading):
    report = parse_text(f"{heading}\n智能投顾平台\n正文第一段。\n")
    [case] = report.cases
    assert (case.tier, case.special, case.title) == ("优秀奖", "技术创新奖", "智能投顾平台")


def test_lone_special_award_and_tier_on_two_lines():
    report = parse_text("优秀奖\n技术创新奖\n案例甲\n正文。\n最佳实践奖\n案例乙\n正文。\n")
    assert [(c.tier, c.special, c.title) for c in report.cases] == [
        ("优秀奖", "技术创新奖", "案例甲"), ("", "最佳实践奖", "案例乙"),
    ]


def test_several_cases_under_one_tier_heading_and_wrapped_title():
    long_paragraph = ("围绕核心企业信用穿透，构建多级流转体系，累计服务企业 1200 家，"
                      "融资规模超过 50 亿元，平均放款时间缩短至 2 小时。")
    text = "\n".join([
        "二等奖",
        "区块链供应链金融服务平台",
        "助力中小企业融资",
        "第一段正文，介绍项目背景。",
        "一、主要做法",
        long_paragraph,
        "绿色金融数字化服务",
        "第二个案例的正文。",
    ])
    report = parse_text(text)
    assert [(c.line, c.tier, c.title) for c in report.cases] == [
        (2, "二等奖", "区块链供应链金融服务平台 助力中小企业融资"),
        (7, "二等奖", "绿色金融数字化服务"),
    ]
    # an outline sub-heading is body text, and the paragraph after it is not glued to it
    assert report.cases[0].paragraphs[1:] == ["一、主要做法", long_paragraph]
    assert report.problems == []


def test_organisations_line_is_kept():
    report = parse_text("一等奖\n数据增信平台\n申报单位：青海省公共信用信息中心、某某银行股份有限公司\n正文。\n")
    assert report.cases[0].organisations == ["青海省公共信用信息中心", "某某银行股份有限公司"]
    assert report.cases[0].paragraphs == ["正文。"]


def test_title_after_an_unfinished_paragraph_is_flagged():
    cut = ("本项目通过数据中台汇聚多源数据，建立企业信用画像，实现线上化审批与贷后监测，"
           "并将服务延伸至县域和农村地区的经营主体等")
    report = parse_text("\n".join(["一等奖", "标题甲", cut, "标题乙", "正文乙。"]))
    assert [c.title for c in report.cases] == ["标题甲", "标题乙"]
    assert [(p.line, p.text) for p in report.problems] == [(4, "标题乙")]
    assert "未以句末标点结束" in report.problems[0].message


def test_malformed_file_reports_every_problem_with_its_line():
    text = "\n".join([
        "金融服务赛道",  # 1
        "本案例集收录了获奖案例，按奖项排列。",  # 2: before any tier heading
        "一等奖",  # 3
        "图1 系统架构",  # 4: caption outside a case
        "这一行紧跟奖项标题，却是一整段正文，它很长并且以句号结束，因此不能当作案例标题，也无法归入任何案例之中。",  # 5
        "空壳案例",  # 6: a title without body
        "二等奖",  # 7
        "正常案例",  # 8
        "正常案例的正文。",  # 9
        "图2 业务流程",  # 10
        "更多数据见下表。",  # 11: body
        "正常案例",  # 12: duplicated title
        "重复案例的正文。",  # 13
    ])
    report = parse_text(text)
    assert [c.title for c in report.cases] == ["正常案例", "正常案例"]
    assert report.cases[0].captions == ["图2 业务流程"]
    assert report.cases[0].paragraphs == ["正常案例的正文。", "更多数据见下表。"]
    problems = {p.line: p for p in report.problems}
    assert sorted(problems) == [2, 4, 5, 6, 12]
    assert "奖项标题" in problems[2].message and "之前" in problems[2].message
    assert problems[2].text == "本案例集收录了获奖案例，按奖项排列。"
    assert "图注" in problems[4].message
    assert "案例标题" in problems[5].message
    assert "没有正文" in problems[6].message and problems[6].text == "空壳案例"
    assert "重复" in problems[12].message and "第 8 行" in problems[12].message


def test_nothing_recognised_is_reported():
    report = parse_text("只有一段文字，没有任何奖项标题。\n")
    assert report.cases == []
    assert [p.line for p in report.problems] == [1, 0]
    assert "没有识别出任何案例" in report.problems[-1].message
    assert "没有找到任何内容" in parse_text("\n\n").problems[0].message


def test_unreadable_files_raise_parse_error_in_chinese():
    with pytest.raises(ParseError, match="不是文本文件"):
        parse_file(b"\x00\x01\x02binary\x00", "a.txt")
    with pytest.raises(ParseError, match=r"\.doc"):
        parse_file(b"\xd0\xcf\x11\xe0 old word", "旧.doc")
    with pytest.raises(ParseError, match="Word"):
        parse_file(b"PK\x03\x04 broken", "坏.docx")


# ---------------------------------------------------------------- .docx with styles


def test_docx_with_heading_styles_captions_and_key_figures_table():
    doc = Document()
    doc.add_paragraph("某某案例集（封面）")  # 1: before any heading
    doc.add_heading("金融服务赛道", 1)  # 2
    doc.add_heading("一等奖", 2)  # 3
    doc.add_heading("数据增信平台", 3)  # 4
    doc.add_paragraph("申报单位：甲公司、乙银行")  # 5
    doc.add_paragraph("短段落不带句号")  # 6: title-shaped, but titles are styled here → body
    doc.add_paragraph("正文第二段。")  # 7
    doc.add_paragraph("图1 系统架构", style="Caption")  # 8
    table = doc.add_table(rows=2, cols=2)  # 9
    table.cell(0, 0).text, table.cell(0, 1).text = "放款金额", "463 亿元"
    table.cell(1, 0).text, table.cell(1, 1).text = "服务主体", "6 万户"
    doc.add_heading("优秀奖 – 技术创新奖", 2)  # 10
    doc.add_heading("智能风控", 3)  # 11
    doc.add_paragraph("正文。")  # 12
    wide = doc.add_table(rows=1, cols=3)  # 13: not a key-figures table
    wide.cell(0, 0).text = "a"
    buf = io.BytesIO()
    doc.save(buf)
    report = parse_docx(buf.getvalue())
    first, second = report.cases
    assert (first.line, first.track, first.tier, first.title) == (4, "金融服务赛道", "一等奖", "数据增信平台")
    assert first.organisations == ["甲公司", "乙银行"]
    assert first.paragraphs == ["短段落不带句号", "正文第二段。"]
    assert first.captions == ["图1 系统架构"]
    assert first.figures == [("放款金额", "463 亿元"), ("服务主体", "6 万户")]
    assert (second.tier, second.special, second.title, second.paragraphs) == (
        "优秀奖", "技术创新奖", "智能风控", ["正文。"])
    assert [p.line for p in report.problems] == [1, 13]
    assert "表格" in report.problems[1].message


def test_docx_with_styled_cover_but_plain_titles_uses_the_line_rules():
    doc = Document()
    doc.add_paragraph("2024年案例集", style="Title")  # 1: styled, but before any tier heading
    doc.add_heading("一等奖", 1)  # 2
    doc.add_paragraph("数据增信平台")  # 3: a plain title
    doc.add_paragraph("正文。")  # 4
    buf = io.BytesIO()
    doc.save(buf)
    report = parse_docx(buf.getvalue())
    assert [(c.line, c.tier, c.title, c.paragraphs) for c in report.cases] == [
        (3, "一等奖", "数据增信平台", ["正文。"])]
    assert [(p.line, p.text) for p in report.problems] == [(1, "2024年案例集")]
