"""Validate what a reporter typed: the ICH model and rules of `e2b`, then this tool's stricter
data-entry rules (`pv.entry_rules`); for received data, the ICH rules alone, as warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from e2b.codelists import AgeUnit
from e2b.dates import PartialDate, in_future, is_before
from e2b.validation import ValidationResult, describe, enum_label, format_path, validate
from pv.entry_rules import PLAUSIBILITY, RULES, is_measure, measure_limit
from pv.model import Report

__all__ = [
    "FieldProblem",
    "ValidationResult",
    "check_date",
    "check_number",
    "describe",
    "enum_label",
    "format_path",
    "validate_report",
]

_DATE: TypeAdapter[str] = TypeAdapter(PartialDate)


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one input as soon as it is left, before the whole report is checked:
    the same facts the final check names, for the page to word (e.g. `before_start` with the
    start date as `detail`)."""

    kind: Literal["not_a_date", "future", "before_start", "not_positive", "too_high"]
    detail: str = ""


def validate_report(
    data: dict[str, Any] | Report, today: date | None = None, *, received: bool = False
) -> ValidationResult[Report]:
    """A `Report` from plain data with every finding; never raises for bad input.

    `received`: the data comes from another system: kept as sent, its ICH rule problems and
    implausible parts are warnings, and the form's own requirements do not apply.
    Typed data is checked in one pass: the rules run over the valid parts even when some
    fields are missing or invalid, so the first check names every problem the last one would.
    """
    rules = PLAUSIBILITY if received else RULES
    return validate(data, Report, today, received=received, rules=rules, partial=not received)


def check_date(value: str | None, today: date, *, start: str | None = None) -> list[FieldProblem]:
    """A date as typed (after `pv.dates.from_user_text`): a real date, not in the future, and
    not before `start` (the start date it ends, when there is one)."""
    if not value:
        return []
    try:
        _DATE.validate_python(value)
    except ValidationError:
        return [FieldProblem("not_a_date")]
    problems = []
    if in_future(value, today):
        problems.append(FieldProblem("future"))
    if start and _is_date(start) and not is_before(start, value):
        problems.append(FieldProblem("before_start", start))
    return problems


def _is_date(value: str) -> bool:
    try:
        _DATE.validate_python(value)
    except ValidationError:
        return False
    return True


def check_number(
    path: str | None, value: Decimal | None, *, unit: AgeUnit | None = None
) -> list[FieldProblem]:
    """A measure as typed: above 0 and, where the form knows one, not above its plausible
    limit (`pv.entry_rules.measure_limit`, which the final check applies too)."""
    if value is None or path is None or not is_measure(path):
        return []
    if value <= 0:
        return [FieldProblem("not_positive")]
    limit = measure_limit(path, unit)
    if limit is not None and value > limit:
        return [FieldProblem("too_high", str(limit))]
    return []
