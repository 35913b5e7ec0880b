"""Report model -> ICH E2B(R3) XML: an MCCI_IN200100UV01 batch of PORR_IN049016UV messages.

Built node by node with lxml, so no user text can change the structure: lxml escapes every
value, and the model has already refused characters XML cannot carry. Element order follows
the ICH schema (checked by the XSD in tests); codes and OIDs come from `e2b.mapping`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lxml import etree

from e2b.mapping import (
    CODELIST_VERSION,
    HL7,
    OID_ACT_CODE,
    OID_AUTHOR_ROLE,
    OID_AUTHORISATION,
    OID_BATCH_ID,
    OID_BATCH_RECEIVER,
    OID_BATCH_SENDER,
    OID_CHARACTERISTIC,
    OID_COUNTRY,
    OID_DOCUMENT,
    OID_INTERACTION,
    OID_INTERPRETATION,
    OID_MEDDRA,
    OID_MESSAGE_ID,
    OID_MESSAGE_RECEIVER,
    OID_MESSAGE_SENDER,
    OID_MESSAGE_TYPE,
    OID_OBSERVATION,
    OID_OTHER_CASE_ID,
    OID_PRODUCT_EVENT,
    OID_RELATIONSHIP,
    OID_ROLE_CODE,
    OID_SEX,
    OID_TRIGGER,
    OID_VALUE_GROUP,
    OID_WORLDWIDE_ID,
    SERIOUSNESS_CODES,
    TIME_FROM_FIRST_DOSE,
    TIME_FROM_LAST_DOSE,
    XSI,
    Author,
    Characteristic,
    Group,
    Obs,
)
from pv.codelists import (
    ActionTaken,
    AdditionalDrugInfo,
    AgeGroup,
    DrugRole,
    FirstSender,
    Nullification,
    Outcome,
    Qualification,
    Recurrence,
    ReportType,
    SenderType,
    TermHighlighted,
    TestResultCode,
)
from pv.dates import datetime_to_hl7, to_hl7
from pv.model import (
    CauseOfDeath,
    Death,
    Dosage,
    Drug,
    DrugReaction,
    Interval,
    MeddraTerm,
    MedicalHistory,
    Narrative,
    Parent,
    PastDrug,
    Patient,
    PrimarySource,
    Reaction,
    Report,
    Sender,
    TestResult,
)

E = etree._Element
_XSI_TYPE = f"{{{XSI}}}type"


@dataclass(frozen=True)
class BatchHeader:
    """N.1 / N.2.r transmission identifiers; they come from configuration, not from the report."""

    batch_id: str  # N.1.2
    sender_id: str  # N.1.3 and N.2.r.2
    receiver_id: str  # N.1.4 and N.2.r.3
    created_at: datetime  # N.1.5


# ---------------------------------------------------------------- tiny builders


_TAGS: dict[str, str] = {}


def _el(parent: E, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> E:
    """A child in the HL7 namespace; 'xsi:type' in attrs becomes the namespaced attribute."""
    qualified = _TAGS.get(tag)
    if qualified is None:
        qualified = _TAGS.setdefault(tag, f"{{{HL7}}}{tag}")
    if attrs and "xsi:type" in attrs:
        attrs = {(_XSI_TYPE if k == "xsi:type" else k): v for k, v in attrs.items()}
    node = etree.SubElement(parent, qualified, attrs)
    if text is not None:
        node.text = text
    return node


def _num(value: Decimal) -> str:
    """Decimal as HL7 REAL: plain notation, never an exponent."""
    text = format(value, "f")
    return text


def _code(
    parent: E,
    tag: str,
    code: str,
    system: str,
    version: str | None = None,
    xsi_type: str | None = None,
    display: str | None = None,
) -> E:
    attrs = {"code": code, "codeSystem": system}
    if version:
        attrs["codeSystemVersion"] = version
    if display:
        attrs["displayName"] = display
    if xsi_type:
        attrs = {"xsi:type": xsi_type, **attrs}
    return _el(parent, tag, attrs)


def _obs_code(parent: E, code: str) -> E:
    return _code(parent, "code", code, OID_OBSERVATION, CODELIST_VERSION)


def _meddra(
    parent: E,
    tag: str,
    term: MeddraTerm | None,
    text: str | None = None,
    xsi_type: str | None = "CE",
    language: str | None = None,
) -> E:
    """A MedDRA CE; free text rides along as originalText (E.i.1.1a, D.9.2.r.2, G.k.7.r.1)."""
    attrs: dict[str, str] = {}
    if xsi_type:
        attrs["xsi:type"] = xsi_type
    if term is not None:
        attrs.update(code=term.code, codeSystem=OID_MEDDRA, codeSystemVersion=term.version)
    node = _el(parent, tag, attrs)
    if text is not None:
        original = _el(node, "originalText", text=text)
        if language:
            original.set("language", language)
    return node


def _bl(parent: E, tag: str, value: bool | None) -> E:
    """BL value; None is nullFlavor NI (ICH: the only null allowed where BL is required)."""
    if value is None:
        return _el(parent, tag, {"xsi:type": "BL", "nullFlavor": "NI"})
    return _el(parent, tag, {"xsi:type": "BL", "value": "true" if value else "false"})


def _pq(parent: E, tag: str, value: Decimal, unit: str, xsi_type: str | None = "PQ") -> E:
    attrs = {"value": _num(value), "unit": unit}
    if xsi_type:
        attrs = {"xsi:type": xsi_type, **attrs}
    return _el(parent, tag, attrs)


def _observation(parent: E, rel: str, code: str, type_code: str = "SBJ") -> E:
    """<rel typeCode><observation classCode=OBS moodCode=EVN><code/>: the ICH observation."""
    holder = _el(parent, rel, {"typeCode": type_code})
    obs = _el(holder, "observation", {"classCode": "OBS", "moodCode": "EVN"})
    _obs_code(obs, code)
    return obs


def _ivl(
    parent: E,
    tag: str,
    low: str | None,
    high: str | None,
    operator: str | None = None,
    xsi_type: str = "IVL_TS",
) -> E:
    attrs = {"xsi:type": xsi_type}
    if operator:
        attrs["operator"] = operator
    node = _el(parent, tag, attrs)
    if low:
        _el(node, "low", {"value": to_hl7(low)})
    if high:
        _el(node, "high", {"value": to_hl7(high)})
    return node


def _effective_time(
    parent: E,
    start: str | None,
    end: str | None,
    duration: Interval | None,
    period: tuple[Decimal, str] | None = None,
) -> None:
    """effectiveTime from dates, duration and dosing period: one IVL_TS, or SXPR_TS of parts."""
    parts: list[str] = []
    if period is not None:
        parts.append("period")
    if start or end:
        parts.append("dates")
    if duration is not None:
        parts.append("duration")
    if not parts:
        return
    if len(parts) == 1:
        holder, tag, first_operator = parent, "effectiveTime", None
    else:
        holder = _el(parent, "effectiveTime", {"xsi:type": "SXPR_TS"})
        tag, first_operator = "comp", None
    for i, part in enumerate(parts):
        operator = first_operator if i == 0 or len(parts) == 1 else "A"
        if part == "period" and period is not None:
            attrs = {"xsi:type": "PIVL_TS"}
            if operator:
                attrs["operator"] = operator
            node = _el(holder, tag, attrs)
            _el(node, "period", {"value": _num(period[0]), "unit": period[1]})
        elif part == "dates":
            _ivl(holder, tag, start, end, operator)
        elif duration is not None:
            node = _el(
                holder, tag, {"xsi:type": "IVL_TS", **({"operator": operator} if operator else {})}
            )
            _el(node, "width", {"value": _num(duration.value), "unit": duration.unit.value})


def _person_name(
    parent: E, title: str | None, given: str | None, middle: str | None, family: str | None
) -> None:
    """PN with prefix/given/given/family: ICH sends the middle name as a second given name."""
    if not any((title, given, middle, family)):
        return
    name = _el(parent, "name")
    if title:
        _el(name, "prefix", text=title)
    if given:
        _el(name, "given", text=given)
    if middle:
        if not given:
            _el(name, "given", {"nullFlavor": "NI"})
        _el(name, "given", text=middle)
    if family:
        _el(name, "family", text=family)


def _address(
    parent: E, street: str | None, city: str | None, state: str | None, postcode: str | None
) -> None:
    if not any((street, city, state, postcode)):
        return
    addr = _el(parent, "addr")
    if street:
        _el(addr, "streetAddressLine", text=street)
    if city:
        _el(addr, "city", text=city)
    if state:
        _el(addr, "state", text=state)
    if postcode:
        _el(addr, "postalCode", text=postcode)


def _telecoms(parent: E, phone: str | None, fax: str | None, email: str | None) -> None:
    for scheme, value in (("tel", phone), ("fax", fax), ("mailto", email)):
        if value:
            _el(parent, "telecom", {"value": f"{scheme}:{value}"})


def _organisation(parent: E, department: str | None, organisation: str | None) -> None:
    """representedOrganization holds the department; its nested organisation holds the name."""
    if not (department or organisation):
        return
    org = _el(parent, "representedOrganization", {"classCode": "ORG", "determinerCode": "INSTANCE"})
    if department:
        _el(org, "name", text=department)
    if organisation:
        entity = _el(org, "assignedEntity", {"classCode": "ASSIGNED"})
        inner = _el(
            entity, "representedOrganization", {"classCode": "ORG", "determinerCode": "INSTANCE"}
        )
        _el(inner, "name", text=organisation)


# ---------------------------------------------------------------- batch and message


def build_batch(reports: Sequence[Report], header: BatchHeader) -> E:
    """The MCCI_IN200100UV01 batch element for one or more reports."""
    root = etree.Element(f"{{{HL7}}}MCCI_IN200100UV01", nsmap={None: HL7, "xsi": XSI})
    root.set("ITSVersion", "XML_1.0")
    root.set(f"{{{XSI}}}schemaLocation", "urn:hl7-org:v3 MCCI_IN200100UV01.xsd")
    _el(root, "id", {"root": OID_BATCH_ID, "extension": header.batch_id})
    _el(root, "creationTime", {"value": datetime_to_hl7(header.created_at)})
    _el(root, "responseModeCode", {"code": "D"})
    _el(root, "interactionId", {"root": OID_INTERACTION, "extension": "MCCI_IN200100UV01"})
    _el(
        root,
        "name",
        {"code": "1", "codeSystem": OID_MESSAGE_TYPE, "codeSystemVersion": CODELIST_VERSION},
    )
    for report in reports:
        _message(root, report, header)
    # The schema wants the batch receiver and sender after the messages.
    receiver = _el(root, "receiver", {"typeCode": "RCV"})
    device = _el(receiver, "device", {"classCode": "DEV", "determinerCode": "INSTANCE"})
    _el(device, "id", {"root": OID_BATCH_RECEIVER, "extension": header.receiver_id})
    sender = _el(root, "sender", {"typeCode": "SND"})
    device = _el(sender, "device", {"classCode": "DEV", "determinerCode": "INSTANCE"})
    _el(device, "id", {"root": OID_BATCH_SENDER, "extension": header.sender_id})
    return root


def to_xml(reports: Sequence[Report], header: BatchHeader) -> bytes:
    """Serialised batch, UTF-8 with declaration, indented for people who open the file."""
    root = build_batch(reports, header)
    etree.indent(root, space="  ")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _message(batch: E, report: Report, header: BatchHeader) -> None:
    msg = _el(batch, "PORR_IN049016UV")
    _el(msg, "id", {"root": OID_MESSAGE_ID, "extension": report.case.sender_report_id})
    _el(msg, "creationTime", {"value": datetime_to_hl7(report.case.created_at)})  # N.2.r.4 = C.1.2
    _el(msg, "interactionId", {"root": OID_INTERACTION, "extension": "PORR_IN049016UV"})
    _el(msg, "processingCode", {"code": "P"})
    _el(msg, "processingModeCode", {"code": "I"})
    _el(msg, "acceptAckCode", {"code": "AL"})
    receiver = _el(msg, "receiver", {"typeCode": "RCV"})
    device = _el(receiver, "device", {"classCode": "DEV", "determinerCode": "INSTANCE"})
    _el(device, "id", {"root": OID_MESSAGE_RECEIVER, "extension": header.receiver_id})
    sender = _el(msg, "sender", {"typeCode": "SND"})
    device = _el(sender, "device", {"classCode": "DEV", "determinerCode": "INSTANCE"})
    _el(device, "id", {"root": OID_MESSAGE_SENDER, "extension": header.sender_id})
    act = _el(msg, "controlActProcess", {"classCode": "CACT", "moodCode": "EVN"})
    _el(act, "code", {"code": "PORR_TE049016UV", "codeSystem": OID_TRIGGER})
    _el(act, "effectiveTime", {"value": datetime_to_hl7(report.case.created_at)})  # C.1.2
    subject = _el(act, "subject", {"typeCode": "SUBJ"})
    _investigation(subject, report)


def _investigation(subject: E, report: Report) -> None:
    case = report.case
    ie = _el(subject, "investigationEvent", {"classCode": "INVSTG", "moodCode": "EVN"})
    _el(ie, "id", {"root": OID_MESSAGE_ID, "extension": case.sender_report_id})  # C.1.1
    _el(ie, "id", {"root": OID_WORLDWIDE_ID, "extension": case.worldwide_case_id})  # C.1.8.1
    _el(ie, "code", {"code": "PAT_ADV_EVNT", "codeSystem": OID_ACT_CODE})
    _el(ie, "text", text=report.narrative.narrative)  # H.1
    _el(ie, "statusCode", {"code": "active"})
    low = _el(ie, "effectiveTime")
    _el(low, "low", {"value": to_hl7(case.first_received)})  # C.1.4
    _el(ie, "availabilityTime", {"value": to_hl7(case.most_recent)})  # C.1.5
    for title in case.documents:  # C.1.6.1.r.1
        ref = _el(ie, "reference", {"typeCode": "REFR"})
        doc = _el(ref, "document", {"classCode": "DOC", "moodCode": "EVN"})
        _code(doc, "code", "1", OID_DOCUMENT, CODELIST_VERSION)
        _el(doc, "title", text=title)
    _adverse_event_assessment(ie, report)
    _observation_event(
        ie, Obs.ADDITIONAL_DOCUMENTS, lambda n: _bl(n, "value", case.additional_documents)
    )
    _observation_event(ie, Obs.EXPEDITED, lambda n: _bl(n, "value", case.expedited))
    for summary in report.narrative.summaries:  # H.5.r
        node = _observation_event(
            ie,
            Obs.SUMMARY,
            lambda n, s=summary: _el(
                n, "value", {"xsi:type": "ED", "language": s.language}, s.text
            ),
            author=Author.REPORTER,
        )
        del node
    _first_sender(ie, case.first_sender)
    for link in case.linked_reports:  # C.1.10.r
        rel = _el(ie, "outboundRelationship", {"typeCode": "SPRT"})
        inv = _el(rel, "relatedInvestigation", {"classCode": "INVSTG", "moodCode": "EVN"})
        _el(inv, "code", {"nullFlavor": "NA"})
        sub = _el(inv, "subjectOf2", {"typeCode": "SUBJ"})
        cae = _el(sub, "controlActEvent", {"classCode": "CACT", "moodCode": "EVN"})
        _el(cae, "id", {"root": OID_WORLDWIDE_ID, "extension": link})
    for source in report.primary_sources:
        _primary_source(ie, source)
    _sender(ie, report.sender)
    for other in case.other_case_ids:  # C.1.9.1.r
        sub = _el(ie, "subjectOf1", {"typeCode": "SUBJ"})
        cae = _el(sub, "controlActEvent", {"classCode": "CACT", "moodCode": "EVN"})
        _el(
            cae,
            "id",
            {
                "root": OID_OTHER_CASE_ID,
                "extension": other.case_id,
                "assigningAuthorityName": other.source,
            },
        )
    _characteristic(ie, Characteristic.REPORT_TYPE, case.report_type)
    _characteristic(ie, Characteristic.OTHER_CASE_IDS, None, other_ids=bool(case.other_case_ids))
    if case.nullification is not None:
        _characteristic(ie, Characteristic.NULLIFICATION, case.nullification)
    if case.nullification_reason:
        sub = _el(ie, "subjectOf2", {"typeCode": "SUBJ"})
        ch = _el(sub, "investigationCharacteristic", {"classCode": "OBS", "moodCode": "EVN"})
        _code(ch, "code", Characteristic.NULLIFICATION_REASON, OID_CHARACTERISTIC, CODELIST_VERSION)
        value = _el(
            ch, "value", {"xsi:type": "CE", "codeSystem": "2.16.840.1.113883.3.989.2.1.1.5"}
        )
        _el(value, "originalText", text=case.nullification_reason)


def _observation_event(ie: E, code: str, fill: object, author: str | None = None) -> E:
    comp = _el(ie, "component", {"typeCode": "COMP"})
    event = _el(comp, "observationEvent", {"classCode": "OBS", "moodCode": "EVN"})
    _obs_code(event, code)
    fill(event)  # type: ignore[operator]
    if author is not None:
        _author_role(event, author)
    return event


def _author_role(parent: E, role: str) -> None:
    author = _el(parent, "author", {"typeCode": "AUT"})
    entity = _el(author, "assignedEntity", {"classCode": "ASSIGNED"})
    _code(entity, "code", role, OID_AUTHOR_ROLE, CODELIST_VERSION)


def _characteristic(
    ie: E, code: str, value: ReportType | Nullification | None, other_ids: bool = False
) -> None:
    sub = _el(ie, "subjectOf2", {"typeCode": "SUBJ"})
    ch = _el(sub, "investigationCharacteristic", {"classCode": "OBS", "moodCode": "EVN"})
    _code(ch, "code", code, OID_CHARACTERISTIC, CODELIST_VERSION)
    if code == Characteristic.OTHER_CASE_IDS:
        # ICH IG: C.1.9.1 is true or nullFlavor NI; false is not allowed.
        _bl(ch, "value", True if other_ids else None)
    elif value is not None:
        _code(ch, "value", value.value, value.oid(), CODELIST_VERSION, xsi_type="CE")


def _first_sender(ie: E, first: FirstSender) -> None:
    """C.1.8.2 rides on the 'initial report' relationship (list .22 code 1)."""
    rel = _el(ie, "outboundRelationship", {"typeCode": "SPRT"})
    inv = _el(rel, "relatedInvestigation", {"classCode": "INVSTG", "moodCode": "EVN"})
    _code(inv, "code", "1", OID_RELATIONSHIP, CODELIST_VERSION)
    sub = _el(inv, "subjectOf2", {"typeCode": "SUBJ"})
    cae = _el(sub, "controlActEvent", {"classCode": "CACT", "moodCode": "EVN"})
    author = _el(cae, "author", {"typeCode": "AUT"})
    entity = _el(author, "assignedEntity", {"classCode": "ASSIGNED"})
    _code(entity, "code", first.value, first.oid(), CODELIST_VERSION)


def _primary_source(ie: E, source: PrimarySource) -> None:
    """C.2.r: a 'source report' relationship; priorityNumber 1 marks the regulatory primary."""
    rel = _el(ie, "outboundRelationship", {"typeCode": "SPRT"})
    _el(rel, "priorityNumber", {"value": "1" if source.primary_for_regulatory else "2"})
    inv = _el(rel, "relatedInvestigation", {"classCode": "INVSTG", "moodCode": "EVN"})
    _code(inv, "code", "2", OID_RELATIONSHIP, CODELIST_VERSION)
    sub = _el(inv, "subjectOf2", {"typeCode": "SUBJ"})
    cae = _el(sub, "controlActEvent", {"classCode": "CACT", "moodCode": "EVN"})
    author = _el(cae, "author", {"typeCode": "AUT"})
    entity = _el(author, "assignedEntity", {"classCode": "ASSIGNED"})
    _address(entity, source.street, source.city, source.state, source.postcode)
    _telecoms(entity, source.phone, None, source.email)
    person = _el(entity, "assignedPerson", {"classCode": "PSN", "determinerCode": "INSTANCE"})
    _person_name(person, source.title, source.given_name, source.middle_name, source.family_name)
    qualified = _el(person, "asQualifiedEntity", {"classCode": "QUAL"})
    if source.qualification is None:
        _el(qualified, "code", {"nullFlavor": "UNK"})
    else:
        q = source.qualification
        _code(qualified, "code", q.value, Qualification.oid(), CODELIST_VERSION)
    if source.country:
        located = _el(person, "asLocatedEntity", {"classCode": "LOCE"})
        place = _el(located, "location", {"classCode": "COUNTRY", "determinerCode": "INSTANCE"})
        _el(place, "code", {"code": source.country, "codeSystem": OID_COUNTRY})
    _organisation(entity, source.department, source.organisation)


def _sender(ie: E, sender: Sender) -> None:
    """C.3: the sender is the author of a control act under subjectOf1."""
    sub = _el(ie, "subjectOf1", {"typeCode": "SUBJ"})
    cae = _el(sub, "controlActEvent", {"classCode": "CACT", "moodCode": "EVN"})
    author = _el(cae, "author", {"typeCode": "AUT"})
    entity = _el(author, "assignedEntity", {"classCode": "ASSIGNED"})
    _code(entity, "code", sender.sender_type.value, SenderType.oid(), CODELIST_VERSION)
    _address(entity, sender.street, sender.city, sender.state, sender.postcode)
    _telecoms(entity, sender.phone, sender.fax, sender.email)
    if any(
        (sender.title, sender.given_name, sender.middle_name, sender.family_name, sender.country)
    ):
        person = _el(entity, "assignedPerson", {"classCode": "PSN", "determinerCode": "INSTANCE"})
        _person_name(
            person, sender.title, sender.given_name, sender.middle_name, sender.family_name
        )
        if sender.country:
            located = _el(person, "asLocatedEntity", {"classCode": "LOCE"})
            place = _el(located, "location", {"classCode": "COUNTRY", "determinerCode": "INSTANCE"})
            _el(place, "code", {"code": sender.country, "codeSystem": OID_COUNTRY})
    _organisation(entity, sender.department, sender.organisation)


# ---------------------------------------------------------------- D, E, F, G inside the assessment


def _adverse_event_assessment(ie: E, report: Report) -> None:
    comp = _el(ie, "component", {"typeCode": "COMP"})
    aea = _el(comp, "adverseEventAssessment", {"classCode": "INVSTG", "moodCode": "EVN"})
    subject = _el(aea, "subject1", {"typeCode": "SBJ"})
    role = _el(subject, "primaryRole", {"classCode": "INVSBJ"})
    _patient(role, report)
    for drug in report.drugs:  # G.k.1
        _drug_role(aea, drug)
    for drug in report.drugs:  # G.k.9.i.2.r
        for link in drug.reactions:
            for assessment in link.causality:
                ca = _el(
                    _el(aea, "component", {"typeCode": "COMP"}),
                    "causalityAssessment",
                    {"classCode": "OBS", "moodCode": "EVN"},
                )
                _obs_code(ca, Obs.CAUSALITY)
                _el(ca, "value", {"xsi:type": "ST"}, assessment.result)
                method = _el(ca, "methodCode")
                _el(method, "originalText", text=assessment.method)
                author = _el(ca, "author", {"typeCode": "AUT"})
                entity = _el(author, "assignedEntity", {"classCode": "ASSIGNED"})
                code = _el(entity, "code")
                _el(code, "originalText", text=assessment.source)
                s1 = _el(ca, "subject1", {"typeCode": "SUBJ"})
                ref = _el(s1, "adverseEffectReference", {"classCode": "OBS", "moodCode": "EVN"})
                _el(ref, "id", {"root": link.reaction_id})
                s2 = _el(ca, "subject2", {"typeCode": "SUBJ"})
                use = _el(s2, "productUseReference", {"classCode": "SBADM", "moodCode": "EVN"})
                _el(use, "id", {"root": drug.id})
    _narrative_components(aea, report.narrative)


def _drug_role(aea: E, drug: Drug) -> None:
    ca = _el(
        _el(aea, "component", {"typeCode": "COMP"}),
        "causalityAssessment",
        {"classCode": "OBS", "moodCode": "EVN"},
    )
    _obs_code(ca, Obs.DRUG_ROLE)
    _code(ca, "value", drug.role.value, DrugRole.oid(), CODELIST_VERSION, xsi_type="CE")
    s2 = _el(ca, "subject2", {"typeCode": "SUBJ"})
    use = _el(s2, "productUseReference", {"classCode": "SBADM", "moodCode": "EVN"})
    _el(use, "id", {"root": drug.id})


def _narrative_components(aea: E, narrative: Narrative) -> None:
    """H.2 reporter's comments, H.3.r sender's diagnoses, H.4 sender's comments."""

    def event(code: str, role: str) -> E:
        comp = _el(aea, "component1", {"typeCode": "COMP"})
        node = _el(comp, "observationEvent", {"classCode": "OBS", "moodCode": "EVN"})
        _obs_code(node, code)
        return node

    if narrative.reporter_comments:
        node = event(Obs.COMMENT, Author.SOURCE_REPORTER)
        _el(node, "value", {"xsi:type": "ED"}, narrative.reporter_comments)
        _author_role(node, Author.SOURCE_REPORTER)
    for diagnosis in narrative.sender_diagnoses:
        node = event(Obs.DIAGNOSIS, Author.SENDER)
        _meddra(node, "value", diagnosis)
        _author_role(node, Author.SENDER)
    if narrative.sender_comments:
        node = event(Obs.COMMENT, Author.SENDER)
        _el(node, "value", {"xsi:type": "ED"}, narrative.sender_comments)
        _author_role(node, Author.SENDER)


