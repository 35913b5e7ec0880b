"""E2B(R3) acknowledgements (e2b.ack): ACKs of real project batches, FDA's published examples,
hostile and tolerant input, and `python -m e2b ack|validate|read` on ACKs in real processes.

Every ACK written here is checked with a schema compiled in this file (lxml, the ICH
MCCI_IN200101UV01.xsd), independently of the module's own loader.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from e2b import ack as ack_module
from e2b.ack import (
    AckFormatError,
    Acknowledgement,
    AckWriteError,
    Identifier,
    MessageAck,
    acknowledge,
    check_ack,
    format_ts,
    load_schema,
    parse_ts,
    read_ack,
    to_json,
    write_ack,
)
from e2b.mapping import NS
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, to_xml
from e2b.xmlsafe import HostileXMLError, MalformedXMLError
from tests.cases import TODAY, load_icsr

ROOT = Path(__file__).parents[2]
DATA = Path(__file__).parent / "data" / "ack"
XSD = ROOT / "e2b" / "schemas" / "multicacheschemas" / "MCCI_IN200101UV01.xsd"
PUBLISHED = Path(__file__).parent / "data" / "published" / "fda"  # provenance: its SOURCE.md
FDA_POSITIVE = PUBLISHED / "R3ack-positive.ack"
FDA_NEGATIVE = PUBLISHED / "R3ack-negative.ack"
OURS_TOLERANT = DATA / "ours_tolerant.xml"

RIYADH = timezone(timedelta(hours=3))
NOW = datetime(2026, 11, 25, 9, 30, 5, tzinfo=RIYADH)
HEADER = BatchHeader(
    "SA-LEMTRADAPV-BATCH-7", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
)
CASES = ("itp_course2", "pml_death")


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_schema_valid(xml: bytes, xsd: etree.XMLSchema) -> None:
    document = etree.fromstring(xml)
    assert etree.QName(document).localname == "MCCI_IN200101UV01"
    assert xsd.validate(document), [e.message for e in xsd.error_log]


@pytest.fixture(scope="module")
def batch() -> bytes:
    """A real two-ICSR batch as the project writes it (report JSON -> model -> writer)."""
    reports = []
    for name in CASES:
        result = validate_icsr(load_icsr(name), today=TODAY)
        assert result.report is not None, result.findings
        reports.append(result.report)
    return to_xml(reports, HEADER)


def message_ids(xml: bytes) -> list[str]:
    return [
        str(i)
        for i in etree.fromstring(xml).xpath("h:PORR_IN049016UV/h:id/@extension", namespaces=NS)
    ]


def with_bad_message(xml: bytes, position: int) -> bytes:
    """The batch with an element the XSD does not allow in the header of one message."""
    root = etree.fromstring(xml)
    message = root.findall("h:PORR_IN049016UV", NS)[position]
    header_code = message.find("h:processingCode", NS)
    assert header_code is not None
    header_code.addnext(etree.Element(f"{{{NS['h']}}}bogus"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------- acknowledging our batches


def test_positive_ack_of_a_project_batch(batch: bytes, xsd: etree.XMLSchema) -> None:
    ack = acknowledge(batch, now=NOW)
    assert ack.code == "AA" and ack.text is None
    # ACK.M.2 / M.3 swap the batch's N.1.4 / N.1.3; ACK.A.1 and A.3 repeat N.1.2 and N.1.5.
    assert ack.sender == Identifier("SFDA-NPC", "2.16.840.1.113883.3.989.2.1.3.17")
    assert ack.receiver == Identifier("LEMTRADAPV", "2.16.840.1.113883.3.989.2.1.3.18")
    assert ack.acknowledged_batch == Identifier(HEADER.batch_id, "2.16.840.1.113883.3.989.2.1.3.22")
    assert ack.batch_sent_at == HEADER.created_at
    assert ack.created_at == NOW and ack.created_at.utcoffset() == timedelta(hours=3)
    assert ack.batch_id.root == "2.16.840.1.113883.3.989.2.1.3.20"
    assert [m.code for m in ack.messages] == ["CA", "CA"]
    assert [m.message_id.extension for m in ack.messages if m.message_id] == message_ids(batch)
    for case, message in zip(CASES, ack.messages, strict=True):
        report = validate_icsr(load_icsr(case), today=TODAY).report
        assert report is not None
        assert message.icsr_created_at == report.case.created_at  # ACK.B.r.5 = N.2.r.4 = C.1.2
        assert message.receiver == Identifier("LEMTRADAPV", "2.16.840.1.113883.3.989.2.1.3.16")
        assert message.sender == Identifier("SFDA-NPC", "2.16.840.1.113883.3.989.2.1.3.15")
    xml = write_ack(ack)
    assert_schema_valid(xml, xsd)
    assert read_ack(xml) == ack
    assert b'<creationTime value="20261125093005+0300"/>' in xml


def test_reject_gives_ar_with_the_reason_and_every_message_cr(
    batch: bytes, xsd: etree.XMLSchema
) -> None:
    ack = acknowledge(batch, now=NOW, reject="Unknown trading partner certificate")
    assert ack.code == "AR"
    assert ack.text == "Unknown trading partner certificate"
    assert [m.code for m in ack.messages] == ["CR", "CR"]
    assert all(
        m.text == "Batch rejected: Unknown trading partner certificate" for m in ack.messages
    )
    xml = write_ack(ack)
    assert_schema_valid(xml, xsd)
    assert read_ack(xml) == ack
    document = etree.fromstring(xml)
    assert document.xpath("h:acknowledgement/@typeCode", namespaces=NS) == ["AR"]


def test_a_message_failing_the_xsd_is_cr_and_the_batch_ae(
    batch: bytes, xsd: etree.XMLSchema
) -> None:
    ack = acknowledge(with_bad_message(batch, 1), now=NOW)
    assert ack.code == "AE"
    assert ack.text == "1 of 2 ICSR messages rejected (CR); see ACK.B.r.7."
    first, second = ack.messages
    assert (first.code, first.text) == ("CA", None)
    assert second.code == "CR"
    assert second.text is not None
    assert second.text.startswith("ICH schema: line ")
    assert "Element 'bogus': This element is not expected" in second.text
    assert second.message_id == Identifier(message_ids(batch)[1], "2.16.840.1.113883.3.989.2.1.3.1")
    xml = write_ack(ack)
    assert_schema_valid(xml, xsd)
    assert read_ack(xml) == ack


def test_errors_the_caller_found_make_that_message_cr(batch: bytes, xsd: etree.XMLSchema) -> None:
    first_id = message_ids(batch)[0]
    ack = acknowledge(batch, now=NOW, message_errors={first_id: "C.1.3: report type 9 is unknown"})
    assert ack.code == "AE"
    assert [(m.code, m.text) for m in ack.messages] == [
        ("CR", "C.1.3: report type 9 is unknown"),
        ("CA", None),
    ]
    assert_schema_valid(write_ack(ack), xsd)
    with pytest.raises(ValueError, match="NOT-IN-BATCH"):
        acknowledge(batch, now=NOW, message_errors={"NOT-IN-BATCH": "x"})


def test_a_batch_header_that_breaks_the_xsd_is_ar(batch: bytes, xsd: etree.XMLSchema) -> None:
    root = etree.fromstring(batch)
    sent = root.find("h:creationTime", NS)  # N.1.5
    assert sent is not None
    root.remove(sent)
    ack = acknowledge(etree.tostring(root), now=NOW)
    assert ack.code == "AR"
    assert ack.text is not None
    assert ack.text.startswith("The batch does not conform to the ICH schema: line ")
    assert ack.batch_sent_at is None
    assert [m.code for m in ack.messages] == ["CR", "CR"]
    assert_schema_valid(write_ack(ack), xsd)


def test_sender_id_overrides_n14_and_texts_are_cut_to_250(batch: bytes) -> None:
    ack = acknowledge(batch, now=NOW, sender_id="SFDA-GATEWAY", reject="x" * 400)
    assert ack.sender.extension == "SFDA-GATEWAY"
    assert ack.text is not None and len(ack.text) == 250 and ack.text.endswith("…")
    assert all(m.text is not None and len(m.text) == 250 for m in ack.messages)


def test_unusable_input_is_ar_only_when_both_parties_are_known(xsd: etree.XMLSchema) -> None:
    with pytest.raises(MalformedXMLError):
        acknowledge(b"<MCCI_IN200100UV01>", now=NOW)
    ack = acknowledge(
        b"<MCCI_IN200100UV01>", now=NOW, sender_id="SFDA-NPC", receiver_id="LEMTRADAPV"
    )
    assert ack.code == "AR" and ack.messages == () and ack.acknowledged_batch is None
    assert ack.text is not None and ack.text.startswith("The XML is not well-formed")
    xml = write_ack(ack)
    assert_schema_valid(xml, xsd)
    assert b'<targetBatch>\n      <id nullFlavor="NI"/>' in xml
    assert read_ack(xml) == ack


def test_acknowledge_refuses_a_time_without_zone_and_an_empty_reason(batch: bytes) -> None:
    with pytest.raises(ValueError, match=r"ACK\.M\.4"):
        acknowledge(batch, now=datetime(2026, 11, 25, 9, 30))
    with pytest.raises(ValueError, match=r"ACK\.A\.5"):
        acknowledge(batch, now=NOW, reject="  ")


def test_the_ack_of_a_foreign_batch_keeps_its_parties(xsd: etree.XMLSchema) -> None:
    data = (ROOT / "tests" / "e2b" / "data" / "foreign" / "eu_style_two_messages.xml").read_bytes()
    ack = acknowledge(data, now=NOW)
    assert ack.code == "AA" and len(ack.messages) == 2
    assert (ack.sender.extension, ack.receiver.extension) == ("EVHUMAN", "SYNTHMAH-EU")
    assert_schema_valid(write_ack(ack), xsd)


# ---------------------------------------------------------------- published examples (FDA)

FDA_FILES = {
    FDA_POSITIVE: "c3e30a962e4dddda503473a32a9796e5c6ea4473c47513466e770d9df83c0013",
    FDA_NEGATIVE: "aec5979c00596ed901348700d00094c74de46cc5c7404c38330d943d345c7a5e",
}


@pytest.mark.parametrize("path", FDA_FILES, ids=lambda p: p.name)
def test_fda_examples_are_unedited_valid_and_read(path: Path, xsd: etree.XMLSchema) -> None:
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == FDA_FILES[path]  # as listed in SOURCE.md
    assert_schema_valid(data, xsd)
    assert check_ack(etree.fromstring(data)) == []
    ack = read_ack(data)
    again = write_ack(ack)
    assert_schema_valid(again, xsd)
    assert read_ack(again) == ack


def test_fda_positive_example_reads_element_by_element() -> None:
    ack = read_ack(FDA_POSITIVE.read_bytes())
    assert ack.batch_id == Identifier("33439257", "2.16.840.1.113883.3.989.2.1.3.20")  # ACK.M.1
    assert ack.sender == Identifier("ZZFDA", "2.16.840.1.113883.3.989.2.1.3.17")  # ACK.M.2
    assert ack.receiver == Identifier("4567AB89012", "2.16.840.1.113883.3.989.2.1.3.18")
    assert ack.created_at == datetime(2022, 8, 11, 13, 50, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert ack.acknowledged_batch == Identifier(
        "FAERS2022Scenario1-4069-a2dd-08002b30309d", "2.16.840.1.113883.3.989.2.1.3.22"
    )
    assert ack.local_message_number == Identifier("427032", "2.16.840.1.113883.3.989.2.1.3.21")
    assert ack.batch_sent_at == datetime(
        2014, 12, 14, 15, 16, 17, tzinfo=timezone(timedelta(hours=-5))
    )
    assert (ack.code, ack.text) == ("AA", "message successfully processed, no further action")
    (message,) = ack.messages
    assert message == MessageAck(
        message_id=Identifier(
            "21ec1492-3aea-4069-a2ab-08002b30309d US-APHARMA-8744554B",
            "2.16.840.1.113883.3.989.2.1.3.1",
        ),
        receiver=Identifier("4567AB89012", "2.16.840.1.113883.3.989.2.1.3.16"),
        sender=Identifier("CDER", "2.16.840.1.113883.3.989.2.1.3.15"),
        icsr_created_at=datetime(2014, 12, 14, 15, 16, 17, tzinfo=timezone(timedelta(hours=-5))),
        code="CA",
        text="Report Loaded Successfully",
        local_report_number=Identifier("19426648", "2.16.840.1.113883.3.989.2.1.3.19"),
    )


def test_fda_negative_example_is_ae_with_a_cr_message() -> None:
    ack = read_ack(FDA_NEGATIVE.read_bytes())
    assert ack.code == "AE"
    (message,) = ack.messages
    assert message.code == "CR"
    assert message.message_id == Identifier("US-APHARMA-7644554", "2.16.840.1.113883.3.989.2.1.3.1")
    assert message.text is not None and len(message.text) == 250  # FDA cuts ACK.B.r.7 at 250AN
    assert message.text.startswith("Element value for SafetyCasePriority With Tag Id FDA.C.1.7.1")


# ---------------------------------------------------------------- tolerant and strict reading


def test_a_tolerant_read_of_other_shapes() -> None:
    data = OURS_TOLERANT.read_bytes()
    ack = read_ack(data)
    assert ack.batch_id == Identifier("EV-ACK-0042", None)  # no root: kept as absent
    assert ack.created_at == datetime(
        2026, 3, 12, 10, 15, 0, 250000, tzinfo=timezone(timedelta(hours=9))
    )
    assert ack.batch_sent_at == datetime(
        2026, 3, 10, 9, 0, tzinfo=timezone(-timedelta(hours=1, minutes=30))
    )
    (message,) = ack.messages
    assert message.icsr_created_at == datetime(2026, 3, 10, 8, 30)  # no offset: naive
    assert (
        message.text
        == "E.i.7 is missing for reaction 2.\nC.2.r.4 <qualification> & C.2.r.3 are required."
    )
    # The missing message creationTime is the file's only problem, and only the XSD's.
    findings = check_ack(etree.fromstring(data))
    assert [(f.severity, f.element) for f in findings] == [("error", "XSD")]
    assert "Expected is ( {urn:hl7-org:v3}creationTime )" in findings[0].message
    written = write_ack(ack)
    assert read_ack(written) == ack
    assert b'<creationTime value="20260312101500.25+0900"/>' in written


@pytest.mark.parametrize(
    ("change", "element"),
    [
        (('typeCode="AA"', 'typeCode="XX"'), "ACK.A.4"),
        (('typeCode="CA"', 'typeCode="AA"'), "ACK.B.r.6"),
        (('extension="ZZFDA" ', ""), "ACK.M.2"),
        (
            ('<creationTime value="20220811135030-0400"/>', '<creationTime value="2022-08-11"/>'),
            "ACK.M.4",
        ),
    ],
)
def test_what_the_model_cannot_hold_is_named(change: tuple[str, str], element: str) -> None:
    text = FDA_POSITIVE.read_text(encoding="utf-8")
    assert change[0] in text
    data = text.replace(change[0], change[1], 1).encode()
    if element == "ACK.M.2":  # drop the root too, so the id is empty
        data = data.replace(b' root="2.16.840.1.113883.3.989.2.1.3.17"', b"")
    with pytest.raises(AckFormatError) as raised:
        read_ack(data)
    assert element in {f.element for f in raised.value.findings if f.severity == "error"}
    assert element in {f.element for f in check_ack(etree.fromstring(data))}


def test_a_contradiction_between_batch_and_message_codes_is_a_warning() -> None:
    data = FDA_NEGATIVE.read_bytes().replace(b'typeCode="AE"', b'typeCode="AA"')
    findings = check_ack(etree.fromstring(data))
    assert [(f.severity, f.element) for f in findings] == [("warning", "ACK.A.4")]


def test_hl7_times_keep_zone_and_precision() -> None:
    assert parse_ts("20120720100001+09") == (
        datetime(2012, 7, 20, 10, 0, 1, tzinfo=timezone(timedelta(hours=9))),
        True,
    )
    assert parse_ts("20150227") == (datetime(2015, 2, 27), False)
    for text in (
        "20220811135030-0400",
        "20220811135030",
        "20220811135030.25+0530",
        "20260101000000+0000",
    ):
        assert format_ts(parse_ts(text)[0]) == text
    with pytest.raises(ValueError, match="not an HL7 timestamp"):
        parse_ts("2022-08-11")


# ---------------------------------------------------------------- hostile input, escaping

HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<MCCI_IN200101UV01 xmlns="urn:hl7-org:v3"><id extension="&x;"/></MCCI_IN200101UV01>',
    b'<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><MCCI_IN200101UV01>&c;</MCCI_IN200101UV01>',
]


@pytest.mark.parametrize("data", HOSTILE, ids=["external-entity", "entity-expansion"])
def test_an_ack_with_a_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(HostileXMLError):
        read_ack(data)
    with pytest.raises(HostileXMLError):
        acknowledge(data, now=NOW)


MARKUP = '</text></acknowledgementDetail></acknowledgement><acknowledgement typeCode="AA"><![CDATA[x]]>&amp;'


def test_error_text_cannot_inject_markup(batch: bytes, xsd: etree.XMLSchema) -> None:
    first_id = message_ids(batch)[0]
    ack = acknowledge(batch, now=NOW, reject=MARKUP, message_errors={first_id: MARKUP})
    xml = write_ack(ack)
    assert_schema_valid(xml, xsd)
    document = etree.fromstring(xml)
    assert document.xpath("h:acknowledgement/@typeCode", namespaces=NS) == ["AR"]
    assert len(document.xpath("//h:acknowledgement", namespaces=NS)) == 3  # batch + 2 messages
    assert b"&lt;/text&gt;" in xml and b"<![CDATA[" not in xml
    again = read_ack(xml)
    assert again == ack
    assert again.text == MARKUP and again.messages[0].text == MARKUP


def test_characters_xml_cannot_carry_are_replaced_or_refused(batch: bytes) -> None:
    ack = acknowledge(batch, now=NOW, reject="bad\x00byte\x1b")
    assert ack.text == "bad\ufffdbyte\ufffd"
    assert read_ack(write_ack(ack)) == ack
    raw = dataclasses.replace(ack, text="raw\x01")
    with pytest.raises(AckWriteError, match="cannot be written"):
        write_ack(raw)


XML_CHARACTERS = st.characters(min_codepoint=0x09).filter(
    lambda c: (
        c in "\t\n\r" or (c >= " " and not "\ud800" <= c <= "\udfff" and c not in "\ufffe\uffff")
    )
)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(XML_CHARACTERS, max_size=300),
    number=st.text(XML_CHARACTERS, min_size=1, max_size=40),
)
def test_any_text_and_id_survive_the_round_trip(text: str, number: str) -> None:
    ack = Acknowledgement(
        batch_id=Identifier(number, "2.16.840.1.113883.3.989.2.1.3.20"),
        sender=Identifier("SFDA-NPC", "2.16.840.1.113883.3.989.2.1.3.17"),
        receiver=Identifier(number, "2.16.840.1.113883.3.989.2.1.3.18"),
        created_at=NOW,
        acknowledged_batch=Identifier(number, "2.16.840.1.113883.3.989.2.1.3.22"),
        batch_sent_at=None,
        code="AE",
        text=text,
        messages=(
            MessageAck(
                message_id=Identifier(number, "2.16.840.1.113883.3.989.2.1.3.1"),
                receiver=Identifier("LEMTRADAPV", "2.16.840.1.113883.3.989.2.1.3.16"),
                sender=Identifier("SFDA-NPC", "2.16.840.1.113883.3.989.2.1.3.15"),
                icsr_created_at=NOW,
                code="CR",
                text=text,
            ),
        ),
    )
    assert read_ack(write_ack(ack)) == ack


# ---------------------------------------------------------------- standalone, schema once


def test_the_module_imports_nothing_of_pv() -> None:
    tree = ast.parse(Path(ack_module.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {name.split(".")[0] for name in imported} <= {
        "__future__",
        "collections",
        "dataclasses",
        "datetime",
        "functools",
        "hashlib",
        "lxml",
        "pathlib",
        "re",
        "threading",
        "typing",
        "e2b",
    }
    # Nor through the e2b modules it uses.
    code = "import sys, e2b.ack; print(sorted(m for m in sys.modules if m.split('.')[0] == 'pv'))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_schemas_are_compiled_once_per_process(batch: bytes) -> None:
    write_ack(acknowledge(with_bad_message(batch, 0), now=NOW))  # both schemas in use
    compiled = ack_module._compiled.cache_info().misses
    for _ in range(3):
        write_ack(acknowledge(with_bad_message(batch, 1), now=NOW))
        check_ack(etree.fromstring(FDA_POSITIVE.read_bytes()))
    assert ack_module._compiled.cache_info().misses == compiled
    assert load_schema() is load_schema()


def test_json_has_times_with_offsets() -> None:
    data = to_json(read_ack(FDA_POSITIVE.read_bytes()))
    assert data["created_at"] == "2022-08-11T13:50:30-04:00"
    assert data["messages"][0]["message_id"]["root"] == "2.16.840.1.113883.3.989.2.1.3.1"
    json.dumps(data)


# ---------------------------------------------------------------- the CLI in real processes


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "e2b", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_ack_of_a_good_batch_exits_0_and_validates(
    batch: bytes, tmp_path: Path, xsd: etree.XMLSchema
) -> None:
    received = tmp_path / "batch.xml"
    received.write_bytes(batch)
    out = tmp_path / "ack.xml"
    result = run("ack", str(received), "-o", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert_schema_valid(out.read_bytes(), xsd)
    ack = read_ack(out.read_bytes())
    assert ack.code == "AA" and ack.sender.extension == "SFDA-NPC"
    assert ack.created_at.utcoffset() == timedelta(0)
    validated = run("validate", str(out))
    assert (validated.returncode, validated.stdout, validated.stderr) == (0, "", "")
    read = run("read", str(out))
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["code"] == "AA"


def test_cli_ack_reject_exits_1_and_names_the_reason(batch: bytes, tmp_path: Path) -> None:
    received = tmp_path / "batch.xml"
    received.write_bytes(batch)
    result = run("ack", str(received), "--reject", "Wrong receiver", "--sender-id", "SFDA-GW")
    assert result.returncode == 1
    ack = read_ack(result.stdout.encode())
    assert (ack.code, ack.text, ack.sender.extension) == ("AR", "Wrong receiver", "SFDA-GW")
    assert result.stderr == f"{received}: error ACK.A.4 /: batch rejected (AR): Wrong receiver\n"
    assert run("ack", str(received), "--reject", "").returncode == 2


def test_cli_ack_with_a_bad_message_exits_1_with_one_line_for_it(
    batch: bytes, tmp_path: Path
) -> None:
    received = tmp_path / "batch.xml"
    received.write_bytes(with_bad_message(batch, 0))
    out = tmp_path / "ack.xml"
    result = run("ack", str(received), "-o", str(out))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"{received}: error ACK.B.r.6 PORR_IN049016UV[1]: ICSR {message_ids(batch)[0]} rejected (CR): ICH schema:"
    )
    assert read_ack(out.read_bytes()).code == "AE"


@pytest.mark.parametrize(
    "content",
    [b"not XML", HOSTILE[0], FDA_POSITIVE.read_bytes()],
    ids=["not-xml", "hostile", "an-ack"],
)
def test_cli_ack_of_unusable_input_exits_2_in_one_line(content: bytes, tmp_path: Path) -> None:
    received = tmp_path / "in.xml"
    received.write_bytes(content)
    result = run("ack", str(received))
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr and "root:" not in result.stderr
    assert run("ack", str(tmp_path / "missing.xml")).returncode == 2


def test_cli_validate_of_published_acks_has_no_icsr_findings() -> None:
    result = run("validate", str(FDA_POSITIVE), str(FDA_NEGATIVE))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_cli_validate_of_a_broken_ack_exits_1_one_line_per_finding(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ack"
    broken.write_bytes(FDA_POSITIVE.read_bytes().replace(b'typeCode="AA"', b'typeCode="XX"'))
    result = run("validate", str(broken), str(OURS_TOLERANT))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{broken}: error ACK.A.4 acknowledgement/@typeCode: the code is 'XX'; the IG allows AA, AE, AR"
        in lines
    )
    assert any(
        line.startswith(f"{broken}: error XSD ") for line in lines
    )  # XX is no HL7 code either
    assert any(line.startswith(f"{OURS_TOLERANT}: error XSD ") for line in lines)
    assert not any(" N.1.1 " in line for line in lines)


def test_cli_read_of_an_ack_prints_json_and_a_broken_one_exits_1(tmp_path: Path) -> None:
    result = run("read", str(FDA_NEGATIVE))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["code"] == "AE" and data["messages"][0]["code"] == "CR"
    assert data["messages"][0]["icsr_created_at"] == "2015-02-27T00:00:00-05:00"
    broken = tmp_path / "broken.ack"
    broken.write_bytes(FDA_NEGATIVE.read_bytes().replace(b'typeCode="CR"', b'typeCode="CE"'))
    result = run("read", str(broken))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"{broken}: error ACK.B.r.6 MCCI_IN000002UV01[1]/acknowledgement/@typeCode:"
    )
