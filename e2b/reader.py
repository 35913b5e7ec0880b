"""ICH E2B(R3) XML -> report data (and, through the model, an `ICSR`).

The element locations mirror `e2b.writer` and the codes come from `e2b.mapping`; this module only
walks the message. Elements are selected by code AND code system, so regional extensions (FDA,
EU, ...) that reuse a code under another system are ignored rather than misread.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

from e2b.codelists import (
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
from e2b.dates import DateFormatError, datetime_from_hl7, from_hl7
from e2b.elements import element as element_row
from e2b.findings import Finding, Severity, has_errors
from e2b.mapping import (
    HL7,
    NS,
    OID_AUTHOR_ROLE,
    OID_CHARACTERISTIC,
    OID_COUNTRY,
    OID_DOCUMENT,
    OID_MEDDRA,
    OID_MESSAGE_ID,
    OID_OBSERVATION,
    OID_OTHER_CASE_ID,
    OID_RELATIONSHIP,
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
from e2b.model import ICSR
from e2b.validation import validate_icsr
from e2b.xmlsafe import UnusableXMLError, parse_bytes, parse_file

E = etree._Element
_XSI_TYPE = f"{{{XSI}}}type"
BATCH_TAG = "{urn:hl7-org:v3}MCCI_IN200100UV01"
MESSAGE_TAG = "{urn:hl7-org:v3}PORR_IN049016UV"


class NotAnIcsrError(UnusableXMLError):
    """Well-formed XML that is not an E2B(R3) ICSR batch or message."""


@dataclass
class ReadReport:
    """One ICSR read from a file: the data as found, and the report if the model accepts it."""

    message_id: str | None
    data: dict[str, Any]
    report: ICSR | None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ReadBatch:
    """A batch as read: N.1 header values and its reports."""

    batch_id: str | None
    sender_id: str | None
    receiver_id: str | None
    created_at: str | None
    reports: list[ReadReport]


# ---------------------------------------------------------------- XPath helpers


@cache
def _compiled(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NS)


def _all(node: E, path: str) -> list[E]:
    result = _compiled(path)(node)
    return [n for n in result if isinstance(n, etree._Element)] if isinstance(result, list) else []


def _one(node: E | None, path: str) -> E | None:
    if node is None:
        return None
    found = _all(node, path)
    return found[0] if found else None


def _obs(code: str) -> str:
    return f"[h:code[@code='{code}'][@codeSystem='{OID_OBSERVATION}']]"


def _group(code: str) -> str:
    return f"[h:code[@code='{code}'][@codeSystem='{OID_VALUE_GROUP}']]"


def _author(code: str) -> str:
    return f"[h:author/h:assignedEntity/h:code[@code='{code}'][@codeSystem='{OID_AUTHOR_ROLE}']]"


def _text(node: E | None) -> str | None:
    """Element text as written (never stripped: the round trip is exact); None when absent."""
    if node is None or node.get("nullFlavor"):
        return None
    value = "".join(node.itertext())
    return value if value != "" else None


def _attr(node: E | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.get(name)
    return value if value not in (None, "") else None


def _bool(node: E | None) -> bool | None:
    value = _attr(node, "value")
    if value is None:
        return None
    return value.strip() == "true"


# Findings about values the reader cannot take over (an impossible date, a code outside its list),
# collected while one message is read (see `read_message`) so the rest of the message is still read.
_problems: ContextVar[list[Finding] | None] = ContextVar("e2b_reader_problems", default=None)


def _where(node: E) -> str:
    """A readable XPath of local names, with a position wherever siblings share a name."""
    steps = []
    for item in [node, *node.iterancestors()]:
        name = etree.QName(item).localname
        parent = item.getparent()
        same = [s for s in parent if s.tag == item.tag] if parent is not None else [item]
        steps.append(f"{name}[{same.index(item) + 1}]" if len(same) > 1 else name)
    return "/" + "/".join(reversed(steps))


def _note(severity: Severity, element: str, node: E, message: str) -> None:
    """Record a finding about `node`; outside `read_message` an error is raised instead."""
    finding = Finding(
        severity, element, _where(node), f"line {node.sourceline}: {message} ({element})"
    )
    problems = _problems.get()
    if problems is None:
        if severity == "error":
            raise ValueError(finding.message)
        return
    problems.append(finding)


def _null(node: E, element: str) -> dict[str, str] | None:
    """A nullFlavor the element table allows for `element`, as the model's `Null`; another one is
    a warning and reads as absent."""
    flavor = node.get("nullFlavor")
    if not flavor:
        return None
    if flavor in element_row(element).null_flavors:
        return {"null_flavor": flavor}
    _note("warning", element, node, f"nullFlavor {flavor} is not allowed here; read as absent")
    return None


def _date(node: E | None, element: str) -> str | None:
    """A partial date from an HL7 TS; an impossible date becomes a finding, not a crash."""
    value = _attr(node, "value")
    if node is None or value is None:
        return None
    return _parsed_date(node, value, element)


def _date_or_null(node: E | None, element: str) -> str | dict[str, str] | None:
    """A partial date, or the nullFlavor sent in its place (E.i.4, D.7.1.r.2 ...)."""
    if node is None:
        return None
    value = _attr(node, "value")
    if value is None:
        return _null(node, element)
    return _parsed_date(node, value, element)


def _parsed_date(node: E, value: str, element: str) -> str | None:
    try:
        return from_hl7(value)
    except DateFormatError as exc:
        _note("error", element, node, f"'{value}' cannot be read as a date: {exc}")
        return None


def _label(node: E | None) -> str | None:
    """What a coded or free-text value says to a person: originalText, displayName, text, code."""
    if node is None:
        return None
    return (
        _text(_one(node, "h:originalText"))
        or _attr(node, "displayName")
        or _text(node)
        or _attr(node, "code")
    )


def _literature(document: E) -> dict[str, Any]:
    """C.4.r: the reference (C.4.r.1) and the article, if sent (C.4.r.2)."""
    return {
        "reference": _text(_one(document, "h:bibliographicDesignationText")),
        "document": _attachment(_one(document, "h:text")),
    }


def _attachment(node: E | None) -> dict[str, Any] | None:
    """An HL7 ED (C.1.6.1.r.2, C.4.r.2) kept as sent: its text and how to read it."""
    if node is None:
        return None
    # The content is the ED's own text; a <reference value="file name"/> may stand inside it.
    reference = _one(node, "h:reference")
    data = (node.text or "") + "".join(child.tail or "" for child in node)
    return {
        # Only layout (a pretty printer's) when nothing but whitespace stands beside a reference.
        "data": "" if reference is not None and not data.strip() else data,
        "media_type": node.get("mediaType"),
        "representation": node.get("representation"),
        "compression": node.get("compression"),
        "file_name": _attr(reference, "value"),
    }


def _term_id(node: E | None) -> dict[str, str | None] | None:
    """An IDMP/EDQM TermID (G.k.4.r.9.2, 10.2, 11.2): code, its version, system and display."""
    code = _attr(node, "code")
    if code is None:
        return None
    return {
        "code": code,
        "version": _attr(node, "codeSystemVersion"),
        "system": _attr(node, "codeSystem"),
        "display": _attr(node, "displayName"),
    }


def _pq(node: E | None) -> dict[str, str] | None:
    if node is None or node.get("value") is None:
        return None
    return {"value": node.get("value", ""), "unit": node.get("unit") or "1"}


def _meddra(node: E | None) -> dict[str, str] | None:
    if node is None or node.get("codeSystem") != OID_MEDDRA or not node.get("code"):
        return None
    return {"version": node.get("codeSystemVersion") or "", "code": node.get("code", "")}


def _coded(node: E | None, enum: Any, system: str | None = None) -> Any:
    """A coded value from its list; codes outside the list are left to the model to refuse."""
    code = _attr(node, "code")
    if code is None:
        return None
    if system is not None and node is not None and node.get("codeSystem") not in (None, system):
        return None
    return code


def _id(root: str | None, extension: str | None = None) -> str:
    """Our internal UUID for an XML id: kept when it is a UUID, otherwise derived stably."""
    if root and extension is None:
        try:
            return str(uuid.UUID(root))
        except ValueError:
            pass
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{root}|{extension}"))


def _ref(node: E | None) -> str | None:
    if node is None:
        return None
    return _id(node.get("root"), node.get("extension"))


def _prune(value: Any) -> Any:
    """Drop None, empty lists and empty dicts so the model's defaults apply."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value if v not in (None, [], {})]
    return value


