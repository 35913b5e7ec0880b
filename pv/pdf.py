"""A4 PDF pages in the shipped Noto fonts, for reporters' receipts and the CIOMS I form.

Built on fpdf2 with HarfBuzz shaping: Arabic is joined and runs right to left, a line mixing
Arabic and Latin follows the Unicode bidi algorithm, and characters Noto Sans lacks come from
Noto Sans Arabic or a Noto Sans Math subset. Every text drawn is cleaned first, so a reporter's
text can neither reorder what follows it (U+202E) nor draw control characters, and text blocks
are cut with "…" at a line budget, so a page holds whatever it is given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont
from fpdf.line_break import TextLine

Direction = Literal["ltr", "rtl"]

FONTS = Path(__file__).resolve().parent / "data" / "fonts"  # fpdf2 reads fonts from files
LATIN = "NotoSans"
ARABIC = "NotoSansArabic"
MATH = "NotoSansMath"
_FONT_FILES = {
    (LATIN, ""): "NotoSans-Regular.ttf",
    (LATIN, "B"): "NotoSans-Bold.ttf",
    (ARABIC, ""): "NotoSansArabic-Regular.ttf",
    (ARABIC, "B"): "NotoSansArabic-Bold.ttf",
    (MATH, ""): "NotoSansMath-Regular-Subset.ttf",
}

ELLIPSIS = "\u2026"
LRM = "\u200e"  # LEFT-TO-RIGHT MARK: a strong, invisible left-to-right character
RLM = "\u200f"  # RIGHT-TO-LEFT MARK
REPLACEMENT = "\ufffd"
PT = 25.4 / 72  # millimetres in a point
LINE_SPACING = 1.4  # line height per font size; Arabic needs room above and below the Latin
# Fitting shapes at most the characters that glyphs this narrow (a share of the font size)
# would put in the lines allowed; text of narrower glyphs (combining marks, zero-width
# characters) is cut a little early, never late.
MIN_ADVANCE = 0.15

# Explicit embeddings, overrides and isolates (UAX #9 X1-X10). From a reporter they would
# reorder the rest of a line ("RTL override" spoofing); the marks LRM, RLM and ALM stay.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> str:
    """Text safe to draw: line feeds kept, other control characters and line or paragraph
    separators as spaces, explicit bidi controls removed, lone surrogates as U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append(char)
        elif char in _BIDI_CONTROLS:
            continue
        else:
            kind = unicodedata.category(char)
            if kind in ("Cc", "Zl", "Zp"):
                out.append(" ")
            elif kind == "Cs":
                out.append(REPLACEMENT)
            else:
                out.append(char)
    return "".join(out)


def one_line(text: str) -> str:
    """Cleaned text as one line, runs of white space as single spaces."""
    return " ".join(clean(text).split())


def ltr(text: str) -> str:
    """A Latin value (date, number with unit, identifier) kept in its reading order inside a
    right-to-left line: without the marks "العمر: 34 years" shows as "years 34 :العمر"."""
    return f"{LRM}{text}{LRM}"


