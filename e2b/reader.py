"""ICH E2B(R3) XML -> report data (and, through the model, an `ICSR`).

The element locations mirror `e2b.writer` and the codes come from `e2b.mapping`; this module only
walks the message. Elements are selected by code AND code system, so regional extensions (FDA,
EU, ...) that reuse a code under another system are ignored rather than misread.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
    StudyType,
    TermHighlighted,
    TestResultCode,
)
from e2b.dates import DateFormatError, datetime_from_hl7, from_hl7
from e2b.elements import element as element_row
from e2b.findings import Finding, Severity, has_errors
from e2b.mapping import (
    HL7,
    OID_AUTHOR_ROLE,
    OID_CHARACTERISTIC,
    OID_COUNTRY,
    OID_DOCUMENT,
    OID_MEDDRA,
    OID_MESSAGE_ID,
    OID_OBSERVATION,
    OID_OTHER_CASE_ID,
    OID_RELATIONSHIP,
    OID_SPONSOR_STUDY,
    OID_STUDY_REGISTRATION,
    OID_VALUE_GROUP,
    OID_WORLDWIDE_ID,
    PHPID_SYSTEM_NAME,
    RECORD_NUMBERS,
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
from e2b.xpath import Coded, Parts, has_code, select, select_one, text_of

E = etree._Element
_XSI_TYPE = f"{{{XSI}}}type"
_CODE = f"{{{HL7}}}code"
_SUBSTANCE_ADMINISTRATION = f"{{{HL7}}}substanceAdministration"
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
    """A batch as read: N.1 header values (as sent; each names its element in its metadata)
    and its reports."""

    batch_id: str | None = field(metadata={"e2b": "N.1.2"})
    sender_id: str | None = field(metadata={"e2b": "N.1.3"})
    receiver_id: str | None = field(metadata={"e2b": "N.1.4"})
    created_at: str | None = field(metadata={"e2b": "N.1.5"})
    reports: list[ReadReport]
    message_type: str | None = field(default=None, metadata={"e2b": "N.1.1"})


# ---------------------------------------------------------------- lookups
#
# One message holds a few hundred elements. Reading them with one XPath per element and code
# (`[h:code[@code=...]]` predicates are evaluated once per candidate) costs more than parsing the
# file, so a block is looked up once: `Coded` indexes its observations by code, `_kids` its
# children by local name, and only multi-step paths go through (compiled, predicate-free) XPath.

_H = f"{{{HL7}}}"
_LOCAL = len(_H)


def _kids(node: E | None) -> dict[str, list[E]]:
    """The HL7 child elements of `node` by local name, in document order (one pass for many)."""
    out: dict[str, list[E]] = {}
    if node is None:
        return out
    for child in node:
        tag = child.tag
        if type(tag) is str and tag.startswith(_H):  # comments and PIs have no str tag
            name = tag[_LOCAL:]
            same = out.get(name)
            if same is None:
                out[name] = [child]
            else:
                same.append(child)
    return out


def _first(kids: dict[str, list[E]], name: str) -> E | None:
    found = kids.get(name)
    return found[0] if found else None


def _child(node: E | None, name: str) -> E | None:
    """The first HL7 child `name` of `node`: XPath h:name."""
    if node is None:
        return None
    for child in node.iterchildren(_H + name):
        return child
    return None


def _head(nodes: list[E]) -> E | None:
    return nodes[0] if nodes else None


def _text(node: E | None) -> str | None:
    """Element text as written (never stripped: the round trip is exact); None when absent."""
    if node is None or node.get("nullFlavor"):
        return None
    value = text_of(node)
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
        tag = str(item.tag)
        before = len(list(item.itersiblings(tag, preceding=True)))
        shared = before > 0 or next(item.itersiblings(tag), None) is not None
        steps.append(f"{name}[{before + 1}]" if shared else name)
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


def _text_or_null(node: E | None, element: str) -> str | dict[str, str] | None:
    """Element text, or the nullFlavor sent in its place (C.2.r.1.2, D.7.2, G.k.7.r.1 ...)."""
    if node is None:
        return None
    return _null(node, element) if node.get("nullFlavor") else _text(node)


def _extension_or_null(node: E | None, element: str) -> str | dict[str, str] | None:
    """An II's extension, or the nullFlavor sent in its place (C.5.1.r.1, C.5.3)."""
    if node is None:
        return None
    return _null(node, element) if node.get("nullFlavor") else _attr(node, "extension")


def _bool_or_null(node: E | None, element: str) -> bool | dict[str, str] | None:
    """An HL7 BL, or the nullFlavor sent in its place (D.7.1.r.3, D.9.3)."""
    if node is None:
        return None
    return _null(node, element) if node.get("nullFlavor") else _bool(node)


def _code_or_null(node: E | None, element: str) -> str | dict[str, str] | None:
    """A code (D.5 sex), or the nullFlavor sent in its place."""
    if node is None:
        return None
    return _null(node, element) if node.get("nullFlavor") else _attr(node, "code")


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
        _text(_child(node, "originalText"))
        or _attr(node, "displayName")
        or _text(node)
        or _attr(node, "code")
    )


def _literature(document: E) -> dict[str, Any]:
    """C.4.r: the reference (C.4.r.1) and the article, if sent (C.4.r.2)."""
    return {
        "reference": _text_or_null(_child(document, "bibliographicDesignationText"), "C.4.r.1"),
        "document": _attachment(_child(document, "text")),
    }


