"""Properties: any valid report -> XML that passes the XSD and ICH rules -> the same report.

The ICH rules are both layers that `e2b.validate` runs: the XML layer and, through the reader,
the model layer, which says of the XML what it says of the report.

Runs 300 examples in CI (HYPOTHESIS_PROFILE=ci), with hostile text in every free-text field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given

from e2b.model import ICSR
from e2b.model_rules import check_icsr
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.writer import BatchHeader, to_xml
from tests.cases import TODAY
from tests.strategies import icsrs

HEADER = BatchHeader("BATCH-PROP", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))


def comparable(report: ICSR) -> dict[str, Any]:
    """The report as JSON data."""
    return report.model_dump(mode="json")


@given(icsrs())
def test_model_to_xml_to_model_is_lossless(report: ICSR) -> None:
    xml = to_xml([report], HEADER)
    batch = read_bytes(xml)
    assert len(batch.reports) == 1
    read = batch.reports[0]
    assert read.report is not None, read.findings
    assert comparable(read.report) == comparable(report)


@given(icsrs())
def test_every_valid_report_gives_xml_without_errors(report: ICSR) -> None:
    findings = validate_bytes(to_xml([report], HEADER), TODAY)
    errors = [f for f in findings if f.severity == "error"]
    assert errors == []
    # The model layer says of the XML what it says of the report itself (its warnings).
    xml_layer = [f for f in findings if f.path.startswith("/")]
    model_layer = [(f.element, f.path) for f in findings if not f.path.startswith("/")]
    assert model_layer == [(f.element, f.path) for f in check_icsr(report, TODAY)]
    # The only warnings a valid model can produce in the XML layer: C.1.7 sent as nullFlavor
    # NI, and a partial date of birth (kept as a partner sent it; the form asks for a full date).
    assert {f.element for f in xml_layer} <= {"C.1.7", "D.2.1"}
    birth = report.patient.birth_date
    assert ("D.2.1" in {f.element for f in xml_layer}) == (birth is not None and len(birth) < 10)
