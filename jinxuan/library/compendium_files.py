"""The compendium as Word or PDF. Up to PREPARE_ABOVE cases it is built while the reader waits; above, in the
background (jinxuan.prepared) with a page showing its progress (a PDF lays out some 0.1-0.2 s per case)."""

from __future__ import annotations

from jinxuan.compendium.export import compendium_docx, compendium_pdf
from jinxuan.prepared.services import Kind, register_kind

from .models import Case

PREPARE_ABOVE = 100
KINDS = {"docx": "compendium-docx", "pdf": "compendium-pdf"}
TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
LABELS = {"docx": "获奖案例汇编（Word）", "pdf": "获奖案例汇编（PDF）"}


def case_count(campaign) -> int:
    return Case.objects.filter(campaign=campaign).count()


def document(campaign, fmt: str, progress=None) -> tuple[bytes, str]:
    """The compendium in `fmt` ("docx" or "pdf") and its file name."""
    from .compendium_views import (
        build_compendium,  # the shared plain function (also used by the command line)
    )

    compendium = build_compendium(campaign)
    n = len(compendium.cases)
    if progress is not None:
        progress(0, n)
    data = compendium_docx(compendium) if fmt == "docx" else compendium_pdf(compendium)
    if progress is not None:
        progress(n, n)
    return data, f"{compendium.file_stem}.{fmt}"


def register() -> None:
    for fmt, key in KINDS.items():
        register_kind(Kind(key, LABELS[fmt], "library.export",
                           lambda campaign, params, user, progress, fmt=fmt: document(campaign, fmt, progress),
                           unit="个案例"))
