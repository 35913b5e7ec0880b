"""Data-entry rules: what this tool asks of a health professional typing a report, beyond ICH.

They apply to the form's answers only, never to files received from others (those are read as
sent, with the ICH rules of `e2b`). Each names the field the reporter can fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from e2b.dates import Precision, precision
from e2b.findings import Finding
from pv.model import Report

EntryRule = Callable[[Report], Iterator[Finding]]


def _birth_date_is_a_full_date(report: Report) -> Iterator[Finding]:
    """ICH IG D.2.1: at least the day; a year or a month alone is sent as an age instead."""
    birth = report.patient.birth_date
    if birth and precision(birth) < Precision.DAY:
        yield Finding(
            "error",
            "D.2.1",
            "patient.birth_date",
            "Give the full date of birth (day, month and year), or leave it empty and give the "
            "age instead.",
        )


RULES: tuple[EntryRule, ...] = (_birth_date_is_a_full_date,)


def entry_findings(report: Report) -> list[Finding]:
    """Every data-entry problem of a report typed into the form."""
    return [finding for rule in RULES for finding in rule(report)]
