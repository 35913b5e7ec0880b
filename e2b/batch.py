"""Large batches: build, check and write many ICSRs as one MCCI_IN200100UV01 file, streamed.

`to_xml` holds a whole batch in memory, which for thousands of reports means gigabytes of
libxml2 tree. Here each message is built, checked against the XSD and written on its own, so a
process holds one message's tree at a time. Worker processes are forked with the reports already
in memory, take index ranges and write their chunks to files that the parent appends in order:
no report model is pickled, and the parent does little more than copy bytes.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from e2b.findings import Finding
from e2b.mapping import HL7
from e2b.model import ICSR
from e2b.rules import header_findings
from e2b.schema import message_schema_findings, schema_findings
from e2b.writer import BatchHeader, render_envelope, render_message
from e2b.xmlsafe import make_parser

_MESSAGE = f"{{{HL7}}}PORR_IN049016UV"
_COPY_BUFFER = 1 << 20


@dataclass
class BatchResult:
    """What a streamed batch wrote: how many messages and every finding about them."""

    messages: int = 0
    findings: list[Finding] = field(default_factory=list)


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@functools.lru_cache(maxsize=8)
def _envelope_text(header: BatchHeader) -> tuple[bytes, bytes]:
    start, end = render_envelope(header)
    return start.encode(), end.encode()


def _parse_in_envelope(message: bytes, header: BatchHeader) -> etree._Element:
    """The batch root around one rendered message, parsed by the hardened parser."""
    start, end = _envelope_text(header)
    parser = make_parser()
    parser.feed(start)
    parser.feed(message)
    parser.feed(end)
    root: etree._Element = parser.close()
    return root


def _envelope(
    header: BatchHeader, first: ICSR, today: date | None
) -> tuple[bytes, bytes, list[Finding]]:
    """The batch start and end as bytes, checked once (with the first message inside).

    The header is configuration, not a validated model, so its N.1 rules run here, once.
    """
    root = _parse_in_envelope(render_message(first, header).encode(), header)
    findings = schema_findings(root) + header_findings(root)
    start, end = _envelope_text(header)
    return _DECLARATION + start, end, findings


def check_message(report: ICSR, header: BatchHeader) -> tuple[bytes, list[Finding]]:
    """Render one message and check it against the XSD; the bytes are those checked.

    The rendered text goes into the file as it is (no re-serialising): what was parsed and
    validated is exactly what is written. The ICH rules are not run on it: the report is a
    validated model, and tests prove that its XML passes them (e2b.writer.to_checked_xml).
    """
    text = render_message(report, header).encode()
    message = _parse_in_envelope(text, header).find(_MESSAGE)
    assert message is not None
    return text, message_schema_findings(message)


def _check_range(
    reports: Sequence[ICSR], header: BatchHeader, start: int, stop: int, out: BinaryIO
) -> list[Finding]:
    """Write the messages of reports[start:stop] to `out` as they are checked; their findings."""
    findings: list[Finding] = []
    for report in reports[start:stop]:
        text, found = check_message(report, header)
        out.write(text)
        findings.extend(found)
    return findings


@dataclass(frozen=True)
class _Job:
    """What a forked worker shares with the parent: the reports, the header, the chunk folder."""

    reports: Sequence[ICSR]
    header: BatchHeader
    folder: Path


# Set once in each worker process by `_adopt`; the parent never sets it.
_worker_job: _Job | None = None


def _adopt(job: _Job) -> None:
    """Worker initializer: under fork the job arrives as inherited memory, not pickled."""
    global _worker_job
    _worker_job = job


def _write_chunk(bounds: tuple[int, int]) -> tuple[Path, int, list[Finding]]:
    """In a worker: check reports[start:stop] and write their messages to a chunk file."""
    job = _worker_job
    assert job is not None, "_write_chunk runs only in a worker started by write_batch"
    start, stop = bounds
    path = job.folder / f"chunk-{start:09d}.xml"
    with path.open("wb") as chunk:
        findings = _check_range(job.reports, job.header, start, stop, chunk)
    return path, stop - start, findings


def write_batch(
    reports: Sequence[ICSR],
    header: BatchHeader,
    out: BinaryIO,
    *,
    today: date | None = None,
    workers: int | None = None,
    chunk_size: int = 200,
) -> BatchResult:
    """Write a batch of `reports` to `out`, checking every message against the XSD as it goes.

    `workers` processes share the building and checking (default: one per CPU; 1, or a platform
    without fork, = in this process). `today` dates the N.1.5 check of the header. The file is
    written even when messages have findings, so an officer can see them; callers decide
    whether to send it.
    """
    if not reports:
        raise ValueError("a batch needs at least one report")
    head, tail, envelope_findings = _envelope(header, reports[0], today)
    result = BatchResult(findings=envelope_findings)
    out.write(head)
    ranges = [(i, min(i + chunk_size, len(reports))) for i in range(0, len(reports), chunk_size)]
    workers = min(workers or os.cpu_count() or 1, len(ranges))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for start, stop in ranges:
            result.findings.extend(_check_range(reports, header, start, stop, out))
            result.messages += stop - start
    else:
        with tempfile.TemporaryDirectory(prefix="e2b-batch-") as folder:
            job = _Job(reports, header, Path(folder))
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_adopt,
                initargs=(job,),
            ) as pool:
                buffer = bytearray(_COPY_BUFFER)
                for path, count, findings in pool.map(_write_chunk, ranges):
                    _append(path, out, buffer)
                    result.messages += count
                    result.findings.extend(findings)
    out.write(tail)
    return result


def _append(path: Path, out: BinaryIO, buffer: bytearray) -> None:
    """Copy a worker's chunk file to the batch and delete it.

    Through one reused buffer: a fresh megabyte per read is page faults in the parent.
    """
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as chunk:
        while size := chunk.readinto(buffer):
            out.write(view[:size])
    path.unlink()
