"""The writer: golden files for known cases, schema and rule validity, escaping of any text.

Golden files live in tests/golden/. After a deliberate change to the XML, regenerate them with
`UPDATE_GOLDEN=1 python -m pytest tests/e2b/test_writer.py` and commit them with the change.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from markupsafe import Markup, escape

from e2b.batch import write_batch
from e2b.mapping import NS
from e2b.model import ICSR
from e2b.model_rules import check_icsr
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, _xml_value, build_batch, to_checked_xml, to_xml
from tests.cases import TODAY, as_icsr, case_names, load_icsr

GOLDEN = Path(__file__).parents[1] / "golden"
FIXTURES = Path(__file__).parents[1] / "fixtures"
HEADER = BatchHeader("BATCH-GOLDEN", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
GOLDEN_CASES = [*case_names(), "all_fields"]


def case_report(name: str) -> ICSR:
    if name == "all_fields":
        data = as_icsr(json.loads((FIXTURES / "all_fields.json").read_text(encoding="utf-8")))
    else:
        data = load_icsr(name)
    result = validate_icsr(data, today=TODAY)
    assert result.report is not None, result.findings
    return result.report


def normalise(xml: bytes) -> str:
    """Blank out values that change from run to run (batch number and transmission time)."""
    text = xml.decode("utf-8")
    text = re.sub(r'(<creationTime value=")\d{14}[+-]\d{4}("/>\n  <responseModeCode)', r"\1N.1.5\2", text)
    return re.sub(r'(root="2\.16\.840\.1\.113883\.3\.989\.2\.1\.3\.22" extension=")[^"]*', r"\1N.1.2", text)


def test_there_are_at_least_six_golden_lemtrada_cases() -> None:
    assert len(case_names()) >= 6


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_xml(name: str) -> None:
    xml = to_xml([case_report(name)], HEADER)
    golden = GOLDEN / f"{name}.xml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(normalise(xml), encoding="utf-8")
    assert golden.exists(), f"missing golden file {golden}; run with UPDATE_GOLDEN=1"
    assert normalise(xml) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_cases_pass_xsd_and_ich_rules(name: str) -> None:
    xml = to_xml([case_report(name)], HEADER)
    assert validate_bytes(xml, TODAY) == []


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_cases_read_back_unchanged(name: str) -> None:
    report = case_report(name)
    read = read_bytes(to_xml([report], HEADER)).reports[0]
    assert read.findings == [] or all(f.severity == "warning" for f in read.findings)
    assert read.report is not None
    assert read.report.model_dump(mode="json") == report.model_dump(mode="json")


def test_one_batch_holds_several_reports_in_order() -> None:
    reports = [case_report(n) for n in case_names()]
    xml = to_xml(reports, HEADER)
    assert validate_bytes(xml, TODAY) == []
    root = etree.fromstring(xml)
    ids = root.xpath("h:PORR_IN049016UV/h:id/@extension", namespaces=NS)
    assert ids == [r.case.sender_report_id for r in reports]
    # The batch receiver and sender come after the messages (the schema's order).
    assert [etree.QName(c).localname for c in root][-2:] == ["receiver", "sender"]


def test_message_id_equals_c11_and_creation_time_equals_c12() -> None:
    report = case_report("itp_course2")
    root = etree.fromstring(to_xml([report], HEADER))
    message = root.find("h:PORR_IN049016UV", NS)
    assert message is not None
    message_id = message.find("h:id", NS)
    c11 = message.find("h:controlActProcess/h:subject/h:investigationEvent/h:id", NS)
    assert message_id is not None and c11 is not None
    assert message_id.get("extension") == c11.get("extension") == report.case.sender_report_id
    creation = message.find("h:creationTime", NS)
    act_time = message.find("h:controlActProcess/h:effectiveTime", NS)
    assert creation is not None and act_time is not None
    expected = report.case.created_at.strftime("%Y%m%d%H%M%S%z")  # at the offset given
    assert creation.get("value") == act_time.get("value") == expected


HOSTILE = [
    'quote " apostrophe \' <tag> & ampersand ]]> end',
    "<script>alert('x')</script>",
    "emoji 🧪💉 and Arabic نقص الصفيحات الدموية with RTL mark \u200f and LRO \u202d",
    "line one\r\nline two\rline three\n\ttabbed",
    "  leading and trailing spaces  ",
    "&lt;already escaped&gt; &amp; &#x41;",
    "x" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_any_text_survives_and_cannot_change_the_structure(text: str) -> None:
    data = load_icsr("itp_course2")
    data["narrative"]["narrative"] = text
    data["reactions"][0]["verbatim"] = text[:250]
    data["primary_sources"][0]["organisation"] = text[:60]
    report = validate_icsr(data, today=TODAY).report
    assert report is not None
    xml = to_xml([report], HEADER)
    assert validate_bytes(xml, TODAY) == []
    back = read_bytes(xml).reports[0].report
    assert back is not None
    assert back.narrative.narrative == text
    assert back.reactions[0].verbatim == text[:250]
    assert back.primary_sources[0].organisation == text[:60]
    assert b"<script>" not in xml


def test_control_characters_are_refused_with_a_clear_message() -> None:
    data = load_icsr("itp_course2")
    data["narrative"]["narrative"] = "bell \x07 here"
    result = validate_icsr(data, today=TODAY)
    assert result.report is None
    [finding] = result.findings
    assert finding.element == "H.1"
    assert finding.path == "narrative.narrative"
    assert "control character (U+0007)" in finding.message


# ---------------------------------------------------------------- our own output and the rules
# At run time our XML gets the XSD only (to_checked_xml, e2b.batch); these tests are the proof
# that it also passes the ICH rule layer, which therefore need not run on it again.


def synthetic_reports() -> list[ICSR]:
    """The first 100 of the benchmark's 1,000 varied reports (bench/synthetic.py, its seed)."""
    from bench.synthetic import TODAY as BENCH_TODAY
    from bench.synthetic import generate

    reports = []
    for data in generate(100):
        report = validate_icsr(as_icsr(data), today=BENCH_TODAY).report
        assert report is not None
        reports.append(report)
    return reports


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_checked_xml_of_a_golden_case_is_to_xml_and_passes_the_rule_layer(name: str) -> None:
    report = case_report(name)
    xml, findings = to_checked_xml([report], HEADER)
    assert findings == []
    assert xml == to_xml([report], HEADER)
    assert validate_bytes(xml, TODAY) == []  # XSD and every ICH rule


