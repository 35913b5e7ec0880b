"""What changed between two versions of a case, field by field: each added, removed or changed
value with the model's title for it, its E2B element and the old and new value in words.

One walk over the pydantic model, whatever the field: titles and elements come from the fields'
metadata. Items of a list are paired by their `id` where they have one (reactions, drugs), else
by content (tests, dosages): a lab value added in the middle of a series is one addition, not a
change of every value after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from difflib import SequenceMatcher
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from e2b.model import Null
from pv.email import NULL_WORDS

Kind = Literal["added", "removed", "changed"]
KEY = "id"  # the field that names a list item across versions (reactions, drugs)
VALUE_LIMIT = 2000  # characters of a value shown; a whole narrative stays readable, a file not
SEPARATOR = " > "


@dataclass(frozen=True)
class Change:
    """One difference. `path` names the field in the newer version ("reactions[1].outcome"),
    in the older one for a removal; `label` says it in words ("Reaction 2 > outcome")."""

    kind: Kind
    path: str
    label: str
    element: str | None  # "E.i.7"
    old: str | None
    new: str | None


def version_diff(
    old: BaseModel, new: BaseModel, *, limit: int | None = VALUE_LIMIT
) -> list[Change]:
    """Every difference from `old` to `new` (two versions of one report), in the model's order."""
    if type(old) is not type(new):
        raise TypeError(f"cannot compare a {type(old).__name__} with a {type(new).__name__}")
    return list(_models(old, new, _Place("", "", None), limit))


@dataclass(frozen=True)
class _Place:
    path: str
    label: str
    element: str | None

    def field(self, name: str, info: FieldInfo) -> _Place:
        title = str(info.title or name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        own = extra.get("e2b")
        element = self.element
        if isinstance(own, str) and own:
            # The a/b halves of a pair (a MedDRA term, a quantity) belong to the holder's element.
            element = f"{element}{own}" if len(own) == 1 and element else own
        return _Place(
            f"{self.path}.{name}" if self.path else name,
            f"{self.label}{SEPARATOR}{title}" if self.label else _capital(title),
            element,
        )

    def item(self, index: int) -> _Place:
        """The index-th item (0-based) of the list at this place: "Reactions" -> "Reaction 2"."""
        head, sep, last = self.label.rpartition(SEPARATOR)
        words = last.split()
        if len(words) == 1 and last.endswith("s") and not last.endswith("ss"):
            name = f"{last[:-1]} {index + 1}"
        else:
            name = f"{last}, no. {index + 1}"
        return _Place(f"{self.path}[{index}]", f"{head}{sep}{name}", self.element)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _models(old: BaseModel, new: BaseModel, at: _Place, limit: int | None) -> Iterator[Change]:
    for name, info in type(new).model_fields.items():
        yield from _values(getattr(old, name), getattr(new, name), at.field(name, info), limit)


def _values(old: Any, new: Any, at: _Place, limit: int | None) -> Iterator[Change]:
    if old == new:
        return
    if _nested(old) and _nested(new):
        yield from _models(old, new, at, limit)
    elif isinstance(old, list) and isinstance(new, list) and any(map(_nested, old + new)):
        yield from _lists(old, new, at, limit)
    elif old is None or old == []:
        yield Change("added", at.path, at.label, at.element, None, _show(new, limit))
    elif new is None or new == []:
        yield Change("removed", at.path, at.label, at.element, _show(old, limit), None)
    else:
        yield Change("changed", at.path, at.label, at.element, _show(old, limit), _show(new, limit))


def _nested(value: Any) -> bool:
    """A block of fields to walk into (a nullFlavor is a value, not a block)."""
    return isinstance(value, BaseModel) and not isinstance(value, Null)


def _lists(
    old: Sequence[Any], new: Sequence[Any], at: _Place, limit: int | None
) -> Iterator[Change]:
    for i, j in _pairs(old, new):
        if i is None:
            assert j is not None
            yield Change("added", *_where(at.item(j)), None, _show(new[j], limit))
        elif j is None:
            yield Change("removed", *_where(at.item(i)), _show(old[i], limit), None)
        else:
            yield from _values(old[i], new[j], at.item(j), limit)


def _where(at: _Place) -> tuple[str, str, str | None]:
    return at.path, at.label, at.element


def _pairs(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[int | None, int | None]]:
    """Which old item each new one continues (None: added or removed), new order first."""
    if all(isinstance(v, BaseModel) and KEY in type(v).model_fields for v in [*old, *new]):
        where = {getattr(v, KEY): i for i, v in enumerate(old)}
        pairs: list[tuple[int | None, int | None]] = [
            (where.pop(getattr(v, KEY), None), j) for j, v in enumerate(new)
        ]
        return pairs + [(i, None) for i in sorted(where.values())]
    pairs = []
    dump = [_canonical(v) for v in old], [_canonical(v) for v in new]
    matcher = SequenceMatcher(None, dump[0], dump[1], autojunk=False)
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        # equal and replaced stretches pair up in order; what is left over was added or removed
        common = min(i2 - i1, j2 - j1)
        pairs += [(i1 + k, j1 + k) for k in range(common)]
        pairs += [(None, j) for j in range(j1 + common, j2)]
        pairs += [(i, None) for i in range(i1 + common, i2)]
    return pairs


def _canonical(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str, sort_keys=True)


def _show(value: Any, limit: int | None) -> str | None:
    text = _words(value)
    if text is None or limit is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "\u2026"


def _words(value: Any) -> str | None:
    """A value as a person reads it: code lists by their label, nullFlavors in words."""
    if value is None:
        return None
    if isinstance(value, Null):
        return NULL_WORDS[value.null_flavor]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(w for w in map(_words, value) if w) or None
    if isinstance(value, BaseModel):
        parts = []
        for name, info in type(value).model_fields.items():
            field = getattr(value, name)
            shown = None if name == KEY else _words(field)
            if shown and field != info.default:
                shown = f"({shown})" if _nested(field) else shown
                parts.append(f"{info.title or name}: {shown}")
        return ", ".join(parts) or None
    return str(value)


__all__ = ["Change", "Kind", "version_diff"]
