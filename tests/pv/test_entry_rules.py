"""Data-entry rules hold for what a reporter types, never for a file received from others."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from pv.config import Settings
from pv.submission import check
from tests.cases import TODAY, load_case
from tests.pv.submissions import make_submission

NOW = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)


def answers(birth_date: str | None) -> dict[str, Any]:
    data = load_case("itp_course2")
    del data["case"], data["sender"]
    data["patient"]["birth_date"] = birth_date
    data["patient"]["age"] = None
    return data


@pytest.mark.parametrize("typed", ["1990", "1990-04"])
def test_a_partial_date_of_birth_is_refused_at_its_field(typed: str) -> None:
    result = check(answers(typed), settings=Settings(), now=NOW)
    assert not result.ok
    [problem] = [f for f in result.findings if f.element == "D.2.1"]
    assert problem.path == "patient.birth_date"
    assert "full date of birth" in problem.message


def test_a_full_date_of_birth_passes() -> None:
    result = check(answers("1990-04-17"), settings=Settings(), now=NOW)
    assert result.ok, result.findings


def test_a_received_file_with_a_year_of_birth_is_read_with_a_warning() -> None:
    def year_only(data: dict[str, Any]) -> None:
        data["patient"]["birth_date"] = "1990"
        data["patient"]["age"] = None

    xml = make_submission("SA-LEMTRADAPV-000077", change=year_only, validate=False).xml
    assert b'<birthTime value="1990"/>' in xml
    findings = validate_bytes(xml, TODAY)
    assert [(f.severity, f.element) for f in findings] == [("warning", "D.2.1")]
    [read] = read_bytes(xml).reports
    assert read.report is not None
    assert read.report.patient.birth_date == "1990"


def test_a_received_lmp_on_a_male_patient_is_a_warning_and_typed_is_refused() -> None:
    """Implausible partner data is kept and named; the same data typed into the form is not."""
    from pv.validation import validate_report

    def male_with_lmp(data: dict[str, Any]) -> None:
        data["patient"]["sex"] = "1"
        data["patient"]["last_menstrual_period"] = "2026-01-10"

    xml = make_submission("SA-LEMTRADAPV-000079", change=male_with_lmp, validate=False).xml
    [read] = read_bytes(xml).reports
    assert read.report is not None and read.report.patient.last_menstrual_period == "2026-01-10"
    received = validate_report(read.report.model_dump(mode="json"), TODAY, received=True)
    assert received.report is not None
    [doubtful] = [f for f in received.findings if f.element == "D.6"]
    assert doubtful.severity == "warning"
    assert doubtful.message.startswith("As received: ")
    typed = validate_report(read.report.model_dump(mode="json"), TODAY)
    assert typed.report is None
    assert [f.path for f in typed.findings if f.element == "D.6"] == [
        "patient.last_menstrual_period"
    ]


def _typed_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    from pv.validation import validate_report

    result = validate_report(data, TODAY)
    return [(f.element, f.path) for f in result.findings if f.severity == "error"]


def test_a_batch_expiry_needs_its_batch_number() -> None:
    data = load_case("itp_course2")
    dosage = data["drugs"][0]["dosages"][0]
    dosage.update(batch=None, batch_expiry="2027-03")
    assert _typed_errors(data) == [("G.k.4.r.7", "drugs[0].dosages[0].batch")]
    dosage.update(batch="B7Q42")
    assert _typed_errors(data) == []


def test_the_narrative_with_the_treatment_lines_must_fit_h1() -> None:
    data = load_case("itp_course2")
    data["narrative"]["narrative"] = "x" * 99_990
    assert _typed_errors(data) == []
    data["reactions"][0]["treatment"] = "IVIG"
    assert _typed_errors(data) == [("H.1", "narrative.narrative")]


def test_g_k_11_with_the_expiry_lines_must_fit() -> None:
    data = load_case("itp_course2")
    lemtrada = data["drugs"][0]
    lemtrada["additional_info"] = "y" * 1990
    assert _typed_errors(data) == []
    lemtrada["dosages"][0].update(batch="B7Q42", batch_expiry="2027-03")
    assert _typed_errors(data) == [("G.k.11", "drugs[0].additional_info")]
