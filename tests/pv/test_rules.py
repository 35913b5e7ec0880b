"""Each rule and structural requirement, shown failing once on a mutated golden case.

Every finding must name its E2B element and field path, and say whose it is in a clinician's
words: "Reaction 1: ... (E.i.7)".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from e2b import model_rules
from e2b.findings import Finding
from pv.catalogue import load_catalogue
from pv.model import Report
from pv.validation import ValidationResult, validate_report
from tests.cases import TODAY, case_names, load_case

DELETE = object()  # a change that removes the key

_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")

ITP_ID = "38553bad-94f5-4d1c-a292-a91334e6f1ee"  # itp_course2: reactions[0]
LEMTRADA_ID = "6e1a6b40-1a61-4d4a-9c51-f3e89929a83d"  # itp_course2: drugs[0]
# The patient fields that identify a patient (D.1 rule), all present in itp_course2.
IDENTIFYING = ("initials", "age", "age_group", "weight_kg", "height_cm", "sex")


def _apply(data: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with DELETE remove) the value at a field path such as 'drugs[0].dosages[1].end'."""
    steps = [(m.group(1), m.group(2)) for m in _STEP.finditer(path)]
    node: Any = data
    for name, index in steps[:-1]:
        node = node[name] if index is None else node[name][int(index)]
    name, index = steps[-1]
    if index is not None:
        node, name = node[name], int(index)
    if value is DELETE:
        del node[name]
    else:
        node[name] = value


def mutated(case: str, changes: dict[str, Any]) -> dict[str, Any]:
    data = load_case(case)
    for path, value in changes.items():
        _apply(data, path, value)
    return data


def check(data: dict[str, Any]) -> ValidationResult:
    return validate_report(data, today=TODAY)


def the_finding(result: ValidationResult, element: str, path: str) -> Finding:
    matches = [f for f in result.findings if f.element == element and f.path == path]
    assert matches, f"no finding {element} at {path}; got:\n" + "\n".join(
        f.line() for f in result.findings
    )
    return matches[0]


def assert_reads_well(found: Finding, owner: str) -> None:
    assert found.message.startswith(f"{owner}: "), found.message
    assert found.message.endswith(f"({found.element})"), found.message


# ---------------------------------------------------------------- golden cases


@pytest.mark.parametrize("name", case_names())
def test_golden_case_is_valid_without_warnings(name: str) -> None:
    result = check(load_case(name))
    assert result.ok
    assert result.findings == []


def test_there_are_six_golden_cases() -> None:
    assert case_names() == [
        "itp_course2",
        "mi_infusion_day",
        "nephropathy_anti_gbm",
        "pml_death",
        "pregnancy_exposure",
        "thyroid_graves",
    ]