def _patient(role: E, report: Report) -> None:
    patient = report.patient
    player = _el(role, "player1", {"classCode": "PSN", "determinerCode": "INSTANCE"})
    if patient.initials:
        _el(player, "name", text=patient.initials)
    else:
        _el(player, "name", {"nullFlavor": "UNK"})
    if patient.sex is not None:
        _el(player, "administrativeGenderCode", {"code": patient.sex.value, "codeSystem": OID_SEX})
    if patient.birth_date:
        _el(player, "birthTime", {"value": to_hl7(patient.birth_date)})
    if patient.death is not None and patient.death.date:
        _el(player, "deceasedTime", {"value": to_hl7(patient.death.date)})
    if patient.parent is not None:
        _parent(player, patient.parent)
    _patient_observations(role, patient)
    for reaction in report.reactions:
        _reaction(role, reaction)
    _history_organizer(
        role, patient.medical_history, patient.medical_history_text, patient.concomitant_therapies
    )
    _drug_history_organizer(role, patient.drug_history)
    _tests(role, report.tests)
    _drugs(role, report.drugs)


def _patient_observations(role: E, patient: Patient) -> None:
    if patient.age is not None:
        _pq(
            _observation(role, "subjectOf2", Obs.AGE),
            "value",
            patient.age.value,
            patient.age.unit.value,
        )
    if patient.gestation_at_onset is not None:
        g = patient.gestation_at_onset
        _pq(_observation(role, "subjectOf2", Obs.GESTATION_PERIOD), "value", g.value, g.unit.value)
    if patient.age_group is not None:
        obs = _observation(role, "subjectOf2", Obs.AGE_GROUP)
        _code(
            obs, "value", patient.age_group.value, AgeGroup.oid(), CODELIST_VERSION, xsi_type="CE"
        )
    if patient.weight_kg is not None:
        _pq(_observation(role, "subjectOf2", Obs.BODY_WEIGHT), "value", patient.weight_kg, "kg")
    if patient.height_cm is not None:
        _pq(_observation(role, "subjectOf2", Obs.HEIGHT), "value", patient.height_cm, "cm")
    if patient.last_menstrual_period:
        obs = _observation(role, "subjectOf2", Obs.LAST_MENSTRUAL_PERIOD)
        _el(obs, "value", {"xsi:type": "TS", "value": to_hl7(patient.last_menstrual_period)})
    if patient.death is not None:
        _death(role, patient.death)