def _effective_parts(node: E | None, start: str, end: str) -> dict[str, Any]:
    """start/end/duration/period from an IVL_TS, PIVL_TS or SXPR_TS effectiveTime.

    `start` and `end` are the E2B elements of the two dates, for findings about them.
    """
    out: dict[str, Any] = {}
    if node is None:
        return out
    comps = _all(node, "h:comp") if (node.get(_XSI_TYPE) or "").endswith("SXPR_TS") else [node]
    for comp in comps:
        kind = (comp.get(_XSI_TYPE) or "IVL_TS").split(":")[-1]
        if kind == "PIVL_TS":
            period = _one(comp, "h:period")
            if period is not None and period.get("value"):
                out["period"] = (period.get("value"), period.get("unit"))
            continue
        low, high, width = _one(comp, "h:low"), _one(comp, "h:high"), _one(comp, "h:width")
        if low is not None:
            out["start"] = _date_or_null(low, start)
        if high is not None:
            out["end"] = _date_or_null(high, end)
        if width is not None and width.get("value"):
            out["duration"] = {"value": width.get("value"), "unit": width.get("unit")}
        if comp.get("value"):  # a plain TS
            out["start"] = _date_or_null(comp, start)
    return out


# ---------------------------------------------------------------- entry points


def read_file(path: str | Path, *, max_bytes: int | None = None) -> ReadBatch:
    """Parse a file with the hardened parser and read every ICSR in it."""
    tree = parse_file(path) if max_bytes is None else parse_file(path, max_bytes=max_bytes)
    return read_tree(tree.getroot())