def _attachment(node: E | None) -> dict[str, Any] | None:
    """An HL7 ED (C.1.6.1.r.2, C.4.r.2) kept as sent: its text and how to read it."""
    if node is None:
        return None
    # The content is the ED's own text; a <reference value="file name"/> may stand inside it.
    reference = _child(node, "reference")
    data = (node.text or "") + "".join(child.tail or "" for child in node)
    return {
        # Only layout (a pretty printer's) when nothing but whitespace stands beside a reference.
        # (`isspace` is `not data.strip()` without copying a base64 file of megabytes.)
        "data": "" if reference is not None and (not data or data.isspace()) else data,
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


def _product_ids(node: E | None) -> dict[str, Any]:
    """G.k.2.1.1 MPID or G.k.2.1.2 PhPID (or D.8.r.2/3, D.10.8.r.2/3) from a
    kindOfProduct/code: a PhPID names itself by codeSystemName (as we send it) or by ICH's
    placeholder system "TBD-PhPID"; any other code is an MPID (FDA: NDC, ICH: "TBD-MPID")."""
    term = _term_id(node)
    if term is None or node is None:
        return {}
    names = {(node.get(a) or "").strip().lower() for a in ("codeSystemName", "codeSystem")}
    phpid = names & {PHPID_SYSTEM_NAME.lower(), "tbd-" + PHPID_SYSTEM_NAME.lower()}
    return {"phpid" if phpid else "mpid": term}


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


# A UUID as str(uuid.UUID(...)) writes it: kept without parsing it again.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _id(root: str | None, extension: str | None = None) -> str:
    """Our internal UUID for an XML id: kept when it is a UUID, otherwise derived stably."""
    if root and extension is None:
        if _CANONICAL_UUID.fullmatch(root):
            return root
        try:
            return str(uuid.UUID(root))
        except ValueError:
            pass
    return _uuid5(f"{root}|{extension}")


_OID_NAMESPACE = uuid.NAMESPACE_OID.bytes


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(uuid.NAMESPACE_OID, name)), without building the UUID object."""
    digest = bytearray(hashlib.sha1(_OID_NAMESPACE + name.encode(), usedforsecurity=False).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ref(node: E | None) -> str | None:
    if node is None:
        return None
    return _id(node.get("root"), node.get("extension"))


def _prune(value: Any) -> Any:
    """Drop None, empty lists and empty dicts so the model's defaults apply.

    (The extraction builds plain dicts and lists only: exact type tests, no isinstance.)
    """
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            if type(item) is dict or type(item) is list:
                item = _prune(item)
                if not item:  # empty after pruning
                    continue
            out[key] = item
        return out
    if kind is list:
        return [
            _prune(item) if type(item) is dict or type(item) is list else item
            for item in value
            if item is not None and item != [] and item != {}
        ]
    return value


def _effective_parts(node: E | None, start: str, end: str) -> dict[str, Any]:
    """start/end/duration/period from an IVL_TS, PIVL_TS or SXPR_TS effectiveTime.

    `start` and `end` are the E2B elements of the two dates, for findings about them.
    """
    out: dict[str, Any] = {}
    if node is None:
        return out
    comps = select(node, "comp") if (node.get(_XSI_TYPE) or "").endswith("SXPR_TS") else [node]
    for comp in comps:
        kind = (comp.get(_XSI_TYPE) or "IVL_TS").split(":")[-1]
        if kind == "PIVL_TS":
            period = _child(comp, "period")
            if period is not None and period.get("value"):
                out["period"] = (period.get("value"), period.get("unit"))
            continue
        kids = _kids(comp)
        low, high, width = _first(kids, "low"), _first(kids, "high"), _first(kids, "width")
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
        messages = select(root, "PORR_IN049016UV")
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
    sender_id = _attr(select_one(batch, "sender/device/id"), "extension")
    receiver_id = _attr(select_one(batch, "receiver/device/id"), "extension")
    reports = [read_message(m, batch_ids=(sender_id, receiver_id)) for m in messages]
    return ReadBatch(
        batch_id=_attr(_child(batch, "id"), "extension"),
        sender_id=sender_id,
        receiver_id=receiver_id,
        created_at=_attr(_child(batch, "creationTime"), "value"),
        reports=reports,
        message_type=_attr(_child(batch, "name"), "code"),
    )


def read_message(
    message: E, *, batch_ids: tuple[str | None, str | None] = (None, None)
) -> ReadReport:
    """One PORR_IN049016UV -> ReadReport. Dates or codes that cannot be read become findings.

    A value the reader could not take over is left out of `data` and reported with its XPath;
    the report is then None even if the model would accept what is left.
    """
    message_id = _attr(_child(message, "id"), "extension")
    problems: list[Finding] = []
    token = _problems.set(problems)
    try:
        data = _prune(message_data(message, batch_ids=batch_ids))
    finally:
        _problems.reset(token)
    # Sections the ICSR always has stay, even empty, so the model names the missing element
    # (e.g. D.1 for a patient known only by masked initials) rather than the whole section.
    for section in ("case", "patient", "narrative"):
        data.setdefault(section, {})
    result = validate_icsr(data, received=True, from_xml=True)
    report = None if has_errors(problems) else result.report
    return ReadReport(message_id, data, report, problems + result.findings)


def message_data(
    message: E, *, batch_ids: tuple[str | None, str | None] = (None, None)
) -> dict[str, Any]:
    """The plain data of one ICSR message, shaped like the report model. `batch_ids` are the
    batch's sender and receiver (N.1.3, N.1.4), which the message header repeats by default.

    Outside `read_message` a value that cannot be read raises ValueError instead of a finding.
    """
    act = _child(message, "controlActProcess")
    ie = select_one(act, "subject/investigationEvent")
    if ie is None:
        raise NotAnIcsrError("the message has no investigationEvent (the ICSR itself)")
    aea = select_one(ie, "component/adverseEventAssessment")
    role = select_one(aea, "subject1/primaryRole")
    # The patient's observations (D, E.i) and organizers (D.7, D.8, F.r, G.k), each by its code.
    observations = Coded(role, "subjectOf2/observation", OID_OBSERVATION)
    organizers = Coded(role, "subjectOf2/organizer", OID_VALUE_GROUP)
    reactions = [_reaction(n) for n in observations.of(Obs.REACTION)]
    drugs = _drugs(_head(organizers.of(Group.DRUGS)), aea)
    # A drug's G.k.9.i links are spread over three places in the XML (time intervals, recurrence,
    # causality); list them in the order of the reactions (E.i) they assess.
    order = {reaction["id"]: i for i, reaction in enumerate(reactions)}
    for drug in drugs:
        drug["reactions"].sort(key=lambda link: order.get(link["reaction_id"], len(order)))
    events = Coded(ie, "component/observationEvent", OID_OBSERVATION)
    documents = Coded(ie, "reference/document", OID_DOCUMENT)
    related = select(ie, "outboundRelationship/relatedInvestigation")
    return {
        "message_header": _message_header(message, act, ie, batch_ids),
        "case": _case(act, ie, events, documents, related),
        "primary_sources": [
            _primary_source(n) for n in related if has_code(n, "2", OID_RELATIONSHIP)
        ],
        "sender": _sender(ie),
        "literature": [_literature(d) for d in documents.of("2")],
        "study": _study(role),
        "patient": _patient(role, observations, organizers) if role is not None else {},
        "reactions": reactions,
        "tests": _tests(_head(organizers.of(Group.TESTS))),
        "drugs": drugs,
        "narrative": _narrative(ie, aea, events),
    }


# ---------------------------------------------------------------- C


def _created(act: E | None) -> str | None:
    """C.1.2, which ICH requires to the second."""
    node = _child(act, "effectiveTime")
    value = _attr(node, "value")
    if node is None or value is None:
        return None
    try:
        return datetime_from_hl7(value, as_sent=True).isoformat()
    except ValueError as exc:  # DateFormatError, or datetime's own for month 13 and the like
        _note("error", "C.1.2", node, f"'{value}' is not a date and time to the second ({exc})")
        return None


def _message_header(
    message: E, act: E | None, ie: E, batch_ids: tuple[str | None, str | None]
) -> dict[str, Any]:
    """N.2.r where it says other than the writer derives (N.2.r.1 = C.1.1, N.2.r.2/3 = N.1.3/4,
    N.2.r.4 = C.1.2); what agrees is left out, so the writer derives it again."""
    kids = _kids(message)
    message_id = _attr(_head(_with_root(kids.get("id", []), OID_MESSAGE_ID)), "extension")
    case_id = _attr(_head(_with_root(select(ie, "id"), OID_MESSAGE_ID)), "extension")
    sender = _attr(select_one(message, "sender/device/id"), "extension")
    receiver = _attr(select_one(message, "receiver/device/id"), "extension")
    time = _first(kids, "creationTime")
    created = _attr(time, "value")
    out: dict[str, Any] = {
        "message_id": message_id if message_id != case_id else None,
        "sender_id": sender if sender != batch_ids[0] else None,
        "receiver_id": receiver if receiver != batch_ids[1] else None,
    }
    if time is not None and created is not None and created != _attr(
        _child(act, "effectiveTime"), "value"
    ):
        try:
            out["created_at"] = datetime_from_hl7(created, as_sent=True).isoformat()
        except ValueError as exc:
            _note("error", "N.2.r.4", time, f"'{created}' is not a date and time ({exc})")
    return out


def _with_root(nodes: list[E], root: str) -> list[E]:
    """XPath [@root='...']."""
    return [n for n in nodes if n.get("root") == root]


def _case(
    act: E | None, ie: E, events: Coded, documents: Coded, related: list[E]
) -> dict[str, Any]:
    """C.1; `events`, `documents` and `related` are the ICSR's indexed blocks."""
    characteristics = Coded(ie, "subjectOf2/investigationCharacteristic", OID_CHARACTERISTIC)
    ids = select(ie, "id")
    expedited = events.value(Obs.EXPEDITED)
    held = [
        {"title": _text(_child(d, "title")), "document": _attachment(_child(d, "text"))}
        for d in documents.of("1")
    ]
    other_ids = [
        {"source": n.get("assigningAuthorityName"), "case_id": n.get("extension")}
        for n in _with_root(select(ie, "subjectOf1/controlActEvent/id"), OID_OTHER_CASE_ID)
    ]
    first_sender = None
    for inv in related:
        if has_code(inv, "1", OID_RELATIONSHIP):
            first_sender = select_one(inv, "subjectOf2/controlActEvent/author/assignedEntity/code")
            if first_sender is not None:
                break
    linked = [
        n.get("extension")
        for inv in related
        if any(c.get("nullFlavor") == "NA" for c in inv.iterchildren(_CODE))
        for n in _with_root(select(inv, "subjectOf2/controlActEvent/id"), OID_WORLDWIDE_ID)
    ]
    return {
        "sender_report_id": _attr(_head(_with_root(ids, OID_MESSAGE_ID)), "extension"),
        "created_at": _created(act),
        "report_type": _coded(
            characteristics.value(Characteristic.REPORT_TYPE), ReportType, ReportType.oid()
        ),
        "first_received": _date(select_one(ie, "effectiveTime/low"), "C.1.4"),
        "most_recent": _date(_child(ie, "availabilityTime"), "C.1.5"),
        "additional_documents": _bool(events.value(Obs.ADDITIONAL_DOCUMENTS)) or False,
        "documents": held,
        "expedited": _expedited(expedited),
        "worldwide_case_id": _attr(_head(_with_root(ids, OID_WORLDWIDE_ID)), "extension"),
        "first_sender": _coded(first_sender, FirstSender, FirstSender.oid()),
        "other_case_ids_in_previous": _previous_case_ids(
            characteristics.value(Characteristic.OTHER_CASE_IDS), bool(other_ids)
        ),
        "other_case_ids": other_ids,
        "linked_reports": linked,
        "nullification": _coded(
            characteristics.value(Characteristic.NULLIFICATION),
            Nullification,
            Nullification.oid(),
        ),
        "nullification_reason": _text(
            _child(characteristics.value(Characteristic.NULLIFICATION_REASON), "originalText")
        ),
    }