def _death(role: E, death: Death) -> None:
    for cause in death.reported_causes:  # D.9.2.r
        obs = _observation(role, "subjectOf2", Obs.REPORTED_CAUSE_OF_DEATH)
        _cause(obs, cause)
    if death.autopsy is not None or death.autopsy_causes:  # D.9.3, D.9.4.r
        obs = _observation(role, "subjectOf2", Obs.AUTOPSY)
        _bl(obs, "value", death.autopsy)
        for cause in death.autopsy_causes:
            inner = _observation(obs, "outboundRelationship2", Obs.CAUSE_OF_DEATH, "DRIV")
            _cause(inner, cause)


def _cause(obs: E, cause: CauseOfDeath) -> None:
    _meddra(obs, "value", cause.term, cause.text)


def _parent(player: E, parent: Parent) -> None:
    """D.10: a PRS role of the patient, with the parent as associatedPerson."""
    role = _el(player, "role", {"classCode": "PRS"})
    _el(role, "code", {"code": "PRN", "codeSystem": OID_ROLE_CODE})
    person = _el(role, "associatedPerson", {"classCode": "PSN", "determinerCode": "INSTANCE"})
    if parent.identification:
        _el(person, "name", text=parent.identification)
    else:
        _el(person, "name", {"nullFlavor": "UNK"})
    if parent.sex is not None:
        _el(person, "administrativeGenderCode", {"code": parent.sex.value, "codeSystem": OID_SEX})
    if parent.birth_date:
        _el(person, "birthTime", {"value": to_hl7(parent.birth_date)})
    if parent.age is not None:
        _pq(
            _observation(role, "subjectOf2", Obs.AGE),
            "value",
            parent.age.value,
            parent.age.unit.value,
        )
    if parent.last_menstrual_period:
        obs = _observation(role, "subjectOf2", Obs.LAST_MENSTRUAL_PERIOD)
        _el(obs, "value", {"xsi:type": "TS", "value": to_hl7(parent.last_menstrual_period)})
    if parent.weight_kg is not None:
        _pq(_observation(role, "subjectOf2", Obs.BODY_WEIGHT), "value", parent.weight_kg, "kg")
    if parent.height_cm is not None:
        _pq(_observation(role, "subjectOf2", Obs.HEIGHT), "value", parent.height_cm, "cm")
    _history_organizer(role, parent.medical_history, parent.medical_history_text, False)
    _drug_history_organizer(role, parent.drug_history)