def read_bytes(data: bytes, *, max_bytes: int | None = None) -> ReadBatch:
    """Parse bytes with the hardened parser and read every ICSR in them."""
    tree = parse_bytes(data) if max_bytes is None else parse_bytes(data, max_bytes=max_bytes)
    return read_tree(tree.getroot())


def read_tree(root: E) -> ReadBatch:
    """Read a batch (or a single PORR_IN049016UV message) that is already parsed."""
    if root.tag == MESSAGE_TAG:
        messages = [root]
        batch: E | None = None
    elif root.tag == BATCH_TAG:
        messages = _all(root, "h:PORR_IN049016UV")
        batch = root
    else:
        name = etree.QName(root)
        found = name.localname
        if name.localname in (
            "MCCI_IN200100UV01",
            "PORR_IN049016UV",
        ):  # right name, wrong namespace
            found += f" in the namespace {name.namespace}" if name.namespace else " in no namespace"
        raise NotAnIcsrError(
            f"This is not an E2B(R3) ICSR file: the root element is {found}, "
            f"expected MCCI_IN200100UV01 in the HL7 v3 namespace {HL7}."
        )
    reports = [read_message(m) for m in messages]
    return ReadBatch(
        batch_id=_attr(_one(batch, "h:id"), "extension"),
        sender_id=_attr(_one(batch, "h:sender/h:device/h:id"), "extension"),
        receiver_id=_attr(_one(batch, "h:receiver/h:device/h:id"), "extension"),
        created_at=_attr(_one(batch, "h:creationTime"), "value"),
        reports=reports,
    )


def read_message(message: E) -> ReadReport:
    """One PORR_IN049016UV -> ReadReport. Dates or codes that cannot be read become findings.

    A value the reader could not take over is left out of `data` and reported with its XPath;
    the report is then None even if the model would accept what is left.
    """
    message_id = _attr(_one(message, "h:id"), "extension")
    problems: list[Finding] = []
    token = _problems.set(problems)
    try:
        data = _prune(message_data(message))
    finally:
        _problems.reset(token)
    # Sections the ICSR always has stay, even empty, so the model names the missing element
    # (e.g. D.1 for a patient known only by masked initials) rather than the whole section.
    for section in ("case", "patient", "narrative"):
        data.setdefault(section, {})
    result = validate_icsr(data, received=True)
    report = None if has_errors(problems) else result.report
    return ReadReport(message_id, data, report, problems + result.findings)


def message_data(message: E) -> dict[str, Any]:
    """The plain data of one ICSR message, shaped like the report model.

    Outside `read_message` a value that cannot be read raises ValueError instead of a finding.
    """
    act = _one(message, "h:controlActProcess")
    ie = _one(act, "h:subject/h:investigationEvent")
    if ie is None:
        raise NotAnIcsrError("the message has no investigationEvent (the ICSR itself)")
    aea = _one(ie, "h:component/h:adverseEventAssessment")
    role = _one(aea, "h:subject1/h:primaryRole")
    reactions = (
        [_reaction(n) for n in _all(role, "h:subjectOf2/h:observation" + _obs(Obs.REACTION))]
        if role is not None
        else []
    )
    drugs = _drugs(role, aea)
    # A drug's G.k.9.i links are spread over three places in the XML (time intervals, recurrence,
    # causality); list them in the order of the reactions (E.i) they assess.
    order = {reaction["id"]: i for i, reaction in enumerate(reactions)}
    for drug in drugs:
        drug["reactions"].sort(key=lambda link: order.get(link["reaction_id"], len(order)))
    return {
        "case": _case(act, ie),
        "primary_sources": [
            _primary_source(n)
            for n in _all(
                ie,
                "h:outboundRelationship/h:relatedInvestigation"
                f"[h:code[@code='2'][@codeSystem='{OID_RELATIONSHIP}']]",
            )
        ],
        "sender": _sender(ie),
        "literature": [
            _literature(d)
            for d in _all(
                ie, f"h:reference/h:document[h:code[@code='2'][@codeSystem='{OID_DOCUMENT}']]"
            )
        ],
        "patient": _patient(role) if role is not None else {},
        "reactions": reactions,
        "tests": _tests(role),
        "drugs": drugs,
        "narrative": _narrative(ie, aea),
    }


# ---------------------------------------------------------------- C


def _created(act: E | None) -> str | None:
    """C.1.2, which ICH requires to the second."""
    node = _one(act, "h:effectiveTime")
    value = _attr(node, "value")
    if node is None or value is None:
        return None
    try:
        return datetime_from_hl7(value, as_sent=True).isoformat()
    except ValueError as exc:  # DateFormatError, or datetime's own for month 13 and the like
        _note("error", "C.1.2", node, f"'{value}' is not a date and time to the second ({exc})")
        return None


