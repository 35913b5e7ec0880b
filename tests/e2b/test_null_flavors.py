"""Three-state values: a value, a nullFlavor the IG allows for the element, or absent.

Each date element that may carry a nullFlavor keeps it through model -> XML -> model; a flavor
the element table does not allow is an error in the model and a warning (read as absent) in a
received file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from e2b.elements import element
from e2b.model import Null, NullFlavor, value_of
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, to_xml
from tests.cases import TODAY, load_icsr

HEADER = BatchHeader("BATCH-NULL", "SENDER", "RECEIVER", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))

Setter = Callable[[dict[str, Any], Any], None]


def _history(data: dict[str, Any]) -> dict[str, Any]:
    data["patient"]["medical_history"] = [{"condition": {"version": "27.1", "code": "10012735"}}]
    return data["patient"]["medical_history"][0]  # type: ignore[no-any-return]


def _past_drug(data: dict[str, Any]) -> dict[str, Any]:
    data["patient"]["drug_history"] = [{"name": "Interferon beta-1a"}]
    return data["patient"]["drug_history"][0]  # type: ignore[no-any-return]


# element -> where it sits in the ICSR's plain data
DATES: dict[str, Setter] = {
    "E.i.4": lambda d, v: d["reactions"][0].__setitem__("start", v),
    "E.i.5": lambda d, v: d["reactions"][0].__setitem__("end", v),
    "G.k.4.r.4": lambda d, v: d["drugs"][0]["dosages"][0].__setitem__("start", v),
    "G.k.4.r.5": lambda d, v: d["drugs"][0]["dosages"][0].__setitem__("end", v),
    "D.2.1": lambda d, v: d["patient"].__setitem__("birth_date", v),
    "D.7.1.r.2": lambda d, v: _history(d).__setitem__("start", v),
    "D.7.1.r.4": lambda d, v: _history(d).__setitem__("end", v),
    "D.8.r.4": lambda d, v: _past_drug(d).__setitem__("start", v),
    "D.8.r.5": lambda d, v: _past_drug(d).__setitem__("end", v),
}


def _round_trip(data: dict[str, Any]) -> tuple[Any, Any, bytes]:
    result = validate_icsr(data, TODAY)
    assert result.report is not None, result.findings
    xml = to_xml([result.report], HEADER)
    [read] = read_bytes(xml).reports
    assert read.report is not None, read.findings
    return result.report, read, xml


@pytest.mark.parametrize("number", sorted(DATES))
def test_every_allowed_null_flavor_of_a_date_comes_back_as_sent(number: str) -> None:
    for flavor in sorted(element(number).null_flavors):
        data = load_icsr("itp_course2")
        DATES[number](data, {"null_flavor": flavor})
        report, read, xml = _round_trip(data)
        assert f'nullFlavor="{flavor}"'.encode() in xml
        assert read.findings == []
        assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
        assert [f for f in validate_bytes(xml, TODAY) if f.severity == "error"] == []


def test_null_value_and_absent_are_three_states() -> None:
    nasked, dated, absent = (load_icsr("itp_course2") for _ in range(3))
    DATES["E.i.4"](nasked, {"null_flavor": "NASK"})
    DATES["E.i.4"](dated, "2026-03-10")
    DATES["E.i.4"](absent, None)
    starts = [_round_trip(d)[1].report.reactions[0].start for d in (nasked, dated, absent)]
    assert starts == [Null(null_flavor=NullFlavor.NASK), "2026-03-10", None]
    assert [value_of(s) for s in starts] == [None, "2026-03-10", None]


def test_a_flavor_the_element_does_not_allow_is_an_error_naming_it() -> None:
    data = load_icsr("itp_course2")
    DATES["D.2.1"](data, {"null_flavor": "UNK"})  # D.2.1 allows MSK only
    result = validate_icsr(data, TODAY)
    assert result.report is None
    [problem] = result.findings
    assert (problem.element, problem.path) == ("D.2.1", "patient.birth_date")
    assert "nullFlavor UNK" in problem.message and "allowed: MSK" in problem.message


def test_an_unknown_flavor_names_the_field_path_without_union_tags() -> None:
    data = load_icsr("itp_course2")
    DATES["E.i.4"](data, {"null_flavor": "MAYBE"})
    result = validate_icsr(data, TODAY)
    assert result.report is None
    assert [f.path for f in result.findings] == ["reactions[0].start.null_flavor"]
    assert result.findings[0].element == "E.i.4"


def test_a_bad_date_gives_one_error_at_its_field() -> None:
    data = load_icsr("itp_course2")
    DATES["E.i.4"](data, "03/10/2026")
    result = validate_icsr(data, TODAY)
    assert [(f.element, f.path) for f in result.findings] == [("E.i.4", "reactions[0].start")]


def test_a_received_flavor_the_element_does_not_allow_reads_as_absent_with_a_warning() -> None:
    data = load_icsr("itp_course2")
    DATES["E.i.4"](data, {"null_flavor": "NASK"})
    _, _, xml = _round_trip(data)
    [read] = read_bytes(
        xml.replace(b'<low nullFlavor="NASK"/>', b'<low nullFlavor="PINF"/>', 1)
    ).reports
    assert read.report is not None
    assert read.report.reactions[0].start is None
    [warning] = read.findings
    assert (warning.severity, warning.element) == ("warning", "E.i.4")
    assert "nullFlavor PINF is not allowed" in warning.message


# ---------------------------------------------------------------- text, yes/no, codes, numbers


def _parent(data: dict[str, Any]) -> dict[str, Any]:
    data["patient"]["parent"] = data["patient"].get("parent") or {"sex": "2"}
    return data["patient"]["parent"]  # type: ignore[no-any-return]


def _dosage(data: dict[str, Any]) -> dict[str, Any]:
    return data["drugs"][0]["dosages"][0]  # type: ignore[no-any-return]


def _test(data: dict[str, Any], value: Any) -> None:
    data["tests"] = [{"name": "Platelet count", "result": {"value": value, "unit": "10*9/L"}}]


# element -> where it sits; every element of D, F and G that takes a nullFlavor and is no date
VALUES: dict[str, Setter] = {
    "D.1": lambda d, v: d["patient"].__setitem__("initials", v),
    "D.1.1.1": lambda d, v: d["patient"].__setitem__("gp_record_number", v),
    "D.1.1.2": lambda d, v: d["patient"].__setitem__("specialist_record_number", v),
    "D.1.1.3": lambda d, v: d["patient"].__setitem__("hospital_record_number", v),
    "D.1.1.4": lambda d, v: d["patient"].__setitem__("investigation_number", v),
    "D.5": lambda d, v: d["patient"].__setitem__("sex", v),
    "D.7.1.r.3": lambda d, v: _history(d).__setitem__("continuing", v),
    "D.7.2": lambda d, v: d["patient"].__setitem__("medical_history_text", v),
    "D.8.r.1": lambda d, v: _past_drug(d).__setitem__("name", v),
    "D.9.3": lambda d, v: d["patient"].__setitem__("death", {"autopsy": v}),
    "D.10.1": lambda d, v: _parent(d).__setitem__("identification", v),
    "D.10.6": lambda d, v: _parent(d).__setitem__("sex", v),
    "F.r.3.2": _test,
    "G.k.4.r.9.1": lambda d, v: _dosage(d).__setitem__("dose_form", v),
    "G.k.4.r.10.1": lambda d, v: _dosage(d).__setitem__("route", v),
    "G.k.4.r.11.1": lambda d, v: _dosage(d).__setitem__("parent_route", v),
    "G.k.7.r.1": lambda d, v: d["drugs"][0].__setitem__("indications", [{"text": v}]),
}
# Always sent (D.1; D.10.1 with any parent data): absent is written as UNK, so UNK is absent.
SENT_WHEN_ABSENT = frozenset({"D.1", "D.10.1"})


@pytest.mark.parametrize("number", sorted(VALUES))
def test_every_allowed_null_flavor_of_a_value_comes_back_as_sent(number: str) -> None:
    flavors = sorted(element(number).null_flavors)
    assert flavors, f"{number} takes no nullFlavor"
    for flavor in flavors:
        data = load_icsr("itp_course2")
        VALUES[number](data, {"null_flavor": flavor})
        report, read, xml = _round_trip(data)
        assert f'nullFlavor="{flavor}"'.encode() in xml
        assert read.findings == []
        assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
        assert [f for f in validate_bytes(xml, TODAY) if f.severity == "error"] == []


@pytest.mark.parametrize("number", sorted(SENT_WHEN_ABSENT))
def test_unknown_is_how_an_always_sent_element_says_absent(number: str) -> None:
    """D.1 / D.10.1: None is written as nullFlavor UNK, and UNK is held as None, so the model
    has one form for one XML and both round trips are exact."""
    data = load_icsr("itp_course2")
    VALUES[number](data, {"null_flavor": "UNK"})
    report, read, xml = _round_trip(data)
    holder = report.patient if number == "D.1" else report.patient.parent
    assert getattr(holder, "initials" if number == "D.1" else "identification") is None
    assert b'<name nullFlavor="UNK"/>' in xml
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")


@pytest.mark.parametrize(
    ("number", "flavor"),
    [("D.1.1.1", "UNK"), ("D.5", "NI"), ("D.9.3", "MSK"), ("F.r.3.2", "UNK"), ("G.k.7.r.1", "MSK")],
)
def test_a_flavor_a_value_element_does_not_allow_is_an_error(number: str, flavor: str) -> None:
    data = load_icsr("itp_course2")
    VALUES[number](data, {"null_flavor": flavor})
    result = validate_icsr(data, TODAY)
    assert result.report is None
    assert [(f.element, f"nullFlavor {flavor}" in f.message) for f in result.findings] == [
        (number, True)
    ]


@pytest.mark.parametrize(
    ("setter", "number"),
    [
        (
            lambda d: _parent(d).__setitem__("medical_history_text", {"null_flavor": "UNK"}),
            "D.10.7.2",
        ),
        (
            lambda d: _parent(d).__setitem__("drug_history", [{"name": {"null_flavor": "UNK"}}]),
            "D.10.8.r.1",
        ),
    ],
)
def test_the_parents_elements_have_flavors_of_their_own(
    setter: Callable[[dict[str, Any]], None], number: str
) -> None:
    """D.7.2 and D.8.r.1 take nullFlavors; the parent's D.10.7.2 (plain text in the model) and
    D.10.8.r.1 (the same PastDrug, so a rule) take none."""
    data = load_icsr("itp_course2")
    setter(data)
    result = validate_icsr(data, TODAY)
    assert result.report is None
    assert [f.element for f in result.findings] == [number]


def test_initials_withheld_identify_the_patient_and_unknown_ones_do_not() -> None:
    identifying = ("age", "age_group", "weight_kg", "height_cm", "sex", "birth_date")
    for flavor, identified in (("MSK", True), ("ASKU", False), ("NASK", False)):
        data = load_icsr("itp_course2")
        for name in identifying:
            data["patient"].pop(name, None)
        data["patient"]["initials"] = {"null_flavor": flavor}
        findings = validate_icsr(data, TODAY).findings
        assert [f.element for f in findings if f.severity == "error"] == (
            [] if identified else ["D.1"]
        ), flavor


def test_a_sex_sent_as_a_null_flavor_does_not_identify_the_patient() -> None:
    data = load_icsr("itp_course2")
    for name in ("initials", "age", "age_group", "weight_kg", "height_cm", "birth_date"):
        data["patient"].pop(name, None)
    data["patient"]["sex"] = {"null_flavor": "ASKU"}
    assert [f.element for f in validate_icsr(data, TODAY).findings] == ["D.1"]


def test_a_test_result_below_the_measurable_range_keeps_its_unit() -> None:
    data = load_icsr("itp_course2")
    _test(data, {"null_flavor": "NINF"})
    _report, read, xml = _round_trip(data)
    assert b'<center nullFlavor="NINF" unit="10*9/L"/>' in xml
    assert read.report.tests[0].result.unit == "10*9/L"
    assert read.report.tests[0].result.value == Null(null_flavor=NullFlavor.NINF)


def test_a_three_state_text_is_held_to_its_element_length_from_the_table() -> None:
    """C.2.r.1.2 (given name) is text or a nullFlavor; its 60 characters come from the table."""
    data = load_icsr("itp_course2")
    data["primary_sources"][0]["given_name"] = "A" * 60
    assert validate_icsr(data, TODAY).report is not None
    data["primary_sources"][0]["given_name"] = "A" * 61
    result = validate_icsr(data, TODAY)
    assert result.report is None
    [problem] = result.findings
    assert (problem.element, problem.path) == ("C.2.r.1.2", "primary_sources[0].given_name")
    assert "too long (at most 60 characters)" in problem.message