def _organizer(parent: E, code: str) -> E:
    holder = _el(parent, "subjectOf2", {"typeCode": "SBJ"})
    org = _el(holder, "organizer", {"classCode": "CATEGORY", "moodCode": "EVN"})
    _code(org, "code", code, OID_VALUE_GROUP, CODELIST_VERSION)
    return org


def _history_organizer(
    parent: E, history: list[MedicalHistory], text: str | None, concomitant: bool
) -> None:
    """D.7.1.r / D.7.2 / D.7.3 (or D.10.7 for the parent)."""
    if not (history or text or concomitant):
        return
    org = _organizer(parent, Group.MEDICAL_HISTORY)
    for item in history:
        obs = _el(
            _el(org, "component", {"typeCode": "COMP"}),
            "observation",
            {"classCode": "OBS", "moodCode": "EVN"},
        )
        _meddra(obs, "code", item.condition, xsi_type=None)
        if item.start or item.end:
            _ivl(obs, "effectiveTime", item.start, item.end)
        if item.comments:
            inner = _observation(obs, "outboundRelationship2", Obs.COMMENT, "COMP")
            _el(inner, "value", {"xsi:type": "ED"}, item.comments)
        if item.family_history:
            inner = _observation(obs, "outboundRelationship2", Obs.FAMILY_HISTORY, "EXPL")
            _bl(inner, "value", True)
        if item.continuing is not None:
            inner = _observation(obs, "inboundRelationship", Obs.CONTINUING, "REFR")
            _bl(inner, "value", item.continuing)
    if text:
        obs = _observation(org, "component", Obs.HISTORY_TEXT, "COMP")
        _el(obs, "value", {"xsi:type": "ED"}, text)
    if concomitant:
        obs = _observation(org, "component", Obs.CONCOMITANT_THERAPY, "COMP")
        _bl(obs, "value", True)


