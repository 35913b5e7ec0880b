"""ICH E2B(R3) business rules on the XML: how a file is WRITTEN, for what the XSD cannot see.

The schema checks structure only: a C.1.3 of '9' passes it. These rules check code-list
membership and code systems as encoded, required elements and permitted nullFlavors, the form of
dates and IDs, and references between XML blocks (ICH IG and the ICH core data-element table;
shared/e2b-r3/REQUIREMENTS.md section 2). What the data MEANS (dates in order and not in the
future, pairs, one primary source, one MedDRA version ...) is checked once, on the model
(`e2b.model_rules`); `e2b.validate` runs both layers on a received file. `CHECKS` below lists
what each rule here checks (`e2b.checks`). Each finding names the element, the XPath of the
offending node and says what is wrong in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, cached_property, lru_cache

from lxml import etree

from e2b.checks import Check
from e2b.codelists import (
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
from e2b.dates import DateFormatError, Precision, bounds, datetime_from_hl7, from_hl7, precision
from e2b.findings import Finding, Severity
from e2b.mapping import (
    HL7,
    OID_AUTHOR_ROLE,
    OID_CHARACTERISTIC,
    OID_COUNTRY,
    OID_MEDDRA,
    OID_MESSAGE_ID,
    OID_MESSAGE_TYPE,
    OID_OBSERVATION,
    OID_RELATIONSHIP,
    OID_VALUE_GROUP,
    OID_WORLDWIDE_ID,
    SERIOUSNESS_CODES,
    XSI,
    Characteristic,
    Group,
    Obs,
)
from e2b.xpath import (
    Coded,
    Parts,
    compiled,
    first,
    has_code,
    select,
    select_one,
    text_of,
    where,
)

E = etree._Element
_XSI_TYPE = f"{{{XSI}}}type"
_CODE = f"{{{HL7}}}code"
_TS_FULL = re.compile(r"^\d{14}(\.\d{1,4})?([+-]\d{2}(\d{2})?)?$")  # "+09" as ICH's examples
_REPORT_ID = re.compile(r"^[A-Z]{2}-[^\s]+-[^\s]+$")
_MEDDRA_CODE = re.compile(r"^\d{8}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# E.i.3.2a-f: model field, observation code and element of each seriousness criterion.
_SERIOUSNESS = [
    (field, code, "E.i.3.2" + letter)
    for (field, code), letter in zip(SERIOUSNESS_CODES.items(), "abcdef", strict=True)
]
# The two whole-message checks (one MedDRA version, known author roles) in one libxml2 pass;
# selecting the attributes costs a fraction of testing a predicate on every element.
_WHOLE_MESSAGE_CODES = compiled(
    f"descendant::*/@codeSystem[. = '{OID_MEDDRA}' or . = '{OID_AUTHOR_ROLE}']"
)


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

    # Lookups that several rules share, each made by one walk when first asked for.

    @cached_property
    def events(self) -> Coded:
        """The case's observationEvents (C.1.6.1, C.1.7, H.5.r) by observation code."""
        return Coded(self.ie, "component/observationEvent", OID_OBSERVATION)

    @cached_property
    def observations(self) -> Coded:
        """The patient's observations (D.2.2, D.6, E.i, ...) by observation code."""
        return Coded(self.role, "subjectOf2/observation", OID_OBSERVATION)

    @property
    def reactions(self) -> list[E]:
        """E.i, in document order."""
        return self.observations.of(Obs.REACTION)

    @cached_property
    def coded(self) -> dict[str, list[E]]:
        """Elements anywhere in the message coded in MedDRA or the author-role list, by list."""
        found: dict[str, list[E]] = {OID_MEDDRA: [], OID_AUTHOR_ROLE: []}
        result = _WHOLE_MESSAGE_CODES(self.message)
        for system in result if isinstance(result, list) else []:
            if isinstance(system, etree._ElementUnicodeResult):
                element = system.getparent()
                if element is not None:
                    found[str(system)].append(element)
        return found


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
    allowed = _codes(codes)
    if value not in allowed:
        yield _error(
            icsr,
            element,
            node,
            f"{what} '{value}' is not in the ICH code list ({', '.join(allowed)})",
        )
    elif check_system and attribute == "code" and node.get("codeSystem") not in (None, _oid(codes)):
        yield _error(
            icsr,
            element,
            node,
            f"{what} is sent under code system {node.get('codeSystem')}, expected {_oid(codes)}",
        )