def _study(role: E | None) -> dict[str, Any] | None:
    """C.5: the researchStudy of the patient's role."""
    study = select_one(role, "subjectOf1/researchStudy")
    if study is None:
        return None
    kids = _kids(study)
    registrations = []
    for registration in select(study, "authorization/studyRegistration"):
        place = select_one(registration, "author/territorialAuthority/governingPlace/code")
        number = _extension_or_null(
            _head(_with_root(select(registration, "id"), OID_STUDY_REGISTRATION)), "C.5.1.r.1"
        )
        country = _country_or_null(place, "C.5.1.r.2")
        # A registration under a regional root only (FDA's IND numbers) is not a C.5.1.r.
        if number is not None or country is not None:
            registrations.append({"number": number, "country": country})
    return {
        "registrations": registrations,
        "name": _text_or_null(_first(kids, "title"), "C.5.2"),
        "sponsor_number": _extension_or_null(
            _head(_with_root(kids.get("id", []), OID_SPONSOR_STUDY)), "C.5.3"
        ),
        "study_type": _coded(_first(kids, "code"), StudyType, StudyType.oid()),
    }


def _expedited(node: E | None) -> bool | None:
    """C.1.7; its nullFlavor NI is None in the model (another flavor is warned of)."""
    if node is not None and node.get("nullFlavor"):
        _null(node, "C.1.7")
    return _bool(node)