def _drug_history_organizer(parent: E, drugs: list[PastDrug]) -> None:
    """D.8.r (or D.10.8.r)."""
    if not drugs:
        return
    org = _organizer(parent, Group.DRUG_HISTORY)
    for drug in drugs:
        sa = _el(
            _el(org, "component", {"typeCode": "COMP"}),
            "substanceAdministration",
            {"classCode": "SBADM", "moodCode": "EVN"},
        )
        if drug.start or drug.end:
            _ivl(sa, "effectiveTime", drug.start, drug.end)
        _product(sa, drug.name)
        if drug.indication is not None:
            obs = _observation(sa, "outboundRelationship2", Obs.INDICATION, "RSON")
            _meddra(obs, "value", drug.indication)
        if drug.reaction is not None:
            obs = _observation(sa, "outboundRelationship2", Obs.REACTION, "CAUS")
            _meddra(obs, "value", drug.reaction)


def _product(sa: E, name: str) -> E:
    consumable = _el(sa, "consumable", {"typeCode": "CSM"})
    instance = _el(consumable, "instanceOfKind", {"classCode": "INST"})
    kind = _el(instance, "kindOfProduct", {"classCode": "MMAT", "determinerCode": "KIND"})
    _el(kind, "name", text=name)
    return kind


def _reaction(role: E, reaction: Reaction) -> None:
    """E.i: an observation (code 29) with the MedDRA term as value and details as relationships."""
    holder = _el(role, "subjectOf2", {"typeCode": "SBJ"})
    obs = _el(holder, "observation", {"classCode": "OBS", "moodCode": "EVN"})
    _el(obs, "id", {"root": reaction.id})
    _obs_code(obs, Obs.REACTION)
    _effective_time(obs, reaction.start, reaction.end, reaction.duration)
    _meddra(obs, "value", reaction.term, reaction.verbatim, language=reaction.language)
    if reaction.country:
        loc = _el(obs, "location", {"typeCode": "LOC"})
        entity = _el(loc, "locatedEntity", {"classCode": "LOCE"})
        place = _el(entity, "locatedPlace", {"classCode": "COUNTRY", "determinerCode": "INSTANCE"})
        _el(place, "code", {"code": reaction.country, "codeSystem": OID_COUNTRY})
    if reaction.translation:
        inner = _observation(obs, "outboundRelationship2", Obs.REACTION_TRANSLATION, "PERT")
        _el(inner, "value", {"xsi:type": "ED"}, reaction.translation)
    highlighted = reaction.highlighted_code
    if highlighted is not None:
        inner = _observation(obs, "outboundRelationship2", Obs.TERM_HIGHLIGHTED, "PERT")
        _code(
            inner,
            "value",
            highlighted.value,
            TermHighlighted.oid(),
            CODELIST_VERSION,
            xsi_type="CE",
        )
    for field, code in SERIOUSNESS_CODES.items():
        inner = _observation(obs, "outboundRelationship2", code, "PERT")
        # ICH IG: each criterion is true or nullFlavor NI; false is not sent.
        _bl(inner, "value", True if getattr(reaction.seriousness, field) else None)
    inner = _observation(obs, "outboundRelationship2", Obs.OUTCOME, "PERT")
    _code(inner, "value", reaction.outcome.value, Outcome.oid(), CODELIST_VERSION, xsi_type="CE")
    if reaction.medically_confirmed is not None:
        inner = _observation(obs, "outboundRelationship2", Obs.MEDICAL_CONFIRMATION, "PERT")
        _bl(inner, "value", reaction.medically_confirmed)