# Iterating an enum and reading the OID table cost more than the check itself: once per list.
@cache
def _codes(codes: type[CodeList]) -> tuple[str, ...]:
    return tuple(c.value for c in codes)


@cache
def _oid(codes: type[CodeList]) -> str:
    return codes.oid()


@lru_cache(maxsize=4096)
def _moment(value: str) -> tuple[str, datetime, datetime] | None:
    """An HL7 date as a partial date and its bounds, parsed once per distinct value (or None)."""
    try:
        parsed = from_hl7(value)
    except DateFormatError:
        return None
    earliest, latest = bounds(parsed)
    return parsed, earliest, latest


def _date_checks(icsr: Icsr, element: str, node: E | None, what: str) -> Iterator[Finding]:
    """A date must be written as a real HL7 date. Whether it is precise enough, in the past and
    in order with other dates is what it means: the model's rules (e2b.model_rules._dates)."""
    value = node.get("value") if node is not None else None
    if value and _moment(value) is None:
        yield _error(icsr, element, node, f"{what} '{value}' is not a valid date")


def _birth_precision(icsr: Icsr, node: E | None) -> Iterator[Finding]:
    """ICH IG: D.2.1 needs at least the day; otherwise the age (D.2.2) is sent instead.

    A warning, not an error: a partner's file that sends less is still read and kept.
    """
    moment = _moment(node.get("value") or "") if node is not None else None
    if moment is not None and precision(moment[0]) < Precision.DAY:
        yield _warning(
            icsr,
            "D.2.1",
            node,
            "the date of birth should be a full date (CCYYMMDD); send the age (D.2.2) instead",
        )


def _pairs(
    icsr: Icsr,
    element_a: str,
    element_b: str,
    node: E | None,
    what: str,
    units: type[CodeList] | None = None,
    *,
    number_needs_unit: bool = True,
) -> Iterator[Finding]:
    """PQ number and unit go together; a constrained unit must come from its list."""
    if node is None or node.get("nullFlavor"):
        return
    value, unit = node.get("value"), node.get("unit")
    if number_needs_unit and value is not None and not unit:
        yield _error(icsr, element_b, node, f"{what} has a number but no unit")
    if unit and value is None:
        yield _error(icsr, element_a, node, f"{what} has a unit but no number")
    if units is not None and unit and unit not in _codes(units):
        allowed = ", ".join(_codes(units))
        yield _error(icsr, element_b, node, f"{what} unit '{unit}' is not allowed ({allowed})")


# ---------------------------------------------------------------- N and C


@rule
def message_header(icsr: Icsr) -> Iterator[Finding]:
    """N.2.r.1 present (the same as C.1.1, a warning otherwise); C.1.2 and N.2.r.4 to the second."""
    header = Parts(icsr.message, "id | controlActProcess/effectiveTime | creationTime")
    message_id = header.first("id")
    c11 = first(where(select(icsr.ie, "id"), "root", OID_MESSAGE_ID))
    if c11 is None or not c11.get("extension"):
        yield _error(icsr, "C.1.1", icsr.ie, "the sender's safety report unique ID is missing")
    elif not _REPORT_ID.match(c11.get("extension", "")):
        yield _error(
            icsr, "C.1.1", c11, f"'{c11.get('extension')}' is not in the form country-sender-number"
        )
    elif message_id is None:
        yield _error(icsr, "N.2.r.1", icsr.message, "the message identifier is missing")
    elif message_id.get("extension") != c11.get("extension"):
        # The ICH element list says N.2.r.1 "is the same as C.1.1"; FDA's and ICH's own example
        # files send other message ids, and receivers load them: a warning, not a rejection.
        yield _warning(
            icsr, "N.2.r.1", message_id, "the message identifier should be the same as C.1.1"
        )
    c12 = header.first("effectiveTime")
    n2r4 = header.first("creationTime")
    for element, node, what in (
        ("C.1.2", c12, "date of creation"),
        ("N.2.r.4", n2r4, "date of message creation"),
    ):
        value = node.get("value") if node is not None else None
        if not value:
            yield _error(icsr, element, node, f"{what} is missing")
        elif not _TS_FULL.match(value):
            yield _error(icsr, element, node, f"{what} must be to the second (CCYYMMDDhhmmss)")
        elif element == "N.2.r.4" and _hl7_moment(value) > datetime.now(UTC):
            # C.1.2 in the future is the model's rule (case.created_at); N.2.r.4 is not in it.
            yield _error(icsr, element, node, f"{what} {value} is in the future")
    if c12 is not None and n2r4 is not None and c12.get("value") != n2r4.get("value"):
        yield _warning(icsr, "N.2.r.4", n2r4, "the message creation date differs from C.1.2")


