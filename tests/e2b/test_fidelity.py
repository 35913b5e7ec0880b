"""Anything the model does not keep from a received file is a finding (e2b.fidelity)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from e2b.fidelity import not_kept
from e2b.model import ICSR
from e2b.reader import read_tree
from e2b.writer import BatchHeader, to_xml
from e2b.xmlsafe import parse_bytes
from tests.cases import case_names, load_icsr

HEADER = BatchHeader("BATCH-KEPT", "SENDER", "RECEIVER", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
DATA = Path(__file__).parent / "data"


def findings_of(xml: bytes) -> list[list[str]]:
    root = parse_bytes(xml).getroot()
    return [[f"{f.path} {f.message}" for f in group] for group in not_kept(root, read_tree(root))]


@pytest.mark.parametrize("name", case_names())
def test_our_own_files_are_kept_whole(name: str) -> None:
    xml = to_xml([ICSR.model_validate(load_icsr(name))], HEADER)
    assert findings_of(xml) == [[]]


def test_the_every_element_fixture_is_kept_whole() -> None:
    data = json.loads((DATA / "every_element.json").read_text(encoding="utf-8"))
    assert findings_of(to_xml([ICSR.model_validate(data)], HEADER)) == [[]]


def test_a_regional_element_is_named_with_its_path_and_values() -> None:
    xml = to_xml([ICSR.model_validate(load_icsr("itp_course2"))], HEADER)
    regional = (
        b'<subjectOf2 typeCode="SBJ"><investigationCharacteristic classCode="OBS" moodCode="EVN">'
        b'<code code="C54588" codeSystem="2.16.840.1.113883.3.26.1.1"/>'
        b'<value xsi:type="BL" value="true"/></investigationCharacteristic></subjectOf2>'
    )
    marker = b"</investigationEvent>"
    assert xml.count(marker) == 1
    [found] = findings_of(xml.replace(marker, regional + marker))
    assert any("investigationCharacteristic/code/@code" in f and "'C54588'" in f for f in found)


def test_a_published_file_names_labels_and_regional_codes_it_does_not_keep() -> None:
    xml = (DATA / "published" / "fda" / "FAERS2022Scenario1.xml").read_bytes()
    [found] = findings_of(xml)
    assert found
    assert any("@displayName" in f for f in found)
