"""Validate what a reporter typed: the ICH model and rules of `e2b`, then this tool's stricter
data-entry rules (`pv.entry_rules`); for received data, the ICH rules alone, as warnings."""

from __future__ import annotations

from datetime import date
from typing import Any

from e2b.validation import ValidationResult, describe, enum_label, format_path, validate
from pv.entry_rules import PLAUSIBILITY, RULES
from pv.model import Report

__all__ = ["ValidationResult", "describe", "enum_label", "format_path", "validate_report"]


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
