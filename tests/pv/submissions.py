"""Submissions built from the golden cases, for the store tests: the report held to the ICH
model and rules (not the form's data-entry rules, so tests can store what another system might
send), written as pv.submission writes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from e2b.validate import validate_bytes
from e2b.validation import validate as validate_model
from e2b.writer import BatchHeader, to_xml
from pv.model import Report
from pv.store import Submission
from tests.cases import TODAY, load_case

HEADER = BatchHeader(
    "BATCH-TEST", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
)


def make_submission(
    case_id: str,
    name: str = "itp_course2",
    *,
    validate: bool = True,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> Submission:
    """The golden case `name` under `case_id`, its plain data first passed through `change`."""
    data = load_case(name)
    data["case"].update(sender_report_id=case_id, worldwide_case_id=case_id)
    if change is not None:
        change(data)
    result = validate_model(data, Report, TODAY)
    assert result.report is not None, result.findings
    xml = to_xml([result.report.for_sending()], HEADER)
    findings = validate_bytes(xml, TODAY) if validate else []
    return Submission(result.report, xml, findings)


def builder(
    name: str = "itp_course2",
    *,
    validate: bool = True,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> Callable[[str], Submission]:
    """A `build` callback for Store.submit."""
    return lambda case_id: make_submission(case_id, name, validate=validate, change=change)