def _previous_case_ids(node: E | None, listed: bool) -> bool | dict[str, str] | None:
    """C.1.9.1 where it says other than C.1.9.1.r (true when identifiers are listed, else NI):
    None when the two agree, as the writer derives it then."""
    if node is None:
        return None
    value: bool | dict[str, str] | None = _bool(node)
    if value is None:
        value = _null(node, "C.1.9.1")
    derived: bool | dict[str, str] = True if listed else {"null_flavor": "NI"}
    return None if value == derived else value


def _name_parts(name: E | None, reporter: bool = False) -> dict[str, Any]:
    """PN: title, given, middle (a second given), family. A reporter's parts may be nullFlavors
    (C.2.r.1.x); the sender's may not, and read as absent."""
    kids = _kids(name)
    givens = kids.get("given", [])

    def part(node: E | None, element: str) -> Any:
        return _text_or_null(node, element) if reporter else _text(node)

    given = givens[0] if givens else None
    # A middle name without a given name is sent after a placeholder <given nullFlavor="NI"/>.
    if given is not None and len(givens) > 1 and given.get("nullFlavor") == "NI":
        given = None
    return {
        "title": part(_first(kids, "prefix"), "C.2.r.1.1"),
        "given_name": part(given, "C.2.r.1.2"),
        "middle_name": part(givens[1], "C.2.r.1.3") if len(givens) > 1 else None,
        "family_name": part(_first(kids, "family"), "C.2.r.1.4"),
    }


_TELECOMS = (("tel:", "phone"), ("fax:", "fax"), ("mailto:", "email"))


def _contact(entity: E | None, reporter: bool = False) -> dict[str, Any]:
    """Address, organisation and telecoms; a reporter's (C.2.r.2.x) may be nullFlavors."""
    kids = _kids(entity)
    addr = _kids(_first(kids, "addr"))

    def part(node: E | None, element: str) -> Any:
        return _text_or_null(node, element) if reporter else _text(node)

    out: dict[str, Any] = {
        "street": part(_first(addr, "streetAddressLine"), "C.2.r.2.3"),
        "city": part(_first(addr, "city"), "C.2.r.2.4"),
        "state": part(_first(addr, "state"), "C.2.r.2.5"),
        "postcode": part(_first(addr, "postalCode"), "C.2.r.2.6"),
        "department": part(select_one(entity, "representedOrganization/name"), "C.2.r.2.2"),
        "organisation": part(
            select_one(
                entity,
                "representedOrganization/assignedEntity/representedOrganization/name",
            ),
            "C.2.r.2.1",
        ),
    }
    telecoms = kids.get("telecom", [])
    for scheme, key in _TELECOMS:
        # XPath h:telecom[starts-with(@value, scheme)]
        telecom = _head([t for t in telecoms if (t.get("value") or "").startswith(scheme)])
        value = _attr(telecom, "value")
        out[key] = unquote(value[len(scheme) :]) if value else None
    return out


def _country(node: E | None) -> str | None:
    if node is None or node.get("codeSystem") not in (None, OID_COUNTRY):
        return None
    return _attr(node, "code")


def _country_or_null(node: E | None, element: str) -> str | dict[str, str] | None:
    """A country code, or the nullFlavor sent in its place (C.2.r.3, C.5.1.r.2)."""
    if node is not None and node.get("nullFlavor"):
        return _null(node, element)
    return _country(node)