def _terms(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if set(node) == {"version", "code"} else []
        return own + [t for value in node.values() for t in _terms(value)]
    if isinstance(node, list):
        return [t for item in node for t in _terms(item)]
    return []


@pytest.mark.parametrize("name", case_names())
def test_golden_case_follows_the_conventions(name: str) -> None:
    data = load_case(name)
    case = data["case"]
    assert re.fullmatch(r"SA-LEMTRADAPV-\d{6}", case["sender_report_id"])
    assert case["worldwide_case_id"] == case["sender_report_id"]
    assert data["sender"]["organisation"] == "LEMTRADA adverse event reporting tool"
    catalogue = load_catalogue()
    terms = _terms(data)
    assert terms
    for term in terms:
        assert term["version"] == "27.1"
        assert catalogue.term_by_code(term["code"]) is not None, term["code"]
    suspect = [d for d in data["drugs"] if d["role"] == "1"]
    assert [d["product_name"] for d in suspect] == ["LEMTRADA"]
    courses = [dosage["course"] for dosage in suspect[0]["dosages"]]
    assert courses == sorted(courses) and courses[0] == 1


def test_golden_case_ids_are_unique() -> None:
    ids = [load_case(name)["case"]["sender_report_id"] for name in case_names()]
    assert len(set(ids)) == len(ids)


# ---------------------------------------------------------------- errors

# fmt: off
ERRORS = [
    # structure: what pydantic refuses, named by element and path
    pytest.param("itp_course2", {"reactions[0].outcome": DELETE},
                 "E.i.7", "reactions[0].outcome", "Reaction 1", id="missing-outcome"),
    pytest.param("itp_course2", {"reactions[0].outcome": "7"},
                 "E.i.7", "reactions[0].outcome", "Reaction 1", id="unknown-outcome-code"),
    pytest.param("itp_course2", {"reactions[0].term.code": DELETE},
                 "E.i.2.1b", "reactions[0].term.code", "Reaction 1", id="missing-meddra-code"),
    pytest.param("itp_course2", {"reactions[1].term.code": "1003475"},
                 "E.i.2.1b", "reactions[1].term.code", "Reaction 2", id="meddra-code-7-digits"),
    pytest.param("itp_course2", {"reactions[0].term.version": "27.1a"},
                 "E.i.2.1a", "reactions[0].term.version", "Reaction 1", id="meddra-version-format"),
    pytest.param("itp_course2", {"reactions[0].verbatim": "x" * 251},
                 "E.i.1.1a", "reactions[0].verbatim", "Reaction 1", id="verbatim-too-long"),
    pytest.param("itp_course2", {"patient.drug_history[0].name": " \t "},
                 "D.8.r.1", "patient.drug_history[0].name", "Patient, past drug 1",
                 id="past-drug-name-blank"),
    pytest.param("itp_course2", {"reactions[0].outcom": "1"},
                 "E.i", "reactions[0].outcom", "Reaction 1", id="unknown-field"),
    pytest.param("itp_course2", {"reactions": []},
                 "E.i", "reactions", "Report", id="no-reactions"),
    pytest.param("itp_course2", {"reactions[0].start": "2026-02-30"},
                 "E.i.4", "reactions[0].start", "Reaction 1", id="impossible-date"),
    pytest.param("itp_course2", {"reactions[0].start": "03/10/2026"},
                 "E.i.4", "reactions[0].start", "Reaction 1", id="date-in-local-format"),
    pytest.param("itp_course2", {"patient.age.unit": DELETE},
                 "D.2.2b", "patient.age.unit", "Patient", id="age-without-unit"),
    pytest.param("itp_course2", {"patient.age.value": 0},
                 "D.2.2a", "patient.age.value", "Patient", id="age-zero"),
    pytest.param("itp_course2", {"patient.weight_kg": "62.555"},
                 "D.3", "patient.weight_kg", "Patient", id="weight-three-decimals"),
    pytest.param("itp_course2", {"narrative.narrative": "Platelets fell\x07 to 9 x 10^3/uL"},
                 "H.1", "narrative.narrative", "Narrative", id="control-character-in-narrative"),
    pytest.param("itp_course2", {"narrative.narrative": "\n\n"},
                 "H.1", "narrative.narrative", "Narrative", id="blank-narrative"),
    pytest.param("itp_course2", {"narrative.reporter_comments": "x" * 20001},
                 "H.2", "narrative.reporter_comments", "Narrative", id="comments-too-long"),
    pytest.param("itp_course2", {"primary_sources[0].country": "Saudi Arabia"},
                 "C.2.r.3", "primary_sources[0].country", "Reporter 1", id="bad-country-code"),
    pytest.param("itp_course2", {"primary_sources[0].email": "huda at example.org"},
                 "C.2.r.2.8", "primary_sources[0].email", "Reporter 1", id="bad-email"),
    pytest.param("itp_course2", {"primary_sources": []},
                 "C.2.r", "primary_sources", "Report", id="no-reporter"),
    pytest.param("itp_course2", {"case.sender_report_id": "LEMTRADA-000101"},
                 "C.1.1", "case.sender_report_id", "Case", id="bad-report-id"),
    pytest.param("itp_course2", {"case.created_at": "yesterday"},
                 "C.1.2", "case.created_at", "Case", id="creation-not-a-datetime"),
    pytest.param("itp_course2", {"case.expedited": "maybe"},
                 "C.1.7", "case.expedited", "Case", id="expedited-not-yes-or-no"),
    pytest.param("itp_course2", {"tests[0].normal_low": "150 x10^3/uL"},
                 "F.r.4", "tests[0].normal_low", "Test 1", id="normal-low-not-a-number"),
    pytest.param("itp_course2", {"drugs[0].dosages[0].dose.unit": "mg per day"},
                 "G.k.4.r.1b", "drugs[0].dosages[0].dose.unit", "Drug 1, dosage 1",
                 id="dose-unit-with-spaces"),
    pytest.param("itp_course2", {"drugs[0].dosages[0].course": 0},
                 "G.k.4.r.8", "drugs[0].dosages[0].course", "Drug 1, dosage 1", id="course-zero"),
    pytest.param("itp_course2", {"drugs[0].dosages[0].batch": "SYN-LOT-" + "0" * 28},
                 "G.k.4.r.7", "drugs[0].dosages[0].batch", "Drug 1, dosage 1", id="batch-too-long"),
    pytest.param("itp_course2", {"drugs[0].reactions[0].time_to_onset.value": -1},
                 "G.k.9.i.3.1a", "drugs[0].reactions[0].time_to_onset.value",
                 "Drug 1, assessment 1",
                 id="negative-time-to-onset"),
    pytest.param("itp_course2", {"drugs[0].reactions[0].reaction_id": "ITP-1"},
                 "G.k.9.i.1", "drugs[0].reactions[0].reaction_id", "Drug 1, assessment 1",
                 id="link-not-a-uuid"),
    pytest.param("pregnancy_exposure", {"drugs[0].gestation_at_exposure.value": "3.5"},
                 "G.k.6a", "drugs[0].gestation_at_exposure.value", "Drug 1",
                 id="gestation-with-decimals"),
    pytest.param("itp_course2",
                 {"patient.parent": {"sex": "2", "medical_history": [
                     {"condition": {"version": "27.1", "code": "123"}}]}},
                 "D.10.7.1.r.1b", "patient.parent.medical_history[0].condition.code",
                 "Patient, parent, medical history 1",
                 id="parent-history-code"),
    pytest.param("pml_death",
                 {"patient.death.autopsy": True,
                  "patient.death.autopsy_causes": [{"term": {"version": "27.1", "code": "PML"}}]},
                 "D.9.4.r.1b", "patient.death.autopsy_causes[0].term.code",
                 "Patient, death, autopsy cause 1",
                 id="autopsy-cause-code"),
    # _dates
    pytest.param("itp_course2", {"reactions[0].start": "2026-11-26"},
                 "E.i.4", "reactions[0].start", "Reaction 1", id="reaction-starts-tomorrow"),
    pytest.param("itp_course2", {"reactions[0].start": "2027"},
                 "E.i.4", "reactions[0].start", "Reaction 1", id="reaction-starts-next-year"),
    pytest.param("itp_course2", {"tests[0].date": "2026-12"},
                 "F.r.1", "tests[0].date", "Test 1", id="test-in-future"),
    pytest.param("pml_death", {"patient.death.date": "2026-12-01"},
                 "D.9.1", "patient.death.date", "Patient, death", id="death-in-future"),
    pytest.param("itp_course2",
                 {"patient.parent": {"sex": "2", "medical_history": [
                     {"condition": {"version": "27.1", "code": "10021114"}, "start": "2027-01"}]}},
                 "D.10.7.1.r.2", "patient.parent.medical_history[0].start",
                 "Patient, parent, medical history 1",
                 id="parent-history-in-future"),
    pytest.param("itp_course2", {"reactions[1].end": "2026-10-01"},
                 "E.i.5", "reactions[1].end", "Reaction 2", id="reaction-ends-before-start"),
    pytest.param("itp_course2", {"drugs[0].dosages[1].end": "2025-02-08"},
                 "G.k.4.r.5", "drugs[0].dosages[1].end", "Drug 1, dosage 2",
                 id="course-ends-before-start"),
    pytest.param("thyroid_graves", {"patient.medical_history[0].end": "2024-07"},
                 "D.7.1.r.4", "patient.medical_history[0].end", "Patient, medical history 1",
                 id="history-ends-before-start"),
    pytest.param("itp_course2", {"patient.drug_history[0].start": "2024-03"},
                 "D.8.r.5", "patient.drug_history[0].end", "Patient, past drug 1",
                 id="past-drug-ends-before-start"),
    pytest.param("itp_course2", {"case.first_received": "2026-10"},
                 "C.1.4", "case.first_received", "Case", id="first-received-without-day"),
    pytest.param("itp_course2", {"case.most_recent": "2026"},
                 "C.1.5", "case.most_recent", "Case", id="most-recent-without-day"),
    pytest.param("itp_course2", {"case.most_recent": "2026-10-13"},
                 "C.1.5", "case.most_recent", "Case", id="most-recent-before-first-received"),
    pytest.param("itp_course2", {"case.created_at": "2026-11-26T08:00:00+03:00"},
                 "C.1.2", "case.created_at", "Case", id="created-in-future"),
    # _case
    pytest.param("itp_course2", {"case.nullification": "1"},
                 "C.1.11.2", "case.nullification_reason", "Case", id="nullified-without-reason"),
    pytest.param("itp_course2", {"case.nullification_reason": "Duplicate of SA-LEMTRADAPV-000099"},
                 "C.1.11.1", "case.nullification", "Case", id="reason-without-nullification"),
    pytest.param("itp_course2", {"case.additional_documents": True},
                 "C.1.6.1.r.1", "case.documents", "Case", id="documents-flag-without-list"),
    pytest.param("mi_infusion_day", {"case.additional_documents": False},
                 "C.1.6.1", "case.additional_documents", "Case", id="documents-without-flag"),
    pytest.param("itp_course2", {"case.report_type": "2"},
                 "C.5.4", "case.report_type", "Case", id="study-report"),
    # _primary_sources
    pytest.param("mi_infusion_day", {"primary_sources[1].primary_for_regulatory": True},
                 "C.2.r.5", "primary_sources[1].primary_for_regulatory", "Reporter 2",
                 id="two-primary-reporters"),
    pytest.param("itp_course2", {"primary_sources[0].primary_for_regulatory": False},
                 "C.2.r.5", "primary_sources[0].primary_for_regulatory", "Reporter 1",
                 id="no-primary-reporter"),
    pytest.param("mi_infusion_day",
                 {"primary_sources[1]": {"title": "Dr", "country": "SA",
                                         "primary_for_regulatory": False}},
                 "C.2.r", "primary_sources[1]", "Reporter 2", id="unidentifiable-reporter"),
    pytest.param("itp_course2", {"primary_sources[0].country": DELETE},
                 "C.2.r.3", "primary_sources[0].country", "Reporter 1",
                 id="primary-reporter-without-country"),
    # _sender
    pytest.param("itp_course2", {"sender.organisation": "   "},
                 "C.3.2", "sender.organisation", "Sender", id="sender-without-organisation"),
    # _patient
    pytest.param("itp_course2",
                 {f"patient.{name}": DELETE for name in IDENTIFYING},
                 "D.1", "patient.initials", "Patient", id="unidentifiable-patient"),
    pytest.param("itp_course2", {"patient.initials_withheld": True},
                 "D.1", "patient.initials_withheld", "Patient", id="initials-given-and-withheld"),
    pytest.param("mi_infusion_day", {"patient.last_menstrual_period": "2025-06-01"},
                 "D.6", "patient.last_menstrual_period", "Patient", id="male-with-lmp"),
    pytest.param("itp_course2", {"patient.birth_date": "2026-10-20"},
                 "D.2.1", "patient.birth_date", "Patient", id="born-after-reaction"),
    pytest.param("itp_course2", {"patient.parent": {"identification": "Mother"}},
                 "D.10.6", "patient.parent.sex", "Patient, parent", id="parent-without-sex"),
    pytest.param("itp_course2",
                 {"patient.parent": {"sex": "1", "last_menstrual_period": "2024-01"}},
                 "D.10.3", "patient.parent.last_menstrual_period", "Patient, parent",
                 id="male-parent-with-lmp"),
    # _pregnancy
    pytest.param("pregnancy_exposure",
                 {"patient.sex": "1", "patient.last_menstrual_period": DELETE},
                 "D.5", "reactions[0].guide_category", "Reaction 1", id="pregnancy-male-patient"),
    pytest.param("pregnancy_exposure", {"patient.sex": DELETE},
                 "D.5", "reactions[0].guide_category", "Reaction 1", id="pregnancy-sex-unknown"),
    pytest.param("mi_infusion_day", {"drugs[0].gestation_at_exposure": {"value": 8, "unit": "wk"}},
                 "D.5", "drugs[0].gestation_at_exposure", "Drug 1", id="gestation-male-patient"),
    # _death
    pytest.param("pml_death", {"reactions[0].seriousness.death": False},
                 "E.i.3.2a", "reactions[0].seriousness.death", "Reaction 1",
                 id="fatal-without-death-criterion"),
    pytest.param("pml_death", {"patient.death": DELETE},
                 "D.9", "patient.death", "Patient, death", id="fatal-without-death-details"),
    pytest.param("itp_course2", {"patient.death": {"date": "2026-10-20"}},
                 "E.i.7", "patient.death", "Patient, death", id="death-details-without-fatal"),
    pytest.param("pml_death", {"patient.death.autopsy_causes": [{"text": "PML"}]},
                 "D.9.3", "patient.death.autopsy", "Patient, death",
                 id="autopsy-causes-without-autopsy"),
    pytest.param("pml_death", {"patient.death": {}},
                 "D.9.1", "patient.death.date", "Patient, death", id="death-details-empty"),
    pytest.param("pml_death", {"patient.death.date": "2026-05-30"},
                 "D.9.1", "patient.death.date", "Patient, death", id="died-before-reaction"),
    pytest.param("pml_death", {"patient.death.reported_causes": [{}]},
                 "D.9.2.r", "patient.death.reported_causes[0]", "Patient, death, cause of death 1",
                 id="cause-of-death-empty"),
    pytest.param("pml_death",
                 {"patient.death.autopsy": True, "patient.death.autopsy_causes": [{"text": " "}]},
                 "D.9.4.r", "patient.death.autopsy_causes[0]", "Patient, death, autopsy cause 1",
                 id="autopsy-cause-empty"),
    # _tests
    pytest.param("itp_course2", {"tests[0].name": DELETE, "tests[0].test": DELETE},
                 "F.r.2", "tests[0].name", "Test 1", id="test-without-name"),
    pytest.param("itp_course2", {"tests[0].result": DELETE},
                 "F.r.3", "tests[0].result", "Test 1", id="test-without-result"),
    # _drugs
    pytest.param("itp_course2", {"drugs[0].role": "2"},
                 "G.k.1", "drugs[0].role", "Drug 1", id="no-suspect-drug"),
    pytest.param("itp_course2", {"drugs[1].id": LEMTRADA_ID},
                 "G.k", "drugs[1].id", "Drug 2", id="duplicate-drug-id"),
    pytest.param("itp_course2", {"drugs[0].authorisation_number": "SYN-AUTH-0001"},
                 "G.k.3.2", "drugs[0].authorisation_country", "Drug 1",
                 id="authorisation-number-without-country"),
    pytest.param("itp_course2", {"drugs[0].dosages[0].interval_unit": DELETE},
                 "G.k.4.r.3", "drugs[0].dosages[0].interval_unit", "Drug 1, dosage 1",
                 id="interval-count-without-unit"),
    pytest.param("itp_course2", {"drugs[0].dosages[0].interval_count": DELETE},
                 "G.k.4.r.2", "drugs[0].dosages[0].interval_count", "Drug 1, dosage 1",
                 id="interval-unit-without-count"),
    pytest.param("itp_course2",
                 {"drugs[0].reactions[0].reaction_id": "00000000-0000-4000-8000-000000000000"},
                 "G.k.9.i.1", "drugs[0].reactions[0].reaction_id", "Drug 1, assessment 1",
                 id="assessment-of-unknown-reaction"),
    pytest.param("itp_course2", {"drugs[0].reactions[1]": {"reaction_id": ITP_ID}},
                 "G.k.9.i", "drugs[0].reactions[1]", "Drug 1, assessment 2",
                 id="assessment-says-nothing"),
    pytest.param("itp_course2", {"drugs[0].reactions[0].causality[0]": {"source": " "}},
                 "G.k.9.i.2.r.3", "drugs[0].reactions[0].causality[0].result",
                 "Drug 1, assessment 1, causality 1",
                 id="causality-says-nothing"),
    pytest.param("itp_course2", {"drugs[0].reactions[1].reaction_id": ITP_ID},
                 "G.k.9.i.1", "drugs[0].reactions[1].reaction_id", "Drug 1, assessment 2",
                 id="reaction-assessed-twice"),
    pytest.param("itp_course2", {"reactions[1].id": ITP_ID},
                 "E.i", "reactions", "Report", id="duplicate-reaction-id"),
    # _meddra_versions
    pytest.param("itp_course2", {"reactions[1].term.version": "26.0"},
                 "E.i.2.1a", "reactions[1].term.version", "Reaction 2",
                 id="reaction-meddra-version-differs"),
    pytest.param("itp_course2", {"tests[2].test.version": "26.0"},
                 "F.r.2.2a", "tests[2].test.version", "Test 3", id="test-meddra-version-differs"),
    pytest.param("itp_course2",
                 {"drugs[0].indications[0].term": {"version": "28.0", "code": "10083842"}},
                 "G.k.7.r.2a", "drugs[0].indications[0].term.version", "Drug 1, indication 1",
                 id="indication-meddra-version-differs"),
    pytest.param("pml_death", {"narrative.sender_diagnoses[0].version": "26.0"},
                 "H.3.r.1a", "narrative.sender_diagnoses[0].version",
                 "Narrative, sender's diagnosis 1", id="diagnosis-meddra-version-differs"),
]
# fmt: on


@pytest.mark.parametrize(("case", "changes", "element", "path", "owner"), ERRORS)
def test_error(case: str, changes: dict[str, Any], element: str, path: str, owner: str) -> None:
    result = check(mutated(case, changes))
    found = the_finding(result, element, path)
    assert found.severity == "error"
    assert result.report is None and not result.ok
    assert_reads_well(found, owner)


# ---------------------------------------------------------------- warnings

# fmt: off
WARNINGS = [
    pytest.param("itp_course2", {"reactions[0].start": "2024-01-15"},
                 "E.i.4", "reactions[0].start", "Reaction 1", id="reaction-before-first-dose"),
    pytest.param("itp_course2", {"reactions[1].end": DELETE},
                 "E.i.5", "reactions[1].end", "Reaction 2", id="recovered-without-end-date"),
    pytest.param("itp_course2", {"reactions[0].end": "2026-10-30"},
                 "E.i.7", "reactions[0].outcome", "Reaction 1", id="ongoing-with-end-date"),
    pytest.param("pml_death", {"reactions[0].outcome": "0"},
                 "E.i.7", "reactions[0].outcome", "Reaction 1", id="death-ticked-not-fatal"),
    pytest.param("itp_course2", {"case.worldwide_case_id": "AE-LEMTRADAPV-000101"},
                 "C.1.8.1", "case.worldwide_case_id", "Case", id="worldwide-id-other-country"),
    pytest.param("pregnancy_exposure", {"patient.parent": {"sex": "1"}},
                 "D.10.6", "patient.parent.sex", "Patient, parent",
                 id="pregnancy-with-male-parent"),
]
# fmt: on


@pytest.mark.parametrize(("case", "changes", "element", "path", "owner"), WARNINGS)
def test_warning_does_not_block(
    case: str, changes: dict[str, Any], element: str, path: str, owner: str
) -> None:
    result = check(mutated(case, changes))
    found = the_finding(result, element, path)
    assert found.severity == "warning"
    assert result.ok, [f.line() for f in result.findings if f.severity == "error"]
    assert_reads_well(found, owner)


@pytest.mark.parametrize(("case", "changes", "element", "path", "owner"), ERRORS + WARNINGS)
def test_each_ich_rule_reports_only_elements_its_table_lists(
    case: str, changes: dict[str, Any], element: str, path: str, owner: str
) -> None:
    """e2b.model_rules.CHECKS stays true to the rules (the XML layer's: tests/e2b/test_rules.py)."""
    try:
        report = Report.model_validate(mutated(case, changes))
    except ValidationError:
        return  # a value the model refuses: no rule runs
    for rule in model_rules.RULES:
        found = {f.element for f in rule(report, TODAY)}
        assert found <= {e for e, _ in model_rules.CHECKS[rule.__name__]}, rule.__name__


# ---------------------------------------------------------------- partial dates


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        # 2024-02 overlaps the first dose on 2024-02-04: not "before the first dose"
        pytest.param("itp_course2", {"reactions[0].start": "2024-02"}, id="month-vs-day"),
        pytest.param("itp_course2", {"reactions[0].start": "2024"}, id="year-vs-day"),
        pytest.param(
            "itp_course2", {"drugs[0].dosages[1].end": "2025-02"}, id="end-month-of-start"
        ),
        pytest.param(
            "mi_infusion_day", {"reactions[1].end": "2025-06-16"}, id="end-day-of-start-time"
        ),
        pytest.param("pml_death", {"patient.death.date": "2026-06"}, id="death-month-of-reaction"),
        pytest.param(
            "itp_course2",
            {"case.first_received": "2026-11-02T18:30", "case.most_recent": "2026-11-02"},
            id="same-day-received",
        ),
        pytest.param("itp_course2", {"patient.birth_date": "2026-10"}, id="born-month-of-reaction"),
    ],
)
def test_partial_dates_compare_by_overlap(case: str, changes: dict[str, Any]) -> None:
    """As received, so the form's own full-date rule for D.2.1 stays out of it: any rule that
    compared these dates wrongly would still show here, as a warning."""
    result = validate_report(mutated(case, changes), today=TODAY, received=True)
    assert result.findings == []