def _hl7_moment(value: str) -> datetime:
    return datetime_from_hl7(value)


@rule
def case_identification(icsr: Icsr) -> Iterator[Finding]:
    """C.1.3-C.1.11: report type, dates, documents, expedited, worldwide ID, other IDs."""

    characteristics = Coded(icsr.ie, "subjectOf2/investigationCharacteristic", OID_CHARACTERISTIC)
    characteristic = characteristics.value

    report_type = characteristic(Characteristic.REPORT_TYPE)
    if report_type is None:
        yield _error(icsr, "C.1.3", icsr.ie, "the type of report is missing")
    yield from _in_list(icsr, "C.1.3", report_type, ReportType, "type of report")
    # A study report's C.5.4 is the model layer's (e2b.model_rules), which now holds C.5.

    low = select_one(icsr.ie, "effectiveTime/low")
    recent = select_one(icsr.ie, "availabilityTime")
    for element, node, what in (
        ("C.1.4", low, "date first received"),
        ("C.1.5", recent, "date of most recent information"),
    ):
        if node is None or not node.get("value"):
            yield _error(icsr, element, node if node is not None else icsr.ie, f"{what} is missing")
        else:
            yield from _date_checks(icsr, element, node, what)

    if first(icsr.events.of(Obs.ADDITIONAL_DOCUMENTS)) is None:
        yield _error(icsr, "C.1.6.1", icsr.ie, "'are additional documents available' is missing")

    expedited = icsr.events.value(Obs.EXPEDITED)
    if expedited is None:
        yield _error(
            icsr, "C.1.7", icsr.ie, "'fulfils local criteria for expedited report' is missing"
        )
    elif expedited.get("nullFlavor") == "NI":
        yield _warning(
            icsr, "C.1.7", expedited, "nullFlavor NI is only for cases first received in E2B(R2)"
        )

    worldwide = where(select(icsr.ie, "id"), "root", OID_WORLDWIDE_ID)
    if len(worldwide) != 1:
        yield _error(
            icsr,
            "C.1.8.1",
            icsr.ie,
            f"exactly one worldwide unique case ID is required (found {len(worldwide)})",
        )
    first_sender = first(
        code
        for related in select(icsr.ie, "outboundRelationship/relatedInvestigation")
        if has_code(related, "1", OID_RELATIONSHIP)
        for code in select(related, "subjectOf2/controlActEvent/author/assignedEntity/code")
    )
    if first_sender is None:
        yield _error(icsr, "C.1.8.2", icsr.ie, "the first sender of this case is missing")
    yield from _in_list(icsr, "C.1.8.2", first_sender, FirstSender, "first sender")

    other = characteristic(Characteristic.OTHER_CASE_IDS)
    if other is None:
        yield _error(icsr, "C.1.9.1", icsr.ie, "'other case identifiers' (true or NI) is missing")
    # false, and true without identifiers: the model layer's (C.1.9.1 is a field of the model).

    nullification = characteristic(Characteristic.NULLIFICATION)
    yield from _in_list(icsr, "C.1.11.1", nullification, Nullification, "nullification/amendment")


