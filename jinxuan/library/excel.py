"""Excel export of a library search result (public fields only), through the one XLSX writer: the query and
the facet values come from the address anyone can send, so they are written as text like every other value."""

from __future__ import annotations

from openpyxl import Workbook

from jinxuan.exports import xlsx

from .search import FACET_LABELS

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
    """Written row by row (a write-only workbook: thousands of cases with their full text are not held as cells)."""
    wb = Workbook(write_only=True)
    ws = xlsx.streamed_sheet(wb, "案例", HEADERS, WIDTHS, freeze=False)
    for case in cases:
        xlsx.append(ws, row_of(case))
    info = wb.create_sheet("检索条件")
    xlsx.append(info, ["检索词", query])
    for k, v in (filters or {}).items():  # the facet's Chinese name, never its internal key
        xlsx.append(info, [FACET_LABELS.get(k, "筛选条件"), "、".join(map(str, v)) if isinstance(v, list | tuple) else v])
    xlsx.append(info, ["案例数", len(cases)])
    return xlsx.to_bytes(wb)
