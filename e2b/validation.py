"""Validate ICSR data and explain every problem in plain words, with field path and element.

`validate` never raises for bad input: it returns the report (or None) and all findings, the
model's value checks first, then (once every value fits) the ICH cross-field rules. With
`partial=True` the rules also run when some values do not fit, over the values that do (see
`partial_rule_findings`), so a form can name every problem at once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from e2b.findings import Finding, has_errors
from e2b.model import (
    EMAIL_PATTERN,
    FROM_XML,
    ICSR,
    PHONE_PATTERN,
    REPORT_ID_PATTERN,
    UUID_PATTERN,
    Age,
    Gestation,
    Interval,
    MeddraTerm,
    Quantity,
    TermId,
)
from e2b.model_rules import as_warning, check_icsr, contextual_element, finding

# Value types whose fields are the a/b halves of one element (E.i.2.1a/b, G.k.4.r.1a/b ...).
_PAIRS: tuple[type[BaseModel], ...] = (MeddraTerm, TermId, Quantity, Age, Gestation, Interval)

_PATTERN_HINTS = {
    r"^[A-Z]{2}$": "must be a two-letter country code in capitals, e.g. SA",
    r"^[a-z]{3}$": "must be a three-letter language code, e.g. eng or ara",
    r"^\d{1,2}\.\d$": "must be a MedDRA version such as 27.1",
    r"^\d{8}$": "must be an 8-digit MedDRA code",
    r"^[^\s]+$": "must not contain spaces",
    EMAIL_PATTERN: "is not a valid e-mail address (name@example.org)",
    PHONE_PATTERN: "may contain only digits, spaces and + ( ) - / x",
    REPORT_ID_PATTERN: "must look like SA-SENDER-000123 (country-sender-number)",
    UUID_PATTERN: "must be an internal ID in UUID form",
}


R = TypeVar("R", bound=ICSR)


@dataclass
class ValidationResult(Generic[R]):
    """The report when it is valid, and every finding (errors and warnings)."""

    report: R | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report is not None and not has_errors(self.findings)

    def by_path(self) -> dict[str, list[Finding]]:
        """Findings keyed by field path, so a form can show each next to its field."""
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.path, []).append(f)
        return out


def validate(
    data: dict[str, Any] | ICSR,
    model: type[R],
    today: date | None = None,
    *,
    received: bool = False,
    from_xml: bool = False,
    rules: Sequence[Callable[[R, date], Iterator[Finding]]] = (),
    partial: bool = False,
) -> ValidationResult[R]:
    """Build a `model` (ICSR or an application's extension of it) from plain data, then run the
    ICH rules and any extra `rules`; return the report with all findings instead of raising.

    `received`: the data comes from another system's file. Its rule problems are then
    warnings: a receiver keeps what was sent and says what is doubtful; only data the model
    cannot hold at all is refused. `from_xml`: the data was read from a parsed XML document,
    whose parser has already refused the characters XML cannot hold (e2b.model.FROM_XML).
    `partial`: when some values do not fit, the rules still run over the values that do, and
    their findings follow the model's (the report stays None).
    """
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    try:
        report = model.model_validate(payload, context={FROM_XML: True} if from_xml else None)
    except ValidationError as exc:
        findings = findings_from_error(exc, model)
        if partial and not received:
            findings += partial_rule_findings(payload, model, exc, today, rules)
        return ValidationResult(None, findings)
    today = today or date.today()
    findings = check_icsr(report, today)
    for rule in rules:
        findings.extend(rule(report, today))
    if received:
        findings = [as_warning(f) for f in findings]
    if has_errors(findings):
        return ValidationResult(None, findings)
    return ValidationResult(report, findings)


def validate_icsr(
    data: dict[str, Any] | ICSR,
    today: date | None = None,
    *,
    received: bool = False,
    from_xml: bool = False,
) -> ValidationResult[ICSR]:
    """`validate` for a plain ICSR (a received file's content, the CLI's report JSON)."""
    return validate(data, ICSR, today, received=received, from_xml=from_xml)


def findings_from_error(exc: ValidationError, model: type[BaseModel] = ICSR) -> list[Finding]:
    """Turn pydantic's errors into findings with a path, an element and a plain message."""
    out: list[Finding] = []
    for error in exc.errors(include_url=False):
        path = format_path(error["loc"])
        element, title = describe(error["loc"], model)
        out.append(finding("error", element or "?", path, f"{title} {_explain(error)}".strip()))
    return out


def _fields(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """A location without the tags of three-state unions ('<value>', '<null>')."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("<")))


def format_path(loc: tuple[int | str, ...]) -> str:
    """('reactions', 0, 'outcome') -> 'reactions[0].outcome' (union tags such as '<value>' left
    out)."""
    text = ""
    for part in _fields(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(loc: tuple[int | str, ...], model: type[BaseModel] = ICSR) -> tuple[str, str]:
    """The E2B element and plain title of the field at `loc` (walking the model classes)."""
    cls: Any = model
    element, title, parent_title = "", "", ""
    path = format_path(loc)
    loc = _fields(loc)
    for part in loc:
        if isinstance(part, int) or cls is None:
            continue
        fields = getattr(cls, "model_fields", {})
        if part not in fields:
            title = str(part)
            break
        info = fields[part]
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        own = extra.get("e2b")
        parent_title, title = title, str(info.title or part)
        if isinstance(own, str) and own:
            # 'a'/'b' halves attach to the element of the field that holds the pair.
            element = element + own if cls in _PAIRS else own
        cls = _model_class(info.annotation)
    if parent_title and _is_pair_member(loc, model):
        title = f"{parent_title} ({title})"
    return contextual_element(element, path), title


def _is_pair_member(loc: tuple[int | str, ...], model: type[BaseModel]) -> bool:
    cls: Any = model
    owner: Any = None
    for part in _fields(loc):
        if isinstance(part, int) or cls is None:
            continue
        fields = getattr(cls, "model_fields", {})
        if part not in fields:
            return False
        owner, cls = cls, _model_class(fields[part].annotation)
    return owner in _PAIRS


def _model_class(annotation: Any) -> type[BaseModel] | None:
    """The model class inside `X`, `X | None` or `list[X]` annotations."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_class(arg)
        if found is not None:
            return found
    return None


def _explain(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length")
        return (
            f"is too long (at most {limit} characters)"
            if kind == "string_too_long"
            else (f"has too many entries (at most {limit})")
        )
    if kind == "too_short":
        return "needs at least one entry"
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(str(ctx.get("pattern")), "is not in the expected format")
    if kind == "enum":
        return f"must be one of the listed choices ({ctx.get('expected', '')})"
    if kind in ("decimal_parsing", "float_parsing", "int_parsing", "decimal_type", "int_type"):
        return "must be a number"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        value = next(iter(ctx.values()), "")
        return f"must be {bound} {value}"
    if kind in ("decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return "has too many digits"
    if kind == "extra_forbidden":
        return "is not a field of the report"
    if kind in ("bool_parsing", "bool_type"):
        return "must be yes or no"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return "must be a date and time"
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else "is not valid"


def enum_label(value: Enum) -> str:
    """A code list value as a person reads it."""
    return str(getattr(value, "label", value.value))


# ---------------------------------------------------------------- rules over the valid parts

# Stand-ins tried, in order, for a required value that is missing: the first the field accepts.
_STAND_INS: tuple[Any, ...] = ("00000000", "1.0", "ZZ", "und", "2000-01-01", "x", 0, False)


def partial_rule_findings(
    payload: dict[str, Any],
    model: type[R],
    error: ValidationError,
    today: date | None = None,
    rules: Sequence[Callable[[R, date], Iterator[Finding]]] = (),
) -> list[Finding]:
    """The ICH rules and `rules` run over the parts of `payload` that are valid.

    Each value the model refuses is left out and each missing required value gets a stand-in;
    findings at, under or above a changed path are dropped, since they would be about the
    stand-in (the model's own finding names the problem there). [] when no model can be made.
    """
    data = copy.deepcopy(payload)
    changed: set[str] = set()
    for _ in range(10):
        progress = False
        for item in error.errors(include_url=False):
            loc = _fields(item["loc"])
            if not loc:
                return []  # a problem with the report as a whole: nothing to run the rules on
            if _repair(data, loc, item["type"], model, payload):
                changed.add(format_path(loc))
                progress = True
        try:
            report = model.model_validate(data)
        except ValidationError as again:
            if not progress:
                return []
            error = again
            continue
        today = today or date.today()
        found = check_icsr(report, today)
        for rule in rules:
            found.extend(rule(report, today))
        return [f for f in found if not any(_related(f.path, path) for path in changed)]
    return []


def _related(path: str, changed: str) -> bool:
    """`path` is `changed`, lies inside it, or holds it."""
    inner, outer = (path, changed) if len(path) >= len(changed) else (changed, path)
    return inner == outer or inner.startswith((outer + ".", outer + "["))


def _repair(
    data: Any, loc: tuple[int | str, ...], kind: str, model: type[BaseModel], payload: Any
) -> bool:
    """Leave out the refused value at `loc`, or put a stand-in where a required one is missing."""
    node = data
    for part in loc[:-1]:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    last = loc[-1]
    if kind == "missing" or kind == "too_short":
        if not isinstance(node, dict) or not isinstance(last, str):
            return False
        found = _stand_in(model, loc, payload)
        if found is _NONE:
            return False
        node[last] = found
        return True
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = None
        return True
    return False


_NONE = object()


def _stand_in(model: type[BaseModel], loc: tuple[int | str, ...], payload: Any) -> Any:
    cls: Any = model
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if cls is None or part not in cls.model_fields:
            return _NONE
        info = cls.model_fields[part]
        cls = _model_class(info.annotation)
    if info is None:
        return _NONE
    if get_origin(info.annotation) is list:
        return [{}] if cls is not None else _NONE
    if cls is not None:
        return {}
    kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    # A value the same field has elsewhere in the report first (e.g. the MedDRA version of the
    # other terms), so rules comparing fields across the report are not set off by a stand-in.
    # Not for code lists: another reaction's fatal outcome would set off the death rules.
    coded = any(
        isinstance(arg, type) and issubclass(arg, Enum)
        for arg in (info.annotation, *get_args(info.annotation))
    )
    elsewhere = () if coded else tuple(_values_of(payload, str(loc[-1])))
    for value in (*elsewhere, *_candidates(info.annotation)):
        try:
            adapter.validate_python(value)
        except ValidationError:
            continue
        return value
    return _NONE


def _values_of(node: Any, name: str) -> Iterator[Any]:
    """The plain values of every field called `name` in the payload."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name and isinstance(value, str):
                yield value
            yield from _values_of(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _values_of(item, name)


def _candidates(annotation: Any) -> Iterator[Any]:
    """Stand-ins for a field: code list values ('unknown' first), then the generic ones."""
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            members = sorted(arg, key=lambda m: "UNKNOWN" not in m.name)
            yield from (m.value for m in members)
    yield from _STAND_INS
