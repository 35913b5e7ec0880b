"""XSD validation: the minimal batch passes, a mis-ordered one fails with located findings."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from e2b.schema import (
    BATCH_XSD,
    SCHEMA_DIR,
    is_schema_valid,
    load_schema,
    load_seconds,
    schema_findings,
)
from e2b.xmlsafe import parse_bytes, parse_file

MINIMAL_BATCH = Path(__file__).parent / "data" / "minimal_batch.xml"
HL7 = "{urn:hl7-org:v3}"
XS = "{http://www.w3.org/2001/XMLSchema}"


def test_minimal_batch_is_valid() -> None:
    tree = parse_file(MINIMAL_BATCH)
    assert schema_findings(tree) == []
    assert is_schema_valid(tree)


def test_batch_receiver_before_the_message_is_reported_with_its_line() -> None:
    root = parse_file(MINIMAL_BATCH).getroot()
    receiver = root.find(f"{HL7}receiver")
    message = root.find(f"{HL7}PORR_IN049016UV")
    assert receiver is not None and message is not None
    message.addprevious(receiver)  # moves it: the XSD wants the messages first
    tree = parse_bytes(etree.tostring(root))
    moved = tree.getroot().find(f"{HL7}receiver")
    assert moved is not None

    findings = schema_findings(tree)

    assert not is_schema_valid(tree)
    assert findings, "a mis-ordered batch must give findings"
    first = findings[0]
    assert (first.severity, first.element) == ("error", "XSD")
    assert first.message.startswith(f"line {moved.sourceline}: ")
    assert "receiver" in first.message and "not expected" in first.message
    assert tree.xpath(first.path) == [moved]


def test_unknown_root_is_reported() -> None:
    tree = parse_bytes(b'<ichicsr xmlns="urn:hl7-org:v3"/>')
    assert [f.message for f in schema_findings(tree)] == [
        "line 1: Element '{urn:hl7-org:v3}ichicsr': No matching global declaration available "
        "for the validation root."
    ]


def test_a_lone_message_is_not_a_batch() -> None:
    message = parse_file(MINIMAL_BATCH).getroot().find(f"{HL7}PORR_IN049016UV")
    assert message is not None
    message.set("ITSVersion", "XML_1.0")  # required on a message that stands as the root
    tree = parse_bytes(etree.tostring(message))
    findings = schema_findings(tree)
    assert [(f.element, f.path) for f in findings] == [("XSD", "/*")]
    assert "must be {urn:hl7-org:v3}MCCI_IN200100UV01" in findings[0].message


def test_schema_is_loaded_once() -> None:
    first = load_schema()
    assert load_schema() is first
    seconds = load_seconds()
    assert seconds > 0
    assert load_seconds() == seconds


def test_the_batch_schema_needs_only_local_files() -> None:
    """Walk the xs:include/xs:import closure of the batch XSD: offline, inside e2b/schemas/."""
    schema_dir = SCHEMA_DIR.resolve()
    seen: set[Path] = set()
    pending = [BATCH_XSD.resolve()]
    while pending:
        xsd = pending.pop()
        if xsd in seen:
            continue
        seen.add(xsd)
        for reference in parse_file(xsd).getroot().iter(f"{XS}include", f"{XS}import"):
            location = reference.get("schemaLocation")
            assert location is not None and "://" not in location, f"{xsd.name}: {location}"
            target = (xsd.parent / location).resolve()
            assert target.is_file(), f"{xsd.name} refers to missing {location}"
            assert schema_dir in target.parents
            pending.append(target)
    # SOURCE.md: the batch closure is 4 core schemas and the ICSR message types around them.
    assert len([xsd for xsd in seen if xsd.parent.name == "coreschemas"]) == 4


def _validate_minimal_batch() -> None:
    import os

    os._exit(0 if schema_findings(parse_file(MINIMAL_BATCH)) == [] else 1)


def test_a_forked_worker_validates_while_another_thread_holds_the_lock() -> None:
    """e2b.batch forks workers; a lock held at fork time by another thread is never released."""
    import multiprocessing

    from e2b import schema

    load_schema()
    with schema._validation_lock:  # as another thread of the parent, mid-validation
        child = multiprocessing.get_context("fork").Process(target=_validate_minimal_batch)
        child.start()
        child.join(timeout=60)
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0