def direction_of(text: str, default: Direction = "ltr") -> Direction:
    """A paragraph's direction from its first strong character (UAX #9 rules P2, P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return default


class PdfDocument(FPDF):
    """An A4 portrait document in millimetres with the shipped fonts, text shaping on and a
    layout direction (labels and headings right-aligned for "rtl")."""

    def __init__(
        self,
        *,
        direction: Direction = "ltr",
        language: str = "en",
        margin: float = 15.0,
        created_at: datetime | None = None,
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.direction: Direction = direction
        for (family, style), name in _FONT_FILES.items():
            self.add_font(family, style, FONTS / name)
        self._covered = frozenset(
            code for font in self.fonts.values() if isinstance(font, TTFFont) for code in font.cmap
        )
        # exact_match=False: the Math subset has no bold, and bold text may still need it.
        self.set_fallback_fonts([ARABIC, MATH], exact_match=False)
        self.set_text_shaping(True)
        self.set_margins(margin, margin, margin)
        # Overflow shows as a second page, which callers and tests can see, never as text
        # drawn beyond the paper's edge.
        self.set_auto_page_break(True, margin)
        self.set_lang(language)
        self.set_creator("lemtrada-pv")
        if created_at is not None:
            self.set_creation_date(created_at)
        self.set_font(LATIN, size=10)

    # ------------------------------------------------------------ fpdf2 hooks

    def normalize_text(self, text: str) -> str:
        """Every string fpdf2 draws or measures passes here: cleaned, and characters no shipped
        font has shown as U+FFFD (invisible formatting characters dropped) instead of nothing."""
        out: list[str] = []
        for char in clean(text):
            if char == "\n" or ord(char) in self._covered:
                out.append(char)
            elif unicodedata.category(char) not in ("Cf", "Mn", "Me"):
                out.append(REPLACEMENT)
        paragraphs = "".join(out).split("\n")
        text = "\n".join(
            _break_neutral_runs(p, direction_of(p, self.direction)) for p in paragraphs
        )
        return super().normalize_text(text)

    def _render_styled_text_line(self, text_line: TextLine, *args: Any, **kwargs: Any) -> bool:
        # fpdf2 2.8.9 (py-pdf/fpdf2#1772): a line whose first fragment is in a fallback font
        # sets the main font inside that line's q ... Q, so the next line is drawn with no font
        # at all ("No font in show") and vanishes. Setting it on the page first avoids that.
        if self.page and self.current_font is not None and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(text_line, *args, **kwargs)

    # ------------------------------------------------------------ measuring

    def line_height(self, size: float) -> float:
        """Height of one line of text of this size (points), in millimetres."""
        return size * PT * LINE_SPACING

    @property
    def space_left(self) -> float:
        """Millimetres between the current position and the bottom margin."""
        return self.page_break_trigger - self.y

    def lines_left(self, size: float) -> int:
        """How many lines of this size still fit above the bottom margin."""
        # A hair of tolerance: 10 lines that exactly fill the space must count as 10.
        return max(0, int((self.space_left + 1e-6) / self.line_height(size)))

    @contextmanager
    def style(self, *, size: float, bold: bool = False) -> Iterator[None]:
        """Text drawn inside is in this size and weight; the previous font comes back after."""
        family, style, previous = self.font_family, self.font_style, self.font_size_pt
        self.set_font(LATIN, "B" if bold else "", size)
        try:
            yield
        finally:
            self.set_font(family, style, previous)

    def text_width(self, text: str, *, size: float, bold: bool = False) -> float:
        """Millimetres the text takes on one line, shaped."""
        with self.style(size=size, bold=bold):
            return float(self.get_string_width(one_line(text)))

    def clip_to_width(self, text: str, width: float, *, size: float, bold: bool = False) -> str:
        """The text, or its start followed by "…", within `width` millimetres on one line; ""
        when not even "…" fits."""
        text = one_line(text)
        if self.text_width(text, size=size, bold=bold) <= width:
            return text
        low, high = 0, len(text)  # text[:low] + "…" fits; text[:high + 1] + "…" does not
        while low < high:
            middle = (low + high + 1) // 2
            if self.text_width(_cut(text, middle), size=size, bold=bold) <= width:
                low = middle
            else:
                high = middle - 1
        space = text[:low].rstrip().rfind(" ")
        if space > low * 2 // 3:  # end at a word unless that loses much
            low = space
        return _cut(text, low) if low else ""

    def _lines(
        self, text: str, width: float, size: float, direction: Direction | None = None
    ) -> list[str]:
        """The lines a paragraph wraps into (logical order), drawing nothing."""
        self._set_direction(direction or direction_of(text, self.direction))
        lines = self.multi_cell(
            width,
            self.line_height(size),
            text,
            dry_run=True,
            output=MethodReturnValue.LINES,
            wrapmode=WrapMode.WORD,
        )
        assert isinstance(lines, list)  # output=LINES alone returns the list
        return lines

    def _set_direction(self, direction: Direction) -> None:
        self.set_text_shaping(True, direction=direction)

    def _fit(
        self,
        paragraph: str,
        width: float,
        size: float,
        room: int,
        direction: Direction | None = None,
    ) -> tuple[str, int]:
        """The paragraph, or its start followed by "…", in at most `room` lines; and the lines
        it takes. Only about a page's worth is ever shaped, however long the paragraph."""
        most = int(width / (MIN_ADVANCE * size * PT)) * room + 1  # no more can fit in room
        chunk = min(most, max(64, 3 * room * int(width / (size * PT))))  # ~3 glyphs per em
        while True:
            part = paragraph[:chunk]
            lines = self._lines(part, width, size, direction)
            if len(lines) <= room and len(part) == len(paragraph):
                return paragraph, len(lines)
            if len(lines) > room or chunk >= most:
                break
            chunk = min(most, 2 * chunk)
        # The end of the first `room` lines within the part (lines are substrings of it).
        end = 0
        for line in lines[:room]:
            found = part.find(line, end)
            end = found + len(line) if found >= 0 else end
        kept = part[:end]
        while kept:
            space = kept.rstrip().rfind(" ")
            if space > len(kept) * 2 // 3:  # end at a word unless that loses much
                kept = kept[:space]
            text = _cut(kept, len(kept))
            taken = len(self._lines(text, width, size, direction))
            if taken <= room:
                return text, taken
            kept = kept[: len(kept) - max(1, len(kept) // 50)]
        return ELLIPSIS, 1

    # ------------------------------------------------------------ drawing

    def text_block(
        self,
        text: str,
        *,
        width: float = 0,
        size: float = 10,
        bold: bool = False,
        max_lines: int | None = None,
        align: Literal["start", "layout", "L", "R", "C"] = "start",
        direction: Literal["auto", "layout"] = "auto",
        link: str | None = None,
    ) -> int:
        """Text wrapped to `width` (0: to the right margin) from the current position down;
        each paragraph ("\\n") in its own direction ("auto": its first strong character) or the
        layout's (for lines built from the layout's own labels), aligned to its start
        ("start"), to the layout's start ("layout") or as given; cut with "…" after `max_lines`
        lines (at most the lines left on the page). Returns the lines drawn."""
        left = self.x
        width = width or self.w - self.r_margin - left
        with self.style(size=size, bold=bold):
            budget = self.lines_left(size)
            if max_lines is not None:
                budget = min(budget, max_lines)
            drawn = 0
            paragraphs = [p.strip() for p in self.normalize_text(text).split("\n")]
            paragraphs = [p for p in paragraphs if p]
            for index, paragraph in enumerate(paragraphs):
                room = budget - drawn
                if room <= 0:
                    break
                last = index == len(paragraphs) - 1
                forced = self.direction if direction == "layout" else None
                paragraph, needed = self._fit(paragraph, width, size, room, forced)
                if needed == room and not last and not paragraph.endswith(ELLIPSIS):
                    # The page ends here and more text follows: say so.
                    paragraph, needed = self._fit(
                        paragraph + " " + ELLIPSIS, width, size, room, forced
                    )
                base = forced or direction_of(paragraph, self.direction)
                self._set_direction(base)
                self.set_x(left)
                self.multi_cell(
                    width,
                    self.line_height(size),
                    paragraph,
                    align=_align(align, base, self.direction),
                    link=link if link is not None and _is_web_link(link) else None,
                    new_x=XPos.LEFT,
                    new_y=YPos.NEXT,
                    wrapmode=WrapMode.WORD,
                )
                drawn += needed
            self._set_direction(self.direction)
        self.set_x(left)
        return drawn

    def field(
        self,
        label: str,
        value: str,
        *,
        label_width: float = 42,
        size: float = 10,
        max_lines: int = 2,
        direction: Literal["auto", "layout"] = "auto",
        link: str | None = None,
    ) -> None:
        """A label and its value side by side, the label on the layout's start side; the value
        wraps within its column, at most `max_lines` lines, each paragraph in its own direction
        or (`direction="layout"`, for values worded in the layout's language) the layout's."""
        top, left, width = self.y, self.l_margin, self.epw
        gap = 2.0
        if self.direction == "rtl":
            label_x, value_x = left + width - label_width, left
        else:
            label_x, value_x = left, left + label_width + gap
        self.set_xy(label_x, top)
        self.text_block(
            label,
            width=label_width,
            size=size,
            bold=True,
            max_lines=max_lines,
            align="layout",
            direction="layout",
        )
        label_bottom = self.y
        self.set_xy(value_x, top)
        self.text_block(
            value,
            width=width - label_width - gap,
            size=size,
            max_lines=max_lines,
            align="layout",
            direction=direction,
            link=link,
        )
        self.set_xy(left, max(self.y, label_bottom))

    def heading(self, text: str, *, size: float = 12, keep_with: float = 10) -> bool:
        """A bold heading on one line at the layout's start side, a thin rule below it; False,
        drawing nothing, when there is no room for it and a line of text of size `keep_with`."""
        if self.space_left < self.line_height(size) + 1.5 + self.line_height(keep_with):
            return False
        self.set_x(self.l_margin)
        self.text_block(text, size=size, bold=True, max_lines=1, align="layout", direction="layout")
        y = self.y + 0.3
        self.set_draw_color(160)
        self.set_line_width(0.2)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + 1.2)
        return True

    def gap(self, height: float) -> None:
        """Vertical space, never past the bottom margin."""
        self.set_y(min(self.y + height, self.page_break_trigger))

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())


