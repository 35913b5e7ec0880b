"""ui.strings: the English and Arabic catalogues say the same things with the same
placeholders, and the Arabic one is Arabic."""

from __future__ import annotations

import string

import pytest

from pv.language import is_arabic
from ui.strings import ENGLISH, LANGUAGES, t
from ui.strings_ar import ARABIC

# Said the same in both languages: a file name pattern, a MedDRA line, a number with its name.
SAME_IN_BOTH = {"attachments.file", "reaction.code.found"}


def placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_english_key_has_an_arabic_entry_and_back() -> None:
    assert sorted(set(ENGLISH) - set(ARABIC)) == []
    assert sorted(set(ARABIC) - set(ENGLISH)) == []
    assert set(LANGUAGES) == {"en", "ar"}


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_placeholders_are_the_same_in_both_languages(key: str) -> None:
    assert placeholders(ARABIC[key]) == placeholders(ENGLISH[key]), key


@pytest.mark.parametrize("key", sorted(set(ENGLISH) - SAME_IN_BOTH))
def test_the_arabic_entry_is_arabic(key: str) -> None:
    text = ARABIC[key]
    assert text.strip() and text != ENGLISH[key], key
    # Codes, units and product names stay Latin, but words around them are Arabic.
    assert any(is_arabic(c) for c in text), (key, text)


def test_t_formats_in_the_asked_language_and_defaults_to_english_outside_a_run() -> None:
    assert t("reaction.title", n=2) == "Reaction 2"
    assert t("reaction.title", "ar", n=2) == "التفاعل 2"
    assert t("reaction.title", "xx", n=2) == "Reaction 2"  # unknown language: English
