"""Validate an E2B(R3) file: the ICH XSD first, then the ICH business rules.

For files from elsewhere. Our own XML, built from validated models, is checked against the XSD
alone as it is built (e2b.writer.to_checked_xml, e2b.batch): tests prove it passes the rules.
Returns findings; only unusable input (not XML, hostile, unreadable, too large) raises.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree

from e2b.findings import Finding
from e2b.rules import batch_findings
from e2b.schema import schema_findings
from e2b.xmlsafe import parse_bytes, parse_file


def validate_tree(
    tree: etree._ElementTree | etree._Element, today: date | None = None
) -> list[Finding]:
    """Schema findings and rule findings for a parsed batch."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    return schema_findings(root) + batch_findings(root, today)


def validate_bytes(data: bytes, today: date | None = None) -> list[Finding]:
    """Parse with the hardened parser, then validate."""
    return validate_tree(parse_bytes(data), today)


def validate_file(path: str | Path, today: date | None = None) -> list[Finding]:
    """Parse a file with the hardened parser, then validate."""
    return validate_tree(parse_file(path), today)