def _tests(role: E, tests: list[TestResult]) -> None:
    """F.r: one organizer (code 3) holding an observation per test."""
    if not tests:
        return
    org = _organizer(role, Group.TESTS)
    for test in tests:
        obs = _el(
            _el(org, "component", {"typeCode": "COMP"}),
            "observation",
            {"classCode": "OBS", "moodCode": "EVN"},
        )
        if test.test is not None or test.name is not None:
            _meddra(obs, "code", test.test, test.name, xsi_type=None)
        else:
            _el(obs, "code", {"nullFlavor": "UNK"})
        if test.date:
            _el(obs, "effectiveTime", {"value": to_hl7(test.date)})
        else:
            _el(obs, "effectiveTime", {"nullFlavor": "UNK"})
        if test.result is not None:
            value = _el(obs, "value", {"xsi:type": "IVL_PQ"})
            _el(value, "center", {"value": _num(test.result.value), "unit": test.result.unit})
        elif test.result_text:
            _el(obs, "value", {"xsi:type": "ED"}, test.result_text)
        if test.result_code is not None:
            _code(
                obs,
                "interpretationCode",
                test.result_code.value,
                TestResultCode.oid(),
                CODELIST_VERSION,
            )
        unit = test.result.unit if test.result is not None else "1"
        for bound, code in ((test.normal_low, "L"), (test.normal_high, "H")):
            if bound is None:
                continue
            rr = _el(obs, "referenceRange", {"typeCode": "REFV"})
            rng = _el(rr, "observationRange", {"classCode": "OBS", "moodCode": "EVN.CRT"})
            _pq(rng, "value", bound, unit)
            _el(rng, "interpretationCode", {"code": code, "codeSystem": OID_INTERPRETATION})
        if test.result is not None and test.result_text:
            # Both a value and a text: the text rides as a comment-free second value is not
            # allowed, so it goes in F.r.6 comments' place only if comments are empty.
            pass
        if test.comments:
            inner = _observation(obs, "outboundRelationship2", Obs.COMMENT, "REFR")
            _el(inner, "value", {"xsi:type": "ED"}, test.comments)
        if test.more_information is not None:
            inner = _observation(obs, "outboundRelationship2", Obs.MORE_INFORMATION, "REFR")
            _bl(inner, "value", test.more_information)


