"""A campaign's compendium, and the compendium as Word or PDF (the pages and `jinxuan library export`). Up to
PREPARE_ABOVE cases a page builds the file while the reader waits; above, in the background (jinxuan.prepared)
with a page showing its progress (a PDF lays out some 0.1-0.2 s per case)."""

from __future__ import annotations

import re

from jinxuan.compendium.export import Compendium, CompendiumCase, compendium_docx, compendium_pdf, key_figures
from jinxuan.prepared.services import Kind, register_kind

from . import services
from .models import Case

PREPARE_ABOVE = 100
KINDS = {"docx": "compendium-docx", "pdf": "compendium-pdf"}
TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
LABELS = {"docx": "获奖案例汇编（Word）", "pdf": "获奖案例汇编（PDF）"}


def case_count(campaign) -> int:
    return Case.objects.filter(campaign=campaign).count()


def compendium_title(campaign) -> str:
    base = re.sub(r"(征集活动|征集|评选活动|评选|活动)$", "", campaign.name).strip() or campaign.name
    return base + ("集" if base.endswith("案例") else "案例集")


def build_compendium(campaign, contents: bool = True) -> Compendium:
    """The campaign's compendium; `contents=False`: titles, units, tracks and tiers only, read as values (the
    overview page, which lists the cases: reading every case's text and figures for it took half a minute at
    10,000 cases)."""
    if contents:
        cases = [
            CompendiumCase(title=c.title, organisations=list(c.organisations or []), track=c.track, tier=c.tier,
                           special=c.special, paragraphs=list(c.paragraphs or []), captions=list(c.captions or []),
                           figures=key_figures(list(c.paragraphs or []), c.figures or []))
            for c in services.campaign_cases(campaign)
        ]
    else:
        cases = [CompendiumCase(title=title, organisations=list(units or []), track=track, tier=tier, special=special,
                                paragraphs=[], captions=[], figures=[])
                 for title, units, track, tier, special in services.campaign_case_values(campaign)]
    return Compendium(title=compendium_title(campaign), subtitle="获奖案例汇编", year=campaign.year,
                      organiser=campaign.organiser_name, cases=cases)


def document(campaign, fmt: str, progress=None) -> tuple[bytes, str]:
    """The compendium in `fmt` ("docx" or "pdf") and its file name."""
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
