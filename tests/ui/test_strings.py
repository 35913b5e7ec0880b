"""ui.strings: the English and Arabic catalogues say the same things with the same
placeholders, and the Arabic one is Arabic."""

from __future__ import annotations

import string

import pytest

from pv.language import is_arabic
from ui.strings import ENGLISH, LANGUAGES, t
from ui.strings_ar import ARABIC

# Said the same in both languages: a file name pattern, a MedDRA line, a number with its name.
SAME_IN_BOTH = {"attachments.file", "reaction.code.found", "progress.line"}


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


def test_every_field_title_is_a_model_field_and_arabic() -> None:
    from pv.form import field_meta
    from ui.field_labels import arabic_titles

    for path, title in arabic_titles().items():
        field_meta(path)  # KeyError for a path the report model lacks
        assert any(is_arabic(c) for c in title), path


def test_every_choice_names_a_real_value_in_arabic() -> None:
    from e2b import codelists
    from pv.catalogue import load_catalogue
    from pv.lemtrada import PREGNANCY_OUTCOMES, PREMEDICATIONS
    from ui.choices import arabic_choices
    from ui.report_page import CAUSALITY

    catalogue = load_catalogue()
    known = {
        "group": {g for g, _ in catalogue.groups()},
        "category": {c.id for c in catalogue.categories()},
        "causality": set(CAUSALITY),
        "pregnancy": set(PREGNANCY_OUTCOMES),
        "premedication": {p.key for p in PREMEDICATIONS},
    }
    facts = {c.id for c in catalogue.categories()}
    valid = {**known, "frequency": facts, "monitoring": facts, "management": facts}
    for key, name in arabic_choices().items():
        kind, _, value = key.partition(".")
        values = valid.get(kind) or {m.value for m in getattr(codelists, kind)}
        assert value in values, key
        assert any(is_arabic(c) for c in name), key
    # Every option the form offers from these lists has its Arabic name.
    for kind, values in known.items():
        assert {f"{kind}.{v}" for v in values} <= set(arabic_choices()), kind
    # And every note of the guide (frequency, monitoring, management) its Arabic wording.
    notes = {
        f"{kind}.{c.id}"
        for c in catalogue.categories()
        for kind in ("frequency", "monitoring", "management")
        if getattr(c, kind)
    }
    assert sorted(notes - set(arabic_choices())) == []


def test_message_templates_keep_their_placeholders() -> None:
    from ui.messages import BODIES, FILES

    for english, arabic in {**BODIES, **FILES}.items():
        assert set(placeholders(arabic)) <= set(placeholders(english)), english
        assert "field" not in placeholders(english) or "field" in placeholders(arabic), english
        assert any(is_arabic(c) for c in arabic), english
