"""Each ICH business rule has a failing example in a file that names its element.

CASES are the XML layer's rules (e2b.rules), MODEL_CASES the model layer's (e2b.model_rules) as
the validator finds them in a received file; the end of the module holds that every rule is in
one layer only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from e2b import model_rules, rules
from e2b.checks import SHARED, in_both
from e2b.mapping import NS
from e2b.model import ICSR
from e2b.reader import read_message
from e2b.rules import batch_findings, header_findings, icsr_messages, message_findings
from e2b.validate import model_findings, validate_bytes, validate_tree
from e2b.validation import validate_icsr
from e2b.writer import BatchHeader, build_batch
from tests.cases import as_icsr

TODAY = date(2026, 11, 25)
FIXTURE = Path(__file__).parents[1] / "fixtures" / "all_fields.json"
HEADER = BatchHeader("BATCH-1", "LEMTRADAPV", "SFDA-NPC", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))

IE = "/h:MCCI_IN200100UV01/h:PORR_IN049016UV/h:controlActProcess/h:subject/h:investigationEvent"
PR = IE + "/h:component/h:adverseEventAssessment/h:subject1/h:primaryRole"
AEA = IE + "/h:component/h:adverseEventAssessment"
REACTION = PR + "/h:subjectOf2/h:observation[h:code[@code='29']]"
DRUG = PR + "/h:subjectOf2/h:organizer[h:code[@code='4']]/h:component[1]/h:substanceAdministration"
TEST = PR + "/h:subjectOf2/h:organizer[h:code[@code='3']]/h:component[1]/h:observation"
PRIMARY = IE + "/h:outboundRelationship[h:priorityNumber]"


def _obs(code: str) -> str:
    return f"h:outboundRelationship2/h:observation[h:code[@code='{code}']]/h:value"


def fresh_tree() -> etree._Element:
    report = validate_icsr(as_icsr(json.loads(FIXTURE.read_text(encoding="utf-8"))), today=TODAY).report
    assert report is not None
    return build_batch([report], HEADER)


def nodes(root: etree._Element, xpath: str) -> list[etree._Element]:
    found = root.xpath(xpath, namespaces=NS)
    assert isinstance(found, list) and found, f"fixture has no node at {xpath}"
    return [n for n in found if isinstance(n, etree._Element)]


def set_attr(xpath: str, name: str, value: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        for node in nodes(root, xpath):
            node.set(name, value)
    return mutate


def remove(xpath: str, first_only: bool = False) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        found = nodes(root, xpath)
        for node in found[:1] if first_only else found:
            parent = node.getparent()
            assert parent is not None
            parent.remove(node)
    return mutate


def set_text(xpath: str, text: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        for node in nodes(root, xpath):
            node.text = text
    return mutate


def both(*mutations: Callable[[etree._Element], None]) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        for m in mutations:
            m(root)
    return mutate


def set_bl_false(xpath: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        for node in nodes(root, xpath):
            node.attrib.pop("nullFlavor", None)
            node.set("value", "false")
    return mutate


CASES: list[tuple[str, Callable[[etree._Element], None], str]] = [
    ("message id missing", remove("/h:MCCI_IN200100UV01/h:PORR_IN049016UV/h:id"), "N.2.r.1"),
    ("C.1.1 not country-sender-number", set_attr(IE + "/h:id[1]", "extension", "NOTANID"), "C.1.1"),
    ("C.1.2 not to the second", set_attr("//h:controlActProcess/h:effectiveTime", "value", "20261120"), "C.1.2"),
    ("N.2.r.4 in the future", set_attr("/h:MCCI_IN200100UV01/h:PORR_IN049016UV/h:creationTime", "value", "20991120100000+0000"), "N.2.r.4"),
    ("C.1.3 outside its list", set_attr(IE + "/h:subjectOf2/h:investigationCharacteristic[h:code[@code='1']]/h:value", "code", "9"), "C.1.3"),
    ("C.1.3 missing", remove(IE + "/h:subjectOf2[h:investigationCharacteristic/h:code[@code='1']]"), "C.1.3"),
    ("C.1.4 not a date", set_attr(IE + "/h:effectiveTime/h:low", "value", "2026-11-20"), "C.1.4"),
    ("C.1.5 not a date", set_attr(IE + "/h:availabilityTime", "value", "2026-11-20"), "C.1.5"),
    ("C.1.6.1 missing", remove(IE + "/h:component[h:observationEvent/h:code[@code='1']]"), "C.1.6.1"),
    ("C.1.7 missing", remove(IE + "/h:component[h:observationEvent/h:code[@code='23']]"), "C.1.7"),
    ("C.1.8.1 twice", lambda r: nodes(r, IE)[0].insert(2, etree.fromstring(
        '<id xmlns="urn:hl7-org:v3" root="2.16.840.1.113883.3.989.2.1.3.2" extension="SA-B-2"/>')), "C.1.8.1"),
    ("C.1.8.2 outside its list", set_attr(IE + "/h:outboundRelationship/h:relatedInvestigation[h:code[@code='1']]//h:assignedEntity/h:code", "code", "5"), "C.1.8.2"),
    ("C.1.11.1 outside its list", set_attr(IE + "/h:subjectOf2/h:investigationCharacteristic[h:code[@code='3']]/h:value", "code", "7"), "C.1.11.1"),
    ("no primary source", remove(IE + "/h:outboundRelationship[h:priorityNumber]"), "C.2.r"),
    ("primary source without qualification", remove(PRIMARY + "[h:priorityNumber/@value='1']//h:asQualifiedEntity"), "C.2.r.4"),
    ("qualification outside its list", set_attr(PRIMARY + "//h:asQualifiedEntity/h:code[@code]", "code", "9"), "C.2.r.4"),
    ("country not ISO", set_attr(PRIMARY + "//h:asLocatedEntity/h:location/h:code", "code", "Saudi"), "C.2.r.3"),
    ("sender type outside its list", set_attr(IE + "/h:subjectOf1/h:controlActEvent/h:author/h:assignedEntity/h:code", "code", "8"), "C.3.1"),
    ("patient name missing", remove(PR + "/h:player1/h:name"), "D.1"),
    ("patient name wrong nullFlavor", lambda r: nodes(r, PR + "/h:player1/h:name")[0].attrib.update({"nullFlavor": "OTH"}), "D.1"),
    ("sex outside ISO 5218", set_attr(PR + "/h:player1/h:administrativeGenderCode", "code", "3"), "D.5"),
    ("parent's sex outside ISO 5218", set_attr(PR + "/h:player1/h:role/h:associatedPerson/h:administrativeGenderCode", "code", "3"), "D.10.6"),
    ("birth date not a date", set_attr(PR + "/h:player1/h:birthTime", "value", "19xx"), "D.2.1"),
    ("age unit not allowed", set_attr(PR + "/h:subjectOf2/h:observation[h:code[@code='3']]/h:value", "unit", "yr"), "D.2.2b"),
    ("age without unit", lambda r: nodes(r, PR + "/h:subjectOf2/h:observation[h:code[@code='3']]/h:value")[0].attrib.pop("unit"), "D.2.2b"),
    ("age group outside its list", set_attr(PR + "/h:subjectOf2/h:observation[h:code[@code='4']]/h:value", "code", "9"), "D.2.3"),
    ("LMP not a date", set_attr(PR + "/h:subjectOf2/h:observation[h:code[@code='22']]/h:value", "value", "2026-01"), "D.6"),
    ("reaction without MedDRA code", lambda r: [nodes(r, REACTION + "/h:value")[0].attrib.pop(a) for a in ("code", "codeSystem")], "E.i.2.1b"),
    ("reaction without MedDRA version", lambda r: nodes(r, REACTION + "/h:value")[0].attrib.pop("codeSystemVersion"), "E.i.2.1a"),
    ("reaction end not a date", set_attr(REACTION + "/h:effectiveTime//h:high", "value", "2026-11-01"), "E.i.5"),
    ("seriousness sent as false", set_bl_false(REACTION + "/" + _obs("21")), "E.i.3.2b"),
    ("seriousness criterion missing", remove(REACTION + "/h:outboundRelationship2[h:observation/h:code[@code='33']]"), "E.i.3.2c"),
    ("outcome outside its list", set_attr(REACTION + "/" + _obs("27"), "code", "9"), "E.i.7"),
    ("outcome missing", remove(REACTION + "/h:outboundRelationship2[h:observation/h:code[@code='27']]"), "E.i.7"),
    ("duration unit not allowed", set_attr(REACTION + "/h:effectiveTime//h:width", "unit", "fortnight"), "E.i.6b"),
    ("term highlighted outside its list", set_attr(REACTION + "/" + _obs("37"), "code", "7"), "E.i.3.1"),
    ("reaction country not ISO", set_attr(REACTION + "/h:location//h:code", "code", "sa"), "E.i.9"),
    ("MedDRA code not 8 digits", set_attr(TEST + "/h:code", "code", "1234567"), "E.i.2.1b"),
    ("test result code outside its list", set_attr(TEST + "/h:interpretationCode", "code", "9"), "F.r.3.1"),
    ("test date not a date", set_attr(TEST + "/h:effectiveTime", "value", "2026-11-01"), "F.r.1"),
    ("test value without unit", lambda r: nodes(r, TEST + "/h:value/h:center")[0].attrib.pop("unit"), "F.r.3.3"),
    ("drug role outside its list", set_attr(AEA + "/h:component/h:causalityAssessment[h:code[@code='20']]/h:value", "code", "9"), "G.k.1"),
    ("drug without role", remove(AEA + "/h:component[h:causalityAssessment/h:code[@code='20']]", first_only=True), "G.k.1"),
    ("drug without name", set_text(DRUG + "/h:consumable/h:instanceOfKind/h:kindOfProduct/h:name", " "), "G.k.2.2"),
    ("action taken outside its list", set_attr(DRUG + "/h:inboundRelationship/h:act/h:code", "code", "5"), "G.k.8"),
    ("recurrence outside its list", set_attr(DRUG + "/" + _obs("31"), "code", "7"), "G.k.9.i.4"),
    ("additional drug information outside its list", set_attr(DRUG + "/" + _obs("9"), "code", "12"), "G.k.10.r"),
    ("dose without unit", lambda r: nodes(r, DRUG + "/h:outboundRelationship2/h:substanceAdministration/h:doseQuantity")[0].attrib.pop("unit"), "G.k.4.r.1b"),
    ("last administration not a date", set_attr(DRUG + "/h:outboundRelationship2/h:substanceAdministration/h:effectiveTime//h:high", "value", "2024-01-05"), "G.k.4.r.5"),
    ("dosing interval unit without number", lambda r: nodes(r, DRUG + "//h:period")[0].attrib.pop("value"), "G.k.4.r.2"),
    ("dosing interval unit not allowed", set_attr(DRUG + "//h:period", "unit", "fortnight"), "G.k.4.r.3"),
    ("causality names no reaction", remove(AEA + "/h:component/h:causalityAssessment[h:code[@code='39']]/h:subject1"), "G.k.9.i.1"),
    ("causality points at no drug", set_attr(AEA + "/h:component/h:causalityAssessment[h:code[@code='39']]/h:subject2//h:id", "root", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), "G.k.9.i.2.r"),
    ("drug role points at no drug", lambda r: nodes(r, AEA + "/h:component/h:causalityAssessment[h:code[@code='20']]/h:subject2//h:id")[0].set("root", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), "G.k.1"),
    ("narrative blank", set_text(IE + "/h:text", "  "), "H.1"),
    ("case summary without language", lambda r: nodes(r, IE + "/h:component/h:observationEvent[h:code[@code='36']]/h:value")[0].attrib.pop("language"), "H.5.r.1b"),
    ("batch message type missing", remove("/h:MCCI_IN200100UV01/h:name"), "N.1.1"),
    ("batch date not to the second", set_attr("/h:MCCI_IN200100UV01/h:creationTime", "value", "20261120"), "N.1.5"),
]


# The model layer's rules (e2b.model_rules), met by a received file through the reader: each
# with the field path it names (tests/pv/test_rules.py has each one on a report's data too).
MODEL_CASES: list[tuple[str, Callable[[etree._Element], None], str, str]] = [
    ("C.1.2 in the future", set_attr("//h:controlActProcess/h:effectiveTime", "value", "20991120100000+0000"), "C.1.2", "case.created_at"),
    ("C.1.4 only a month", set_attr(IE + "/h:effectiveTime/h:low", "value", "202611"), "C.1.4", "case.first_received"),
    ("C.1.5 before C.1.4", set_attr(IE + "/h:availabilityTime", "value", "20250101"), "C.1.5", "case.most_recent"),
    ("C.1.5 in the future", set_attr(IE + "/h:availabilityTime", "value", "20991231"), "C.1.5", "case.most_recent"),
    ("C.1.6.1 true with no document", remove(IE + "/h:reference"), "C.1.6.1.r.1", "case.documents"),
    ("C.1.11.2 missing", remove(IE + "/h:subjectOf2[h:investigationCharacteristic/h:code[@code='4']]"), "C.1.11.2", "case.nullification_reason"),
    ("two primary sources", set_attr(IE + "/h:outboundRelationship/h:priorityNumber", "value", "1"), "C.2.r.5", "primary_sources[1].primary_for_regulatory"),
    ("primary source without country", remove(PRIMARY + "[h:priorityNumber/@value='1']//h:asLocatedEntity"), "C.2.r.3", "primary_sources[0].country"),
    ("sender without organisation", remove(IE + "/h:subjectOf1/h:controlActEvent/h:author/h:assignedEntity/h:representedOrganization/h:assignedEntity"), "C.3.2", "sender.organisation"),
    ("birth date in the future", set_attr(PR + "/h:player1/h:birthTime", "value", "2099"), "D.2.1", "patient.birth_date"),
    ("parent without sex", remove(PR + "/h:player1/h:role/h:associatedPerson/h:administrativeGenderCode"), "D.10.6", "patient.parent.sex"),
    ("fatal without results-in-death", lambda r: nodes(r, REACTION + "/" + _obs("34"))[0].attrib.update({"nullFlavor": "NI"}) or nodes(r, REACTION + "/" + _obs("34"))[0].attrib.pop("value"), "E.i.3.2a", "reactions[0].seriousness.death"),
    ("reaction ends before it starts", set_attr(REACTION + "/h:effectiveTime//h:high", "value", "20250101"), "E.i.5", "reactions[0].end"),
    ("reaction start in the future", set_attr(REACTION + "/h:effectiveTime//h:low", "value", "209901"), "E.i.4", "reactions[0].start"),
    ("two MedDRA versions", set_attr(TEST + "/h:code", "codeSystemVersion", "26.0"), "F.r.2.2a", "tests[0].test.version"),
    ("test without name", lambda r: [nodes(r, TEST + "/h:code")[0].attrib.pop(a) for a in ("code", "codeSystem", "codeSystemVersion")] and remove(TEST + "/h:code/h:originalText")(r), "F.r.2", "tests[0].name"),
    ("test without result", both(remove(TEST + "/h:value"), remove(TEST + "/h:interpretationCode")), "F.r.3", "tests[0].result"),
    ("no suspect drug", set_attr(AEA + "/h:component/h:causalityAssessment[h:code[@code='20']]/h:value", "code", "2"), "G.k.1", "drugs[0].role"),
    ("dosage start in the future", set_attr(DRUG + "/h:outboundRelationship2/h:substanceAdministration/h:effectiveTime//h:low", "value", "20990101"), "G.k.4.r.4", "drugs[0].dosages[0].start"),
    ("causality points at no reaction", set_attr(AEA + "/h:component/h:causalityAssessment[h:code[@code='39']]/h:subject1//h:id", "root", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), "G.k.9.i.1", "drugs[0].reactions[1].reaction_id"),
    ("time to onset points at no reaction", set_attr(DRUG + "/h:outboundRelationship1/h:actReference/h:id", "root", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"), "G.k.9.i.1", "drugs[0].reactions[1].reaction_id"),
    ("dosing interval without unit", lambda r: nodes(r, DRUG + "//h:period")[0].attrib.pop("unit"), "G.k.4.r.3", "drugs[0].dosages[0].interval_unit"),
    ("C.1.9.1 false", set_attr(IE + "/h:subjectOf2/h:investigationCharacteristic[h:code[@code='2']]/h:value", "value", "false"), "C.1.9.1", "case.other_case_ids_in_previous"),
    ("C.1.9.1 true without IDs", remove(IE + "/h:subjectOf1[h:controlActEvent/h:id]"), "C.1.9.1.r", "case.other_case_ids"),
]


def test_the_unchanged_fixture_has_no_findings() -> None:
    assert validate_tree(fresh_tree(), TODAY) == []


@pytest.mark.parametrize(("mutation", "element"), [(m, e) for _, m, e in CASES],
                         ids=[name for name, _, _ in CASES])
def test_each_rule_names_its_element(
    mutation: Callable[[etree._Element], None], element: str
) -> None:
    root = fresh_tree()
    mutation(root)
    findings = batch_findings(root, TODAY)
    errors = [f for f in findings if f.severity == "error"]
    assert element in {f.element for f in errors}, findings
    hit = next(f for f in errors if f.element == element)
    assert hit.message.endswith(f"({element})")
    assert hit.path.startswith("/")
    # The path points at a node that exists in the document.
    assert root.getroottree().xpath(hit.path)


@pytest.mark.parametrize(("mutation", "element", "path"), [(m, e, p) for _, m, e, p in MODEL_CASES],
                         ids=[name for name, _, _, _ in MODEL_CASES])
def test_each_model_rule_names_its_element_in_a_received_file(
    mutation: Callable[[etree._Element], None], element: str, path: str
) -> None:
    """The validator reads each message and reports the model layer's findings after the XML's."""
    root = fresh_tree()
    mutation(root)
    findings = validate_bytes(etree.tostring(root), TODAY)
    errors = [f for f in findings if f.severity == "error"]
    assert (element, path) in {(f.element, f.path) for f in errors}, findings
    hit = next(f for f in errors if f.element == element and f.path == path)
    assert hit.message.startswith("ICSR SA-LEMTRADAPV-000001: ")
    assert hit.message.endswith(f"({element})")
    # Found once: the XML layer no longer has a rule for it.
    assert element not in {f.element for f in batch_findings(root, TODAY) if f.severity == "error"}


def test_nullflavor_on_expedited_is_only_a_warning() -> None:
    root = fresh_tree()
    value = nodes(root, IE + "/h:component/h:observationEvent[h:code[@code='23']]/h:value")[0]
    del value.attrib["value"]
    value.set("nullFlavor", "NI")
    findings = batch_findings(root, TODAY)
    assert [(f.severity, f.element) for f in findings] == [("warning", "C.1.7")]


def test_schema_and_rules_together() -> None:
    root = fresh_tree()
    remove(IE + "/h:statusCode")(root)  # a structural error the rules do not look at
    set_attr(REACTION + "/" + _obs("27"), "code", "9")(root)
    elements = {f.element for f in validate_tree(root, TODAY)}
    assert {"XSD", "E.i.7"} <= elements


def test_a_value_the_xml_layer_refuses_is_one_finding() -> None:
    """Not again as the model's refusal of the value the reader took over (E.i.7 '9')."""
    root = fresh_tree()
    set_attr(REACTION + "/" + _obs("27"), "code", "9")(root)
    assert [f.element for f in validate_tree(root, TODAY) if f.element != "XSD"] == ["E.i.7"]


