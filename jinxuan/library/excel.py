"""Excel export of a library search result (public fields only)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HEADERS = ["案例名称", "征集活动", "年度", "赛道", "奖项等级", "特别奖项", "单位", "应用领域", "技术", "地区",
           "机构类型", "量化成果", "对应政策条款", "正文"]
WIDTHS = [40, 30, 8, 18, 12, 12, 36, 24, 20, 10, 14, 40, 40, 80]
MAX_CELL = 32000  # Excel's cell limit is 32,767 characters


def row_of(case) -> list:
    return [
        case.title, case.campaign_name, case.year, case.track, case.tier, case.special,
        "；".join(case.organisations), "、".join(case.domains), "、".join(case.technologies), "、".join(case.regions),
        "、".join(case.institution_types), "；".join(f.get("span", "") for f in case.figures),
        "；".join(f"{p.get('policy_title', '')}{p.get('number', '')}{p.get('title', '')}" for p in case.policies),
        "\n".join(case.paragraphs)[:MAX_CELL],
    ]


def export(cases, query: str = "", filters: dict | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "案例"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for case in cases:
        ws.append(row_of(case))
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2, min_col=len(HEADERS), max_col=len(HEADERS)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=False)
    info = wb.create_sheet("检索条件")
    info.append(["检索词", query])
    for k, v in (filters or {}).items():
        info.append([k, v])
    info.append(["案例数", len(cases)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
