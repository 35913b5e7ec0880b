"""Section C and N elements added for issue 10: the study (C.5), included documents
(C.1.6.1.r.2), C.1.9.1 as its own field, the message header (N.2.r) and the batch header (N.1),
and three-state values (nullFlavors) of C elements.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from e2b.codelists import ReportType, StudyType
from e2b.elements import element
from e2b.model import Null
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, to_xml
from tests.cases import TODAY, load_icsr

HEADER = BatchHeader("BATCH-C", "SENDER", "RECEIVER", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
PUBLISHED = Path(__file__).parent / "data" / "published" / "fda"

STUDY = {
    "registrations": [
        {"number": "NCT00000001", "country": "US"},
        {"number": {"null_flavor": "ASKU"}, "country": {"null_flavor": "NASK"}},
    ],
    "name": "Long-term extension study",
    "sponsor_number": "CAMMS-EXT-01",
    "study_type": "1",
}


def _round_trip(data: dict[str, Any]) -> tuple[Any, Any, bytes]:
    result = validate_icsr(data, TODAY)
    assert result.report is not None, result.findings
    xml = to_xml([result.report], HEADER)
    [read] = read_bytes(xml).reports
    assert read.report is not None, read.findings
    return result.report, read, xml


def _errors(xml: bytes) -> list[Any]:
    return [f for f in validate_bytes(xml, TODAY) if f.severity == "error"]


# ---------------------------------------------------------------- C.5 study


def test_a_study_report_round_trips() -> None:
    data = load_icsr("itp_course2")
    data["case"]["report_type"] = "2"
    data["study"] = STUDY
    report, read, xml = _round_trip(data)
    assert read.findings == []
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
    assert b'<id root="2.16.840.1.113883.3.989.2.1.3.6" nullFlavor="ASKU"/>' in xml
    assert _errors(xml) == []


def test_a_study_report_without_study_type_is_an_error_c_5_4() -> None:
    data = load_icsr("itp_course2")
    data["case"]["report_type"] = "2"
    data["study"] = {**STUDY, "study_type": None}
    result = validate_icsr(data, TODAY)
    assert not result.ok
    assert ("C.5.4", "study.study_type") in {(f.element, f.path) for f in result.findings}
    assert any(f.message.startswith("Study: ") for f in result.findings if f.element == "C.5.4")


def test_a_received_study_report_without_study_type_is_a_warning() -> None:
    data = load_icsr("itp_course2")
    data["study"] = {"name": "A study"}
    report = validate_icsr(data, TODAY).report
    assert report is not None
    case = report.case.model_copy(update={"report_type": ReportType.STUDY})
    [read] = read_bytes(to_xml([report.model_copy(update={"case": case})], HEADER)).reports
    assert read.report is not None
    [warning] = [f for f in read.findings if f.element == "C.5.4"]
    assert warning.severity == "warning"


@pytest.mark.parametrize("name", ["3", "4", "5-1", "5-2", "5-3"])
def test_published_study_reports_read_and_keep_their_study(name: str) -> None:
    batch = read_bytes((PUBLISHED / f"FAERS2022Scenario{name}.xml").read_bytes())
    for message in batch.reports:
        report = message.report
        assert report is not None
        assert report.case.report_type is ReportType.STUDY
        assert report.study is not None and report.study.study_type is StudyType.CLINICAL_TRIAL
        assert report.study.sponsor_number == "CT-00-00"
        # FDA's IND registrations (regional roots) are not C.5.1.r
        assert [(r.number, r.country) for r in report.study.registrations] == [
            ("STUDY-US-001", "US")
        ]
        [again] = read_bytes(to_xml([report], HEADER)).reports
        assert again.report is not None and again.report.study == report.study


# ---------------------------------------------------------------- C.1.6.1.r.2 included documents


def test_a_document_held_given_by_its_title_alone_is_a_document_without_content() -> None:
    data = load_icsr("itp_course2")
    data["case"]["additional_documents"] = True
    data["case"]["documents"] = ["Discharge letter"]
    report, read, _xml = _round_trip(data)
    assert report.case.documents[0].title == "Discharge letter"
    assert report.case.documents[0].document is None
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")


def test_an_included_document_round_trips() -> None:
    data = load_icsr("itp_course2")
    data["case"]["additional_documents"] = True
    data["case"]["documents"] = [
        {
            "title": "Discharge letter",
            "document": {
                "data": "JVBERi0xLjQK",
                "media_type": "application/pdf",
                "representation": "B64",
                "file_name": "letter.pdf",
            },
        }
    ]
    report, read, xml = _round_trip(data)
    assert b'<reference value="letter.pdf"/>JVBERi0xLjQK</text>' in xml
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
    assert _errors(xml) == []


# ---------------------------------------------------------------- C.1.9.1


def _other_ids(data: dict[str, Any], ids: bool, previous: Any) -> dict[str, Any]:
    data["case"]["other_case_ids"] = (
        [{"source": "Example Regulator", "case_id": "REG-1"}] if ids else []
    )
    data["case"]["other_case_ids_in_previous"] = previous
    return data


@pytest.mark.parametrize(("ids", "sent"), [(True, b'value="true"'), (False, b'nullFlavor="NI"')])
def test_c_1_9_1_follows_c_1_9_1_r_when_the_model_does_not_hold_it(ids: bool, sent: bytes) -> None:
    _report, read, xml = _round_trip(_other_ids(load_icsr("itp_course2"), ids, None))
    characteristic = xml.split(b'<code code="2" codeSystem="2.16.840.1.113883.3.989.2.1.1.23"')[1]
    assert characteristic.split(b"</investigationCharacteristic>")[0].count(sent) == 1
    assert read.report.case.other_case_ids_in_previous is None  # agrees: derived again


@pytest.mark.parametrize(
    ("ids", "previous", "element", "path"),
    [
        (True, {"null_flavor": "NI"}, "C.1.9.1", "case.other_case_ids_in_previous"),
        (False, True, "C.1.9.1.r", "case.other_case_ids"),
        (False, False, "C.1.9.1", "case.other_case_ids_in_previous"),
        (True, False, "C.1.9.1", "case.other_case_ids_in_previous"),
    ],
)
def test_c_1_9_1_that_disagrees_is_an_error_and_a_received_one_is_kept(
    ids: bool, previous: Any, element: str, path: str
) -> None:
    data = _other_ids(load_icsr("itp_course2"), ids, previous)
    result = validate_icsr(data, TODAY)
    assert result.report is None
    assert (element, path) in {(f.element, f.path) for f in result.findings}
    # as a received file: kept as sent, with a warning
    fine = validate_icsr(_other_ids(load_icsr("itp_course2"), ids, None), TODAY).report
    assert fine is not None
    case = fine.case.model_copy(update={"other_case_ids_in_previous": result_value(previous)})
    [read] = read_bytes(to_xml([fine.model_copy(update={"case": case})], HEADER)).reports
    assert read.report is not None
    assert read.report.case.other_case_ids_in_previous == case.other_case_ids_in_previous
    assert (element, path, "warning") in {(f.element, f.path, f.severity) for f in read.findings}


def result_value(previous: Any) -> Any:
    return Null.model_validate(previous) if isinstance(previous, dict) else previous


# ---------------------------------------------------------------- N.2.r message header, N.1


def test_a_report_of_our_own_reads_back_without_a_message_header() -> None:
    report, read, xml = _round_trip(load_icsr("itp_course2"))
    assert report.message_header is None and read.report.message_header is None
    assert b'<PORR_IN049016UV><id root="2.16.840.1.113883.3.989.2.1.3.1" extension="' + (
        report.case.sender_report_id.encode()
    ) in xml.replace(b"\n", b"").replace(b"  ", b"")


def test_a_partners_message_header_survives_a_rebuild() -> None:
    data = load_icsr("itp_course2")
    data["message_header"] = {
        "message_id": "PARTNER-MSG-7",
        "receiver_id": "PARTNER-RCV",
        "created_at": "2026-11-19T10:00:00+01:00",
    }
    report, read, xml = _round_trip(data)
    assert b'extension="PARTNER-MSG-7"' in xml and b'extension="PARTNER-RCV"' in xml
    assert read.report.message_header == report.message_header
    assert read.report.message_header.sender_id is None  # the batch's, derived


def test_published_message_headers_are_kept_on_rebuild() -> None:
    original = (PUBLISHED / "FAERS2022Scenario1.xml").read_bytes()
    [message] = read_bytes(original).reports
    assert message.report is not None and message.report.message_header is not None
    [again] = read_bytes(to_xml([message.report], HEADER)).reports
    assert again.report is not None
    assert again.report.message_header is not None
    assert again.report.message_header.message_id == message.report.message_header.message_id
    assert again.report.message_header.receiver_id == message.report.message_header.receiver_id


def test_the_batch_header_reads_back_with_its_type_of_message() -> None:
    batch = read_bytes(to_xml([validate_icsr(load_icsr("itp_course2"), TODAY).report], HEADER))
    assert (batch.message_type, batch.batch_id, batch.sender_id, batch.receiver_id) == (
        "1",
        HEADER.batch_id,
        HEADER.sender_id,
        HEADER.receiver_id,
    )


# ---------------------------------------------------------------- C nullFlavors

REPORTER_FIELDS = {
    "C.2.r.1.1": "title",
    "C.2.r.1.2": "given_name",
    "C.2.r.1.3": "middle_name",
    "C.2.r.1.4": "family_name",
    "C.2.r.2.1": "organisation",
    "C.2.r.2.2": "department",
    "C.2.r.2.3": "street",
    "C.2.r.2.4": "city",
    "C.2.r.2.5": "state",
    "C.2.r.2.6": "postcode",
    "C.2.r.3": "country",
}


@pytest.mark.parametrize("number", sorted(REPORTER_FIELDS))
def test_every_allowed_null_flavor_of_a_reporter_element_comes_back_as_sent(number: str) -> None:
    for flavor in sorted(element(number).null_flavors):
        data = load_icsr("itp_course2")
        data["primary_sources"][0][REPORTER_FIELDS[number]] = {"null_flavor": flavor}
        report, read, xml = _round_trip(data)
        assert f'nullFlavor="{flavor}"'.encode() in xml
        assert read.findings == []
        assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
        assert _errors(xml) == []


def test_a_reporter_flavor_the_element_does_not_allow_is_an_error_and_a_warning_on_read() -> None:
    data = load_icsr("itp_course2")
    data["primary_sources"][0]["given_name"] = {"null_flavor": "UNK"}  # MSK ASKU NASK only
    result = validate_icsr(data, TODAY)
    assert result.report is None
    assert [(f.element, f.path) for f in result.findings] == [
        ("C.2.r.1.2", "primary_sources[0].given_name")
    ]
    data["primary_sources"][0]["given_name"] = {"null_flavor": "MSK"}
    _, _, xml = _round_trip(data)
    [read] = read_bytes(
        xml.replace(b'<given nullFlavor="MSK"/>', b'<given nullFlavor="UNK"/>')
    ).reports
    assert read.report is not None and read.report.primary_sources[0].given_name is None
    [warning] = read.findings
    assert (warning.severity, warning.element) == ("warning", "C.2.r.1.2")


def test_a_middle_name_without_a_given_name_reads_back_without_one() -> None:
    data = load_icsr("itp_course2")
    data["primary_sources"][0].update(given_name=None, middle_name="Q.")
    report, read, xml = _round_trip(data)
    assert b'<given nullFlavor="NI"/>' in xml
    assert read.findings == []
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")


def test_a_reporter_known_only_by_masked_details_is_not_identifiable() -> None:
    data = load_icsr("itp_course2")
    masked = {"null_flavor": "MSK"}
    data["primary_sources"][0] = {
        "given_name": masked,
        "family_name": masked,
        "country": "SA",
        "primary_for_regulatory": True,
    }
    result = validate_icsr(data, TODAY)
    assert ("C.2.r", "primary_sources[0]") in {(f.element, f.path) for f in result.findings}


def test_c_2_r_4_and_c_1_7_absent_are_their_only_flavor() -> None:
    """Both are mandatory and allow one nullFlavor (UNK, NI): None is sent as it and read back
    as None, so model -> XML -> model stays the identity; another flavor is warned of."""
    data = load_icsr("itp_course2")
    data["primary_sources"][0]["qualification"] = None
    data["case"]["expedited"] = None
    report, read, xml = _round_trip(data)
    assert b'<code nullFlavor="UNK"/>' in xml and b'<value xsi:type="BL" nullFlavor="NI"/>' in xml
    assert read.report.primary_sources[0].qualification is None
    assert read.report.case.expedited is None
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
    [read] = read_bytes(
        xml.replace(b'<code nullFlavor="UNK"/>', b'<code nullFlavor="MSK"/>').replace(
            b'<value xsi:type="BL" nullFlavor="NI"/>', b'<value xsi:type="BL" nullFlavor="UNK"/>'
        )
    ).reports
    assert read.report is not None
    assert {(f.severity, f.element) for f in read.findings} >= {
        ("warning", "C.2.r.4"),
        ("warning", "C.1.7"),
    }


@pytest.mark.parametrize("flavor", sorted(element("C.4.r.1").null_flavors))
def test_a_literature_reference_sent_as_a_null_flavor_comes_back(flavor: str) -> None:
    data = load_icsr("itp_course2")
    data["literature"] = [{"reference": {"null_flavor": flavor}}]
    report, read, xml = _round_trip(data)
    assert f'<bibliographicDesignationText nullFlavor="{flavor}"/>'.encode() in xml
    assert read.findings == []
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")
    assert _errors(xml) == []