def test_a_value_the_reader_cannot_read_gets_no_model_finding() -> None:
    """An end date that is no date is the XML layer's; the model, which never saw it, is silent."""
    root = fresh_tree()
    set_attr(REACTION + "/h:effectiveTime//h:high", "value", "2026-11-01")(root)
    findings = [f for f in validate_tree(root, TODAY) if f.element != "XSD"]
    assert [(f.element, f.path.startswith("/")) for f in findings] == [("E.i.5", True)]


def test_validate_bytes_parses_with_the_hardened_parser() -> None:
    xml = etree.tostring(fresh_tree())
    assert validate_bytes(xml, TODAY) == []


# ---------------------------------------------------------------- files from other systems
# The rules index the message by code instead of asking XPath per code; these pin what the
# index must keep seeing: other code systems, comments and order, other id styles, any element.


def test_a_code_from_another_list_is_not_the_ich_code() -> None:
    root = fresh_tree()
    set_attr(REACTION + "/h:outboundRelationship2/h:observation/h:code[@code='33']", "codeSystem", "2.16.840.1.113883.3.989.5.1.2.2.1.3")(root)
    errors = [f for f in batch_findings(root, TODAY) if f.severity == "error"]
    assert [f.element for f in errors] == ["E.i.3.2c"]
    assert "must be sent" in errors[0].message