def _case(act: E | None, ie: E) -> dict[str, Any]:
    def characteristic(code: str) -> E | None:
        return _one(
            ie,
            "h:subjectOf2/h:investigationCharacteristic"
            f"[h:code[@code='{code}'][@codeSystem='{OID_CHARACTERISTIC}']]/h:value",
        )

    def event_value(code: str) -> E | None:
        return _one(ie, "h:component/h:observationEvent" + _obs(code) + "/h:value")

    expedited = event_value(Obs.EXPEDITED)
    documents = [
        _text(_one(d, "h:title"))
        for d in _all(
            ie, f"h:reference/h:document[h:code[@code='1'][@codeSystem='{OID_DOCUMENT}']]"
        )
    ]
    other_ids = [
        {"source": n.get("assigningAuthorityName"), "case_id": n.get("extension")}
        for n in _all(ie, f"h:subjectOf1/h:controlActEvent/h:id[@root='{OID_OTHER_CASE_ID}']")
    ]
    first_sender = _one(
        ie,
        "h:outboundRelationship/h:relatedInvestigation"
        f"[h:code[@code='1'][@codeSystem='{OID_RELATIONSHIP}']]"
        "/h:subjectOf2/h:controlActEvent/h:author/h:assignedEntity/h:code",
    )
    linked = [
        n.get("extension")
        for n in _all(
            ie,
            "h:outboundRelationship/h:relatedInvestigation[h:code[@nullFlavor='NA']]"
            f"/h:subjectOf2/h:controlActEvent/h:id[@root='{OID_WORLDWIDE_ID}']",
        )
    ]
    return {
        "sender_report_id": _attr(_one(ie, f"h:id[@root='{OID_MESSAGE_ID}']"), "extension"),
        "created_at": _created(act),
        "report_type": _coded(
            characteristic(Characteristic.REPORT_TYPE), ReportType, ReportType.oid()
        ),
        "first_received": _date(_one(ie, "h:effectiveTime/h:low"), "C.1.4"),
        "most_recent": _date(_one(ie, "h:availabilityTime"), "C.1.5"),
        "additional_documents": _bool(event_value(Obs.ADDITIONAL_DOCUMENTS)) or False,
        "documents": documents,
        "expedited": _bool(expedited),
        "worldwide_case_id": _attr(_one(ie, f"h:id[@root='{OID_WORLDWIDE_ID}']"), "extension"),
        "first_sender": _coded(first_sender, FirstSender, FirstSender.oid()),
        "other_case_ids": other_ids,
        "linked_reports": linked,
        "nullification": _coded(
            characteristic(Characteristic.NULLIFICATION), Nullification, Nullification.oid()
        ),
        "nullification_reason": _text(
            _one(
                characteristic(Characteristic.NULLIFICATION_REASON)
                if characteristic(Characteristic.NULLIFICATION_REASON) is not None
                else None,
                "h:originalText",
            )
        ),
    }


def _name_parts(name: E | None) -> dict[str, str | None]:
    givens = _all(name, "h:given") if name is not None else []
    return {
        "title": _text(_one(name, "h:prefix")),
        "given_name": _text(givens[0]) if givens else None,
        "middle_name": _text(givens[1]) if len(givens) > 1 else None,
        "family_name": _text(_one(name, "h:family")),
    }


def _contact(entity: E | None) -> dict[str, str | None]:
    addr = _one(entity, "h:addr")
    out: dict[str, str | None] = {
        "street": _text(_one(addr, "h:streetAddressLine")),
        "city": _text(_one(addr, "h:city")),
        "state": _text(_one(addr, "h:state")),
        "postcode": _text(_one(addr, "h:postalCode")),
        "department": _text(_one(entity, "h:representedOrganization/h:name")),
        "organisation": _text(
            _one(
                entity,
                "h:representedOrganization/h:assignedEntity/h:representedOrganization/h:name",
            )
        ),
    }
    for scheme, key in (("tel:", "phone"), ("fax:", "fax"), ("mailto:", "email")):
        telecom = _one(entity, f"h:telecom[starts-with(@value, '{scheme}')]")
        value = _attr(telecom, "value")
        out[key] = unquote(value[len(scheme) :]) if value else None
    return out


def _country(node: E | None) -> str | None:
    if node is None or node.get("codeSystem") not in (None, OID_COUNTRY):
        return None
    return _attr(node, "code")


def _primary_source(inv: E) -> dict[str, Any]:
    entity = _one(inv, "h:subjectOf2/h:controlActEvent/h:author/h:assignedEntity")
    person = _one(entity, "h:assignedPerson")
    relationship = inv.getparent()
    priority = (
        _attr(_one(relationship, "h:priorityNumber"), "value") if relationship is not None else None
    )
    contact = _contact(entity)
    contact.pop("fax", None)
    return {
        **_name_parts(_one(person, "h:name")),
        **contact,
        "country": _country(_one(person, "h:asLocatedEntity/h:location/h:code")),
        "qualification": _coded(
            _one(person, "h:asQualifiedEntity/h:code"), Qualification, Qualification.oid()
        ),
        "primary_for_regulatory": _is_one(priority),
    }


def _is_one(priority: str | None) -> bool:
    """C.2.r.5 is priorityNumber 1, a REAL: "1", "1.0" and "01" all say primary."""
    try:
        return priority is not None and Decimal(priority) == 1
    except InvalidOperation:
        return False


