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


def test_a_death_without_a_cause_is_refused_at_the_cause() -> None:
    data = load_case("pml_death")
    del data["case"], data["sender"]
    data["patient"]["death"]["reported_causes"] = []
    result = check(data, settings=Settings(), now=NOW)
    assert not result.ok
    [problem] = [f for f in result.findings if f.element == "D.9.2.r"]
    assert problem.path == "patient.death.reported_causes"
    assert "cause of death" in problem.message


@pytest.mark.parametrize(
    "cause", [{"text": "PML"}, {"term": {"version": "27.1", "code": "10036807"}}]
)
def test_a_death_with_a_cause_as_text_or_code_passes(cause: dict[str, Any]) -> None:
    data = load_case("pml_death")
    del data["case"], data["sender"]
    data["patient"]["death"]["reported_causes"] = [cause]
    result = check(data, settings=Settings(), now=NOW)
    assert result.ok, result.findings


def test_ticking_results_in_death_also_asks_for_the_cause() -> None:
    data = answers("1990-04-17")
    data["reactions"][0]["seriousness"]["death"] = True
    data["patient"]["death"] = {"date": "2026-10-20"}
    findings = check(data, settings=Settings(), now=NOW).findings
    assert "D.9.2.r" in {f.element for f in findings}


def test_rule_findings_come_with_the_missing_fields_in_one_pass() -> None:
    """A missing outcome no longer hides a future start, an end before it or a nameless
    reporter: the rules run over the parts that are valid."""
    data = answers("1990-04-17")
    del data["reactions"][0]["outcome"]
    data["reactions"][0]["start"] = "2027-02"
    data["reactions"][0]["end"] = "2026-01"
    data["primary_sources"][0] = {"primary_for_regulatory": True, "country": "SA"}
    data["patient"] = {"age": {"value": "abc", "unit": "a"}}
    result = check(data, settings=Settings(), now=NOW)
    assert result.report is None
    found = {(f.element, f.path) for f in result.findings}
    assert ("E.i.7", "reactions[0].outcome") in found  # the model's own
    assert ("E.i.4", "reactions[0].start") in found  # in the future
    assert ("E.i.5", "reactions[0].end") in found  # before the start
    assert ("C.2.r", "primary_sources[0]") in found  # no identifiable reporter
    assert ("D.2.2a", "patient.age.value") in found
    # Nothing is said about the stand-ins the rules ran over.
    assert not [f for f in result.findings if "00000000" in f.message]


def test_a_received_file_is_still_not_held_to_rules_when_its_values_do_not_fit() -> None:
    from pv.validation import validate_report

    data = answers("1990-04-17")
    del data["reactions"][0]["outcome"]
    data["reactions"][0]["start"] = "2027-02"
    received = validate_report(data, TODAY, received=True)
    elements = {f.element for f in received.findings}
    assert "E.i.7" in elements
    assert "E.i.4" not in elements  # the future start: rules wait for a model, as before


@pytest.mark.parametrize(
    ("path", "value", "element"),
    [
        ("weight_kg", "700", "D.3"),
        ("height_cm", "350", "D.4"),
        ("age", {"value": "151", "unit": "a"}, "D.2.2a"),
    ],
)
def test_an_implausible_measure_is_refused_at_its_field(
    path: str, value: Any, element: str
) -> None:
    data = answers("1990-04-17")
    data["patient"][path] = value
    result = check(data, settings=Settings(), now=NOW)
    assert not result.ok
    [problem] = [f for f in result.findings if f.element == element]
    assert problem.path.startswith(f"patient.{path}")


def test_the_field_checks_name_what_the_final_check_refuses() -> None:
    from datetime import date
    from decimal import Decimal

    from e2b.codelists import AgeUnit
    from pv.validation import check_date, check_number

    today = date(2026, 11, 30)
    assert [p.kind for p in check_date("March 2025", today)] == ["not_a_date"]
    assert [p.kind for p in check_date("2031-02-30", today)] == ["not_a_date"]
    assert [p.kind for p in check_date("2027-01", today)] == ["future"]
    [before] = check_date("2025-01", today, start="2025-03-02")
    assert (before.kind, before.detail) == ("before_start", "2025-03-02")
    assert check_date("2025-03", today, start="2025-03-02") == []  # partial dates overlap
    assert check_number("patient.age.value", Decimal(34), unit=AgeUnit.YEAR) == []
    assert [
        p.kind for p in check_number("patient.age.value", Decimal(34), unit=AgeUnit.DECADE)
    ] == ["too_high"]
    assert [p.kind for p in check_number("patient.weight_kg", Decimal(0))] == ["not_positive"]
    assert check_number("tests[0].result.value", Decimal(0)) == []


def test_a_missing_term_sets_off_no_rule_about_its_stand_in() -> None:
    """The rules run over a stand-in for the missing term; the other terms' MedDRA version is
    not said to differ from it, and nothing is said of the stand-in itself."""
    data = answers("1990-04-17")
    del data["reactions"][0]["term"]
    result = check(data, settings=Settings(), now=NOW)
    assert [(f.element, f.path) for f in result.findings] == [("E.i.2.1", "reactions[0].term")]


def _typed_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    from pv.validation import validate_report

    result = validate_report(data, TODAY)
    return [(f.element, f.path) for f in result.findings if f.severity == "error"]


def test_a_batch_expiry_needs_its_batch_number() -> None:
    data = load_case("itp_course2")
    dosage = data["drugs"][0]["dosages"][0]
    dosage.update(batch=None, batch_expiry="2027-03")
    assert _typed_errors(data) == [("G.k.4.r.7", "drugs[0].dosages[0].batch")]
    dosage.update(batch="B7Q42\n")  # a line break would split the expiry line it travels in
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