def test_comments_and_reversed_children_change_no_finding() -> None:
    root = fresh_tree()
    for element in list(root.iter(etree.Element)):
        children = list(element)
        for child in children:
            element.remove(child)
        for child in reversed(children):
            element.append(child)
            child.addprevious(etree.Comment(" from another system "))
    assert batch_findings(root, TODAY) == []


def test_references_match_upper_case_uuids_and_oid_extension_ids() -> None:
    root = fresh_tree()
    drug_id = nodes(root, DRUG + "/h:id")[0]
    for ref in nodes(root, f"//h:productUseReference/h:id[@root='{drug_id.get('root')}']"):
        ref.set("root", ref.get("root", "").upper())
    reaction_id = nodes(root, REACTION + "/h:id")[0]
    for ident in nodes(root, f"//h:id[@root='{reaction_id.get('root')}']"):
        ident.set("root", "1.3.6.1.4.1.32473.9")
        ident.set("extension", "R1")
    assert validate_tree(root, TODAY) == []  # both layers: the XML's references, the reader's
    # The extension is part of the reference: another one points at no reaction (the model's rule).
    nodes(root, AEA + "/h:component/h:causalityAssessment[h:code[@code='39']]/h:subject1//h:id")[0].set("extension", "R2")
    assert [(f.element, f.path) for f in validate_tree(root, TODAY)] == [
        ("G.k.9.i.1", "drugs[0].reactions[1].reaction_id")
    ]


