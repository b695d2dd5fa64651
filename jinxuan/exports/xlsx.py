"""The one XLSX writer of the platform (openpyxl): every export builds its workbook here.

Every value a user could have typed is written as text, never as a formula: openpyxl turns a string that starts
with "=" into a formula, so each string cell is given the string type, and one that starts with a character a
spreadsheet reads as the start of a formula (= + - @, tab, carriage return) also gets the "quote prefix" style,
so editing the cell in Excel or WPS keeps it text too. Control characters that XML cannot hold are dropped and a
cell is cut at Excel's limit. Numbers stay numbers (Decimal → float), booleans read 是/否, aware datetimes are
written in the local time zone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32767  # Excel's limit for the characters of one cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def value_of(value: Any) -> Any:
    """What a cell holds for `value`: text without control characters, numbers as numbers, 是/否 for booleans."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL]


def _as_text(cell) -> None:
    """A string cell is a string, whatever it starts with."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def append(ws, values: Iterable[Any]) -> None:
    """One row of `values` (see `value_of`), every string as text; on a normal or a write-only sheet."""
    if isinstance(ws, WriteOnlyWorksheet):  # a cell object only where a plain value would not stay text
        cells = []
        for v in map(value_of, values):
            if isinstance(v, str) and v.startswith(FORMULA_STARTS):
                v = WriteOnlyCell(ws, value=v)
                _as_text(v)
            cells.append(v)
        ws.append(cells)
        return
    cells = [Cell(ws, value=v) for v in map(value_of, values)]  # typed here: reading the row back
    for c in cells:                                               # (ws[ws.max_row]) scans the whole sheet
        _as_text(c)
    ws.append(cells)


def _set_widths(ws, columns: int, widths: Sequence[int] | int | None) -> None:
    """One width for every column, or one per column (None or 0: the default width)."""
    if widths is None:
        return
    for i in range(1, columns + 1):
        w = widths if isinstance(widths, int) else (widths[i - 1] if i <= len(widths) else None)
        if w:
            ws.column_dimensions[get_column_letter(i)].width = w


def header(ws, headers: Sequence[str], widths: Sequence[int] | int | None = None, freeze: bool = True) -> None:
    """The bold first row (call on an empty normal sheet); column widths; the first row frozen."""
    append(ws, headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    _set_widths(ws, len(headers), widths)
    if freeze:
        ws.freeze_panes = "A2"


def new_workbook(title: str | None = None) -> tuple[Workbook, Any]:
    """A workbook and its first sheet (named `title`, at most 31 characters)."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.title = title[:31]
    return wb, ws


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def streamed_sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int] | int | None = None,
                   freeze: bool = True) -> Any:
    """A new sheet of a write-only workbook (`Workbook(write_only=True)`: rows are written as they come, not held
    as cell objects) with its widths, the first row frozen and the bold header row written; fill it with `append`."""
    ws = wb.create_sheet((title or "Sheet")[:31])
    if freeze:
        ws.freeze_panes = "A2"
    _set_widths(ws, len(headers), widths)
    cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=value_of(h))
        cell.font = Font(bold=True)
        _as_text(cell)
        cells.append(cell)
    ws.append(cells)
    return ws


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
             widths: Sequence[int] | int | None = None) -> bytes:
    """One sheet: a bold, frozen header row, then `rows`, written row by row (a list of 300,000 rows is not held
    in memory as cells)."""
    wb = Workbook(write_only=True)
    ws = streamed_sheet(wb, title, headers, widths)
    for row in rows:
        append(ws, row)
    return to_bytes(wb)
