"""pv.version_diff: field-by-field differences between two versions of a golden case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pv.model import Report
from pv.version_diff import Change, version_diff
from tests.cases import load_case

PLATELETS = {"version": "27.1", "code": "10035525"}


def _versions(change: Callable[[dict[str, Any]], None]) -> tuple[Report, Report]:
    """The ITP case and a follow-up of it: C.1.5 moved on and `change` applied."""
    first, later = load_case("itp_course2"), load_case("itp_course2")
    later["case"]["most_recent"] = "2026-11-20"
    change(later)
    return Report.model_validate(first), Report.model_validate(later)


def _without_date(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.path != "case.most_recent"]


def test_identical_versions_differ_in_nothing() -> None:
    report = Report.model_validate(load_case("itp_course2"))
    assert version_diff(report, report.model_copy(deep=True)) == []


def test_a_follow_up_that_changes_the_outcome_shows_old_and_new_in_words() -> None:
    def recovered(data: dict[str, Any]) -> None:
        data["reactions"][0].update(outcome="1", end="2026-11-18")

    changes = version_diff(*_versions(recovered))
    assert changes[0] == Change(
        "changed",
        "case.most_recent",
        "Case identification > date of most recent information",
        "C.1.5",
        "2026-11-02",
        "2026-11-20",
    )
    assert _without_date(changes) == [
        Change("added", "reactions[0].end", "Reaction 1 > end date", "E.i.5", None, "2026-11-18"),
        Change(
            "changed",
            "reactions[0].outcome",
            "Reaction 1 > outcome",
            "E.i.7",
            "Recovering / resolving",
            "Recovered / resolved",
        ),
    ]


def test_an_added_reaction_is_one_addition_wherever_it_stands() -> None:
    def headache(data: dict[str, Any]) -> None:
        data["reactions"].insert(
            0,
            {
                "verbatim": "Headache after the infusion",
                "term": {"version": "27.1", "code": "10019211"},
                "start": "2026-11-01",
                "outcome": "1",
            },
        )

    [added] = _without_date(version_diff(*_versions(headache)))
    assert (added.kind, added.path, added.label, added.element) == (
        "added",
        "reactions[0]",
        "Reaction 1",
        "E.i",
    )
    assert added.old is None and added.new is not None
    assert "reaction as reported: Headache after the infusion" in added.new
    assert "outcome: Recovered / resolved" in added.new
    assert "(MedDRA version: 27.1, MedDRA code: 10019211)" in added.new


def test_an_added_lab_value_inside_a_series_is_one_addition() -> None:
    def later_count(data: dict[str, Any]) -> None:
        value = {
            "date": "2026-11-13",
            "name": "Platelet count",
            "test": PLATELETS,
            "result": {"value": 182, "unit": "10*3/uL"},
        }
        data["tests"].insert(5, value)  # after the fifth platelet count, before haemoglobin

    [added] = _without_date(version_diff(*_versions(later_count)))
    assert (added.kind, added.path, added.element) == ("added", "tests[5]", "F.r")
    assert added.label == "Tests and procedures, no. 6"
    assert added.new is not None and "test date: 2026-11-13" in added.new
    assert "test result (value): 182" in added.new


def test_a_corrected_lab_value_and_a_removed_one() -> None:
    def corrected(data: dict[str, Any]) -> None:
        data["tests"][1]["result"]["value"] = {"null_flavor": "NINF"}
        del data["tests"][3]

    changes = _without_date(version_diff(*_versions(corrected)))
    assert changes == [
        Change(
            "changed",
            "tests[1].result.value",
            "Tests and procedures, no. 2 > result value and unit > test result (value)",
            "F.r.3.2",
            "9",
            "below the measurable range",
        ),
        Change(
            "removed",
            "tests[3]",
            "Tests and procedures, no. 4",
            "F.r",
            changes[1].old,
            None,
        ),
    ]
    assert changes[1].old is not None and "test result (value): 88" in changes[1].old


def test_a_removed_reaction_is_found_by_its_id_and_a_new_drug_dosage_is_added() -> None:
    def changed(data: dict[str, Any]) -> None:
        del data["reactions"][2]
        data["drugs"][0]["dosages"].append(
            {"course": 3, "start": "2026-11-15", "batch": "SYN-LOT-0003"}
        )

    changes = _without_date(version_diff(*_versions(changed)))
    assert [(c.kind, c.path, c.label) for c in changes] == [
        ("removed", "reactions[2]", "Reaction 3"),
        ("added", "drugs[0].dosages[2]", "Drug 1 > dosage 3"),
    ]
    assert changes[0].old is not None and "Nosebleed" in changes[0].old
    assert changes[1].new is not None and "batch / lot number: SYN-LOT-0003" in changes[1].new


def test_a_long_value_is_shortened_and_versions_of_different_models_are_refused() -> None:
    def long_narrative(data: dict[str, Any]) -> None:
        data["narrative"]["narrative"] = "x" * 5000

    [change] = _without_date(version_diff(*_versions(long_narrative), limit=100))
    assert change.label == "Narrative > case narrative" and change.element == "H.1"
    assert change.new == "x" * 99 + "\u2026"
    report = Report.model_validate(load_case("itp_course2"))
    with pytest.raises(TypeError):
        version_diff(report, report.patient)
