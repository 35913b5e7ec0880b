"""XSD validation of an ICSR batch against the ICH schema set in `e2b/schemas/`, loaded once."""

from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path

from lxml import etree

from e2b.findings import Finding
from e2b.xmlsafe import parse_file

SCHEMA_DIR = Path(__file__).parent / "schemas"
BATCH_XSD = SCHEMA_DIR / "multicacheschemas" / "MCCI_IN200100UV01.xsd"
BATCH_ROOT = "{urn:hl7-org:v3}MCCI_IN200100UV01"

# One compiled schema serves every thread (Streamlit sessions); its error log is per call,
# so a validation and the reading of its log must not interleave with another.
_validation_lock = threading.Lock()


def _fresh_lock_in_child() -> None:
    """A forked batch worker must not inherit the lock held by another thread of its parent."""
    global _validation_lock
    _validation_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


@functools.cache
def _load() -> tuple[etree.XMLSchema, float]:
    started = time.perf_counter()
    # The relative xs:include paths resolve against the file's own URL; all of them are local.
    schema = etree.XMLSchema(parse_file(BATCH_XSD))
    return schema, time.perf_counter() - started


def load_schema() -> etree.XMLSchema:
    """The ICSR batch schema (MCCI_IN200100UV01), compiled on first use and then reused."""
    return _load()[0]


def load_seconds() -> float:
    """Seconds this process spent parsing and compiling the schema (loading it if not yet done)."""
    return _load()[1]


def schema_findings(tree: etree._ElementTree | etree._Element) -> list[Finding]:
    """One error finding per XSD violation, located by XPath and line number."""
    schema = load_schema()
    with _validation_lock:
        valid = schema.validate(tree)
        entries = [] if valid else list(schema.error_log)
    findings = [
        Finding(
            severity="error",
            element="XSD",
            path=entry.path or "/",
            message=f"line {entry.line}: {entry.message}",
        )
        for entry in entries
    ]
    # The included message schemas declare global elements too, so a bare PORR_IN049016UV
    # message passes the XSD; a file we send or receive must be the batch.
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    root_tag = etree.QName(root).text
    if valid and root_tag != BATCH_ROOT:
        findings.append(
            Finding(
                severity="error",
                element="XSD",
                path="/*",
                message=f"line {root.sourceline}: the root element is {root_tag}, "
                f"but an ICSR batch must be {BATCH_ROOT}.",
            )
        )
    return findings


MESSAGE_ROOT = "{urn:hl7-org:v3}PORR_IN049016UV"


def message_schema_findings(message: etree._Element) -> list[Finding]:
    """XSD findings for one PORR_IN049016UV message on its own, as a streamed batch checks it.

    The schema set declares the message as a global element with the content it has inside the
    batch, so validating each message alone is the same check, one message at a time.
    """
    tag = etree.QName(message).text
    if tag != MESSAGE_ROOT:
        return [Finding("error", "XSD", "/*", f"{tag} is not an ICSR message")]
    schema = load_schema()
    # As a document root the message must carry ITSVersion, which inside a batch it does not.
    added = message.get("ITSVersion") is None
    if added:
        message.set("ITSVersion", "XML_1.0")
    try:
        with _validation_lock:
            valid = schema.validate(message)
            entries = [] if valid else list(schema.error_log)
    finally:
        if added:
            del message.attrib["ITSVersion"]
    return [
        Finding("error", "XSD", entry.path or "/", f"line {entry.line}: {entry.message}")
        for entry in entries
    ]


def is_schema_valid(tree: etree._ElementTree | etree._Element) -> bool:
    """True when the document conforms to the ICSR batch schema."""
    return not schema_findings(tree)