def _sender(ie: E) -> dict[str, Any]:
    entity = _one(
        ie,
        "h:subjectOf1/h:controlActEvent/h:author/h:assignedEntity"
        f"[h:code[@codeSystem='{SenderType.oid()}']]",
    )
    if entity is None:
        return {}
    person = _one(entity, "h:assignedPerson")
    return {
        "sender_type": _coded(_one(entity, "h:code"), SenderType, SenderType.oid()),
        **_name_parts(_one(person, "h:name")),
        **_contact(entity),
        "country": _country(_one(person, "h:asLocatedEntity/h:location/h:code")),
    }


# ---------------------------------------------------------------- D


def _subject_obs(node: E, code: str) -> E | None:
    return _one(node, "h:subjectOf2/h:observation" + _obs(code) + "/h:value")


def _patient(role: E) -> dict[str, Any]:
    player = _one(role, "h:player1")
    death_date = _date_or_null(_one(player, "h:deceasedTime"), "D.9.1")
    reported = [
        _cause(v)
        for v in _all(
            role, "h:subjectOf2/h:observation" + _obs(Obs.REPORTED_CAUSE_OF_DEATH) + "/h:value"
        )
    ]
    autopsy_obs = _one(role, "h:subjectOf2/h:observation" + _obs(Obs.AUTOPSY))
    autopsy_causes = (
        [
            _cause(v)
            for v in _all(
                autopsy_obs,
                "h:outboundRelationship2/h:observation" + _obs(Obs.CAUSE_OF_DEATH) + "/h:value",
            )
        ]
        if autopsy_obs is not None
        else []
    )
    death: dict[str, Any] | None = None
    if death_date or reported or autopsy_obs is not None:
        death = {
            "date": death_date,
            "reported_causes": reported,
            "autopsy": _bool(_one(autopsy_obs, "h:value")),
            "autopsy_causes": autopsy_causes,
        }
    parent_role = _one(player, "h:role[h:code[@code='PRN']]") if player is not None else None
    history = _history(role, "D.7")
    return {
        "initials": _text(_one(player, "h:name")),
        # D.1 nullFlavor MSK: known to the sender, withheld for privacy (ICH IG).
        "initials_withheld": _attr(_one(player, "h:name"), "nullFlavor") == "MSK" or None,
        "birth_date": _date_or_null(_one(player, "h:birthTime"), "D.2.1"),
        "age": _pq(_subject_obs(role, Obs.AGE)),
        "gestation_at_onset": _pq(_subject_obs(role, Obs.GESTATION_PERIOD)),
        "age_group": _coded(_subject_obs(role, Obs.AGE_GROUP), AgeGroup, AgeGroup.oid()),
        "weight_kg": _attr(_subject_obs(role, Obs.BODY_WEIGHT), "value"),
        "height_cm": _attr(_subject_obs(role, Obs.HEIGHT), "value"),
        "sex": _attr(_one(player, "h:administrativeGenderCode"), "code"),
        "last_menstrual_period": _date_or_null(
            _subject_obs(role, Obs.LAST_MENSTRUAL_PERIOD), "D.6"
        ),
        **history,
        "drug_history": _drug_history(role, "D.8"),
        "death": death,
        "parent": _parent(parent_role) if parent_role is not None else None,
    }


def _cause(value: E) -> dict[str, Any]:
    return {"term": _meddra(value), "text": _text(_one(value, "h:originalText"))}


def _parent(role: E) -> dict[str, Any]:
    person = _one(role, "h:associatedPerson")
    history = _history(role, "D.10.7")
    history.pop("concomitant_therapies", None)
    return {
        "identification": _text(_one(person, "h:name")),
        "sex": _attr(_one(person, "h:administrativeGenderCode"), "code"),
        "birth_date": _date_or_null(_one(person, "h:birthTime"), "D.10.2.1"),
        "age": _pq(_subject_obs(role, Obs.AGE)),
        "last_menstrual_period": _date_or_null(
            _subject_obs(role, Obs.LAST_MENSTRUAL_PERIOD), "D.10.3"
        ),
        "weight_kg": _attr(_subject_obs(role, Obs.BODY_WEIGHT), "value"),
        "height_cm": _attr(_subject_obs(role, Obs.HEIGHT), "value"),
        **history,
        "drug_history": _drug_history(role, "D.10.8"),
    }


def _history(holder: E, block: str) -> dict[str, Any]:
    """D.7 (or D.10.7 for the parent, as `block` says)."""
    org = _one(holder, "h:subjectOf2/h:organizer" + _group(Group.MEDICAL_HISTORY))
    if org is None:
        return {}
    items = []
    for obs in _all(org, f"h:component/h:observation[h:code[@codeSystem='{OID_MEDDRA}']]"):
        times = _effective_parts(_one(obs, "h:effectiveTime"), f"{block}.1.r.2", f"{block}.1.r.4")
        items.append(
            {
                "condition": _meddra(_one(obs, "h:code")),
                "start": times.get("start"),
                "end": times.get("end"),
                "continuing": _bool(
                    _one(
                        obs,
                        "h:inboundRelationship/h:observation" + _obs(Obs.CONTINUING) + "/h:value",
                    )
                ),
                "comments": _text(
                    _one(
                        obs,
                        "h:outboundRelationship2/h:observation" + _obs(Obs.COMMENT) + "/h:value",
                    )
                ),
                "family_history": _bool(
                    _one(
                        obs,
                        "h:outboundRelationship2/h:observation"
                        + _obs(Obs.FAMILY_HISTORY)
                        + "/h:value",
                    )
                )
                or False,
            }
        )
    return {
        "medical_history": items,
        "medical_history_text": _text(
            _one(org, "h:component/h:observation" + _obs(Obs.HISTORY_TEXT) + "/h:value")
        ),
        "concomitant_therapies": _bool(
            _one(org, "h:component/h:observation" + _obs(Obs.CONCOMITANT_THERAPY) + "/h:value")
        )
        or False,
    }