def _drugs(role: E, drugs: list[Drug]) -> None:
    org = _organizer(role, Group.DRUGS)
    for drug in drugs:
        _drug(_el(org, "component", {"typeCode": "COMP"}), drug)


def _drug(component: E, drug: Drug) -> None:
    sa = _el(component, "substanceAdministration", {"classCode": "SBADM", "moodCode": "EVN"})
    _el(sa, "id", {"root": drug.id})
    kind = _product(sa, drug.product_name)
    if drug.authorisation_number or drug.authorisation_country or drug.authorisation_holder:
        made = _el(kind, "asManufacturedProduct", {"classCode": "MANU"})
        sub = _el(made, "subjectOf", {"typeCode": "SBJ"})
        approval = _el(sub, "approval", {"classCode": "CNTRCT", "moodCode": "EVN"})
        if drug.authorisation_number:
            _el(approval, "id", {"root": OID_AUTHORISATION, "extension": drug.authorisation_number})
        if drug.authorisation_holder:
            holder = _el(approval, "holder", {"typeCode": "HLD"})
            r = _el(holder, "role", {"classCode": "HLD"})
            org = _el(r, "playingOrganization", {"classCode": "ORG", "determinerCode": "INSTANCE"})
            _el(org, "name", text=drug.authorisation_holder)
        if drug.authorisation_country:
            author = _el(approval, "author", {"typeCode": "AUT"})
            ta = _el(author, "territorialAuthority", {"classCode": "TERR"})
            territory = _el(ta, "territory", {"classCode": "NAT", "determinerCode": "INSTANCE"})
            _el(territory, "code", {"code": drug.authorisation_country, "codeSystem": OID_COUNTRY})
    for substance in drug.substances:
        ingredient = _el(kind, "ingredient", {"classCode": "ACTI"})
        if substance.strength is not None:
            quantity = _el(ingredient, "quantity")
            _el(
                quantity,
                "numerator",
                {"value": _num(substance.strength.value), "unit": substance.strength.unit},
            )
            _el(quantity, "denominator", {"value": "1"})
        sub = _el(
            ingredient, "ingredientSubstance", {"classCode": "MMAT", "determinerCode": "KIND"}
        )
        _el(sub, "name", text=substance.name)
    if drug.obtained_country:
        instance = kind.getparent()
        assert instance is not None
        sub = _el(instance, "subjectOf", {"typeCode": "SBJ"})
        event = _el(sub, "productEvent", {"classCode": "ACT", "moodCode": "EVN"})
        _code(event, "code", "1", OID_PRODUCT_EVENT, CODELIST_VERSION)
        performer = _el(event, "performer", {"typeCode": "PRF"})
        entity = _el(performer, "assignedEntity", {"classCode": "ASSIGNED"})
        org = _el(
            entity, "representedOrganization", {"classCode": "ORG", "determinerCode": "INSTANCE"}
        )
        addr = _el(org, "addr")
        _el(addr, "country", text=drug.obtained_country)
    for link in drug.reactions:  # G.k.9.i.3.1 / .3.2
        for interval, type_code in (
            (link.time_to_onset, TIME_FROM_FIRST_DOSE),
            (link.time_since_last_dose, TIME_FROM_LAST_DOSE),
        ):
            if interval is None:
                continue
            rel = _el(sa, "outboundRelationship1", {"typeCode": type_code})
            _el(rel, "pauseQuantity", {"value": _num(interval.value), "unit": interval.unit.value})
            ref = _el(rel, "actReference", {"classCode": "OBS", "moodCode": "EVN"})
            _el(ref, "id", {"root": link.reaction_id})
    for dosage in drug.dosages:
        _dosage(sa, dosage)
    if drug.cumulative_dose is not None:
        obs = _observation(sa, "outboundRelationship2", Obs.CUMULATIVE_DOSE, "SUMM")
        _pq(obs, "value", drug.cumulative_dose.value, drug.cumulative_dose.unit)
    if drug.gestation_at_exposure is not None:
        g = drug.gestation_at_exposure
        obs = _observation(sa, "outboundRelationship2", Obs.GESTATION_PERIOD, "PERT")
        _pq(obs, "value", g.value, g.unit.value)
    for link in drug.reactions:
        if link.recurrence is not None:
            _recurrence(sa, link)
    for info in drug.additional_info_codes:
        obs = _observation(sa, "outboundRelationship2", Obs.CODED_DRUG_INFORMATION, "REFR")
        _code(obs, "value", info.value, AdditionalDrugInfo.oid(), CODELIST_VERSION, xsi_type="CE")
    if drug.additional_info:
        obs = _observation(sa, "outboundRelationship2", Obs.ADDITIONAL_INFORMATION, "REFR")
        _el(obs, "value", {"xsi:type": "ST"}, drug.additional_info)
    for indication in drug.indications:  # G.k.7.r
        obs = _observation(sa, "inboundRelationship", Obs.INDICATION, "RSON")
        _meddra(obs, "value", indication.term, indication.text)
        performer = _el(obs, "performer", {"typeCode": "PRF"})
        entity = _el(performer, "assignedEntity", {"classCode": "ASSIGNED"})
        _code(entity, "code", Author.SOURCE_REPORTER, OID_AUTHOR_ROLE, CODELIST_VERSION)
    if drug.action_taken is not None:  # G.k.8
        rel = _el(sa, "inboundRelationship", {"typeCode": "CAUS"})
        act = _el(rel, "act", {"classCode": "ACT", "moodCode": "EVN"})
        _code(act, "code", drug.action_taken.value, ActionTaken.oid(), CODELIST_VERSION)