def test_meddra_codes_are_found_on_any_element() -> None:
    """As written, on any element; one MedDRA version is the model's rule, on what it holds."""
    root = fresh_tree()
    nodes(root, IE)[0].append(etree.fromstring(
        '<x:note xmlns:x="urn:example" codeSystem="2.16.840.1.113883.6.163" code="123" codeSystemVersion="99.0"/>'))
    findings = [f for f in validate_tree(root, TODAY) if f.element != "XSD"]
    assert [f.element for f in findings] == ["E.i.2.1b"]
    assert findings[0].path.endswith("/x:note")


def test_every_use_of_a_bad_date_is_reported() -> None:
    root = fresh_tree()
    set_attr(REACTION + "/h:effectiveTime//h:low", "value", "2099-01-01")(root)
    set_attr(DRUG + "/h:outboundRelationship2/h:substanceAdministration/h:effectiveTime//h:low", "value", "2099-01-01")(root)
    elements = [f.element for f in batch_findings(root, TODAY)]
    assert elements.count("E.i.4") == 1
    assert elements.count("G.k.4.r.4") == len(nodes(root, DRUG + "/h:outboundRelationship2/h:substanceAdministration/h:effectiveTime//h:low"))
    # The reader cannot read them either; the validator says so once, through the XML layer.
    assert [f.element for f in validate_tree(root, TODAY) if f.element != "XSD"] == elements