def _drug_history(holder: E, block: str) -> list[dict[str, Any]]:
    """D.8.r (or D.10.8.r for the parent, as `block` says)."""
    org = _one(holder, "h:subjectOf2/h:organizer" + _group(Group.DRUG_HISTORY))
    out = []
    for sa in _all(org, "h:component/h:substanceAdministration") if org is not None else []:
        times = _effective_parts(_one(sa, "h:effectiveTime"), f"{block}.r.4", f"{block}.r.5")
        out.append(
            {
                "name": _text(_one(sa, "h:consumable/h:instanceOfKind/h:kindOfProduct/h:name")),
                "start": times.get("start"),
                "end": times.get("end"),
                "indication": _meddra(
                    _one(
                        sa,
                        "h:outboundRelationship2/h:observation" + _obs(Obs.INDICATION) + "/h:value",
                    )
                ),
                "reaction": _meddra(
                    _one(
                        sa,
                        "h:outboundRelationship2/h:observation" + _obs(Obs.REACTION) + "/h:value",
                    )
                ),
            }
        )
    return out


# ---------------------------------------------------------------- E, F


def _pert(obs: E, code: str) -> E | None:
    return _one(obs, "h:outboundRelationship2/h:observation" + _obs(code) + "/h:value")


def _reaction(obs: E) -> dict[str, Any]:
    value = _one(obs, "h:value")
    original = _one(value, "h:originalText")
    times = _effective_parts(_one(obs, "h:effectiveTime"), "E.i.4", "E.i.5")
    seriousness = {
        name: _bool(_pert(obs, code)) is True for name, code in SERIOUSNESS_CODES.items()
    }
    return {
        "id": _ref(_one(obs, "h:id")),
        "verbatim": _text(original),
        "language": _attr(original, "language") or "eng",
        "translation": _text(_pert(obs, Obs.REACTION_TRANSLATION)),
        "term": _meddra(value),
        "highlighted": _highlighted(_pert(obs, Obs.TERM_HIGHLIGHTED)),
        "seriousness": seriousness,
        "start": times.get("start"),
        "end": times.get("end"),
        "duration": times.get("duration"),
        "outcome": _coded(_pert(obs, Obs.OUTCOME), Outcome, Outcome.oid()),
        "medically_confirmed": _bool(_pert(obs, Obs.MEDICAL_CONFIRMATION)),
        "country": _country(_one(obs, "h:location/h:locatedEntity/h:locatedPlace/h:code")),
    }


def _highlighted(value: E | None) -> bool | None:
    """E.i.3.1 codes highlighting and seriousness together; the model keeps the highlighting."""
    code = _attr(value, "code")
    if value is None or code is None:
        return None
    if code in (TermHighlighted.HIGHLIGHTED_NOT_SERIOUS, TermHighlighted.HIGHLIGHTED_SERIOUS):
        return True
    if code in (
        TermHighlighted.NOT_HIGHLIGHTED_NOT_SERIOUS,
        TermHighlighted.NOT_HIGHLIGHTED_SERIOUS,
    ):
        return False
    _note("error", "E.i.3.1", value, f"'{code}' is not a code of the ICH list (1 to 4)")
    return None


# IVXB_PQ bounds as the ICH qualifiers of F.r.3.2; `inclusive` defaults to true.
_QUALIFIERS = {("low", True): ">=", ("low", False): ">", ("high", True): "<=", ("high", False): "<"}


def _qualified(value: E) -> str | None:
    """An IVL_PQ result sent as bounds ("<5 mg/L": high 5, not inclusive) as text."""
    parts = []
    for bound in ("low", "high"):
        node = _one(value, f"h:{bound}")
        number = _attr(node, "value")
        if node is None or number is None:
            continue
        inclusive = (node.get("inclusive") or "true").strip() != "false"
        unit = _attr(node, "unit")
        parts.append(f"{_QUALIFIERS[bound, inclusive]}{number}" + (f" {unit}" if unit else ""))
    return " and ".join(parts) or None


