"""What a form needs from the report model: field titles, required markers and limits by path,
and a builder that turns a form's answers into report input while remembering which input gave
each field, so every finding can be shown next to the input it is about.

Plain Python: the Streamlit page and the tests use it alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any, get_args

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from e2b.elements import element as element_row
from e2b.findings import Finding
from e2b.model import Null
from pv.model import Report

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def path_tokens(path: str) -> list[str | int]:
    """'reactions[0].term.code' -> ['reactions', 0, 'term', 'code']."""
    return [name if name else int(index) for name, index in _TOKEN.findall(path)]


@dataclass(frozen=True)
class FieldMeta:
    """A model field as a form shows it: title, E2B element, required, length limit."""

    path: str
    title: str
    element: str | None
    required: bool
    max_length: int | None
    description: str | None

    def label(self, text: str | None = None) -> str:
        """The input's label, with the required marker the model implies."""
        base = text or self.title[:1].upper() + self.title[1:]
        return f"{base} *" if self.required else base

    def help(self, text: str | None = None, *, expert: bool = False) -> str:
        """The input's help: the page's text; in expert view also the model's description and
        the E2B element, so officers and developers share a name (clinicians need neither)."""
        if not expert:
            return text or ""
        parts = [p for p in (text, self.description) if p]
        if self.element:
            parts.append(f"E2B(R3) {self.element}")
        return " · ".join(parts)


def _model_class(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_class(arg)
        if found is not None:
            return found
    return None


def _max_length(info: FieldInfo) -> int | None:
    """The field's max_length, wherever pydantic keeps it (own metadata or an Annotated alias)."""
    pending: list[Any] = [*info.metadata, info.annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, MaxLen):
            return item.max_length
        if isinstance(item, FieldInfo):
            pending.extend(item.metadata)
            continue
        pending.extend(getattr(item, "__metadata__", ()))
        pending.extend(get_args(item))
    return None


def _holds_null(annotation: Any) -> bool:
    return annotation is Null or any(_holds_null(arg) for arg in get_args(annotation))


@cache
def field_meta(path: str) -> FieldMeta:
    """The model field at `path` (list indices ignored); KeyError for a path the model lacks."""
    cls: type[BaseModel] | None = Report
    info: FieldInfo | None = None
    element: str | None = None
    required = True  # only if the field and every field holding it are required
    for token in path_tokens(path):
        if isinstance(token, int):
            continue
        if cls is None or token not in cls.model_fields:
            raise KeyError(f"the report model has no field {path!r}")
        info = cls.model_fields[token]
        required = required and info.is_required()
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        own = extra.get("e2b")
        if isinstance(own, str) and own:
            # The a/b halves of a pair (MedDRA term, quantity) belong to the holder's element.
            element = f"{element}{own}" if len(own) == 1 and element else own
        cls = _model_class(info.annotation)
    if info is None:
        raise KeyError(f"the report model has no field {path!r}")
    limit = _max_length(info)
    if limit is None and element and _holds_null(info.annotation):
        # A three-state text (text or nullFlavor) keeps its length in the element table.
        row = element_row(element)
        limit = row.max_length if row.kind in ("text", "id") else None
    return FieldMeta(
        path=path,
        title=str(info.title or path_tokens(path)[-1]),
        element=element,
        required=required,
        max_length=limit,
        description=info.description,
    )


class ReportInput:
    """Report input (the model's plain-data shape) assembled from a form's answers.

    Each `put` names the model path and the input (widget key) the value came from; findings
    about a path are then routed to that input, or to the nearest enclosing one that was bound.
    """

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self._inputs: dict[str, str] = {}

    def put(self, path: str, value: Any, key: str | None = None) -> None:
        """Set the model value at `path`; empty answers (None, '', []) are left out."""
        if key is not None:
            self._inputs[path] = key
        if value is None or value == "" or value == []:
            return
        _assign(self.data, path_tokens(path), value)

    def bind(self, path: str, key: str) -> None:
        """Route findings about `path` (and below it, unless bound closer) to input `key`."""
        self._inputs[path] = key

    def input_keys(self) -> list[str]:
        """The inputs put or bound so far, in the order they were drawn."""
        return list(dict.fromkeys(self._inputs.values()))

    def input_for(self, path: str) -> str | None:
        """The input a finding at `path` belongs to: the path's own, or its closest parent's."""
        candidate = path
        while candidate:
            if candidate in self._inputs:
                return self._inputs[candidate]
            candidate = _parent(candidate)
        return None

    def in_form_order(self, findings: list[Finding]) -> list[Finding]:
        """Findings in the order their inputs were drawn (those without an input last)."""
        order = {key: n for n, key in enumerate(dict.fromkeys(self._inputs.values()))}

        def position(finding: Finding) -> int:
            key = self.input_for(finding.path)
            return order[key] if key is not None else len(order)

        return sorted(findings, key=position)

    def route(self, findings: list[Finding]) -> dict[str | None, list[Finding]]:
        """Findings grouped by input key (None: no input, shown only in the list at the top)."""
        out: dict[str | None, list[Finding]] = {}
        for finding in findings:
            out.setdefault(self.input_for(finding.path), []).append(finding)
        return out


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


def _assign(data: dict[str, Any], tokens: list[str | int], value: Any) -> None:
    node: Any = data
    for token, following in pairwise(tokens):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(token, int):
            while len(node) <= token:
                node.append(None)
            if node[token] is None:
                node[token] = empty
            node = node[token]
        else:
            node = node.setdefault(token, empty)
    last = tokens[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value
