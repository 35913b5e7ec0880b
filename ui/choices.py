"""The names of the form's choices (ICH code lists, the guide's groups and categories, the
WHO-UMC causality, pregnancy outcomes, premedications) in the page's language: one table,
'<list>.<value>' -> Arabic, in ui/data/choices_ar.json; English is the domain's own name."""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from pathlib import Path

from ui.strings import current_language

TABLE = Path(__file__).parent / "data" / "choices_ar.json"


@cache
def arabic_choices() -> dict[str, str]:
    table: dict[str, str] = json.loads(TABLE.read_text(encoding="utf-8"))
    return table


def name(kind: str, value: str, english: str) -> str:
    """The choice `kind.value` as the user reads it: Arabic when chosen and known."""
    if current_language() != "ar":
        return english
    return arabic_choices().get(f"{kind}.{value}", english)


def code(member: Enum) -> str:
    """A code list value (Sex.FEMALE, Outcome.FATAL) by its label, in the page's language."""
    return name(type(member).__name__, str(member.value), str(getattr(member, "label", member)))