def _test_result(obs: E) -> tuple[dict[str, str] | None, str | None]:
    """F.r.3.2/3.3 (a number and unit) and F.r.3.4 (text); an observation may send both."""
    result = None
    texts = []
    for value in _all(obs, "h:value"):
        kind = (value.get(_XSI_TYPE) or "").split(":")[-1]
        if kind == "PQ" or (kind == "IVL_PQ" and value.get("value") is not None):
            result = _pq(value)
        elif kind == "IVL_PQ" and _one(value, "h:center") is not None:
            result = _pq(_one(value, "h:center"))
        elif kind == "IVL_PQ":
            qualified = _qualified(value)
            if qualified is not None:
                # The model holds a result as one number; "<5" read as 5 would change its meaning.
                texts.append(qualified)
                _note(
                    "warning",
                    "F.r.3.2",
                    value,
                    f"the result '{qualified}' has a qualifier, so it is kept as text",
                )
        elif kind in ("ED", "ST"):
            text = _text(value)
            if text is not None:
                texts.append(text)
    return result, "\n".join(texts) if texts else None


def _tests(role: E | None) -> list[dict[str, Any]]:
    org = _one(role, "h:subjectOf2/h:organizer" + _group(Group.TESTS)) if role is not None else None
    out = []
    for obs in _all(org, "h:component/h:observation") if org is not None else []:
        code = _one(obs, "h:code")
        result, result_text = _test_result(obs)

        def bound(flag: str, o: E = obs) -> str | None:
            return _attr(
                _one(
                    o,
                    "h:referenceRange/h:observationRange"
                    f"[h:interpretationCode[@code='{flag}']]/h:value",
                ),
                "value",
            )

        out.append(
            {
                "date": _date(_one(obs, "h:effectiveTime"), "F.r.1"),
                "name": _text(_one(code, "h:originalText")),
                "test": _meddra(code),
                "result_code": _coded(
                    _one(obs, "h:interpretationCode"), TestResultCode, TestResultCode.oid()
                ),
                "result": result,
                "result_text": result_text,
                "normal_low": bound("L"),
                "normal_high": bound("H"),
                "comments": _text(_pert(obs, Obs.COMMENT)),
                "more_information": _bool(_pert(obs, Obs.MORE_INFORMATION)),
            }
        )
    return out


# ---------------------------------------------------------------- G


def _drugs(role: E | None, aea: E | None) -> list[dict[str, Any]]:
    org = _one(role, "h:subjectOf2/h:organizer" + _group(Group.DRUGS)) if role is not None else None
    roles: dict[str, str | None] = {}
    causality: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if aea is not None:
        for ca in _all(aea, "h:component/h:causalityAssessment" + _obs(Obs.DRUG_ROLE)):
            drug_id = _ref(_one(ca, "h:subject2/h:productUseReference/h:id"))
            if drug_id:
                role_code = _coded(_one(ca, "h:value"), DrugRole, DrugRole.oid())
                if roles.get(drug_id) is None:  # a regional role under another list adds nothing
                    roles[drug_id] = role_code
        for ca in _all(aea, "h:component/h:causalityAssessment" + _obs(Obs.CAUSALITY)):
            drug_id = _ref(_one(ca, "h:subject2/h:productUseReference/h:id"))
            reaction_id = _ref(_one(ca, "h:subject1/h:adverseEffectReference/h:id"))
            if drug_id and reaction_id:
                # ICH sends source and method as free text (originalText); systems that code
                # them usually add a displayName, which says more to a reader than the code.
                causality.setdefault((drug_id, reaction_id), []).append(
                    {
                        "source": _label(_one(ca, "h:author/h:assignedEntity/h:code")),
                        "method": _label(_one(ca, "h:methodCode")),
                        "result": _label(_one(ca, "h:value")),
                    }
                )
    out = []
    for sa in _all(org, "h:component/h:substanceAdministration") if org is not None else []:
        out.append(_drug(sa, roles, causality))
    return out


