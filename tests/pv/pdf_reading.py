"""Reading a PDF back as a person would see it, with poppler's tools (Debian poppler-utils):
its text in logical order, word positions, page count, links, and a rendered page's ink."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from PIL import Image  # installed with fpdf2, which needs it

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "receipt"  # git-ignored
DPI = 60
MM_PER_INCH = 25.4


def require_poppler() -> None:
    """Skip when poppler-utils is missing, or fail where the suite must be whole (CI, which
    .ci/run marks with PV_REQUIRE_BROWSER=1 and where it installs poppler-utils)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"poppler-utils missing ({', '.join(missing)}): apt-get install poppler-utils"
        if os.environ.get("PV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PV_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


def _run(tool: str, *args: str, data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    require_poppler()
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        [tool, *args, str(pdf), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=60,
    )


def visible(text: str) -> str:
    """Extracted text without the invisible bidi marks poppler adds around right-to-left runs
    (U+202B ... U+202C) or that the PDF holds (LRM): what a reader sees, in logical order."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def pdf_text(data: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """The text as pdftotext reads it (reading order, logical order within a line; `layout`:
    as laid out, a label and its value on one line); poppler's complaints (e.g. "No font in
    show") fail the test."""
    options = ["-layout"] if layout else []
    done = _run("pdftotext", *options, "-enc", "UTF-8", data=data, tmp_path=tmp_path)
    assert done.stderr == "", done.stderr
    return visible(done.stdout)


def one_line_text(data: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """The text with all white space as single spaces, for phrases that may wrap."""
    return " ".join(pdf_text(data, tmp_path, layout=layout).split())


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float  # millimetres from the page's left edge
    x_max: float
    y_min: float  # millimetres from the page's top edge


def words(data: bytes, tmp_path: Path) -> list[Word]:
    """Every word with its box (pdftotext -bbox), in the order poppler reads them; an Arabic
    word, which -bbox gives in visual order, in logical order."""
    html = _run("pdftotext", "-bbox", "-enc", "UTF-8", data=data, tmp_path=tmp_path).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    mm = MM_PER_INCH / 72
    return [
        Word(_logical(visible(unescape(text))), float(x0) * mm, float(x1) * mm, float(y0) * mm)
        for x0, y0, x1, text in re.findall(pattern, html)
    ]


def _logical(word: str) -> str:
    rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in word)
    return word[::-1] if rtl else word


def page_count(data: bytes, tmp_path: Path) -> int:
    info = _run("pdfinfo", data=data, tmp_path=tmp_path).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match is not None, info
    return int(match.group(1))


def urls(data: bytes, tmp_path: Path) -> list[str]:
    """The addresses of the link annotations (pdfinfo -url)."""
    listing = _run("pdfinfo", "-url", data=data, tmp_path=tmp_path).stdout
    return [line.split()[-1] for line in listing.splitlines()[1:] if line.strip()]


def fonts(data: bytes, tmp_path: Path) -> str:
    return _run("pdffonts", data=data, tmp_path=tmp_path).stdout


@dataclass(frozen=True)
class Ink:
    """Where a rendered page has anything darker than white, in millimetres."""

    pages: int
    left: float
    top: float
    right: float
    bottom: float
    dark_share: float  # share of the page's pixels that are ink


def render(data: bytes, tmp_path: Path, keep_as: str | None = None) -> Ink:
    """Render every page with pdftoppm -png; the first page's ink. `keep_as` copies the PNG to
    test-artifacts/receipt/ for a person to look at."""
    require_poppler()
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(data)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), str(pdf), str(tmp_path / "page")],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert done.stderr == b"", done.stderr
    pngs = sorted(tmp_path.glob("page-*.png"))
    if keep_as is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pngs[0], ARTIFACTS / f"{keep_as}.png")
    with Image.open(pngs[0]) as image:
        gray = image.convert("L")
        ink = gray.point(lambda value: 255 if value < 200 else 0)
        box = ink.getbbox()
        dark = ink.histogram()[255] / (gray.width * gray.height)
    assert box is not None, "the page is blank"
    px = MM_PER_INCH / DPI
    left, top, right, bottom = box
    return Ink(len(pngs), left * px, top * px, right * px, bottom * px, dark)
