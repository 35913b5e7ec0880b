"""The PDF layer: shipped fonts, Arabic shaped and right to left, mixed lines in logical order,
fallback glyphs, cut text, links, and hostile text that must neither crash nor leave the page."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pv.pdf import ELLIPSIS, FONTS, PdfDocument, clean, direction_of, ltr, one_line
from tests.pv.pdf_reading import (
    fonts,
    one_line_text,
    page_count,
    pdf_text,
    render,
    urls,
    words,
)

ROOT = Path(__file__).resolve().parents[2]
ARABIC = "المريضة لديها نزيف"  # "the patient has bleeding"
# What a clinician's text holds beyond ASCII: units, comparisons, Greek, typographic marks.
TIMES, ALPHA, EN_DASH = "\N{MULTIPLICATION SIGN}", "\N{GREEK SMALL LETTER ALPHA}", "\N{EN DASH}"
SYMBOLS = f"µg 12 {TIMES}10⁹/L ≥ 5 ≤ 3 ± 0.5 °C → ≈ ≠ √ ∞ {ALPHA} β Δ “quoted” {EN_DASH} — … € ‰ ½"
ARABIC_DIGITS = "".join(chr(0x660 + n) for n in range(10))  # ARABIC-INDIC DIGIT ZERO to NINE
MARGIN = 15.0
A4_WIDTH, A4_HEIGHT = 210.0, 297.0


def _page(direction: str = "ltr") -> PdfDocument:
    doc = PdfDocument(direction="rtl" if direction == "rtl" else "ltr", margin=MARGIN)
    doc.add_page()
    return doc


# ---------------------------------------------------------------- fonts


def test_the_shipped_fonts_cover_latin_arabic_and_clinical_symbols() -> None:
    """The app draws with its own OFL fonts, never the system's; together they hold every
    character a clinician is likely to type."""
    files = sorted(p.name for p in FONTS.iterdir())
    assert "OFL.txt" in files
    assert "SIL Open Font License" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    fonts_ = [f for f in files if f.endswith(".ttf")]
    assert len(fonts_) == 5
    assert sum((FONTS / f).stat().st_size for f in fonts_) < 2_000_000
    covered: set[int] = set()
    for name in fonts_:
        covered |= set(TTFont(FONTS / name).getBestCmap())
    text = ARABIC + SYMBOLS + "ABCxyz0123456789،؛؟" + ARABIC_DIGITS + "ÄéñçØß" + "АБВ"
    assert [c for c in text if c != " " and ord(c) not in covered] == []


def test_the_fonts_are_package_data() -> None:
    """An installed wheel carries the fonts, not only a source checkout."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/fonts/*" in config["tool"]["setuptools"]["package-data"]["pv"]