@rule
def primary_sources(icsr: Icsr) -> Iterator[Finding]:
    """C.2.r: at least one; qualification and country as coded; the primary one's qualification.

    Exactly one primary (C.2.r.5) and its country (C.2.r.3) are the model's rules.
    """
    relations = [
        relation
        for relation in select(icsr.ie, "outboundRelationship")
        if any(
            has_code(related, "2", OID_RELATIONSHIP)
            for related in select(relation, "relatedInvestigation")
        )
    ]
    if not relations:
        yield _error(icsr, "C.2.r", icsr.ie, "at least one primary source (reporter) is required")
        return
    primaries = [r for r in relations if where(select(r, "priorityNumber"), "value", "1")]
    for relation in relations:
        person = select_one(
            relation,
            "relatedInvestigation/subjectOf2/controlActEvent/author/assignedEntity/assignedPerson",
        )
        qualification = select_one(person, "asQualifiedEntity/code")
        country = select_one(person, "asLocatedEntity/location/code")
        yield from _in_list(icsr, "C.2.r.4", qualification, Qualification, "qualification")
        yield from _country(icsr, "C.2.r.3", country)
        if relation in primaries and qualification is None:
            # Sent, or nullFlavor UNK: a null the model cannot hold, so the XML's rule.
            yield _error(
                icsr,
                "C.2.r.4",
                person if person is not None else relation,
                "the primary source's qualification is required (or nullFlavor UNK)",
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
    """C.3.1 sender type, present and from its list (C.3.2 is the model's rule)."""
    entity = first(
        entity
        for entity in select(icsr.ie, "subjectOf1/controlActEvent/author/assignedEntity")
        if has_code(entity, system=SenderType.oid())
    )
    if entity is None:
        yield _error(icsr, "C.3.1", icsr.ie, "the sender type is missing")
        return
    yield from _in_list(icsr, "C.3.1", select_one(entity, "code"), SenderType, "sender type")


# ---------------------------------------------------------------- D


@rule
def patient(icsr: Icsr) -> Iterator[Finding]:
    """D.1 required (or a permitted nullFlavor); coded and paired patient items."""
    role = icsr.role
    if role is None:
        yield _error(icsr, "D", icsr.ie, "the patient block is missing")
        return
    person = Parts(
        role,
        "player1/name | player1/administrativeGenderCode | player1/birthTime"
        " | player1/deceasedTime | player1/role",
    )
    name = person.first("name")
    if name is None:
        yield _error(
            icsr, "D.1", role, "patient initials (or nullFlavor MSK/UNK/ASKU/NASK) are required"
        )
    elif name.get("nullFlavor") not in (None, "MSK", "UNK", "ASKU", "NASK"):
        yield _error(icsr, "D.1", name, f"nullFlavor {name.get('nullFlavor')} is not allowed here")
    sex = person.first("administrativeGenderCode")
    yield from _in_list(icsr, "D.5", sex, Sex, "sex")
    birth = person.first("birthTime")
    yield from _date_checks(icsr, "D.2.1", birth, "date of birth")
    yield from _birth_precision(icsr, birth)
    yield from _date_checks(icsr, "D.9.1", person.first("deceasedTime"), "date of death")
    yield from _pairs(
        icsr,
        "D.2.2a",
        "D.2.2b",
        icsr.observations.value(Obs.AGE),
        "age at onset",
        AgeUnit,
    )
    yield from _pairs(
        icsr,
        "D.2.2.1a",
        "D.2.2.1b",
        icsr.observations.value(Obs.GESTATION_PERIOD),
        "gestation period",
        GestationUnit,
    )
    yield from _in_list(
        icsr,
        "D.2.3",
        icsr.observations.value(Obs.AGE_GROUP),
        AgeGroup,
        "age group",
    )
    yield from _date_checks(
        icsr,
        "D.6",
        icsr.observations.value(Obs.LAST_MENSTRUAL_PERIOD),
        "last menstrual period",
    )
    parent = first(r for r in person.all("role") if has_code(r, "PRN"))
    if parent is not None:
        parent_sex = select_one(parent, "associatedPerson/administrativeGenderCode")
        yield from _in_list(icsr, "D.10.6", parent_sex, Sex, "parent's sex")
        yield from _pairs(
            icsr,
            "D.10.2.2a",
            "D.10.2.2b",
            Coded(parent, "subjectOf2/observation", OID_OBSERVATION).value(Obs.AGE),
            "parent's age",
            AgeUnit,
        )


# ---------------------------------------------------------------- E


@rule
def reactions(icsr: Icsr) -> Iterator[Finding]:
    """E.i: MedDRA term, seriousness criteria (true or NI), outcome, dates as written."""
    found = icsr.reactions
    if not found:
        yield _error(icsr, "E.i", icsr.role, "at least one reaction is required")
    for i, reaction in enumerate(found, start=1):
        label = f"reaction {i}"
        parts = Parts(reaction, "value | effectiveTime | location/locatedEntity/locatedPlace/code")
        value = parts.first("value")
        if value is None or value.get("codeSystem") != OID_MEDDRA or not value.get("code"):
            yield _error(icsr, "E.i.2.1b", reaction, f"{label}: the MedDRA code is required")
        elif not value.get("codeSystemVersion"):
            yield _error(icsr, "E.i.2.1a", value, f"{label}: the MedDRA version is required")
        original = select_one(value, "originalText")
        if original is not None and text_of(original) and not original.get("language"):
            yield _warning(
                icsr,
                "E.i.1.1b",
                original,
                f"{label}: the language of the reported term should be given",
            )
        related = Coded(reaction, "outboundRelationship2/observation", OID_OBSERVATION)
        for field, code, element in _SERIOUSNESS:
            node = related.value(code)
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
        outcome = related.value(Obs.OUTCOME)
        if outcome is None:
            yield _error(icsr, "E.i.7", reaction, f"{label}: the outcome is required")
        yield from _in_list(icsr, "E.i.7", outcome, Outcome, f"{label}: outcome")
        yield from _in_list(
            icsr,
            "E.i.3.1",
            related.value(Obs.TERM_HIGHLIGHTED),
            TermHighlighted,
            f"{label}: term highlighted",
        )
        times = Parts(parts.first("effectiveTime"), ".//low | .//high | .//width")
        for node in times.all("low"):
            yield from _date_checks(icsr, "E.i.4", node, f"{label}: start date")
        for node in times.all("high"):
            yield from _date_checks(icsr, "E.i.5", node, f"{label}: end date")
        for width in times.all("width"):
            yield from _pairs(icsr, "E.i.6a", "E.i.6b", width, f"{label}: duration", TimeUnit)
        yield from _country(icsr, "E.i.9", parts.first("code"))


@rule
def meddra_codes(icsr: Icsr) -> Iterator[Finding]:
    """MedDRA codes anywhere in the message are 8 digits, or the term has text or a nullFlavor.

    One MedDRA version per ICSR is the model's rule (e2b.model_rules._meddra_versions).
    """
    for node in icsr.coded[OID_MEDDRA]:
        code = node.get("code")
        if code is None:
            # Text only (e.g. an indication, G.k.7.r.1) or a nullFlavor: valid, nothing to check;
            # a MedDRA value with neither code, text nor nullFlavor carries nothing.
            if node.get("nullFlavor") is None and not text_of(node).strip():
                yield _error(icsr, "E.i.2.1b", node, "a MedDRA term has neither code nor text")
        elif not _MEDDRA_CODE.match(code):
            yield _error(icsr, "E.i.2.1b", node, f"MedDRA code '{code}' is not 8 digits")


# ---------------------------------------------------------------- F


@rule
def tests(icsr: Icsr) -> Iterator[Finding]:
    """F.r: result code from its list, value and unit together, the date as written.

    A test name (F.r.2) and a result (F.r.3) are the model's rules.
    """
    organizer = _organizer(icsr, Group.TESTS)
    for r, test in enumerate(select(organizer, "component/observation"), start=1):
        label = f"test {r}"
        parts = Parts(test, "value | interpretationCode | effectiveTime")
        result_code = parts.first("interpretationCode")
        yield from _in_list(icsr, "F.r.3.1", result_code, TestResultCode, f"{label}: result")
        for quantity in select(parts.first("value"), "center | low | high"):
            yield from _pairs(icsr, "F.r.3.2", "F.r.3.3", quantity, f"{label}: result")
        yield from _date_checks(icsr, "F.r.1", parts.first("effectiveTime"), f"{label}: date")


def _organizer(icsr: Icsr, code: str) -> E | None:
    """The patient's first organizer of value group `code` (F.r tests, G.k drugs)."""
    return first(
        organizer
        for organizer in select(icsr.role, "subjectOf2/organizer")
        if has_code(organizer, code, OID_VALUE_GROUP)
    )


# ---------------------------------------------------------------- G


@rule
def drugs(icsr: Icsr) -> Iterator[Finding]:
    """G.k: each drug has a role from its list and a name; codes as written; references to drugs.

    At least one suspect drug (G.k.1), the dosing interval's number without its unit
    (G.k.4.r.3) and an assessment of a reaction the report does not have (G.k.9.i.1) are the
    model's rules: the reader carries each of them into the model.
    """
    organizer = _organizer(icsr, Group.DRUGS)
    administrations = select(organizer, "component/substanceAdministration")
    if not administrations:
        yield _error(icsr, "G.k", icsr.role, "at least one drug is required")
        return
    assessments = Coded(icsr.aea, "component/causalityAssessment", OID_OBSERVATION)
    roles: dict[str, E] = {}
    for assessment in assessments.of(Obs.DRUG_ROLE):
        ref = select_one(assessment, "subject2/productUseReference/id")
        if ref is not None:
            roles[_key(ref)] = assessment
        yield from _in_list(
            icsr, "G.k.1", first(assessments.values_of(assessment)), DrugRole, "drug role"
        )
    drug_ids: set[str] = set()
    for k, drug in enumerate(administrations, start=1):
        label = f"drug {k}"
        parts = Parts(
            drug,
            "id | consumable/instanceOfKind/kindOfProduct/name | inboundRelationship/act/code"
            " | outboundRelationship2/substanceAdministration | outboundRelationship1",
        )
        ident = parts.first("id")
        if ident is not None:
            drug_ids.add(_key(ident))
        if ident is None or _key(ident) not in roles:
            yield _error(
                icsr, "G.k.1", drug, f"{label}: the characterisation of the drug role is missing"
            )
        name = parts.first("name")
        if name is None or not text_of(name).strip():
            yield _error(
                icsr, "G.k.2.2", drug, f"{label}: the product name as reported is required"
            )
        yield from _in_list(
            icsr,
            "G.k.8",
            parts.first("code"),
            ActionTaken,
            f"{label}: action taken",
        )
        related = Coded(drug, "outboundRelationship2/observation", OID_OBSERVATION)
        for value in related.values(Obs.RECURRENCE):
            yield from _in_list(icsr, "G.k.9.i.4", value, Recurrence, f"{label}: recurrence")
        for value in related.values(Obs.CODED_DRUG_INFORMATION):
            yield from _in_list(
                icsr, "G.k.10.r", value, AdditionalDrugInfo, f"{label}: additional information"
            )
        for dosage in parts.all("substanceAdministration"):
            regimen = Parts(
                dosage, "doseQuantity | .//period | effectiveTime//low | effectiveTime//high"
            )
            yield from _pairs(
                icsr, "G.k.4.r.1a", "G.k.4.r.1b", regimen.first("doseQuantity"), f"{label}: dose"
            )
            for period in regimen.all("period"):
                # A unit without its number is left behind by the reader, so it is this layer's
                # finding; a number without its unit reaches the model, whose rule it is.
                yield from _pairs(
                    icsr,
                    "G.k.4.r.2",
                    "G.k.4.r.3",
                    period,
                    f"{label}: dosing interval",
                    IntervalUnit,
                    number_needs_unit=False,
                )
            for node in regimen.all("low"):
                yield from _date_checks(
                    icsr, "G.k.4.r.4", node, f"{label}: start of administration"
                )
            for node in regimen.all("high"):
                yield from _date_checks(icsr, "G.k.4.r.5", node, f"{label}: last administration")
    # References the reader cannot carry into the model: to no drug, or to no reaction at all.
    for ref_key, assessment in roles.items():
        if ref_key not in drug_ids:
            yield _error(icsr, "G.k.1", assessment, "a drug role points at no drug")
    for assessment in assessments.of(Obs.CAUSALITY):
        reaction = select_one(assessment, "subject1/adverseEffectReference/id")
        product = select_one(assessment, "subject2/productUseReference/id")
        if reaction is None:
            yield _error(icsr, "G.k.9.i.1", assessment, "a causality assessment names no reaction")
        if product is None or _key(product) not in drug_ids:
            yield _error(
                icsr, "G.k.9.i.2.r", assessment, "a causality assessment points at no drug"
            )


def _key(ident: E) -> str:
    return f"{(ident.get('root') or '').lower()}|{ident.get('extension') or ''}"


# ---------------------------------------------------------------- H


@rule
def narrative(icsr: Icsr) -> Iterator[Finding]:
    """H.1 is required; H.5.r needs its language."""
    text = select_one(icsr.ie, "text")
    if text is None or not text_of(text).strip():
        yield _error(icsr, "H.1", icsr.ie, "the case narrative is required")
    for summary in icsr.events.values(Obs.SUMMARY):
        if not summary.get("language"):
            yield _error(icsr, "H.5.r.1b", summary, "the language of the case summary is required")
    role_codes = [n for n in icsr.coded[OID_AUTHOR_ROLE] if n.tag == _CODE]
    for role_code in role_codes:
        if role_code.get("code") not in {"1", "2", "3"}:
            yield _error(icsr, "H", role_code, f"author role '{role_code.get('code')}' is unknown")


# ---------------------------------------------------------------- entry points


def _batch_finding(severity: Severity, element: str, node: E, message: str) -> Finding:
    """A finding on the batch wrapper (N.1), located by the node's XPath."""
    return Finding(severity, element, node.getroottree().getpath(node), message)


def header_findings(root: E) -> list[Finding]:
    """N.1 batch checks: the type of messages (N.1.1) and the transmission date (N.1.5)."""
    out: list[Finding] = []
    name = select_one(root, "name")
    if name is None or name.get("codeSystem") != OID_MESSAGE_TYPE:
        out.append(
            _batch_finding(
                "error",
                "N.1.1",
                root,
                "Batch: the type of messages in the batch is missing (N.1.1)",
            )
        )
    elif name.get("code") != "1":
        out.append(
            _batch_finding(
                "warning",
                "N.1.1",
                name,
                f"Batch: message type '{name.get('code')}' is not ichicsr (1) (N.1.1)",
            )
        )
    created = select_one(root, "creationTime")
    value = created.get("value") if created is not None else None
    # The path only for a finding: getpath costs as much as a lookup.
    dated = created if created is not None else root
    if not value or not _TS_FULL.match(value):
        out.append(
            _batch_finding(
                "error",
                "N.1.5",
                dated,
                "Batch: the transmission date must be to the second (N.1.5)",
            )
        )
    elif _hl7_moment(value) > datetime.now(UTC):
        out.append(
            _batch_finding(
                "error",
                "N.1.5",
                dated,
                f"Batch: the transmission date {value} is in the future (N.1.5)",
            )
        )
    return out


def icsr_messages(root: E) -> list[E]:
    """The PORR_IN049016UV messages of a batch (or the root itself when it is one)."""
    messages = select(root, "PORR_IN049016UV")
    if not messages and etree.QName(root).localname == "PORR_IN049016UV":
        messages = [root]
    return messages


def batch_findings(root: E, today: date | None = None) -> list[Finding]:
    """N.1 batch checks plus every rule for every ICSR message in the batch."""
    today = today or date.today()
    out = header_findings(root)
    for message in icsr_messages(root):
        out.extend(message_findings(message, today))
    return out


def message_label(message: E) -> str:
    """'ICSR SA-X-1': how findings about one message name it (its N.2.r.1)."""
    message_id = select_one(message, "id")
    return f"ICSR {message_id.get('extension') if message_id is not None else '?'}"


def message_findings(message: E, today: date | None = None) -> list[Finding]:
    """Every rule for one PORR_IN049016UV message."""
    ie = select_one(message, "controlActProcess/subject/investigationEvent")
    label = message_label(message)
    if ie is None:
        path = message.getroottree().getpath(message)
        return [Finding("error", "C.1", path, f"{label}: the message holds no ICSR (C.1)")]
    aea = select_one(ie, "component/adverseEventAssessment")
    role = select_one(aea, "subject1/primaryRole")
    icsr = Icsr(message, ie, role, aea, today or date.today(), label)
    out: list[Finding] = []
    for check in RULES:
        out.extend(check(icsr))
    return out


# ---------------------------------------------------------------- what each rule checks

# Each rule's checks as (element, kind) (`e2b.checks`); the model layer's are
# `e2b.model_rules.CHECKS`. A rule added or changed here says what it checks here too.
CHECKS: dict[str, tuple[Check, ...]] = {
    "message_header": (
        ("C.1.1", "sent"),
        ("C.1.1", "format"),
        ("N.2.r.1", "sent"),
        ("N.2.r.1", "consistent"),
        ("C.1.2", "sent"),
        ("C.1.2", "format"),
        ("N.2.r.4", "sent"),
        ("N.2.r.4", "format"),
        ("N.2.r.4", "future"),
        ("N.2.r.4", "consistent"),
    ),
    "case_identification": (
        ("C.1.3", "sent"),
        ("C.1.3", "code"),
        ("C.1.4", "sent"),
        ("C.1.4", "format"),
        ("C.1.5", "sent"),
        ("C.1.5", "format"),
        ("C.1.6.1", "sent"),
        ("C.1.7", "sent"),
        ("C.1.8.1", "count"),
        ("C.1.8.2", "sent"),
        ("C.1.8.2", "code"),
        ("C.1.9.1", "sent"),
        ("C.1.11.1", "code"),
    ),
    "primary_sources": (
        ("C.2.r", "count"),
        ("C.2.r.4", "code"),
        ("C.2.r.4", "conditional"),
        ("C.2.r.3", "code"),
        ("C.2.r.3", "format"),
    ),
    "sender": (("C.3.1", "sent"), ("C.3.1", "code")),
    "patient": (
        ("D", "sent"),
        ("D.1", "sent"),
        ("D.5", "code"),
        ("D.2.1", "format"),
        ("D.2.1", "precision"),
        ("D.9.1", "format"),
        ("D.2.2a", "paired"),
        ("D.2.2b", "paired"),
        ("D.2.2b", "code"),
        ("D.2.2.1a", "paired"),
        ("D.2.2.1b", "paired"),
        ("D.2.2.1b", "code"),
        ("D.2.3", "code"),
        ("D.6", "format"),
        ("D.10.6", "code"),
        ("D.10.2.2a", "paired"),
        ("D.10.2.2b", "paired"),
        ("D.10.2.2b", "code"),
    ),
    "reactions": (
        ("E.i", "count"),
        ("E.i.2.1b", "sent"),
        ("E.i.2.1a", "sent"),
        ("E.i.1.1b", "sent"),
        *((element, "sent") for _, _, element in _SERIOUSNESS),
        ("E.i.7", "sent"),
        ("E.i.7", "code"),
        ("E.i.3.1", "code"),
        ("E.i.4", "format"),
        ("E.i.5", "format"),
        ("E.i.6a", "paired"),
        ("E.i.6b", "paired"),
        ("E.i.6b", "code"),
        ("E.i.9", "code"),
        ("E.i.9", "format"),
    ),
    "meddra_codes": (("E.i.2.1b", "content"), ("E.i.2.1b", "format")),
    "tests": (
        ("F.r.3.1", "code"),
        ("F.r.3.2", "paired"),
        ("F.r.3.3", "paired"),
        ("F.r.1", "format"),
    ),
    "drugs": (
        ("G.k", "count"),
        ("G.k.1", "sent"),
        ("G.k.1", "code"),
        ("G.k.1", "reference"),
        ("G.k.2.2", "sent"),
        ("G.k.8", "code"),
        ("G.k.9.i.4", "code"),
        ("G.k.10.r", "code"),
        ("G.k.4.r.1a", "paired"),
        ("G.k.4.r.1b", "paired"),
        ("G.k.4.r.2", "paired"),
        ("G.k.4.r.3", "code"),
        ("G.k.4.r.4", "format"),
        ("G.k.4.r.5", "format"),
        ("G.k.9.i.1", "sent"),
        ("G.k.9.i.2.r", "reference"),
    ),
    "narrative": (("H.1", "sent"), ("H.5.r.1b", "sent"), ("H", "code")),
    "header_findings": (
        ("N.1.1", "sent"),
        ("N.1.1", "code"),
        ("N.1.5", "format"),
        ("N.1.5", "future"),
    ),
}
