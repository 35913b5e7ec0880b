"""pv.language: a free text's language by its script."""

from __future__ import annotations

import pytest

from pv.language import is_arabic, text_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Immune thrombocytopenia after course 2", "eng"),
        ("نقص الصفيحات المناعي بعد الدورة الثانية", "ara"),
        ("الصفائح 12 x10^3/µL", "ara"),  # Arabic words with a Latin unit stay Arabic
        ("Platelets 12 x10^3/µL (الصفائح)", "eng"),  # mostly Latin letters
        ("ITP مع نزيف لثوي", "ara"),
        ("", "eng"),
        (None, "eng"),
        ("12345 / 2025-03-14", "eng"),  # no letters: nothing says Arabic
        ("فرط الدرقية", "ara"),
        ("ﻻ", "ara"),  # a presentation form is still Arabic
    ],
)
def test_the_language_is_the_script_of_most_letters(text: str | None, expected: str) -> None:
    assert text_language(text) == expected
    assert is_arabic(text) == (expected == "ara")