def test_a_year_9999_placeholder_is_a_finding_not_a_crash() -> None:
    root = fresh_tree()
    set_attr(REACTION + "/h:effectiveTime//h:high", "value", "99991231")(root)
    findings = validate_tree(root, TODAY)
    assert ("E.i.5", "reactions[0].end") in {(f.element, f.path) for f in findings if f.severity == "error"}


INDICATION = DRUG + "/h:inboundRelationship[@typeCode='RSON']/h:observation/h:value"


def _uncoded_indication(root: etree._Element) -> etree._Element:
    """The first indication emptied to a bare MedDRA value: code system, no code, no text."""
    [value] = nodes(root, INDICATION)[:1]
    for name in ("code", "codeSystemVersion"):
        value.attrib.pop(name, None)
    value.set("codeSystem", "2.16.840.1.113883.6.163")
    for child in list(value):
        value.remove(child)
    return value


def test_an_indication_given_as_text_only_is_valid() -> None:
    """G.k.7.r.1 without G.k.7.r.2b, as most partner files send it: MedDRA code system, text."""
    root = fresh_tree()
    value = _uncoded_indication(root)
    etree.SubElement(value, f"{{{NS['h']}}}originalText").text = "Multiple sclerosis"
    assert batch_findings(root, TODAY) == []
    value.set("nullFlavor", "UNK")  # the IG's way to say the indication is not known
    assert batch_findings(root, TODAY) == []


