"""poppler-utils helpers for the compendium tests: text per page, fonts, page renders and ink counts."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")


def require_poppler():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"缺少 poppler-utils（{', '.join(missing)}）：apt-get install poppler-utils")


def squash(text: str) -> str:
    """Text without NULs and whitespace (line breaks of wrapped titles, full-width spaces)."""
    return re.sub(r"[\s\u3000]+", "", text.replace("\x00", ""))


def text(pdf: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else [])]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True).stdout
    return out.decode("utf-8").replace("\x00", "")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def fonts(pdf: Path) -> list[dict]:
    """pdffonts rows as dicts (name, type, emb, sub, uni)."""
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5], "sub": parts[-4],
                         "uni": parts[-3]})
    return rows


def render(pdf: Path, page: int, out_dir: Path, env=None, dpi: int = 40) -> Image.Image:
    stem = out_dir / f"{pdf.stem}-p{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                    str(pdf), str(stem)], check=True, env=env)
    return Image.open(f"{stem}.png").convert("L")


def ink(image: Image.Image) -> int:
    """Dark pixels of a grayscale render."""
    return sum(image.histogram()[:128])