def _drug(
    sa: E, roles: dict[str, str | None], causality: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, Any]:
    drug_id = _ref(_one(sa, "h:id")) or _id(None, str(id(sa)))
    kind = _one(sa, "h:consumable/h:instanceOfKind/h:kindOfProduct")
    approval = _one(kind, "h:asManufacturedProduct/h:subjectOf/h:approval")
    links: dict[str, dict[str, Any]] = {}

    def link(reaction_id: str) -> dict[str, Any]:
        return links.setdefault(reaction_id, {"reaction_id": reaction_id})

    for rel in _all(sa, "h:outboundRelationship1"):
        reaction_id = _ref(_one(rel, "h:actReference/h:id"))
        pause = _one(rel, "h:pauseQuantity")
        if reaction_id is None or pause is None:
            continue
        key = {TIME_FROM_FIRST_DOSE: "time_to_onset", TIME_FROM_LAST_DOSE: "time_since_last_dose"}
        if rel.get("typeCode") in key:
            link(reaction_id)[key[rel.get("typeCode", "")]] = _pq(pause)
    for obs in _all(sa, "h:outboundRelationship2/h:observation" + _obs(Obs.RECURRENCE)):
        reaction_id = _ref(_one(obs, "h:outboundRelationship1/h:actReference/h:id"))
        if reaction_id:
            link(reaction_id)["recurrence"] = _coded(
                _one(obs, "h:value"), Recurrence, Recurrence.oid()
            )
    for (d_id, reaction_id), items in causality.items():
        if d_id == drug_id:
            link(reaction_id)["causality"] = items
    substances = []
    for ingredient in _all(kind, "h:ingredient") if kind is not None else []:
        numerator = _one(ingredient, "h:quantity/h:numerator")
        substances.append(
            {
                "name": _text(_one(ingredient, "h:ingredientSubstance/h:name")),
                "strength": _pq(numerator),
            }
        )
    indications = [
        {"text": _text(_one(v, "h:originalText")), "term": _meddra(v)}
        for v in _all(sa, "h:inboundRelationship/h:observation" + _obs(Obs.INDICATION) + "/h:value")
    ]
    cumulative = _pq(
        _one(sa, "h:outboundRelationship2/h:observation" + _obs(Obs.CUMULATIVE_DOSE) + "/h:value")
    )
    gestation = _pq(
        _one(sa, "h:outboundRelationship2/h:observation" + _obs(Obs.GESTATION_PERIOD) + "/h:value")
    )
    return {
        "id": drug_id,
        "role": roles.get(drug_id),
        "product_name": _text(_one(kind, "h:name")),
        "substances": substances,
        "obtained_country": _text(
            _one(
                sa,
                "h:consumable/h:instanceOfKind/h:subjectOf/h:productEvent"
                "/h:performer/h:assignedEntity/h:representedOrganization/h:addr/h:country",
            )
        ),
        "authorisation_number": _attr(_one(approval, "h:id"), "extension"),
        "authorisation_country": _country(
            _one(approval, "h:author/h:territorialAuthority/h:territory/h:code")
        ),
        "authorisation_holder": _text(
            _one(approval, "h:holder/h:role/h:playingOrganization/h:name")
        ),
        "dosages": [
            # G.k.4.r is the COMP relationship; others (e.g. FDA's FLFS) are not dosages.
            _dosage(n)
            for n in _all(sa, "h:outboundRelationship2[@typeCode='COMP']/h:substanceAdministration")
        ],
        "cumulative_dose": cumulative,
        "gestation_at_exposure": gestation,
        "indications": indications,
        "action_taken": _coded(
            _one(sa, "h:inboundRelationship/h:act/h:code"), ActionTaken, ActionTaken.oid()
        ),
        "reactions": list(links.values()),
        "additional_info_codes": [
            _coded(v, AdditionalDrugInfo, AdditionalDrugInfo.oid())
            for v in _all(
                sa,
                "h:outboundRelationship2/h:observation"
                + _obs(Obs.CODED_DRUG_INFORMATION)
                + "/h:value",
            )
        ],
        "additional_info": _text(
            _one(
                sa,
                "h:outboundRelationship2/h:observation"
                + _obs(Obs.ADDITIONAL_INFORMATION)
                + "/h:value",
            )
        ),
    }


def _dosage(sa: E) -> dict[str, Any]:
    times = _effective_parts(_one(sa, "h:effectiveTime"), "G.k.4.r.4", "G.k.4.r.5")
    period = times.get("period")
    dose = _one(sa, "h:doseQuantity")
    instance = _one(sa, "h:consumable/h:instanceOfKind")
    parent_route = _one(
        sa, "h:inboundRelationship/h:observation" + _obs(Obs.PARENT_ROUTE) + "/h:value"
    )
    return {
        "dose": _pq(dose),
        "interval_count": period[0] if period else None,
        "interval_unit": period[1] if period else None,
        "start": times.get("start"),
        "end": times.get("end"),
        "duration": times.get("duration"),
        "batch": _text(_one(instance, "h:productInstanceInstance/h:lotNumberText")),
        "text": _text(_one(sa, "h:text")),
        "dose_form": _text(_one(instance, "h:kindOfProduct/h:formCode/h:originalText")),
        "dose_form_term": _term_id(_one(instance, "h:kindOfProduct/h:formCode")),
        "route": _text(_one(sa, "h:routeCode/h:originalText")),
        "route_term": _term_id(_one(sa, "h:routeCode")),
        "parent_route": _text(_one(parent_route, "h:originalText")),
        "parent_route_term": _term_id(parent_route),
    }


# ---------------------------------------------------------------- H


def _narrative(ie: E, aea: E | None) -> dict[str, Any]:
    def component(code: str, author: str) -> list[E]:
        if aea is None:
            return []
        return _all(
            aea, "h:component1/h:observationEvent" + _obs(code) + _author(author) + "/h:value"
        )

    reporter = component(Obs.COMMENT, Author.SOURCE_REPORTER)
    sender = component(Obs.COMMENT, Author.SENDER)
    summaries = [
        {"text": _text(v), "language": v.get("language")}
        for v in _all(
            ie,
            "h:component/h:observationEvent"
            + _obs(Obs.SUMMARY)
            + _author(Author.REPORTER)
            + "/h:value",
        )
    ]
    return {
        "narrative": _text(_one(ie, "h:text")),
        "reporter_comments": _text(reporter[0]) if reporter else None,
        "sender_diagnoses": [_meddra(v) for v in component(Obs.DIAGNOSIS, Author.SENDER)],
        "sender_comments": _text(sender[0]) if sender else None,
        "summaries": summaries,
    }


__all__ = ["NotAnIcsrError", "ReadBatch", "ReadReport", "read_bytes", "read_file", "read_tree"]