def test_a_meddra_value_with_nothing_in_it_is_an_error() -> None:
    root = fresh_tree()
    _uncoded_indication(root)
    assert [f.element for f in batch_findings(root, TODAY)] == ["E.i.2.1b"]


def test_a_message_id_other_than_c_1_1_is_a_warning() -> None:
    """As FDA's and ICH's own example files send it; our writer sends C.1.1."""
    root = fresh_tree()
    set_attr("/h:MCCI_IN200100UV01/h:PORR_IN049016UV/h:id", "extension", "SA-X-9")(root)
    findings = batch_findings(root, TODAY)
    assert [(f.severity, f.element) for f in findings] == [("warning", "N.2.r.1")]


# ---------------------------------------------------------------- every rule once (e2b.checks)

ALL_MUTATIONS = [pytest.param(m, id=name) for name, m, _ in CASES] + [
    pytest.param(m, id=name) for name, m, _, _ in MODEL_CASES
]


def test_no_check_is_made_in_both_layers() -> None:
    """Each (element, kind of check) is in one layer's table; SHARED says why for the rest."""
    assert in_both(rules.CHECKS, model_rules.CHECKS) == set(SHARED)


def test_each_layer_lists_every_rule_it_runs() -> None:
    assert set(rules.CHECKS) == {check.__name__ for check in rules.RULES} | {"header_findings"}
    assert set(model_rules.CHECKS) == {check.__name__ for check in model_rules.RULES}


