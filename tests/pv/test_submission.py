"""pv.submission: form answers to a checked submission, and follow-up files for a case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from e2b.findings import Finding
from e2b.validate import validate_bytes
from e2b.writer import to_xml
from e2b.xmlsafe import UnusableXMLError
from pv.config import Settings
from pv.submission import SubmissionRefused, build, check, follow_up
from tests.cases import TODAY, load_case
from tests.pv.submissions import HEADER, make_submission

# Timestamps are checked against the real clock: keep NOW in the past.
NOW = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)
CASE = "SA-LEMTRADAPV-000042"


def answers() -> dict[str, Any]:
    """What the form gives: a golden case without the parts the tool adds itself."""
    data = load_case("itp_course2")
    del data["case"], data["sender"]
    return data


def test_check_adds_the_case_header_and_sender_from_configuration() -> None:
    result = check(answers(), settings=Settings(), now=NOW)
    assert result.ok, result.findings
    assert result.report is not None
    assert result.report.case.sender_report_id == "SA-LEMTRADAPV-DRAFT"
    assert result.report.case.first_received == "2026-11-25"
    assert result.report.case.expedited is True  # the ITP case is serious
    # PV_SENDER_ORGANISATION unset: the reporter's institution is the sender (C.3.2).
    assert result.report.sender.organisation == "Example Neuroscience Hospital"


def test_the_configured_sending_organisation_is_sent_without_a_warning() -> None:
    settings = Settings(sender_organisation="Example Pharmacovigilance Office")
    submission = build(answers(), CASE, settings=settings, now=NOW)
    assert submission.report.sender.organisation == "Example Pharmacovigilance Office"
    assert b"<name>Example Pharmacovigilance Office</name>" in submission.xml
    assert "C.3.2" not in [f.element for f in submission.findings]


def test_an_unconfigured_sender_is_a_warning_kept_with_the_report() -> None:
    submission = build(answers(), CASE, settings=Settings(sender_organisation=""), now=NOW)
    [warning] = [f for f in submission.findings if f.element == "C.3.2"]
    assert warning.severity == "warning"
    assert "PV_SENDER_ORGANISATION" in warning.message


def test_without_an_institution_the_reporter_name_stands_in() -> None:
    data = answers()
    data["primary_sources"][0]["organisation"] = None
    result = check(data, settings=Settings(sender_organisation=""), now=NOW)
    assert result.ok, result.findings
    assert result.report is not None
    assert result.report.sender.organisation == "Dr Huda Al-Qahtani"


def test_without_configuration_or_institution_the_reporter_is_asked_for_it() -> None:
    data = answers()
    source = data["primary_sources"][0]
    for name in ("organisation", "title", "given_name", "middle_name", "family_name"):
        source[name] = None
    result = check(data, settings=Settings(sender_organisation=""), now=NOW)
    assert not result.ok
    [error] = [f for f in result.findings if f.element == "C.3.2"]
    assert error.path == "primary_sources[0].organisation"
    assert "institution" in error.message


def test_build_writes_valid_xml_under_the_case_id() -> None:
    submission = build(answers(), CASE, settings=Settings(), now=NOW)
    assert submission.report.case.sender_report_id == CASE
    assert f'extension="{CASE}"'.encode() in submission.xml
    assert not [f for f in submission.findings if f.severity == "error"]


def test_build_refuses_a_report_with_errors() -> None:
    data = answers()
    del data["reactions"][0]["outcome"]
    with pytest.raises(SubmissionRefused) as refused:
        build(data, CASE, settings=Settings(), now=NOW)
    assert [f.element for f in refused.value.findings] == ["E.i.7"]


def test_a_follow_up_file_for_the_case_is_kept_exactly_as_received() -> None:
    xml = make_submission(CASE).xml
    submission = follow_up(xml, CASE, today=TODAY)
    assert submission.xml == xml
    assert submission.report.case.sender_report_id == CASE


def test_a_follow_up_about_another_case_is_refused() -> None:
    xml = make_submission("SA-LEMTRADAPV-000043").xml
    with pytest.raises(SubmissionRefused) as refused:
        follow_up(xml, CASE, today=TODAY)
    assert "C.1.8.1" in [f.element for f in refused.value.findings]


def test_a_follow_up_with_two_reports_is_refused() -> None:
    one = make_submission(CASE).report
    xml = to_xml([one, one], HEADER)
    with pytest.raises(SubmissionRefused, match="errors"):
        follow_up(xml, CASE, today=TODAY)


def test_a_follow_up_that_breaks_the_schema_is_refused() -> None:
    xml = make_submission(CASE).xml.replace(b"<primaryRole", b"<primaryRoleX", 1)
    xml = xml.replace(b"</primaryRole>", b"</primaryRoleX>", 1)
    with pytest.raises(SubmissionRefused) as refused:
        follow_up(xml, CASE, today=TODAY)
    assert "XSD" in [f.element for f in refused.value.findings]


def test_a_hostile_follow_up_file_is_unusable() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(UnusableXMLError):
        follow_up(hostile, CASE, today=TODAY)


def test_the_stored_xml_passes_the_xsd_and_every_ich_rule() -> None:
    """build() checks its own XML against the XSD only; the ICH rules hold for it too."""
    submission = build(answers(), CASE, settings=Settings(), now=NOW)
    assert validate_bytes(submission.xml, NOW.date()) == []


def test_an_xsd_error_in_the_built_xml_refuses_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    xsd_error = Finding("error", "XSD", "/*", "line 1: Element 'x': This element is not expected.")
    monkeypatch.setattr(
        "pv.submission.to_checked_xml", lambda reports, header: (b"<x/>", [xsd_error])
    )
    with pytest.raises(SubmissionRefused) as refused:
        build(answers(), CASE, settings=Settings(), now=NOW)
    assert xsd_error in refused.value.findings