def test_text_is_drawn_in_the_embedded_fonts(tmp_path: Path) -> None:
    doc = _page()
    doc.text_block(f"Platelets {SYMBOLS} {ARABIC}")
    listing = fonts(doc.to_bytes(), tmp_path)
    for family in ("NotoSans", "NotoSansArabic", "NotoSansMath"):
        line = next(row for row in listing.splitlines() if f"+{family} " in row + " ")
        assert line.split()[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, ToUnicode


# ---------------------------------------------------------------- Arabic and mixed text


def test_arabic_reads_back_in_logical_order(tmp_path: Path) -> None:
    doc = _page()
    doc.text_block(ARABIC)
    assert pdf_text(doc.to_bytes(), tmp_path).split() == ARABIC.split()


def test_arabic_runs_right_to_left_and_is_right_aligned(tmp_path: Path) -> None:
    """An Arabic paragraph starts at the right margin and its first word is its rightmost."""
    doc = _page()
    doc.text_block(ARABIC)
    found = {w.text: w for w in words(doc.to_bytes(), tmp_path)}
    first, second, third = (found[w] for w in ARABIC.split())
    assert first.x_min > second.x_min > third.x_min
    assert first.x_max == pytest.approx(A4_WIDTH - MARGIN, abs=2.5)


def test_arabic_is_shaped(tmp_path: Path) -> None:
    """HarfBuzz joins letters: lam + alef becomes one ligature glyph, which the font's ToUnicode
    map gives back as the two letters (without shaping there is no such glyph)."""
    doc = _page()
    doc.set_compression(False)
    doc.text_block("بلاغ")
    data = doc.to_bytes()
    assert b"<06440627>" in data  # one glyph standing for LAM ALEF (the map is uncompressed)


def test_a_mixed_line_keeps_each_language_in_order(tmp_path: Path) -> None:
    """A Latin-first line with Arabic inside, and an Arabic-first line with Latin inside: each
    run reads back in logical order, and the Arabic-first line runs right to left."""
    latin_first = f"Bleeding after course 2: {ARABIC} with platelets 12 {TIMES}10⁹/L"
    arabic_first = f"{ARABIC} after LEMTRADA course 2"
    doc = _page()
    doc.text_block(f"{latin_first}\n{arabic_first}")
    data = doc.to_bytes()
    text = one_line_text(data, tmp_path)
    assert "Bleeding after course 2:" in text
    assert ARABIC in text
    assert f"with platelets 12 {TIMES}10⁹/L" in text
    assert text.index("Bleeding") < text.index(ARABIC) < text.index("with platelets")
    assert "after LEMTRADA course 2" in text
    on_page = words(data, tmp_path)
    second_line = [w for w in on_page if w.y_min > on_page[0].y_min + 2]
    arabic = next(w for w in second_line if w.text == ARABIC.split()[0])
    latin = next(w for w in second_line if w.text == "LEMTRADA")
    assert arabic.x_min > latin.x_max  # the Arabic start is to the right of the Latin words


def test_ltr_keeps_a_value_in_order_inside_a_right_to_left_line(tmp_path: Path) -> None:
    doc = _page("rtl")
    doc.text_block(f"العمر: {ltr('34 years')}", direction="layout")
    found = {w.text: w for w in words(doc.to_bytes(), tmp_path)}
    assert found["34"].x_max < found["years"].x_min  # "34 years", not "years 34"
    assert found["العمر:"].x_min >= found["years"].x_max


def test_symbols_come_from_the_fallback_fonts(tmp_path: Path) -> None:
    doc = _page()
    doc.text_block(SYMBOLS)
    assert pdf_text(doc.to_bytes(), tmp_path).split() == SYMBOLS.split()


def test_a_character_no_font_has_shows_as_a_replacement_mark(tmp_path: Path) -> None:
    doc = _page()
    doc.text_block("Patient name 漢字 given")
    assert pdf_text(doc.to_bytes(), tmp_path).split() == [
        "Patient",
        "name",
        "\ufffd\ufffd",
        "given",
    ]


def test_text_after_a_line_that_starts_in_a_fallback_font_is_drawn(tmp_path: Path) -> None:
    """fpdf2 2.8.9 (py-pdf/fpdf2#1772) drops every line after one that starts in a fallback
    font: poppler says "No font in show" and the Latin text is gone."""
    doc = _page()
    doc.text_block(ARABIC)
    doc.text_block("Platelets 12")
    doc.text_block("≥ 5 first, then Latin")
    doc.text_block("Latin again")
    lines = pdf_text(doc.to_bytes(), tmp_path).splitlines()  # fails on any poppler complaint
    for line in (ARABIC, "Platelets 12", "≥ 5 first, then Latin", "Latin again"):
        assert line in lines


# ---------------------------------------------------------------- fitting text


def test_text_block_cuts_at_max_lines_with_an_ellipsis(tmp_path: Path) -> None:
    doc = _page()
    drawn = doc.text_block("word " * 5000, max_lines=4)
    assert drawn == 4
    lines = pdf_text(doc.to_bytes(), tmp_path).strip().splitlines()
    assert len(lines) == 4
    assert lines[-1].endswith(f"word{ELLIPSIS}")


def test_clip_to_width_keeps_one_line_and_ends_at_a_word() -> None:
    doc = _page()
    text = "Focal seizures with secondary generalisation and more words"
    assert doc.clip_to_width(text, 500, size=9) == text
    clipped = doc.clip_to_width(text, 40, size=9)
    assert clipped.endswith(ELLIPSIS)
    assert text.startswith(clipped[:-1] + " ")  # ends at a word
    assert doc.text_width(clipped, size=9) <= 40
    assert doc.clip_to_width(text, 0.5, size=9) == ""


def test_short_text_is_not_cut(tmp_path: Path) -> None:
    doc = _page()
    assert doc.text_block("Headache\nNausea", max_lines=4) == 2
    assert pdf_text(doc.to_bytes(), tmp_path).split() == ["Headache", "Nausea"]


def test_a_cut_before_more_paragraphs_is_marked(tmp_path: Path) -> None:
    doc = _page()
    assert doc.text_block("First\nSecond\nThird", max_lines=2) == 2
    assert pdf_text(doc.to_bytes(), tmp_path).split() == ["First", "Second", ELLIPSIS]


def test_an_arabic_text_is_cut_at_its_logical_end(tmp_path: Path) -> None:
    doc = _page()
    doc.text_block(f"{ARABIC} " * 2000, max_lines=3)
    text = pdf_text(doc.to_bytes(), tmp_path)
    assert len(text.strip().splitlines()) == 3
    assert text.split()[:3] == ARABIC.split()  # the beginning is kept
    assert ELLIPSIS in text


def test_text_never_goes_below_the_bottom_margin(tmp_path: Path) -> None:
    doc = _page()
    drawn = doc.text_block("line\n" * 500)
    data = doc.to_bytes()
    assert drawn > 40
    assert doc.lines_left(10) == 0  # the page is full, and no second one began
    assert page_count(data, tmp_path) == 1
    assert render(data, tmp_path).bottom <= A4_HEIGHT - MARGIN + 0.5


# ---------------------------------------------------------------- links


def test_a_web_address_is_clickable(tmp_path: Path) -> None:
    link = "https://pv.example.org/draft/Q2FzZQ?token=abc123"
    doc = _page()
    doc.field("Private link", link, link=link)
    data = doc.to_bytes()
    assert set(urls(data, tmp_path)) == {link}
    assert link in pdf_text(data, tmp_path)


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "file:///etc/passwd", "https://x.example/a b", ""]
)
def test_other_links_are_shown_but_not_clickable(link: str, tmp_path: Path) -> None:
    doc = _page()
    doc.field("Link", link or "none", link=link)
    assert urls(doc.to_bytes(), tmp_path) == []


