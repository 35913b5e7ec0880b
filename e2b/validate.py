"""Validate an E2B(R3) file: the ICH XSD, the ICH rules on the XML, then the rules on its data.

For files from elsewhere. The findings come in this order:

1. the XSD (`e2b.schema`);
2. the XML layer (`e2b.rules`): how the file is written (code lists and systems as encoded,
   required elements and nullFlavors, the form of dates and IDs, references between blocks);
3. for each ICSR message, the model layer, from reading it (`e2b.reader.read_message`): what
   the reader could not take over, then what the model refuses (`e2b.model`) or, once every
   value fits, the ICH rules on what the data means (`e2b.model_rules`: dates, pairs, one
   primary source, one MedDRA version ...). These are errors or warnings as the model layer
   says, not the reader's "As received" warnings: the validator judges, the reader keeps.
   Each message is prefixed with the message's label ('ICSR SA-X-1: ...'); the path is the
   field path ('reactions[0].outcome'), or the reader's XPath.

A problem the XML layer already reported as an error on an element is not reported again as
the reader's or the model's inability to take that element over (an outcome coded '9' is one
finding, not three), and an element the reader could not read gets no model finding (the model
never saw it). Each ICH rule is in one layer only (`e2b.checks`).

Our own XML, built from validated models, is checked against the XSD alone as it is built
(e2b.writer.to_checked_xml, e2b.batch): tests prove it passes both rule layers. Returns
findings; only unusable input (not XML, hostile, unreadable, too large) raises.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree
from pydantic import ValidationError

from e2b.findings import Finding
from e2b.model import ICSR
from e2b.model_rules import check_icsr
from e2b.reader import NotAnIcsrError, read_message
from e2b.rules import header_findings, icsr_messages, message_findings, message_label
from e2b.schema import schema_findings
from e2b.validation import findings_from_error
from e2b.xmlsafe import parse_bytes, parse_file


def validate_tree(
    tree: etree._ElementTree | etree._Element, today: date | None = None
) -> list[Finding]:
    """Schema findings, XML rule findings, then each message's model findings for a batch."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    today = today or date.today()
    messages = [(message, message_findings(message, today)) for message in icsr_messages(root)]
    model = [f for message, xml in messages for f in model_findings(message, xml, today)]
    xml = [f for _, found in messages for f in found]
    return schema_findings(root) + header_findings(root) + xml + model


def model_findings(
    message: etree._Element, xml_findings: list[Finding], today: date | None = None
) -> list[Finding]:
    """The model layer's findings for one ICSR message, read as `e2b.reader` reads it.

    `xml_findings` are the XML layer's for the same message: an element it reported as an error
    is not reported again as unreadable or refused.
    """
    try:
        read = read_message(message)
    except NotAnIcsrError:
        return []  # no investigationEvent: the XML layer says so (C.1)
    # The reader's own findings carry the XPath of the node they are about; those of its
    # validation (field paths) are made again below, as of `today` and not as received.
    reader = [f for f in read.findings if f.path.startswith("/")]
    # Values the reader left out of the data: the model never saw them, so it does not judge them.
    unread = {f.element for f in reader if f.severity == "error"}
    refused = {f.element for f in xml_findings if f.severity == "error"}
    out = [f for f in reader if f.element not in refused]
    report = read.report
    if report is None:  # the reader left a value out, or the model refused one: which?
        try:
            report = ICSR.model_validate(read.data)
        except ValidationError as exc:
            out += [f for f in findings_from_error(exc) if f.element not in refused | unread]
    if report is not None:
        out += [f for f in check_icsr(report, today) if f.element not in unread]
    label = message_label(message)
    return [Finding(f.severity, f.element, f.path, f"{label}: {f.message}") for f in out]


def validate_bytes(data: bytes, today: date | None = None) -> list[Finding]:
    """Parse with the hardened parser, then validate."""
    return validate_tree(parse_bytes(data), today)


def validate_file(path: str | Path, today: date | None = None) -> list[Finding]:
    """Parse a file with the hardened parser, then validate."""
    return validate_tree(parse_file(path), today)
