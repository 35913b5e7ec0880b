"""D, F and G elements beside the nullFlavors: the product identifiers (MPID / PhPID, with their
versions), substance TermIDs, the blinded flag, the patient's record numbers and the parent's
medical history, which ICH gives no family-history flag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from e2b.reader import read_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, to_xml
from tests.cases import TODAY, load_icsr

HEADER = BatchHeader("BATCH-DFG", "SENDER", "RECEIVER", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
NDC = {"version": "2024.01", "code": "0024-5870-01", "system": "2.16.840.1.113883.6.69"}
PHPID = {"version": "1.0", "code": "PHPID-1", "system": "TBD-PhPID"}


def _past_drug(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data["patient"]["drug_history"] = [{"name": "Interferon beta-1a", **fields}]
    return data


def _parent_past_drug(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data["patient"]["parent"] = {"sex": "2", "drug_history": [{"name": "Natalizumab", **fields}]}
    return data


def _read(data: dict[str, Any]) -> tuple[Any, Any, bytes]:
    result = validate_icsr(data, TODAY)
    assert result.report is not None, result.findings
    xml = to_xml([result.report], HEADER)
    [read] = read_bytes(xml).reports
    assert read.report is not None, read.findings
    assert read.findings == []
    return result.report, read.report, xml


@pytest.mark.parametrize("field", ["mpid", "phpid"])
def test_a_drugs_product_identifier_round_trips_and_says_which_it_is(field: str) -> None:
    data = load_icsr("itp_course2")
    data["drugs"][0][field] = PHPID if field == "phpid" else NDC
    report, read, xml = _read(data)
    assert read.model_dump(mode="json") == report.model_dump(mode="json")
    assert (b'codeSystemName="PhPID"' in xml) is (field == "phpid")


@pytest.mark.parametrize("place", [_past_drug, _parent_past_drug])
@pytest.mark.parametrize("field", ["mpid", "phpid"])
def test_a_past_drugs_product_identifier_round_trips(place: Any, field: str) -> None:
    data = place(load_icsr("itp_course2"), **{field: PHPID if field == "phpid" else NDC})
    report, read, _xml = _read(data)
    assert read.model_dump(mode="json") == report.model_dump(mode="json")


def test_ichs_placeholder_system_says_phpid_without_a_code_system_name() -> None:
    data = load_icsr("itp_course2")
    data["drugs"][0]["phpid"] = PHPID
    _report, _read_back, xml = _read(data)
    [read] = read_bytes(xml.replace(b' codeSystemName="PhPID"', b"")).reports
    assert read.report is not None and read.report.drugs[0].phpid is not None


@pytest.mark.parametrize(
    ("place", "path", "element"),
    [
        (lambda d: d["drugs"][0].update(mpid=NDC, phpid=PHPID), "drugs[0].phpid", "G.k.2.1.2"),
        (
            lambda d: _past_drug(d, mpid=NDC, phpid=PHPID),
            "patient.drug_history[0].phpid",
            "D.8.r.3",
        ),
        (
            lambda d: _parent_past_drug(d, mpid=NDC, phpid=PHPID),
            "patient.parent.drug_history[0].phpid",
            "D.10.8.r.3",
        ),
    ],
)
def test_mpid_and_phpid_together_are_an_error(place: Any, path: str, element: str) -> None:
    data = load_icsr("itp_course2")
    place(data)
    result = validate_icsr(data, TODAY)
    assert [(f.element, f.path) for f in result.findings] == [(element, path)]
    assert "not both" in result.findings[0].message


@pytest.mark.parametrize(
    ("change", "element", "path"),
    [
        # TermId holds 1,000 characters (an MPID); a route's TermID has 100.
        (
            lambda d: d["drugs"][0]["dosages"][0].update(route_term={"code": "R" * 101}),
            "G.k.4.r.10.2b",
            "drugs[0].dosages[0].route_term.code",
        ),
        (
            lambda d: d["drugs"][0].update(phpid={"code": "P" * 251}),
            "G.k.2.1.2b",
            "drugs[0].phpid.code",
        ),
        # ICH: 10 characters for a version; FDA's examples send 12
        (
            lambda d: _past_drug(d, mpid={**NDC, "version": "201411011202"}),
            "D.8.r.2a",
            "patient.drug_history[0].mpid.version",
        ),
        (
            lambda d: d["drugs"][0].update(
                substances=[{"name": "Alemtuzumab", "term": {"code": "S" * 101}}]
            ),
            "G.k.2.3.r.2b",
            "drugs[0].substances[0].term.code",
        ),
    ],
)
def test_a_term_id_longer_than_its_element_is_an_error(
    change: Any, element: str, path: str
) -> None:
    data = load_icsr("itp_course2")
    change(data)
    result = validate_icsr(data, TODAY)
    assert [(f.element, f.path) for f in result.findings] == [(element, path)]
    assert "too long" in result.findings[0].message


def test_a_received_version_too_long_is_kept_with_a_warning() -> None:
    data = _past_drug(load_icsr("itp_course2"), mpid=NDC)
    _report, _read_back, xml = _read(data)
    [read] = read_bytes(
        xml.replace(b'codeSystemVersion="2024.01"', b'codeSystemVersion="201411011202"')
    ).reports
    assert read.report is not None
    assert read.report.patient.drug_history[0].mpid.version == "201411011202"
    assert [(f.severity, f.element) for f in read.findings] == [("warning", "D.8.r.2a")]


def test_substance_term_ids_blinded_and_record_numbers_round_trip() -> None:
    data = load_icsr("itp_course2")
    data["drugs"][0]["blinded"] = True
    data["drugs"][0]["substances"] = [
        {
            "name": "Alemtuzumab",
            "term": {"version": "1.52", "code": "568874", "system": "TBD-Substance"},
        }
    ]
    data["patient"].update(gp_record_number="GP-1", hospital_record_number={"null_flavor": "MSK"})
    report, read, xml = _read(data)
    assert read.model_dump(mode="json") == report.model_dump(mode="json")
    assert [d.blinded for d in read.drugs] == [True] + [False] * (len(read.drugs) - 1)
    assert b'<id root="2.16.840.1.113883.3.989.2.1.3.9" nullFlavor="MSK"/>' in xml


def test_not_blinded_is_not_sent() -> None:
    data = load_icsr("itp_course2")
    _report, read, xml = _read(data)
    assert b'code="6" codeSystem="2.16.840.1.113883.3.989.2.1.1.19"' not in xml
    assert not any(d.blinded for d in read.drugs)


def test_a_family_history_on_the_parents_condition_is_left_out_with_a_warning() -> None:
    """D.7.1.r.6 is the patient's; ICH has no such element for the parent (D.10.7.1.r)."""
    data = load_icsr("itp_course2")
    data["patient"]["medical_history"] = [
        {"condition": {"version": "27.1", "code": "10012735"}, "family_history": True}
    ]
    data["patient"]["parent"] = {
        "sex": "2",
        "medical_history": [{"condition": {"version": "27.1", "code": "10012735"}}],
    }
    _report, _read_back, xml = _read(data)
    patient_flag = xml.index(b'code="38"')
    parent = xml.index(b"<associatedPerson")
    assert patient_flag > parent  # the patient's history comes after the parent's role
    # move the patient's family-history flag onto the parent's condition
    start = xml.rindex(b"<outboundRelationship2", 0, patient_flag)
    end = xml.index(b"</outboundRelationship2>", patient_flag) + len(b"</outboundRelationship2>")
    flag = xml[start:end]
    without = xml[:start] + xml[end:]
    anchor = without.index(b"</observation>", without.index(b'code="10012735"', parent))
    moved = without[:anchor] + flag + without[anchor:]
    [read] = read_bytes(moved).reports
    assert read.report is not None
    assert not read.report.patient.medical_history[0].family_history
    assert [(f.severity, f.element) for f in read.findings] == [("warning", "D.10.7.1.r")]
