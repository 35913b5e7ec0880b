"""The language a reporter typed a free text in, by its script, for the E2B language tags
(E.i.1.1b, H.5.r.1b): ISO 639-2 alpha-3 "ara" when most letters are Arabic, else "eng"."""

from __future__ import annotations

import unicodedata

ARABIC = "ara"
ENGLISH = "eng"


def _is_arabic_letter(char: str) -> bool:
    return unicodedata.name(char, "").startswith("ARABIC")


def text_language(text: str | None) -> str:
    """'ara' when more than half of the letters in `text` are Arabic; 'eng' otherwise (also for
    empty text, digits and codes alone: "PLT 12 x10^3/µL" stays English)."""
    letters = [c for c in text or "" if c.isalpha()]
    if not letters:
        return ENGLISH
    arabic = sum(1 for c in letters if _is_arabic_letter(c))
    return ARABIC if arabic * 2 > len(letters) else ENGLISH


def is_arabic(text: str | None) -> bool:
    return text_language(text) == ARABIC