# fpdf2's bidi (2.8.9) resolves a neutral character by recursing over the neutral characters
# after it: a run of about a thousand ("((((...") exceeds Python's recursion limit.
NEUTRAL_RUN = 200
_STRONG_OR_NUMBER = frozenset({"L", "R", "AL", "EN", "AN"})


def _break_neutral_runs(paragraph: str, direction: Direction) -> str:
    """The paragraph with an invisible mark of its own direction after every NEUTRAL_RUN
    neutral characters in a row; neutrals that long resolve to that direction anyway."""
    mark = LRM if direction == "ltr" else RLM
    out: list[str] = []
    run = 0
    for char in paragraph:
        run = 0 if unicodedata.bidirectional(char) in _STRONG_OR_NUMBER else run + 1
        out.append(char)
        if run >= NEUTRAL_RUN:
            out.append(mark)
            run = 0
    return "".join(out)


def _is_web_link(link: str) -> bool:
    """Only http(s) addresses become clickable; anything else is shown as text only."""
    return link.startswith(("https://", "http://")) and link == one_line(link) and " " not in link


def _cut(text: str, length: int) -> str:
    return text[:length].rstrip() + ELLIPSIS


def _align(
    align: Literal["start", "layout", "L", "R", "C"], paragraph: Direction, layout: Direction
) -> Align:
    if align == "start":
        return Align.R if paragraph == "rtl" else Align.L
    if align == "layout":
        return Align.R if layout == "rtl" else Align.L
    return Align.coerce(align)


__all__ = [
    "ELLIPSIS",
    "LRM",
    "Direction",
    "PdfDocument",
    "clean",
    "direction_of",
    "ltr",
    "one_line",
]
