"""Django-free. CJK fonts for the generated PDFs.

The Noto Serif SC / Noto Sans SC OpenType files ship inside the pylopdf-fonts-zh-cn
package, so no system font is needed; fpdf2 embeds a subset of the glyphs used,
so the PDF renders on a machine without any CJK font installed.

Both fonts are CID-keyed CFF fonts of some 65,000 glyphs. Left to itself, fpdf2 parses
each font again for every document and spends seconds subsetting it (running every used
glyph's charstring three times: for seac accents, for the subroutines in use and for
bounding boxes, then compiling the font twice). Here:

- each font is parsed once per process; a document gets a copy of the parsed font's
  metrics and a fresh lazily-read font object to subset, holding only the tables that
  are embedded;
- glyphs are embedded desubroutinized (outlines and hints unchanged), and each glyph's
  desubroutinized charstring is computed once per process and reused by every document;
- what cannot apply to a CID-keyed font (seac accents) or is discarded anyway (the whole
  font file fpdf2 writes before embedding only its CFF table; bounding boxes recomputed
  for tables that are not embedded) is skipped, on that document's font objects only.
"""

from __future__ import annotations

import copy
import functools
import io
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools import ttLib
from fontTools.cffLib.transforms import desubroutinizeCharString
from fontTools.misc.arrayTools import intRect, unionRect
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

SERIF = Path(pylopdf_fonts_zh_cn.serif_path())  # body text (stands in for 仿宋 / 宋体)
SANS = Path(pylopdf_fonts_zh_cn.sans_path())  # headings and labels (stands in for 黑体)

# Family names registered with fpdf2.
SERIF_FAMILY = "notoserifsc"
SANS_FAMILY = "notosanssc"

# (font path, glyph name) -> (desubroutinized Type 2 charstring, its bounds); shared by all documents of the process.
_GLYPHS: dict[tuple[str, str], tuple[bytes, tuple | None]] = {}


# What a document's copy of a CID-keyed CFF font keeps: fpdf2 embeds only the CFF table of such a font (its
# metrics come from the parsed original), so the character map, metrics and layout tables need not be read
# and subset for every document.
EMBEDDED_TABLES = ("head", "maxp", "post", "CFF ")


@functools.cache
def _font_bytes(path: Path) -> bytes:
    """The font file as a document subsets it: for a CID-keyed CFF font, only the tables that are embedded
    (copied byte for byte, nothing recompiled)."""
    if not path.is_file():
        raise FileNotFoundError(f"CJK font missing: {path} (reinstall pylopdf-fonts-zh-cn)")
    data = path.read_bytes()
    probe = ttLib.TTFont(io.BytesIO(data), lazy=True)
    if "CFF " not in probe or getattr(probe["CFF "].cff.topDictIndex[0], "ROS", None) is None:
        return data
    font = ttLib.TTFont(io.BytesIO(data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)  # tables not read
    for tag in list(font.reader.keys()):
        if tag not in EMBEDDED_TABLES:
            del font[tag]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.cache
def _parsed(path: Path, family: str) -> TTFFont:
    """The font as fpdf2 reads it (cmap, widths, descriptor), parsed once per process."""
    holder = FPDF()
    holder.add_font(family, fname=str(path))
    font = holder.fonts[family]
    font.ttfont = None  # documents read their own copy; this one is only a source of metrics
    return font


def _fresh_ttfont(path: Path) -> ttLib.TTFont:
    tt = ttLib.TTFont(io.BytesIO(_font_bytes(path)), recalcTimestamp=False, lazy=True)
    # The embedded CFF's FontBBox is set from the cached glyph bounds (_desubroutinize_cached), exactly as
    # fontTools would recompute it; the other tables are not embedded.
    tt.recalcBBoxes = False
    return tt


def _desubroutinize_cached(table, key: str) -> None:
    """Replaces the CFF table's subroutine pruning after subsetting: every retained glyph becomes a
    self-contained charstring (taken from the process cache when known), then all subroutines are dropped.
    The FontBBox is the union of the retained glyphs' bounds, as `TopDict.recalcFontBBox` computes it
    (PDF renderers size their glyph caches from it, so it must be the subset's)."""
    cff = table.cff
    for name in cff.fontNames:
        top = cff[name]
        charstrings = top.CharStrings
        box = None
        for glyph in top.charset:
            cs, _ = charstrings.getItemAndSelector(glyph)
            known = _GLYPHS.get((key, glyph))
            if known is None:
                bounds = cs.calcBounds(charstrings)
                desubroutinizeCharString(cs)
                cs.compile()
                known = _GLYPHS[(key, glyph)] = (cs.bytecode, bounds)
            else:
                cs.bytecode, cs.program = known[0], None
            if known[1] is not None:
                box = known[1] if box is None else unionRect(box, known[1])
        top.FontBBox = top.defaults["FontBBox"][:] if box is None else list(intRect(box))
        for fd in getattr(top, "FDArray", None) or [top]:
            private = fd.Private
            if hasattr(private, "Subrs"):
                del private.Subrs
            private.rawDict.pop("Subrs", None)
    cff.GlobalSubrs.clear()


def _per_document(source: TTFFont, pdf: FPDF, path: Path) -> TTFFont:
    font = copy.copy(source)
    font.i = len(pdf.fonts) + 1
    font.desc = copy.copy(source.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.ttfont = tt = _fresh_ttfont(path)
    font.subset = SubsetMap(font)
    if font.is_cff and font.is_cid_keyed and "CFF " in tt:
        key = str(path)
        table = tt["CFF "]
        table.closure_glyphs = lambda subsetter: None  # seac accents do not exist in CID-keyed fonts
        table.remove_unused_subroutines = lambda: _desubroutinize_cached(table, key)
        # fpdf2 embeds only the CFF table of a CID-keyed CFF font; the whole-font file it writes first is dropped.
        tt.save = lambda file, reorderTables=True: None
    return font


def register(pdf: FPDF) -> None:
    """Add both families to an `fpdf.FPDF` instance."""
    for family, path in ((SERIF_FAMILY, SERIF), (SANS_FAMILY, SANS)):
        font = _per_document(_parsed(path, family), pdf, path)
        pdf.fonts[family] = font
        if font.is_cff and font.is_cid_keyed:
            pdf._set_min_pdf_version("1.6")  # as FPDF.add_font does for such fonts
