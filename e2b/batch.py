"""Large batches: build, check and write many ICSRs as one MCCI_IN200100UV01 file, streamed.

`to_xml` holds a whole batch in memory, which for thousands of reports means gigabytes of
libxml2 tree. Here each message is built, checked (XSD and ICH rules) and serialised on its own,
then written; memory stays at one chunk of messages, and the work spreads over processes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import BinaryIO

from lxml import etree

from e2b.findings import Finding
from e2b.mapping import HL7
from e2b.rules import batch_findings, message_findings
from e2b.schema import message_schema_findings, schema_findings
from e2b.writer import BatchHeader, render_envelope, render_message
from e2b.xmlsafe import make_parser
from pv.model import Report

_MESSAGE = f"{{{HL7}}}PORR_IN049016UV"


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


def _envelope(header: BatchHeader, first: Report) -> tuple[bytes, bytes, list[Finding]]:
    """The batch start and end as bytes, checked once (with the first message inside)."""
    root = _parse_in_envelope(render_message(first, header).encode(), header)
    findings = schema_findings(root) + [
        f for f in batch_findings(root) if f.element in ("N.1.1", "N.1.5")
    ]
    start, end = _envelope_text(header)
    return _DECLARATION + start, end, findings


def check_message(
    report: Report, header: BatchHeader, today: date | None
) -> tuple[bytes, list[Finding]]:
    """Render one message, check it against the XSD and ICH rules; the bytes are those checked.

    The rendered text goes into the file as it is (no re-serialising): what was parsed and
    validated is exactly what is written.
    """
    text = render_message(report, header).encode()
    message = _parse_in_envelope(text, header).find(_MESSAGE)
    assert message is not None
    findings = message_schema_findings(message) + message_findings(message, today)
    return text, findings


def _check_chunk(
    reports: Sequence[Report], header: BatchHeader, today: date | None
) -> list[tuple[bytes, list[Finding]]]:
    return [check_message(report, header, today) for report in reports]


def _chunks(reports: Iterable[Report], size: int) -> Iterator[list[Report]]:
    iterator = iter(reports)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write_batch(
    reports: Iterable[Report],
    header: BatchHeader,
    out: BinaryIO,
    *,
    today: date | None = None,
    workers: int | None = None,
    chunk_size: int = 200,
) -> BatchResult:
    """Stream a batch of `reports` to `out`, checking every message as it is written.

    `workers` processes share the building and checking (default: one per CPU; 1 = in this
    process). The file is written even when messages have findings, so an officer can see them;
    callers decide whether to send it.
    """
    iterator = iter(reports)
    first = next(iterator, None)
    if first is None:
        raise ValueError("a batch needs at least one report")
    head, tail, envelope_findings = _envelope(header, first)
    result = BatchResult(findings=envelope_findings)
    out.write(head)
    chunks = _chunks(_prepend(first, iterator), chunk_size)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        checked: Iterable[list[tuple[bytes, list[Finding]]]] = (
            _check_chunk(chunk, header, today) for chunk in chunks
        )
        _drain(checked, out, result)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending = pool.map(_check_chunk, chunks, _repeat(header), _repeat(today))
            _drain(pending, out, result)
    out.write(tail)
    return result


def _prepend(first: Report, rest: Iterator[Report]) -> Iterator[Report]:
    yield first
    yield from rest


def _repeat(value: object) -> Iterator[object]:
    while True:
        yield value


def _drain(
    checked: Iterable[list[tuple[bytes, list[Finding]]]], out: BinaryIO, result: BatchResult
) -> None:
    for chunk in checked:
        for message, findings in chunk:
            out.write(message)
            result.messages += 1
            result.findings.extend(findings)