def _declared(table: dict[str, tuple[tuple[str, str], ...]], name: str) -> set[str]:
    return {element for element, _ in table[name]}


@pytest.mark.parametrize("mutation", ALL_MUTATIONS)
def test_each_rule_reports_only_elements_its_table_lists(
    mutation: Callable[[etree._Element], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables stay true to the code: run rule by rule, each finding's element is listed."""
    root = fresh_tree()
    mutation(root)
    assert {f.element for f in header_findings(root)} <= _declared(rules.CHECKS, "header_findings")
    for check in list(rules.RULES):
        monkeypatch.setattr(rules, "RULES", [check])
        found = {f.element for m in icsr_messages(root) for f in message_findings(m, TODAY)}
        assert found <= _declared(rules.CHECKS, check.__name__), check.__name__
    for message in icsr_messages(root):
        read = read_message(message)
        if read.report is None:
            continue
        report = ICSR.model_validate(read.data)
        for model_rule in model_rules.RULES:
            found = {f.element for f in model_rule(report, TODAY)}
            assert found <= _declared(model_rules.CHECKS, model_rule.__name__), model_rule.__name__


# Two different checks on one element, both set off by one mistake in a file.
CONSEQUENCES = {
    "C.1.6.1": "not sent, it is read as false (the model has no 'not sent'), so the model's rule "
    "that listed documents need C.1.6.1 = true fires after the XML layer's 'missing'",
}


@pytest.mark.parametrize("mutation", ALL_MUTATIONS)
def test_each_broken_rule_is_reported_by_one_layer(
    mutation: Callable[[etree._Element], None]
) -> None:
    """No element gets an error from both layers for one mistake in a file."""
    root = fresh_tree()
    mutation(root)
    shared = {element for element, _ in SHARED} | set(CONSEQUENCES)
    for message in icsr_messages(root):
        xml = message_findings(message, TODAY)
        model = model_findings(message, xml, TODAY)
        twice = {f.element for f in xml if f.severity == "error"} & {
            f.element for f in model if f.severity == "error"
        }
        assert twice <= shared, twice
