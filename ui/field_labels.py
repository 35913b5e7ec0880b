"""Field titles the form takes from the report model (pv.form.FieldMeta), in the page's
language: one table, model path (without list indices) -> Arabic title, in
ui/data/field_titles_ar.json; English is the model's own title."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from pv.form import FieldMeta
from ui.strings import current_language

TABLE = Path(__file__).parent / "data" / "field_titles_ar.json"
_INDEX = re.compile(r"\[\d+\]")


def model_path(path: str) -> str:
    """'reactions[0].seriousness.death' -> 'reactions.seriousness.death'."""
    return _INDEX.sub("", path)


@cache
def arabic_titles() -> dict[str, str]:
    table: dict[str, str] = json.loads(TABLE.read_text(encoding="utf-8"))
    return table


def title(meta: FieldMeta, language: str | None = None) -> str | None:
    """The field's title in `language` (default: the session's); None: the model's English."""
    if (language or current_language()) != "ar":
        return None
    return arabic_titles().get(model_path(meta.path))
