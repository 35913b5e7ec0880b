"""Streamed batches: every message checked, the file valid as a whole, reports in order."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from e2b.batch import check_message, write_batch
from e2b.model import ICSR
from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader
from tests.cases import TODAY, case_names, load_icsr

HEADER = BatchHeader("BATCH-STREAM", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))


def golden_reports() -> list[ICSR]:
    reports = []
    for name in case_names():
        report = validate_icsr(load_icsr(name), today=TODAY).report
        assert report is not None
        reports.append(report)
    return reports


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_batch_is_valid_and_reads_back_in_order(workers: int) -> None:
    reports = golden_reports() * 3
    out = io.BytesIO()
    result = write_batch(reports, HEADER, out, today=TODAY, workers=workers, chunk_size=4)
    assert result.messages == len(reports)
    assert result.findings == []
    xml = out.getvalue()
    assert validate_bytes(xml, TODAY) == []
    read = read_bytes(xml)
    assert read.batch_id == "BATCH-STREAM"
    assert [r.report.case.sender_report_id for r in read.reports if r.report] == [
        r.case.sender_report_id for r in reports
    ]
    assert read.reports[0].report is not None
    assert read.reports[0].report.narrative == reports[0].narrative


def test_a_message_checked_alone_gets_the_same_findings_as_in_a_batch() -> None:
    report = golden_reports()[0]
    message, findings = check_message(report, HEADER)
    assert findings == []
    assert message.startswith(b"<PORR_IN049016UV")
    assert b"ITSVersion" not in message.split(b">", 1)[0]


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one report"):
        write_batch([], HEADER, io.BytesIO())


def test_workers_take_index_ranges_and_no_report_is_pickled(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: ICSR, protocol: int) -> object:
        raise AssertionError("an ICSR was pickled")

    reports = golden_reports() * 2
    monkeypatch.setattr(ICSR, "__reduce_ex__", refuse)
    in_workers, in_process = io.BytesIO(), io.BytesIO()
    result = write_batch(reports, HEADER, in_workers, today=TODAY, workers=2, chunk_size=3)
    write_batch(reports, HEADER, in_process, today=TODAY, workers=1)
    assert result.messages == len(reports)
    assert in_workers.getvalue() == in_process.getvalue()  # chunks appended in order


def test_a_message_with_an_xsd_error_is_written_with_its_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = golden_reports()[0]
    monkeypatch.setattr(
        "e2b.batch.render_message",
        lambda report, header: "<PORR_IN049016UV><unexpected/></PORR_IN049016UV>",
    )
    message, findings = check_message(report, HEADER)
    assert message == b"<PORR_IN049016UV><unexpected/></PORR_IN049016UV>"
    assert findings and {f.element for f in findings} == {"XSD"}
