"""The stage tables as one workbook (openpyxl): a summary sheet, then one sheet per stage, numbers as numbers."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jinxuan.accounts.personal_data import mask_text

from .tables import OUTCOME_LABELS, StageTable

BASE_HEADERS = ["名次", "申报编号", "案例名称", "赛道", "主申报单位", "得分", "结果", "原因"]
SUMMARY_HEADERS = ["阶段", "类型", "状态", "进入", "晋级", "未晋级", "待定", "开始日期", "结束日期"]
SUMMARY_TITLE = "各阶段汇总"
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell(value: Any) -> Any:
    """An Excel cell value: Decimal → float, bool → 是/否, None stays empty, text without control characters."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", mask_text(value))  # no phones / e-mails / ID numbers in reasons
    return value


def _append(ws, values: list) -> None:
    """A row of cells; text that starts with "=" stays text, never a formula."""
    ws.append([cell(v) for v in values])
    for c in ws[ws.max_row]:
        if isinstance(c.value, str) and c.value.startswith("="):
            c.data_type = "s"


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
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_TITLE
    ws.append(SUMMARY_HEADERS)
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
            sheet.append([None, None, f"本阶段{t.status}"])
        for r in t.rows:
            _append(sheet, [r.rank, r.number, r.title, r.track, r.lead, r.score, OUTCOME_LABELS[r.outcome],
                            r.reason] + [r.values.get(c.key) for c in t.columns])
        _finish(sheet)
    wb.properties.title = f"{campaign_name} · 各阶段结果"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