def _recurrence(sa: E, link: DrugReaction) -> None:
    """G.k.9.i.4, pointing at the reaction it is about."""
    assert link.recurrence is not None
    obs = _observation(sa, "outboundRelationship2", Obs.RECURRENCE, "PERT")
    _code(obs, "value", link.recurrence.value, Recurrence.oid(), CODELIST_VERSION, xsi_type="CE")
    rel = _el(obs, "outboundRelationship1", {"typeCode": "REFR"})
    ref = _el(rel, "actReference", {"classCode": "OBS", "moodCode": "EVN"})
    _el(ref, "id", {"root": link.reaction_id})


COURSE_PREFIX = "Course {course}"


def dosage_text(dosage: Dosage) -> str | None:
    """G.k.4.r.8 with the LEMTRADA course number in front ("Course 2: 12 mg/day ...")."""
    if dosage.course is None:
        return dosage.text
    prefix = COURSE_PREFIX.format(course=dosage.course)
    return f"{prefix}: {dosage.text}" if dosage.text is not None else prefix


def _dosage(sa: E, dosage: Dosage) -> None:
    """G.k.4.r: a nested substanceAdministration per regimen."""
    rel = _el(sa, "outboundRelationship2", {"typeCode": "COMP"})
    inner = _el(rel, "substanceAdministration", {"classCode": "SBADM", "moodCode": "EVN"})
    text = dosage_text(dosage)
    if text:
        _el(inner, "text", text=text)
    period = None
    if dosage.interval_count is not None and dosage.interval_unit is not None:
        period = (dosage.interval_count, dosage.interval_unit.value)
    _effective_time(inner, dosage.start, dosage.end, dosage.duration, period)
    if dosage.route:
        route = _el(inner, "routeCode")
        _el(route, "originalText", text=dosage.route)
    if dosage.dose is not None:
        _pq(inner, "doseQuantity", dosage.dose.value, dosage.dose.unit, xsi_type=None)
    if dosage.batch or dosage.dose_form:
        consumable = _el(inner, "consumable", {"typeCode": "CSM"})
        instance = _el(consumable, "instanceOfKind", {"classCode": "INST"})
        if dosage.batch:
            product = _el(
                instance,
                "productInstanceInstance",
                {"classCode": "MMAT", "determinerCode": "INSTANCE"},
            )
            _el(product, "id", {"nullFlavor": "NI"})
            _el(product, "lotNumberText", text=dosage.batch)
        kind = _el(instance, "kindOfProduct", {"classCode": "MMAT", "determinerCode": "KIND"})
        if dosage.dose_form:
            form = _el(kind, "formCode")
            _el(form, "originalText", text=dosage.dose_form)
    if dosage.parent_route:
        obs = _observation(inner, "inboundRelationship", Obs.PARENT_ROUTE, "REFR")
        value = _el(obs, "value", {"xsi:type": "CE"})
        _el(value, "originalText", text=dosage.parent_route)


__all__ = ["BatchHeader", "build_batch", "dosage_text", "to_xml"]
