"""pv.form: field facts by model path, and report input that routes findings to their inputs."""

from __future__ import annotations

import pytest

from e2b.findings import Finding
from pv.form import ReportInput, field_meta, path_tokens
from pv.validation import validate_report


def test_path_tokens() -> None:
    assert path_tokens("drugs[0].dosages[12].start") == ["drugs", 0, "dosages", 12, "start"]


@pytest.mark.parametrize(
    ("path", "element", "required", "max_length"),
    [
        ("reactions[0].outcome", "E.i.7", True, None),
        ("reactions[0].term.code", "E.i.2.1b", True, None),
        ("reactions[0].verbatim", "E.i.1.1a", False, 250),
        ("primary_sources[0].email", "C.2.r.2.8", False, 100),
        ("patient.age.value", "D.2.2a", False, None),  # required inside an optional age
        ("drugs[0].dosages[1].batch", "G.k.4.r.7", False, 35),
        ("narrative.narrative", "H.1", True, 100000),
    ],
)
def test_field_meta_comes_from_the_model(
    path: str, element: str, required: bool, max_length: int | None
) -> None:
    meta = field_meta(path)
    assert (meta.element, meta.required, meta.max_length) == (element, required, max_length)
    assert meta.label().endswith(" *") is required
    assert meta.help(expert=True).endswith(f"E2B(R3) {element}")
    assert element not in meta.help("Plain help")  # the clinician's view names no element


def test_an_unknown_path_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no field"):
        field_meta("reactions[0].colour")


def test_put_builds_nested_input_and_skips_empty_answers() -> None:
    form = ReportInput()
    form.put("reactions[0].term.code", "10083842", "term")
    form.put("reactions[0].verbatim", "", "verbatim")
    form.put("reactions[1].outcome", "1", "outcome2")
    form.put("patient.drug_history", [], "history")
    assert form.data == {"reactions": [{"term": {"code": "10083842"}}, {"outcome": "1"}]}


def test_findings_go_to_their_input_or_the_closest_bound_parent() -> None:
    form = ReportInput()
    form.put("reactions[0].outcome", "1", "outcome")
    form.bind("reactions[0]", "reaction")
    found = form.route(
        [
            Finding("error", "E.i.7", "reactions[0].outcome", "a"),
            Finding("error", "E.i.4", "reactions[0].start", "b"),
            Finding("error", "D", "patient", "c"),
        ]
    )
    assert [f.message for f in found["outcome"]] == ["a"]
    assert [f.message for f in found["reaction"]] == ["b"]
    assert [f.message for f in found[None]] == ["c"]


def test_real_validation_findings_route_to_the_inputs_that_produced_them() -> None:
    form = ReportInput()
    form.put("primary_sources[0].email", "not-an-address", "reporter.email")
    form.put("reactions[0].start", "2026-02-30", "reaction.start")
    form.bind("reactions[0].outcome", "reaction.outcome")
    result = validate_report(form.data)
    routed = form.route(result.findings)
    assert "e-mail" in routed["reporter.email"][0].message
    assert routed["reaction.start"]
    assert "outcome" in routed["reaction.outcome"][0].message


def test_findings_come_in_the_order_of_the_form() -> None:
    form = ReportInput()
    form.put("primary_sources[0].email", "x", "reporter.email")
    form.put("reactions[0].outcome", None, "reaction.outcome")
    form.bind("narrative.narrative", "narrative")
    found = [
        Finding("error", "H.1", "narrative.narrative", "narrative"),
        Finding("error", "C.3.2", "sender.organisation", "nowhere"),
        Finding("error", "E.i.7", "reactions[0].outcome", "outcome"),
        Finding("error", "C.2.r.2.8", "primary_sources[0].email", "email"),
    ]
    ordered = [f.message for f in form.in_form_order(found)]
    assert ordered == ["email", "outcome", "narrative", "nowhere"]
