"""CJK fonts for the generated PDFs.

The Noto Serif SC / Noto Sans SC OpenType files ship inside the pylopdf-fonts-zh-cn
package, so no system font is needed; fpdf2 embeds a subset of the glyphs used,
so the PDF renders on a machine without any CJK font installed.
"""

from pathlib import Path

import pylopdf_fonts_zh_cn

SERIF = Path(pylopdf_fonts_zh_cn.serif_path())  # body text (stands in for 仿宋 / 宋体)
SANS = Path(pylopdf_fonts_zh_cn.sans_path())  # headings and labels (stands in for 黑体)

# Family names registered with fpdf2.
SERIF_FAMILY = "notoserifsc"
SANS_FAMILY = "notosanssc"


def register(pdf) -> None:
    """Add both families to an `fpdf.FPDF` instance."""
    for family, path in ((SERIF_FAMILY, SERIF), (SANS_FAMILY, SANS)):
        if not path.is_file():
            raise FileNotFoundError(f"CJK font missing: {path} (reinstall pylopdf-fonts-zh-cn)")
        pdf.add_font(family, fname=str(path))