def _primary_source(inv: E) -> dict[str, Any]:
    entity = select_one(inv, "subjectOf2/controlActEvent/author/assignedEntity")
    person = _child(entity, "assignedPerson")
    relationship = inv.getparent()
    priority = (
        _attr(_child(relationship, "priorityNumber"), "value") if relationship is not None else None
    )
    contact = _contact(entity, reporter=True)
    contact.pop("fax", None)
    qualification = select_one(person, "asQualifiedEntity/code")
    if qualification is not None and qualification.get("nullFlavor"):
        _null(qualification, "C.2.r.4")  # UNK is None in the model; another flavor is warned of
    return {
        **_name_parts(_child(person, "name"), reporter=True),
        **contact,
        "country": _country_or_null(
            select_one(person, "asLocatedEntity/location/code"), "C.2.r.3"
        ),
        "qualification": _coded(qualification, Qualification, Qualification.oid()),
        "primary_for_regulatory": _is_one(priority),
    }


def _is_one(priority: str | None) -> bool:
    """C.2.r.5 is priorityNumber 1, a REAL: "1", "1.0" and "01" all say primary."""
    try:
        return priority is not None and Decimal(priority) == 1
    except InvalidOperation:
        return False


def _sender(ie: E) -> dict[str, Any]:
    entity = _head(
        [
            n
            for n in select(ie, "subjectOf1/controlActEvent/author/assignedEntity")
            if has_code(n, system=SenderType.oid())
        ]
    )
    if entity is None:
        return {}
    person = _child(entity, "assignedPerson")
    return {
        "sender_type": _coded(_child(entity, "code"), SenderType, SenderType.oid()),
        **_name_parts(_child(person, "name")),
        **_contact(entity),
        "country": _country(select_one(person, "asLocatedEntity/location/code")),
    }


# ---------------------------------------------------------------- D


def _patient(role: E, observations: Coded, organizers: Coded) -> dict[str, Any]:
    """D; `observations` and `organizers` are the role's subjectOf2 blocks by code."""
    player = _child(role, "player1")
    person = _kids(player)
    death_date = _date_or_null(_first(person, "deceasedTime"), "D.9.1")
    reported = [_cause(v) for v in observations.values(Obs.REPORTED_CAUSE_OF_DEATH)]
    autopsy_obs = _head(observations.of(Obs.AUTOPSY))
    autopsy_causes = (
        [
            _cause(v)
            for v in Coded(
                autopsy_obs, "outboundRelationship2/observation", OID_OBSERVATION
            ).values(Obs.CAUSE_OF_DEATH)
        ]
        if autopsy_obs is not None
        else []
    )
    death: dict[str, Any] | None = None
    if death_date or reported or autopsy_obs is not None:
        death = {
            "date": death_date,
            "reported_causes": reported,
            "autopsy": _bool_or_null(_child(autopsy_obs, "value"), "D.9.3"),
            "autopsy_causes": autopsy_causes,
        }
    parent_role = _head([r for r in person.get("role", []) if has_code(r, "PRN")])
    history = _history(organizers, "D.7")
    return {
        # D.1 nullFlavor MSK: known to the sender, withheld for privacy (ICH IG); UNK is absent.
        "initials": _text_or_null(_first(person, "name"), "D.1"),
        **_record_numbers(person.get("asIdentifiedEntity", [])),
        "birth_date": _date_or_null(_first(person, "birthTime"), "D.2.1"),
        "age": _pq(observations.value(Obs.AGE)),
        "gestation_at_onset": _pq(observations.value(Obs.GESTATION_PERIOD)),
        "age_group": _coded(observations.value(Obs.AGE_GROUP), AgeGroup, AgeGroup.oid()),
        "weight_kg": _attr(observations.value(Obs.BODY_WEIGHT), "value"),
        "height_cm": _attr(observations.value(Obs.HEIGHT), "value"),
        "sex": _code_or_null(_first(person, "administrativeGenderCode"), "D.5"),
        "last_menstrual_period": _date_or_null(
            observations.value(Obs.LAST_MENSTRUAL_PERIOD), "D.6"
        ),
        **history,
        "drug_history": _drug_history(organizers, "D.8"),
        "death": death,
        "parent": _parent(parent_role) if parent_role is not None else None,
    }


def _record_numbers(entities: list[E]) -> dict[str, Any]:
    """D.1.1.1-4: each record number is the id under its own root (MSK in its place allowed)."""
    out: dict[str, Any] = {}
    for name, (root, _source) in RECORD_NUMBERS.items():
        element = "D.1.1." + _source
        for entity in entities:
            node = _head(_with_root(select(entity, "id"), root))
            if node is not None:
                out[name] = (
                    _null(node, element) if node.get("nullFlavor") else _attr(node, "extension")
                )
                break
    return out


def _cause(value: E) -> dict[str, Any]:
    return {"term": _meddra(value), "text": _text(_child(value, "originalText"))}


def _parent(role: E) -> dict[str, Any]:
    person = _kids(_child(role, "associatedPerson"))
    observations = Coded(role, "subjectOf2/observation", OID_OBSERVATION)
    organizers = Coded(role, "subjectOf2/organizer", OID_VALUE_GROUP)
    history = _history(organizers, "D.10.7")
    history.pop("concomitant_therapies", None)
    return {
        "identification": _text_or_null(_first(person, "name"), "D.10.1"),
        "sex": _code_or_null(_first(person, "administrativeGenderCode"), "D.10.6"),
        "birth_date": _date_or_null(_first(person, "birthTime"), "D.10.2.1"),
        "age": _pq(observations.value(Obs.AGE)),
        "last_menstrual_period": _date_or_null(
            observations.value(Obs.LAST_MENSTRUAL_PERIOD), "D.10.3"
        ),
        "weight_kg": _attr(observations.value(Obs.BODY_WEIGHT), "value"),
        "height_cm": _attr(observations.value(Obs.HEIGHT), "value"),
        **history,
        "drug_history": _drug_history(organizers, "D.10.8"),
    }


