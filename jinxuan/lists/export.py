"""The Excel of exactly the filtered, ordered list (every page), through the platform's one XLSX writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from jinxuan.exports import xlsx

from .spec import ListSpec, ListState
from .table import filtered

Column = tuple[str, Callable[[Any], Any]]


def export_xlsx(spec: ListSpec, state: ListState, qs: QuerySet, columns: Sequence[Column], title: str,
                widths: Sequence[int] | int | None = None, rows: Callable[[QuerySet], Iterable] | None = None) -> bytes:
    """One sheet: `columns` as (Chinese header, row → value) over the filtered list, unpaged and in its order.

    `rows`, when given, turns the filtered queryset into the rows (e.g. to prefetch or annotate in bulk)."""
    objects = filtered(spec, state, qs)
    objects = rows(objects) if rows is not None else objects.iterator(chunk_size=500)
    return xlsx.workbook(title, [h for h, _ in columns], ([fn(o) for _, fn in columns] for o in objects), widths)


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