# ---------------------------------------------------------------- hostile text


def test_clean_removes_what_could_reorder_or_hide_text() -> None:
    assert clean("a\u202eevil\u202c b") == "aevil b"  # RTL override
    assert clean("x\u2067y\u2069z\u202a\u202b\u202d") == "xyz"  # isolates and embeddings
    assert clean("ctl\x00\x07\x1b\x7f\x85end") == "ctl     end"
    assert clean("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc d e"
    assert clean("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert clean("\u200e34\u200f") == "\u200e34\u200f"  # the marks stay: they reorder nothing
    assert one_line(" a \n\t b ") == "a b"


def test_direction_of_follows_the_first_strong_character() -> None:
    assert direction_of(ARABIC) == "rtl"
    assert direction_of(f"12, {ARABIC} then Latin") == "rtl"
    assert direction_of(f"Latin then {ARABIC}") == "ltr"
    assert direction_of("2026-05-03") == "ltr"
    assert direction_of("2026-05-03", default="rtl") == "rtl"


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_hostile_text_neither_crashes_nor_leaves_the_page(direction: str, tmp_path: Path) -> None:
    hostile = [
        "a\u202eevil\u202c b",  # would show as "alive b"
        "ctl\x00\x01\x07\x08\x0b\x0c\x1b\x7f end",
        "W" * 3000,  # one word far wider than the page
        f"{ARABIC}{'ب' * 2000}",
        "\n" * 200 + "after blank lines",
        "\u0301\u0301 marks \ufeff\u200b\u2060 zero width",
        "\ud83d\ude00 emoji \U0001f600",
        "(((((" * 300,
    ]
    doc = _page(direction)
    for text in hostile:
        doc.text_block(text, max_lines=6)
        doc.field(text[:50], text, max_lines=2, link=text)
    data = doc.to_bytes()
    text = pdf_text(data, tmp_path)
    assert "aevil b" in text  # the override is gone, the letters stay in order
    assert "alive" not in text
    assert "\u202e" not in text
    assert "ctl" in text and "end" in text
    assert "after blank lines" in text
    assert page_count(data, tmp_path) == 1
    ink = render(data, tmp_path, keep_as=f"hostile-{direction}")
    assert ink.left >= MARGIN - 0.5
    assert ink.right <= A4_WIDTH - MARGIN + 0.5
    assert ink.bottom <= A4_HEIGHT - MARGIN + 0.5
    assert urls(data, tmp_path) == []