def _history(organizers: Coded, block: str) -> dict[str, Any]:
    """D.7 (or D.10.7 for the parent, as `block` says)."""
    org = _head(organizers.of(Group.MEDICAL_HISTORY))
    if org is None:
        return {}
    items = []
    for obs in select(org, "component/observation"):
        if not has_code(obs, system=OID_MEDDRA):
            continue
        kids = _kids(obs)
        times = _effective_parts(_first(kids, "effectiveTime"), f"{block}.1.r.2", f"{block}.1.r.4")
        related = Coded(obs, "outboundRelationship2/observation", OID_OBSERVATION)
        items.append(
            {
                "condition": _meddra(_first(kids, "code")),
                "start": times.get("start"),
                "end": times.get("end"),
                "continuing": _bool_or_null(
                    Coded(obs, "inboundRelationship/observation", OID_OBSERVATION).value(
                        Obs.CONTINUING
                    ),
                    f"{block}.1.r.3",
                ),
                "comments": _text(related.value(Obs.COMMENT)),
                **_family_history(related.value(Obs.FAMILY_HISTORY), block),
            }
        )
    components = Coded(org, "component/observation", OID_OBSERVATION)
    return {
        "medical_history": items,
        "medical_history_text": _text_or_null(components.value(Obs.HISTORY_TEXT), f"{block}.2"),
        "concomitant_therapies": _bool(components.value(Obs.CONCOMITANT_THERAPY)) or False,
    }


def _family_history(value: E | None, block: str) -> dict[str, Any]:
    """D.7.1.r.6; the parent's history (D.10.7.1.r) has no such element: warned and left out."""
    if block == "D.7":
        return {"family_history": _bool(value) or False}
    if value is not None:
        _note(
            "warning",
            "D.10.7.1.r",
            value,
            "family history is an element of the patient's medical history only (D.7.1.r.6), "
            "not of the parent's; it is left out",
        )
    return {}


def _drug_history(organizers: Coded, block: str) -> list[dict[str, Any]]:
    """D.8.r (or D.10.8.r for the parent, as `block` says)."""
    org = _head(organizers.of(Group.DRUG_HISTORY))
    out = []
    for sa in select(org, "component/substanceAdministration"):
        times = _effective_parts(_child(sa, "effectiveTime"), f"{block}.r.4", f"{block}.r.5")
        related = Coded(sa, "outboundRelationship2/observation", OID_OBSERVATION)
        kind = select_one(sa, "consumable/instanceOfKind/kindOfProduct")
        out.append(
            {
                "name": _text_or_null(_child(kind, "name"), f"{block}.r.1"),
                **_product_ids(_child(kind, "code")),
                "start": times.get("start"),
                "end": times.get("end"),
                "indication": _meddra(related.value(Obs.INDICATION)),
                "reaction": _meddra(related.value(Obs.REACTION)),
            }
        )
    return out


# ---------------------------------------------------------------- E, F


