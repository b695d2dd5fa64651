import io
from decimal import Decimal

from openpyxl import load_workbook

from jinxuan.reports import excel
from jinxuan.reports import tables as T

from .fabricated import DIRECT, VOTES, build


def _workbook():
    return load_workbook(io.BytesIO(excel.stages_workbook("测试活动", build())))


def test_one_sheet_per_stage_after_the_summary():
    wb = _workbook()
    assert wb.sheetnames == ["各阶段汇总", "形式审核", "专业评审（闭门）", "网络投票", "综合得分", "路演答辩", "实地考察"]
    summary = list(wb["各阶段汇总"].iter_rows(values_only=True))
    assert summary[0] == tuple(excel.SUMMARY_HEADERS)
    assert summary[1][:7] == ("形式审核", "形式审核", "进行中", 8, 6, 1, 1)
    assert summary[-1][:6] == ("实地考察", "实地考察", "未开始", None, None, None)
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)
    assert all(c.font.bold for ws in wb.worksheets for c in ws[1])


def test_stage_sheets_have_chinese_headers_and_typed_numbers():
    wb = _workbook()
    ws = wb["专业评审（闭门）"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(excel.BASE_HEADERS + ["评审数", "平均分", "截尾平均分", "中位数", "校准分"])
    first = rows[1]
    assert first[:8] == (1, "GD2025-0001", "案例1", "赛道一", "单位1", 91.5, "晋级", "平均分 91.5，第 1 名")
    assert isinstance(first[0], int) and isinstance(first[5], float) and isinstance(first[8], int)
    assert rows[-1][0] is None and rows[-1][5] is None and rows[-1][6] == "未晋级"  # the unscored application

    ws = wb["综合得分"]
    head = [c.value for c in ws[1]]
    vote_col = head.index("网络投票·原始值")
    direct = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == f"GD2025-{DIRECT:04d}")
    assert direct[vote_col] == VOTES[DIRECT] and isinstance(direct[vote_col], int)
    assert direct[head.index("晋级方式")] == "直接晋级（不占名额）"
    assert direct[head.index("直接晋级资格")] == "是"
    assert isinstance(direct[head.index("综合得分")], float)

    assert [c.value for c in wb["实地考察"][2]][:3] == [None, None, "本阶段未开始"]


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    assert excel.sheet_title("路演/答辩:[一]", taken) == "路演-答辩--一-"
    long = "很长的阶段名称" * 6
    first, second = excel.sheet_title(long, taken), excel.sheet_title(long, taken)
    assert len(first) == 31 and len(second) <= 31 and first != second and second.endswith("(2)")
    assert excel.sheet_title("各阶段汇总", set()) == "各阶段汇总(2)"
    assert excel.cell(Decimal("88.25")) == 88.25 and excel.cell(False) == "否" and excel.cell(None) is None


def test_an_empty_campaign_still_exports():
    tables = T.build_tables([T.Stage("formal_review", "formal_review", "形式审核")], {}, {})
    wb = load_workbook(io.BytesIO(excel.stages_workbook("空活动", tables)))
    assert wb.sheetnames == ["各阶段汇总", "形式审核"]


def test_text_is_never_a_formula_nor_a_broken_cell():
    stage = T.Stage("expert_review", "expert_review", "专业评审")
    run = T.Run({"entries": [{"application_id": 1, "rank": 1, "score": "80", "advanced": True,
                              "reason": "=HYPERLINK(\"http://x\")", "detail": {"note": "a\x0bb"}}]})
    apps = {1: T.AppInfo(1, "GD2025-0001", "=1+1", "赛道", "单位")}
    ws = load_workbook(io.BytesIO(excel.stages_workbook("x", T.build_tables([stage], {"expert_review": run}, apps))))[
        "专业评审"]
    assert ws["C2"].value == "=1+1" and ws["C2"].data_type == "s" and ws["H2"].data_type == "s"
    assert ws["I2"].value == "ab" and ws["F2"].value == 80