@pytest.mark.parametrize("day", ["2026-11-25", "2026-11-25T23:59", "2026-11", "2026"])
def test_today_and_coarser_dates_containing_today_are_not_in_the_future(day: str) -> None:
    result = check(mutated("thyroid_graves", {"tests[0].date": day}))
    assert result.ok, [f.line() for f in result.findings]


def test_future_is_judged_against_the_given_day() -> None:
    data = mutated("itp_course2", {"reactions[0].start": "2026-11-26"})
    assert not check(data).ok
    assert validate_report(data, today=TODAY.replace(day=26)).ok


def test_all_errors_are_reported_at_once() -> None:
    data = mutated(
        "itp_course2",
        {"case.report_type": "2", "sender.organisation": DELETE, "tests[0].result": DELETE},
    )
    assert {f.element for f in check(data).findings} == {"C.5.4", "C.3.2", "F.r.3"}


# ---------------------------------------------------------------- free text and known bugs


@pytest.mark.parametrize("text", ["2099", "2024-13", "0000", "2026-12-01"])
def test_free_text_that_looks_like_a_date_is_not_a_date(text: str) -> None:
    data = mutated(
        "itp_course2",
        {"drugs[0].dosages[0].batch": text, "tests[0].comments": text, "patient.initials": text},
    )
    assert check(data).findings == []


def test_withheld_initials_identify_the_patient() -> None:
    data = mutated("itp_course2", {f"patient.{name}": DELETE for name in IDENTIFYING})
    data["patient"]["initials_withheld"] = True
    assert check(data).findings == []


def test_date_with_trailing_newline_is_refused() -> None:
    result = check(mutated("itp_course2", {"reactions[0].start": "2026-10-03\n"}))
    the_finding(result, "E.i.4", "reactions[0].start")


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("nephropathy_anti_gbm", {"narrative.summaries[0].language": "ar"}),
        ("itp_course2", {"primary_sources[0].country": "sa"}),
    ],
    ids=["two-letter-language", "lowercase-country"],
)
def test_codes_other_systems_send_are_kept_as_sent(case: str, change: dict[str, str]) -> None:
    """ICH's and FDA's examples send "JA" and "eu": the model keeps them (the form offers only
    well-formed choices, and the XML rule layer judges what goes out)."""
    result = check(mutated(case, change))
    assert result.report is not None, result.findings
