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
    [read] = read_bytes(xml.replace(b'<low nullFlavor="NASK"/>', b'<low nullFlavor="PINF"/>', 1)).reports
    assert read.report is not None
    assert read.report.reactions[0].start is None
    [warning] = read.findings
    assert (warning.severity, warning.element) == ("warning", "E.i.4")
    assert "nullFlavor PINF is not allowed" in warning.message