def _reaction(obs: E) -> dict[str, Any]:
    parts = Parts(obs, "id | value | effectiveTime | location/locatedEntity/locatedPlace/code")
    value = parts.first("value")
    original = _child(value, "originalText")
    times = _effective_parts(parts.first("effectiveTime"), "E.i.4", "E.i.5")
    related = Coded(obs, "outboundRelationship2/observation", OID_OBSERVATION)
    seriousness = {
        name: _bool(related.value(code)) is True for name, code in SERIOUSNESS_CODES.items()
    }
    return {
        "id": _ref(parts.first("id")),
        "verbatim": _text(original),
        "language": _attr(original, "language") or "eng",
        "translation": _text(related.value(Obs.REACTION_TRANSLATION)),
        "term": _meddra(value),
        "highlighted": _highlighted(related.value(Obs.TERM_HIGHLIGHTED)),
        "seriousness": seriousness,
        "start": times.get("start"),
        "end": times.get("end"),
        "duration": times.get("duration"),
        "outcome": _coded(related.value(Obs.OUTCOME), Outcome, Outcome.oid()),
        "medically_confirmed": _bool(related.value(Obs.MEDICAL_CONFIRMATION)),
        "country": _country(parts.first("code")),
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
    kids = _kids(value)
    for bound in ("low", "high"):
        node = _first(kids, bound)
        number = _attr(node, "value")
        if node is None or number is None:
            continue
        inclusive = (node.get("inclusive") or "true").strip() != "false"
        unit = _attr(node, "unit")
        parts.append(f"{_QUALIFIERS[bound, inclusive]}{number}" + (f" {unit}" if unit else ""))
    return " and ".join(parts) or None


def _test_result(values: list[E]) -> tuple[dict[str, Any] | None, str | None]:
    """F.r.3.2/3.3 (a number and unit) and F.r.3.4 (text) from an observation's values; an
    observation may send both."""
    result: dict[str, Any] | None = None
    texts = []
    for value in values:
        kind = (value.get(_XSI_TYPE) or "").split(":")[-1]
        if kind == "PQ" or (kind == "IVL_PQ" and value.get("value") is not None):
            result = _pq(value)
        elif kind == "IVL_PQ" and (center := _child(value, "center")) is not None:
            result = _pq(center) or _infinite(center)
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


def _infinite(center: E) -> dict[str, Any] | None:
    """F.r.3.2 as nullFlavor NINF / PINF (below / above the measurable range) with its unit."""
    flavor = _null(center, "F.r.3.2") if center.get("nullFlavor") else None
    if flavor is None:
        return None
    return {"value": flavor, "unit": center.get("unit") or "1"}


def _normal_bounds(obs: E) -> tuple[str | None, str | None]:
    """F.r.4 and F.r.5: XPath referenceRange/observationRange[interpretationCode[@code=L or
    H]]/value, the first in document order."""
    low = high = None
    ranges = select(obs, "referenceRange/observationRange")
    for flag in ("L", "H"):
        found = None
        for item in ranges:
            if any(c.get("code") == flag for c in item.iterchildren(_H + "interpretationCode")):
                found = _child(item, "value")
                if found is not None:
                    break
        if flag == "L":
            low = _attr(found, "value")
        else:
            high = _attr(found, "value")
    return low, high


def _tests(org: E | None) -> list[dict[str, Any]]:
    """F.r, from the tests organizer."""
    out = []
    for obs in select(org, "component/observation"):
        kids = _kids(obs)
        code = _first(kids, "code")
        result, result_text = _test_result(kids.get("value", []))
        related = Coded(obs, "outboundRelationship2/observation", OID_OBSERVATION)
        normal_low, normal_high = _normal_bounds(obs)
        out.append(
            {
                "date": _date(_first(kids, "effectiveTime"), "F.r.1"),
                "name": _text(_child(code, "originalText")),
                "test": _meddra(code),
                "result_code": _coded(
                    _first(kids, "interpretationCode"), TestResultCode, TestResultCode.oid()
                ),
                "result": result,
                "result_text": result_text,
                "normal_low": normal_low,
                "normal_high": normal_high,
                "comments": _text(related.value(Obs.COMMENT)),
                "more_information": _bool(related.value(Obs.MORE_INFORMATION)),
            }
        )
    return out


# ---------------------------------------------------------------- G


def _drugs(org: E | None, aea: E | None) -> list[dict[str, Any]]:
    """G.k, from the drugs organizer; G.k.1 and G.k.9.i.2.r from the assessments in `aea`."""
    roles: dict[str, str | None] = {}
    role_nodes: dict[str, E] = {}
    causality: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if aea is not None:
        assessments = Coded(aea, "component/causalityAssessment", OID_OBSERVATION)
        for ca in assessments.of(Obs.DRUG_ROLE):
            drug_id = _ref(select_one(ca, "subject2/productUseReference/id"))
            if drug_id:
                role_code = _coded(_head(assessments.values_of(ca)), DrugRole, DrugRole.oid())
                if roles.get(drug_id) is None:  # a regional role under another list adds nothing
                    roles[drug_id] = role_code
                role_nodes.setdefault(drug_id, ca)
        for ca in assessments.of(Obs.CAUSALITY):
            drug_id = _ref(select_one(ca, "subject2/productUseReference/id"))
            reaction_id = _ref(select_one(ca, "subject1/adverseEffectReference/id"))
            if drug_id and reaction_id:
                # ICH sends source and method as free text (originalText); systems that code
                # them usually add a displayName, which says more to a reader than the code.
                causality.setdefault((drug_id, reaction_id), []).append(
                    {
                        "source": _label(select_one(ca, "author/assignedEntity/code")),
                        "method": _label(_child(ca, "methodCode")),
                        "result": _label(_head(assessments.values_of(ca))),
                    }
                )
    drugs = select(org, "component/substanceAdministration")
    ids = [_ref(select_one(sa, "id")) for sa in drugs]
    for drug_id, node in role_nodes.items():
        if drug_id not in ids:
            message = f"the drug role names drug {drug_id}, which is not in this report; not read"
            _note("warning", "G.k.1", node, message)
    out = []
    for k, sa in enumerate(drugs):
        shared = ids[k] is not None and ids[k] in ids[:k]
        if shared:  # a sender's defect: what names the id is read with the first such drug
            message = (
                f"drug {k + 1} has the same id as an earlier drug; the causality assessments "
                "that name it are read with the first"
            )
            _note("warning", "G.k", sa, message)
        out.append(_drug(sa, roles, {} if shared else causality))
    return out


def _drug(
    sa: E, roles: dict[str, str | None], causality: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, Any]:
    kids = _kids(sa)
    drug_id = _ref(_first(kids, "id")) or _id(None, str(id(sa)))
    kind = select_one(sa, "consumable/instanceOfKind/kindOfProduct")
    product = _kids(kind)
    approval = select_one(kind, "asManufacturedProduct/subjectOf/approval")
    links: dict[str, dict[str, Any]] = {}

    def link(reaction_id: str) -> dict[str, Any]:
        return links.setdefault(reaction_id, {"reaction_id": reaction_id})

    for rel in kids.get("outboundRelationship1", []):
        reaction_id = _ref(select_one(rel, "actReference/id"))
        pause = _child(rel, "pauseQuantity")
        if reaction_id is None or pause is None:
            continue
        key = {TIME_FROM_FIRST_DOSE: "time_to_onset", TIME_FROM_LAST_DOSE: "time_since_last_dose"}
        if rel.get("typeCode") in key:
            link(reaction_id)[key[rel.get("typeCode", "")]] = _pq(pause)
    related = Coded(sa, "outboundRelationship2/observation", OID_OBSERVATION)
    for obs in related.of(Obs.RECURRENCE):
        reaction_id = _ref(select_one(obs, "outboundRelationship1/actReference/id"))
        if reaction_id:
            link(reaction_id)["recurrence"] = _coded(
                _head(related.values_of(obs)), Recurrence, Recurrence.oid()
            )
    for (d_id, reaction_id), items in causality.items():
        if d_id == drug_id:
            link(reaction_id)["causality"] = items
    substances = [
        {
            "name": _text(select_one(ingredient, "ingredientSubstance/name")),
            "term": _term_id(select_one(ingredient, "ingredientSubstance/code")),
            "strength": _pq(select_one(ingredient, "quantity/numerator")),
        }
        for ingredient in product.get("ingredient", [])
    ]
    indications = [
        {"text": _text_or_null(_child(v, "originalText"), "G.k.7.r.1"), "term": _meddra(v)}
        for v in Coded(sa, "inboundRelationship/observation", OID_OBSERVATION).values(
            Obs.INDICATION
        )
    ]
    cumulative = _pq(related.value(Obs.CUMULATIVE_DOSE))
    gestation = _pq(related.value(Obs.GESTATION_PERIOD))
    return {
        "id": drug_id,
        "role": roles.get(drug_id),
        **_product_ids(_first(product, "code")),
        "product_name": _text(_first(product, "name")),
        "substances": substances,
        "obtained_country": _text(
            select_one(
                sa,
                "consumable/instanceOfKind/subjectOf/productEvent"
                "/performer/assignedEntity/representedOrganization/addr/country",
            )
        ),
        "blinded": _bool(related.value(Obs.BLINDED)) or None,  # G.k.2.5: true, or not sent
        "authorisation_number": _attr(_child(approval, "id"), "extension"),
        "authorisation_country": _country(
            select_one(approval, "author/territorialAuthority/territory/code")
        ),
        "authorisation_holder": _text(select_one(approval, "holder/role/playingOrganization/name")),
        "dosages": [
            # G.k.4.r is the COMP relationship; others (e.g. FDA's FLFS) are not dosages.
            _dosage(n)
            for rel in kids.get("outboundRelationship2", [])
            if rel.get("typeCode") == "COMP"
            for n in rel.iterchildren(_SUBSTANCE_ADMINISTRATION)
        ],
        "cumulative_dose": cumulative,
        "gestation_at_exposure": gestation,
        "indications": indications,
        "action_taken": _coded(
            select_one(sa, "inboundRelationship/act/code"), ActionTaken, ActionTaken.oid()
        ),
        "reactions": list(links.values()),
        "additional_info_codes": [
            _coded(v, AdditionalDrugInfo, AdditionalDrugInfo.oid())
            for v in related.values(Obs.CODED_DRUG_INFORMATION)
        ],
        "additional_info": _text(related.value(Obs.ADDITIONAL_INFORMATION)),
    }


def _dosage(sa: E) -> dict[str, Any]:
    kids = _kids(sa)
    times = _effective_parts(_first(kids, "effectiveTime"), "G.k.4.r.4", "G.k.4.r.5")
    period = times.get("period")
    instance = select_one(sa, "consumable/instanceOfKind")
    parent_route = Coded(sa, "inboundRelationship/observation", OID_OBSERVATION).value(
        Obs.PARENT_ROUTE
    )
    return {
        "dose": _pq(_first(kids, "doseQuantity")),
        "interval_count": period[0] if period else None,
        "interval_unit": period[1] if period else None,
        "start": times.get("start"),
        "end": times.get("end"),
        "duration": times.get("duration"),
        "batch": _text(select_one(instance, "productInstanceInstance/lotNumberText")),
        "text": _text(_first(kids, "text")),
        "dose_form": _text_or_null(
            select_one(instance, "kindOfProduct/formCode/originalText"), "G.k.4.r.9.1"
        ),
        "dose_form_term": _term_id(select_one(instance, "kindOfProduct/formCode")),
        "route": _text_or_null(select_one(sa, "routeCode/originalText"), "G.k.4.r.10.1"),
        "route_term": _term_id(_first(kids, "routeCode")),
        "parent_route": _text_or_null(_child(parent_route, "originalText"), "G.k.4.r.11.1"),
        "parent_route_term": _term_id(parent_route),
    }


# ---------------------------------------------------------------- H


def _authored(node: E, role: str) -> bool:
    """XPath [h:author/h:assignedEntity/h:code[@code=role][@codeSystem=author roles]]."""
    return any(
        code.get("code") == role and code.get("codeSystem") == OID_AUTHOR_ROLE
        for code in select(node, "author/assignedEntity/code")
    )


def _narrative(ie: E, aea: E | None, events: Coded) -> dict[str, Any]:
    """H; `events` are the ICSR's component/observationEvent blocks by code."""
    components = Coded(aea, "component1/observationEvent", OID_OBSERVATION)

    def component(code: str, author: str) -> list[E]:
        return [
            value
            for owner in components.of(code)
            if _authored(owner, author)
            for value in components.values_of(owner)
        ]

    reporter = component(Obs.COMMENT, Author.SOURCE_REPORTER)
    sender = component(Obs.COMMENT, Author.SENDER)
    summaries = [
        {"text": _text(v), "language": v.get("language")}
        for owner in events.of(Obs.SUMMARY)
        if _authored(owner, Author.REPORTER)
        for v in events.values_of(owner)
    ]
    return {
        "narrative": _text(_child(ie, "text")),
        "reporter_comments": _text(reporter[0]) if reporter else None,
        "sender_diagnoses": [_meddra(v) for v in component(Obs.DIAGNOSIS, Author.SENDER)],
        "sender_comments": _text(sender[0]) if sender else None,
        "summaries": summaries,
    }


__all__ = ["NotAnIcsrError", "ReadBatch", "ReadReport", "read_bytes", "read_file", "read_tree"]
