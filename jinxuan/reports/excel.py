"""The stage tables as one workbook (openpyxl): a summary sheet, then one sheet per stage, numbers as numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jinxuan.accounts.personal_data import mask_text
from jinxuan.exports import xlsx

from .tables import OUTCOME_LABELS, StageTable

BASE_HEADERS = ["名次", "申报编号", "案例名称", "赛道", "主申报单位", "得分", "结果", "原因"]
SUMMARY_HEADERS = ["阶段", "类型", "状态", "进入", "晋级", "未晋级", "待定", "开始日期", "结束日期"]
SUMMARY_TITLE = "各阶段汇总"
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell(value: Any) -> Any:
    """An Excel cell value (`xlsx.value_of`: Decimal → float, bool → 是/否, None stays empty), free text with phones /
    e-mails / ID numbers masked (reasons)."""
    return xlsx.value_of(mask_text(value) if isinstance(value, str) else value)


def _append(ws, values: list) -> None:
    xlsx.append(ws, [cell(v) for v in values])


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = FORBIDDEN.sub("-", name).strip("'") or "阶段"
    title, n = base[:31], 2
    while title.lower() in taken or title == SUMMARY_TITLE:
        suffix = f"({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _finish(ws) -> None:
    ws.freeze_panes = "A2"
    for c in ws[1]:
        c.font = Font(bold=True)
    for i in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(i)].width = 30 if i in (3, 5, 8) else 14


def stages_workbook(campaign_name: str, tables: Sequence[StageTable]) -> bytes:
    wb, ws = xlsx.new_workbook(SUMMARY_TITLE)
    _append(ws, SUMMARY_HEADERS)
    for t in tables:
        _append(ws, [t.stage.name, t.stage.kind_label, t.status, t.entered, t.advanced, t.eliminated,
                     t.pending if t.started else None, t.stage.starts, t.stage.ends])
    _finish(ws)
    ws.column_dimensions["A"].width = 24
    taken: set[str] = set()
    for t in tables:
        sheet = wb.create_sheet(sheet_title(t.stage.name, taken))
        _append(sheet, BASE_HEADERS + [c.label for c in t.columns])
        if not t.started:
            _append(sheet, [None, None, f"本阶段{t.status}"])
        for r in t.rows:
            _append(sheet, [r.rank, r.number, r.title, r.track, r.lead, r.score, OUTCOME_LABELS[r.outcome],
                            r.reason] + [r.values.get(c.key) for c in t.columns])
        _finish(sheet)
    wb.properties.title = f"{campaign_name} · 各阶段结果"
    return xlsx.to_bytes(wb)