def test_the_benchmark_reports_pass_the_rule_layer_as_checked_xml_and_as_batch_messages() -> None:
    reports = synthetic_reports()
    expected: list[tuple[str, str, str]] = []
    for report in reports:
        xml, findings = to_checked_xml([report], HEADER)
        assert findings == []
        # Some generated reports carry warnings of the model layer (an end date on an ongoing
        # reaction): the validator finds exactly those in their XML, and nothing else.
        warnings = [(f.severity, f.element, f.path) for f in check_icsr(report, TODAY)]
        assert {s for s, _, _ in warnings} <= {"warning"}
        found = [(f.severity, f.element, f.path) for f in validate_bytes(xml, TODAY)]
        assert found == warnings, report.case.sender_report_id
        expected += warnings
    out = io.BytesIO()  # e2b.batch writes the rendered messages, not to_xml's bytes
    result = write_batch(reports, HEADER, out, today=TODAY, workers=1)
    assert result.findings == []
    assert [(f.severity, f.element, f.path) for f in validate_bytes(out.getvalue(), TODAY)] == (
        expected
    )


def test_an_xsd_error_in_our_own_output_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    report = case_report("itp_course2")
    # A tree the XSD refuses, as a template bug would give: an unknown element in the message.
    broken = build_batch([report], HEADER)
    message = broken.find("h:PORR_IN049016UV", NS)
    assert message is not None
    etree.SubElement(message, "{urn:hl7-org:v3}unexpected")
    monkeypatch.setattr("e2b.writer.build_batch", lambda reports, header: broken)
    _, findings = to_checked_xml([report], HEADER)
    assert findings and {f.element for f in findings} == {"XSD"}
    assert "unexpected" in findings[0].message


@pytest.mark.parametrize("text", [*HOSTILE, "a\tb\nc\rd", "it's \"quoted\" & <tagged>"])
def test_values_are_escaped_once_as_markupsafe_would(text: str) -> None:
    expected = str(escape(text))
    for char, reference in (("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;")):
        expected = expected.replace(char, reference)
    assert _xml_value(text) == expected
    assert _xml_value(Markup("<given>x</given>")) == "<given>x</given>"  # macro output as is
