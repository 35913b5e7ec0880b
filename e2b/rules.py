"""ICH E2B(R3) business rules on the XML, for what the XSD cannot see.

The schema checks structure only: a C.1.3 of '9' passes it. These rules check code-list
membership, conditional elements and cross-field constraints (ICH IG and the ICH core
data-element table; shared/e2b-r3/REQUIREMENTS.md section 2), on our files and on files from
other systems alike. Each finding names the element, the XPath of the offending node and says
what is wrong in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import etree

from e2b.mapping import (
    OID_AUTHOR_ROLE,
    OID_CHARACTERISTIC,
    OID_COUNTRY,
    OID_MEDDRA,
    OID_MESSAGE_ID,
    OID_MESSAGE_TYPE,
    OID_RELATIONSHIP,
    OID_WORLDWIDE_ID,
    SERIOUSNESS_CODES,
    XSI,
    Characteristic,
    Group,
    Obs,
)
from e2b.xpath import find_all, find_one, group, obs
from pv.codelists import (
    ActionTaken,
    AdditionalDrugInfo,
    AgeGroup,
    AgeUnit,
    CodeList,
    DrugRole,
    FirstSender,
    GestationUnit,
    IntervalUnit,
    Nullification,
    Outcome,
    Qualification,
    Recurrence,
    ReportType,
    SenderType,
    Sex,
    TermHighlighted,
    TestResultCode,
    TimeUnit,
)
from pv.dates import DateFormatError, Precision, bounds, datetime_from_hl7, from_hl7, precision
from pv.findings import Finding, Severity

E = etree._Element
_XSI_TYPE = f"{{{XSI}}}type"
_TS_FULL = re.compile(r"^\d{14}(\.\d{1,4})?([+-]\d{4})?$")
_REPORT_ID = re.compile(r"^[A-Z]{2}-[^\s]+-[^\s]+$")
_MEDDRA_CODE = re.compile(r"^\d{8}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class Icsr:
    """One message being checked: its nodes and a label for messages ('ICSR SA-X-1')."""

    message: E
    ie: E
    role: E | None
    aea: E | None
    today: date
    label: str

    def path(self, node: E | None) -> str:
        """The XPath of a node in its document (or of the message when the node is missing)."""
        target = node if node is not None else self.message
        return str(target.getroottree().getpath(target))


Rule = Callable[[Icsr], Iterator[Finding]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    """Register a rule; order of registration is the order of findings."""
    RULES.append(func)
    return func


def _finding(icsr: Icsr, severity: Severity, element: str, node: E | None, text: str) -> Finding:
    return Finding(severity, element, icsr.path(node), f"{icsr.label}: {text} ({element})")


def _error(icsr: Icsr, element: str, node: E | None, text: str) -> Finding:
    return _finding(icsr, "error", element, node, text)


def _warning(icsr: Icsr, element: str, node: E | None, text: str) -> Finding:
    return _finding(icsr, "warning", element, node, text)


def _in_list(
    icsr: Icsr,
    element: str,
    node: E | None,
    codes: type[CodeList],
    what: str,
    *,
    attribute: str = "code",
    check_system: bool = True,
) -> Iterator[Finding]:
    """A coded value must be one of its ICH list's codes (and sent under that list's OID)."""
    if node is None or node.get("nullFlavor"):
        return
    value = node.get(attribute)
    allowed = [c.value for c in codes]
    if value not in allowed:
        yield _error(
            icsr,
            element,
            node,
            f"{what} '{value}' is not in the ICH code list ({', '.join(allowed)})",
        )
    elif check_system and attribute == "code" and node.get("codeSystem") not in (None, codes.oid()):
        yield _error(
            icsr,
            element,
            node,
            f"{what} is sent under code system {node.get('codeSystem')}, expected {codes.oid()}",
        )


def _date_checks(
    icsr: Icsr, element: str, node: E | None, what: str, minimum: Precision = Precision.YEAR
) -> Iterator[Finding]:
    """A date must be a real HL7 date, precise enough, and not in the future."""
    value = node.get("value") if node is not None else None
    if not value:
        return
    try:
        parsed = from_hl7(value)
    except DateFormatError:
        yield _error(icsr, element, node, f"{what} '{value}' is not a valid date")
        return
    if precision(parsed) < minimum:
        yield _error(icsr, element, node, f"{what} needs at least the day (CCYYMMDD)")
    if bounds(parsed)[0].date() > icsr.today:
        yield _error(icsr, element, node, f"{what} {value} is in the future")


def _pairs(
    icsr: Icsr,
    element_a: str,
    element_b: str,
    node: E | None,
    what: str,
    units: type[CodeList] | None = None,
) -> Iterator[Finding]:
    """PQ number and unit go together; a constrained unit must come from its list."""
    if node is None or node.get("nullFlavor"):
        return
    value, unit = node.get("value"), node.get("unit")
    if value is not None and not unit:
        yield _error(icsr, element_b, node, f"{what} has a number but no unit")
    if unit and value is None:
        yield _error(icsr, element_a, node, f"{what} has a unit but no number")
    if units is not None and unit and unit not in {u.value for u in units}:
        allowed = ", ".join(u.value for u in units)
        yield _error(icsr, element_b, node, f"{what} unit '{unit}' is not allowed ({allowed})")


# ---------------------------------------------------------------- N and C


@rule
def message_header(icsr: Icsr) -> Iterator[Finding]:
    """N.2.r.1 equals C.1.1 and N.2.r.4 equals C.1.2 (ICH IG)."""
    message_id = find_one(icsr.message, "h:id")
    c11 = find_one(icsr.ie, f"h:id[@root='{OID_MESSAGE_ID}']")
    if c11 is None or not c11.get("extension"):
        yield _error(icsr, "C.1.1", icsr.ie, "the sender's safety report unique ID is missing")
    elif not _REPORT_ID.match(c11.get("extension", "")):
        yield _error(
            icsr, "C.1.1", c11, f"'{c11.get('extension')}' is not in the form country-sender-number"
        )
    elif message_id is None or message_id.get("extension") != c11.get("extension"):
        yield _error(icsr, "N.2.r.1", message_id, "the message identifier must equal C.1.1")
    c12 = find_one(icsr.message, "h:controlActProcess/h:effectiveTime")
    n2r4 = find_one(icsr.message, "h:creationTime")
    for element, node, what in (
        ("C.1.2", c12, "date of creation"),
        ("N.2.r.4", n2r4, "date of message creation"),
    ):
        value = node.get("value") if node is not None else None
        if not value:
            yield _error(icsr, element, node, f"{what} is missing")
        elif not _TS_FULL.match(value):
            yield _error(icsr, element, node, f"{what} must be to the second (CCYYMMDDhhmmss)")
        elif _hl7_moment(value) > datetime.now(UTC):
            yield _error(icsr, element, node, f"{what} {value} is in the future")
    if c12 is not None and n2r4 is not None and c12.get("value") != n2r4.get("value"):
        yield _warning(icsr, "N.2.r.4", n2r4, "the message creation date differs from C.1.2")


def _hl7_moment(value: str) -> datetime:
    return datetime_from_hl7(value)


@rule
def case_identification(icsr: Icsr) -> Iterator[Finding]:
    """C.1.3-C.1.11: report type, dates, documents, expedited, worldwide ID, other IDs."""

    def characteristic(code: str) -> E | None:
        return find_one(
            icsr.ie,
            "h:subjectOf2/h:investigationCharacteristic"
            f"[h:code[@code='{code}'][@codeSystem='{OID_CHARACTERISTIC}']]/h:value",
        )

    report_type = characteristic(Characteristic.REPORT_TYPE)
    if report_type is None:
        yield _error(icsr, "C.1.3", icsr.ie, "the type of report is missing")
    yield from _in_list(icsr, "C.1.3", report_type, ReportType, "type of report")
    if report_type is not None and report_type.get("code") == ReportType.STUDY.value:
        study_type = find_one(icsr.role, "h:subjectOf1/h:researchStudy/h:code")
        if study_type is None:
            yield _error(icsr, "C.5.4", report_type, "a report from a study needs the study type")

    low = find_one(icsr.ie, "h:effectiveTime/h:low")
    recent = find_one(icsr.ie, "h:availabilityTime")
    for element, node, what in (
        ("C.1.4", low, "date first received"),
        ("C.1.5", recent, "date of most recent information"),
    ):
        if node is None or not node.get("value"):
            yield _error(icsr, element, node if node is not None else icsr.ie, f"{what} is missing")
        else:
            yield from _date_checks(icsr, element, node, what, Precision.DAY)
    if _ordered(low, recent) is False:
        yield _error(icsr, "C.1.5", recent, "the most recent information is dated before C.1.4")

    documents = find_one(icsr.ie, "h:component/h:observationEvent" + obs(Obs.ADDITIONAL_DOCUMENTS))
    if documents is None:
        yield _error(icsr, "C.1.6.1", icsr.ie, "'are additional documents available' is missing")
    elif find_one(documents, "h:value[@value='true']") is not None and not find_all(
        icsr.ie, "h:reference/h:document[h:code[@code='1']]"
    ):
        yield _error(
            icsr, "C.1.6.1.r.1", documents, "additional documents are available but none is listed"
        )

    expedited = find_one(
        icsr.ie, "h:component/h:observationEvent" + obs(Obs.EXPEDITED) + "/h:value"
    )
    if expedited is None:
        yield _error(
            icsr, "C.1.7", icsr.ie, "'fulfils local criteria for expedited report' is missing"
        )
    elif expedited.get("nullFlavor") == "NI":
        yield _warning(
            icsr, "C.1.7", expedited, "nullFlavor NI is only for cases first received in E2B(R2)"
        )

    worldwide = find_all(icsr.ie, f"h:id[@root='{OID_WORLDWIDE_ID}']")
    if len(worldwide) != 1:
        yield _error(
            icsr,
            "C.1.8.1",
            icsr.ie,
            f"exactly one worldwide unique case ID is required (found {len(worldwide)})",
        )
    first_sender = find_one(
        icsr.ie,
        "h:outboundRelationship/h:relatedInvestigation"
        f"[h:code[@code='1'][@codeSystem='{OID_RELATIONSHIP}']]"
        "/h:subjectOf2/h:controlActEvent/h:author/h:assignedEntity/h:code",
    )
    if first_sender is None:
        yield _error(icsr, "C.1.8.2", icsr.ie, "the first sender of this case is missing")
    yield from _in_list(icsr, "C.1.8.2", first_sender, FirstSender, "first sender")

    other = characteristic(Characteristic.OTHER_CASE_IDS)
    if other is None:
        yield _error(icsr, "C.1.9.1", icsr.ie, "'other case identifiers' (true or NI) is missing")
    elif other.get("value") == "false":
        yield _error(icsr, "C.1.9.1", other, "false is not allowed: send true or nullFlavor NI")
    elif other.get("value") == "true" and not find_all(
        icsr.ie, "h:subjectOf1/h:controlActEvent/h:id"
    ):
        yield _error(
            icsr, "C.1.9.1.r.2", other, "other case identifiers are announced but none is given"
        )

    nullification = characteristic(Characteristic.NULLIFICATION)
    yield from _in_list(icsr, "C.1.11.1", nullification, Nullification, "nullification/amendment")
    reason = characteristic(Characteristic.NULLIFICATION_REASON)
    if nullification is not None and (reason is None or not "".join(reason.itertext()).strip()):
        yield _error(
            icsr, "C.1.11.2", nullification, "a reason is required for a nullification or amendment"
        )


def _ordered(earlier: E | None, later: E | None) -> bool | None:
    """False when `later` is certainly before `earlier`; None when either is missing or bad."""
    try:
        a = from_hl7(earlier.get("value", "")) if earlier is not None else None
        b = from_hl7(later.get("value", "")) if later is not None else None
    except DateFormatError:
        return None
    if not a or not b:
        return None
    return bounds(b)[1] >= bounds(a)[0]


@rule
def primary_sources(icsr: Icsr) -> Iterator[Finding]:
    """C.2.r: at least one; exactly one primary (C.2.r.5) with country and qualification."""
    relations = find_all(
        icsr.ie,
        "h:outboundRelationship[h:relatedInvestigation"
        f"[h:code[@code='2'][@codeSystem='{OID_RELATIONSHIP}']]]",
    )
    if not relations:
        yield _error(icsr, "C.2.r", icsr.ie, "at least one primary source (reporter) is required")
        return
    primaries = [r for r in relations if find_one(r, "h:priorityNumber[@value='1']") is not None]
    if len(primaries) != 1:
        yield _error(
            icsr,
            "C.2.r.5",
            relations[0],
            f"exactly one primary source for regulatory purposes is required "
            f"(found {len(primaries)})",
        )
    for relation in relations:
        person = find_one(
            relation,
            "h:relatedInvestigation/h:subjectOf2/h:controlActEvent"
            "/h:author/h:assignedEntity/h:assignedPerson",
        )
        qualification = find_one(person, "h:asQualifiedEntity/h:code")
        country = find_one(person, "h:asLocatedEntity/h:location/h:code")
        yield from _in_list(icsr, "C.2.r.4", qualification, Qualification, "qualification")
        yield from _country(icsr, "C.2.r.3", country)
        if relation in primaries:
            if qualification is None:
                yield _error(
                    icsr,
                    "C.2.r.4",
                    person if person is not None else relation,
                    "the primary source's qualification is required (or nullFlavor UNK)",
                )
            if country is None:
                yield _error(
                    icsr,
                    "C.2.r.3",
                    person if person is not None else relation,
                    "the primary source's country is required",
                )


def _country(icsr: Icsr, element: str, node: E | None) -> Iterator[Finding]:
    if node is None or node.get("nullFlavor"):
        return
    code = node.get("code", "")
    if not _COUNTRY.match(code):
        yield _error(icsr, element, node, f"country '{code}' is not an ISO 3166 two-letter code")
    elif node.get("codeSystem") not in (None, OID_COUNTRY):
        yield _error(
            icsr,
            element,
            node,
            f"country is sent under {node.get('codeSystem')}, expected {OID_COUNTRY}",
        )


@rule
def sender(icsr: Icsr) -> Iterator[Finding]:
    """C.3.1 sender type from its list; C.3.2 organisation unless the sender is a patient."""
    entity = find_one(
        icsr.ie,
        "h:subjectOf1/h:controlActEvent/h:author/h:assignedEntity"
        f"[h:code[@codeSystem='{SenderType.oid()}']]",
    )
    if entity is None:
        yield _error(icsr, "C.3.1", icsr.ie, "the sender type is missing")
        return
    code = find_one(entity, "h:code")
    yield from _in_list(icsr, "C.3.1", code, SenderType, "sender type")
    organisation = find_one(
        entity, "h:representedOrganization/h:assignedEntity/h:representedOrganization/h:name"
    )
    if (
        code is not None
        and code.get("code") != SenderType.PATIENT.value
        and (organisation is None or not "".join(organisation.itertext()).strip())
    ):
        yield _error(icsr, "C.3.2", entity, "the sender's organisation is required")


# ---------------------------------------------------------------- D


@rule
def patient(icsr: Icsr) -> Iterator[Finding]:
    """D.1 required (or a permitted nullFlavor); coded and paired patient items."""
    role = icsr.role
    if role is None:
        yield _error(icsr, "D", icsr.ie, "the patient block is missing")
        return
    name = find_one(role, "h:player1/h:name")
    if name is None:
        yield _error(
            icsr, "D.1", role, "patient initials (or nullFlavor MSK/UNK/ASKU/NASK) are required"
        )
    elif name.get("nullFlavor") not in (None, "MSK", "UNK", "ASKU", "NASK"):
        yield _error(icsr, "D.1", name, f"nullFlavor {name.get('nullFlavor')} is not allowed here")
    sex = find_one(role, "h:player1/h:administrativeGenderCode")
    yield from _in_list(icsr, "D.5", sex, Sex, "sex")
    yield from _date_checks(icsr, "D.2.1", find_one(role, "h:player1/h:birthTime"), "date of birth")
    yield from _date_checks(
        icsr, "D.9.1", find_one(role, "h:player1/h:deceasedTime"), "date of death"
    )
    yield from _pairs(
        icsr,
        "D.2.2a",
        "D.2.2b",
        find_one(role, "h:subjectOf2/h:observation" + obs(Obs.AGE) + "/h:value"),
        "age at onset",
        AgeUnit,
    )
    yield from _pairs(
        icsr,
        "D.2.2.1a",
        "D.2.2.1b",
        find_one(role, "h:subjectOf2/h:observation" + obs(Obs.GESTATION_PERIOD) + "/h:value"),
        "gestation period",
        GestationUnit,
    )
    yield from _in_list(
        icsr,
        "D.2.3",
        find_one(role, "h:subjectOf2/h:observation" + obs(Obs.AGE_GROUP) + "/h:value"),
        AgeGroup,
        "age group",
    )
    yield from _date_checks(
        icsr,
        "D.6",
        find_one(role, "h:subjectOf2/h:observation" + obs(Obs.LAST_MENSTRUAL_PERIOD) + "/h:value"),
        "last menstrual period",
    )
    parent = find_one(role, "h:player1/h:role[h:code[@code='PRN']]")
    if parent is not None:
        parent_sex = find_one(parent, "h:associatedPerson/h:administrativeGenderCode")
        if parent_sex is None:
            yield _error(
                icsr, "D.10.6", parent, "the parent's sex is required with parent information"
            )
        yield from _in_list(icsr, "D.10.6", parent_sex, Sex, "parent's sex")
        yield from _pairs(
            icsr,
            "D.10.2.2a",
            "D.10.2.2b",
            find_one(parent, "h:subjectOf2/h:observation" + obs(Obs.AGE) + "/h:value"),
            "parent's age",
            AgeUnit,
        )


# ---------------------------------------------------------------- E


def _reactions(icsr: Icsr) -> list[E]:
    return find_all(icsr.role, "h:subjectOf2/h:observation" + obs(Obs.REACTION))


@rule
def reactions(icsr: Icsr) -> Iterator[Finding]:
    """E.i: MedDRA term, seriousness criteria (true or NI), outcome, dates."""
    found = _reactions(icsr)
    if not found:
        yield _error(icsr, "E.i", icsr.role, "at least one reaction is required")
    for i, reaction in enumerate(found, start=1):
        label = f"reaction {i}"
        value = find_one(reaction, "h:value")
        if value is None or value.get("codeSystem") != OID_MEDDRA or not value.get("code"):
            yield _error(icsr, "E.i.2.1b", reaction, f"{label}: the MedDRA code is required")
        elif not value.get("codeSystemVersion"):
            yield _error(icsr, "E.i.2.1a", value, f"{label}: the MedDRA version is required")
        original = find_one(value, "h:originalText")
        if original is not None and "".join(original.itertext()) and not original.get("language"):
            yield _warning(
                icsr,
                "E.i.1.1b",
                original,
                f"{label}: the language of the reported term should be given",
            )
        for field, code in SERIOUSNESS_CODES.items():
            element = "E.i.3.2" + "abcdef"[list(SERIOUSNESS_CODES).index(field)]
            node = find_one(
                reaction, "h:outboundRelationship2/h:observation" + obs(code) + "/h:value"
            )
            if node is None:
                yield _error(
                    icsr,
                    element,
                    reaction,
                    f"{label}: seriousness criterion '{field}' must be sent (true or NI)",
                )
            elif node.get("value") == "false":
                yield _error(
                    icsr,
                    element,
                    node,
                    f"{label}: '{field}' may only be true or nullFlavor NI, not false",
                )
        outcome = find_one(
            reaction, "h:outboundRelationship2/h:observation" + obs(Obs.OUTCOME) + "/h:value"
        )
        if outcome is None:
            yield _error(icsr, "E.i.7", reaction, f"{label}: the outcome is required")
        yield from _in_list(icsr, "E.i.7", outcome, Outcome, f"{label}: outcome")
        death = find_one(
            reaction, "h:outboundRelationship2/h:observation" + obs(Obs.DEATH) + "/h:value"
        )
        if (
            outcome is not None
            and outcome.get("code") == Outcome.FATAL.value
            and (death is None or death.get("value") != "true")
        ):
            yield _error(
                icsr,
                "E.i.3.2a",
                outcome,
                f"{label}: a fatal outcome needs 'results in death' = true",
            )
        yield from _in_list(
            icsr,
            "E.i.3.1",
            find_one(
                reaction,
                "h:outboundRelationship2/h:observation" + obs(Obs.TERM_HIGHLIGHTED) + "/h:value",
            ),
            TermHighlighted,
            f"{label}: term highlighted",
        )
        time = find_one(reaction, "h:effectiveTime")
        starts = find_all(time, ".//h:low")
        ends = find_all(time, ".//h:high")
        for node in starts:
            yield from _date_checks(icsr, "E.i.4", node, f"{label}: start date")
        for node in ends:
            yield from _date_checks(icsr, "E.i.5", node, f"{label}: end date")
        if starts and ends and _ordered(starts[0], ends[0]) is False:
            yield _error(icsr, "E.i.5", ends[0], f"{label}: the end date is before the start date")
        for width in find_all(time, ".//h:width"):
            yield from _pairs(icsr, "E.i.6a", "E.i.6b", width, f"{label}: duration", TimeUnit)
        yield from _country(
            icsr, "E.i.9", find_one(reaction, "h:location/h:locatedEntity/h:locatedPlace/h:code")
        )


@rule
def one_meddra_version(icsr: Icsr) -> Iterator[Finding]:
    """ICH IG: only one MedDRA version per ICSR; codes are 8 digits."""
    coded = find_all(icsr.message, f".//*[@codeSystem='{OID_MEDDRA}']")
    versions = {n.get("codeSystemVersion") for n in coded if n.get("codeSystemVersion")}
    if len(versions) > 1:
        yield _error(
            icsr,
            "E.i.2.1a",
            coded[0],
            f"more than one MedDRA version is used ({', '.join(sorted(v for v in versions if v))})",
        )
    for node in coded:
        if not _MEDDRA_CODE.match(node.get("code", "")):
            yield _error(
                icsr, "E.i.2.1b", node, f"MedDRA code '{node.get('code')}' is not 8 digits"
            )


# ---------------------------------------------------------------- F


@rule
def tests(icsr: Icsr) -> Iterator[Finding]:
    """F.r: a test name and a result; value and unit together."""
    organizer = find_one(icsr.role, "h:subjectOf2/h:organizer" + group(Group.TESTS))
    for r, test in enumerate(find_all(organizer, "h:component/h:observation"), start=1):
        label = f"test {r}"
        code = find_one(test, "h:code")
        named = code is not None and (code.get("code") or "".join(code.itertext()).strip())
        if not named:
            yield _error(icsr, "F.r.2", test, f"{label}: the test name is required")
        value = find_one(test, "h:value")
        result_code = find_one(test, "h:interpretationCode")
        if value is None and result_code is None:
            yield _error(
                icsr, "F.r.3", test, f"{label}: a result (value, code or text) is required"
            )
        yield from _in_list(icsr, "F.r.3.1", result_code, TestResultCode, f"{label}: result")
        for quantity in find_all(value, "h:center | h:low | h:high") if value is not None else []:
            yield from _pairs(icsr, "F.r.3.2", "F.r.3.3", quantity, f"{label}: result")
        yield from _date_checks(icsr, "F.r.1", find_one(test, "h:effectiveTime"), f"{label}: date")


# ---------------------------------------------------------------- G


@rule
def drugs(icsr: Icsr) -> Iterator[Finding]:
    """G.k: each drug has a role and a name; at least one suspect, interacting or not given."""
    organizer = find_one(icsr.role, "h:subjectOf2/h:organizer" + group(Group.DRUGS))
    administrations = find_all(organizer, "h:component/h:substanceAdministration")
    if not administrations:
        yield _error(icsr, "G.k", icsr.role, "at least one drug is required")
        return
    roles: dict[str, E] = {}
    for assessment in find_all(icsr.aea, "h:component/h:causalityAssessment" + obs(Obs.DRUG_ROLE)):
        ref = find_one(assessment, "h:subject2/h:productUseReference/h:id")
        if ref is not None:
            roles[_key(ref)] = assessment
        yield from _in_list(icsr, "G.k.1", find_one(assessment, "h:value"), DrugRole, "drug role")
    reaction_ids = {_key(n) for r in _reactions(icsr) for n in find_all(r, "h:id")}
    drug_ids: set[str] = set()
    for k, drug in enumerate(administrations, start=1):
        label = f"drug {k}"
        ident = find_one(drug, "h:id")
        if ident is not None:
            drug_ids.add(_key(ident))
        if ident is None or _key(ident) not in roles:
            yield _error(
                icsr, "G.k.1", drug, f"{label}: the characterisation of the drug role is missing"
            )
        name = find_one(drug, "h:consumable/h:instanceOfKind/h:kindOfProduct/h:name")
        if name is None or not "".join(name.itertext()).strip():
            yield _error(
                icsr, "G.k.2.2", drug, f"{label}: the product name as reported is required"
            )
        yield from _in_list(
            icsr,
            "G.k.8",
            find_one(drug, "h:inboundRelationship/h:act/h:code"),
            ActionTaken,
            f"{label}: action taken",
        )
        for value in find_all(
            drug, "h:outboundRelationship2/h:observation" + obs(Obs.RECURRENCE) + "/h:value"
        ):
            yield from _in_list(icsr, "G.k.9.i.4", value, Recurrence, f"{label}: recurrence")
        for value in find_all(
            drug,
            "h:outboundRelationship2/h:observation" + obs(Obs.CODED_DRUG_INFORMATION) + "/h:value",
        ):
            yield from _in_list(
                icsr, "G.k.10.r", value, AdditionalDrugInfo, f"{label}: additional information"
            )
        for dosage in find_all(drug, "h:outboundRelationship2/h:substanceAdministration"):
            yield from _pairs(
                icsr,
                "G.k.4.r.1a",
                "G.k.4.r.1b",
                find_one(dosage, "h:doseQuantity"),
                f"{label}: dose",
            )
            for period in find_all(dosage, ".//h:period"):
                yield from _pairs(
                    icsr,
                    "G.k.4.r.2",
                    "G.k.4.r.3",
                    period,
                    f"{label}: dosing interval",
                    IntervalUnit,
                )
            for node in find_all(dosage, "h:effectiveTime//h:low | h:effectiveTime/h:low"):
                yield from _date_checks(
                    icsr, "G.k.4.r.4", node, f"{label}: start of administration"
                )
            for node in find_all(dosage, "h:effectiveTime//h:high | h:effectiveTime/h:high"):
                yield from _date_checks(icsr, "G.k.4.r.5", node, f"{label}: last administration")
        for pause in find_all(drug, "h:outboundRelationship1"):
            ref = find_one(pause, "h:actReference/h:id")
            if ref is not None and _key(ref) not in reaction_ids:
                yield _error(
                    icsr, "G.k.9.i.1", ref, f"{label}: a time interval points at no reaction"
                )
    primary_roles = {
        DrugRole.SUSPECT.value,
        DrugRole.INTERACTING.value,
        DrugRole.NOT_ADMINISTERED.value,
    }
    suspects = [a for a in roles.values() if _code_of(find_one(a, "h:value")) in primary_roles]
    if not suspects:
        yield _error(
            icsr,
            "G.k.1",
            organizer,
            "at least one drug must be suspect, interacting or not administered",
        )
    for ref_key, assessment in roles.items():
        if ref_key not in drug_ids:
            yield _error(icsr, "G.k.1", assessment, "a drug role points at no drug")
    for assessment in find_all(icsr.aea, "h:component/h:causalityAssessment" + obs(Obs.CAUSALITY)):
        reaction = find_one(assessment, "h:subject1/h:adverseEffectReference/h:id")
        product = find_one(assessment, "h:subject2/h:productUseReference/h:id")
        if reaction is None or _key(reaction) not in reaction_ids:
            yield _error(
                icsr, "G.k.9.i.1", assessment, "a causality assessment points at no reaction"
            )
        if product is None or _key(product) not in drug_ids:
            yield _error(
                icsr, "G.k.9.i.2.r", assessment, "a causality assessment points at no drug"
            )


def _code_of(node: E | None) -> str | None:
    return node.get("code") if node is not None else None


def _key(ident: E) -> str:
    return f"{(ident.get('root') or '').lower()}|{ident.get('extension') or ''}"


# ---------------------------------------------------------------- H


@rule
def narrative(icsr: Icsr) -> Iterator[Finding]:
    """H.1 is required; H.5.r needs its language."""
    text = find_one(icsr.ie, "h:text")
    if text is None or not "".join(text.itertext()).strip():
        yield _error(icsr, "H.1", icsr.ie, "the case narrative is required")
    for summary in find_all(
        icsr.ie, "h:component/h:observationEvent" + obs(Obs.SUMMARY) + "/h:value"
    ):
        if not summary.get("language"):
            yield _error(icsr, "H.5.r.1b", summary, "the language of the case summary is required")
    for role_code in find_all(icsr.message, f".//h:code[@codeSystem='{OID_AUTHOR_ROLE}']"):
        if role_code.get("code") not in {"1", "2", "3"}:
            yield _error(icsr, "H", role_code, f"author role '{role_code.get('code')}' is unknown")


# ---------------------------------------------------------------- entry points


def batch_findings(root: E, today: date | None = None) -> list[Finding]:
    """N.1 batch checks plus every rule for every ICSR message in the batch."""
    today = today or date.today()
    out: list[Finding] = []
    name = find_one(root, "h:name")
    if name is None or name.get("codeSystem") != OID_MESSAGE_TYPE:
        out.append(
            Finding(
                "error",
                "N.1.1",
                root.getroottree().getpath(root),
                "Batch: the type of messages in the batch is missing (N.1.1)",
            )
        )
    elif name.get("code") != "1":
        out.append(
            Finding(
                "warning",
                "N.1.1",
                root.getroottree().getpath(name),
                f"Batch: message type '{name.get('code')}' is not ichicsr (1) (N.1.1)",
            )
        )
    created = find_one(root, "h:creationTime")
    where = root.getroottree().getpath(created if created is not None else root)
    value = created.get("value") if created is not None else None
    if not value or not _TS_FULL.match(value):
        out.append(
            Finding(
                "error",
                "N.1.5",
                where,
                "Batch: the transmission date must be to the second (N.1.5)",
            )
        )
    elif _hl7_moment(value) > datetime.now(UTC):
        out.append(
            Finding(
                "error",
                "N.1.5",
                where,
                f"Batch: the transmission date {value} is in the future (N.1.5)",
            )
        )
    messages = find_all(root, "h:PORR_IN049016UV")
    if not messages and etree.QName(root).localname == "PORR_IN049016UV":
        messages = [root]
    for message in messages:
        out.extend(message_findings(message, today))
    return out


def message_findings(message: E, today: date | None = None) -> list[Finding]:
    """Every rule for one PORR_IN049016UV message."""
    ie = find_one(message, "h:controlActProcess/h:subject/h:investigationEvent")
    message_id = find_one(message, "h:id")
    label = f"ICSR {message_id.get('extension') if message_id is not None else '?'}"
    if ie is None:
        path = message.getroottree().getpath(message)
        return [Finding("error", "C.1", path, f"{label}: the message holds no ICSR (C.1)")]
    aea = find_one(ie, "h:component/h:adverseEventAssessment")
    role = find_one(aea, "h:subject1/h:primaryRole")
    icsr = Icsr(message, ie, role, aea, today or date.today(), label)
    out: list[Finding] = []
    for check in RULES:
        out.extend(check(icsr))
    return out
