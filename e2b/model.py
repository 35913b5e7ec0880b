"""The ICSR model: one Individual Case Safety Report, ICH E2B(R3) sections C to H.

Each field names its ICH E2B(R3) element once, in `json_schema_extra={"e2b": ...}`; the XML
writer and reader, the rules' messages and the coverage test derive from these classes. The
model checks each value's shape; the ICH cross-field rules are `e2b.model_rules`, run by
`e2b.validation`. Fields marked `"e2b": None` are internal (ids that tie blocks together) and
are not elements of their own. An application extends these classes with what is local to it.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from e2b.codelists import (
    ActionTaken,
    AdditionalDrugInfo,
    AgeGroup,
    AgeUnit,
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
    StudyType,
    TermHighlighted,
    TestResultCode,
    TimeUnit,
)
from e2b.dates import PartialDate

# XML 1.0 cannot carry C0 controls (except tab, LF, CR), lone surrogates, U+FFFE or U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The same set within ASCII, for a fast check of long ASCII text (base64 attachments).
_FORBIDDEN_ASCII = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


# Set in a validation's context when the data was read from a parsed XML document: XML 1.0
# cannot hold these characters, and the parser has refused any file that did, so the check is
# already done (a 2 MB base64 attachment costs more to check than to parse).
FROM_XML = "from_xml"


def _no_control_characters(value: str, info: ValidationInfo) -> str:
    # `info` has no default: pydantic passes it only to validators that require it.
    if isinstance(info.context, dict) and info.context.get(FROM_XML):
        return value
    if value.isascii():  # bytes.translate deletes the forbidden bytes at C speed
        data = value.encode("ascii")
        if len(data.translate(None, _FORBIDDEN_ASCII)) == len(data):
            return value
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        raise PydanticCustomError(
            "control_character",
            "contains an invisible control character (U+{code}) that cannot be sent; "
            "please retype this text",
            {"code": f"{ord(bad.group()):04X}"},
        )
    return value


def _blank_to_none(value: Any) -> Any:
    """An empty optional text box means 'not given', not an empty string."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _require_content(value: str) -> str:
    if value.strip() == "":
        raise PydanticCustomError("blank", "must not be blank", {})
    return value


def _required_text(value: str, info: ValidationInfo) -> str:
    return _no_control_characters(_require_content(value), info)


def _optional_no_control_characters(value: str | None, info: ValidationInfo) -> str | None:
    return None if value is None else _no_control_characters(value, info)


# Free text safe for XML; the maximum length of each element is set on its field.
ReqText = Annotated[str, AfterValidator(_required_text)]
OptText = Annotated[
    str | None, BeforeValidator(_blank_to_none), AfterValidator(_optional_no_control_characters)
]


EMAIL_PATTERN = r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$"
PHONE_PATTERN = r"^[0-9+() .\-/x]+$"
REPORT_ID_PATTERN = r"^[A-Z]{2}-[^\s]+-[^\s]+$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# Kept as sent: a partner's "eu" stays "eu" (the ICH rule layer says what is wrong with it).
Country = Annotated[
    str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, or EU")
]
OptCountry = Annotated[Country | None, BeforeValidator(_blank_to_none)]
# ISO 639-2 alpha-3 ("eng", "ara") is what ICH asks; ICH's own examples send "JA", so a
# received two-letter code is kept as sent.
Language = Annotated[
    str, Field(pattern=r"^[A-Za-z]{2,3}$", description="ISO 639-2 alpha-3 code, e.g. eng")
]
# "27.1"; ICH's own examples send "15" for 15.0.
MeddraVersion = Annotated[str, Field(pattern=r"^\d{1,2}(\.\d)?$", examples=["27.1"])]
MeddraLltCode = Annotated[str, Field(pattern=r"^\d{8}$", examples=["10083842"])]
ReportId = Annotated[
    str,
    Field(
        min_length=5,
        max_length=100,
        pattern=REPORT_ID_PATTERN,
        description="country-sender-number, e.g. SA-LEMTRADAPV-000123",
    ),
]
_EmailText = Annotated[str, Field(max_length=100, pattern=EMAIL_PATTERN)]
_PhoneText = Annotated[str, Field(max_length=33, pattern=PHONE_PATTERN)]
Email = Annotated[_EmailText | None, BeforeValidator(_blank_to_none), Field(default=None)]
Phone = Annotated[_PhoneText | None, BeforeValidator(_blank_to_none), Field(default=None)]


def e2b(element: str | None, title: str, **kwargs: Any) -> Any:
    """A field that records its E2B(R3) element number and a plain-language title."""
    extra = dict(kwargs.pop("json_schema_extra", {}) or {})
    extra["e2b"] = element
    return Field(title=title, json_schema_extra=extra, **kwargs)


class Model(BaseModel):
    """Shared settings: unknown keys are errors, so a typo in a field name never passes silently."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, str_strip_whitespace=False)


# ---------------------------------------------------------------- small value types


class NullFlavor(StrEnum):
    """HL7 v3 nullFlavors the ICH IG allows on some elements (e2b/data/elements.csv says which)."""

    NI = "NI"  # no information
    UNK = "UNK"  # unknown
    ASKU = "ASKU"  # asked but unknown
    NASK = "NASK"  # not asked
    MSK = "MSK"  # masked: known, withheld (privacy)
    NA = "NA"  # not applicable
    NINF = "NINF"  # negative infinity (a result below the measurable range)
    PINF = "PINF"  # positive infinity


class Null(Model):
    """An element sent without a value, and why: the third state beside a value and absence
    (`None`), kept so a partner's ASKU or MSK comes back as sent."""

    null_flavor: NullFlavor = e2b(None, "why there is no value (HL7 nullFlavor)")

    def __str__(self) -> str:
        return self.null_flavor.value


def _value_or_null(value: Any) -> str:
    """Which half of a three-state union a value is, so only that half's error is reported."""
    if isinstance(value, Null) or (isinstance(value, dict) and set(value) == {"null_flavor"}):
        return "<null>"
    return "<value>"


# Three-state values: a value, a Null (the nullFlavor sent in its place), or None (absent).
# The tags ("<value>", "<null>") appear in error locations; e2b.validation leaves them out of
# paths. Which flavors an element allows is the element table's (a model rule checks it), and so
# is the maximum length of a three-state text (`e2b.model_rules`), since a union cannot carry it.
_NULL = Annotated[Null, Tag("<null>")]
_PICK = Discriminator(_value_or_null)
# E.i.4, D.7.1.r.2, G.k.4.r.4 ...
DateOrNull = Annotated[Annotated[PartialDate, Tag("<value>")] | _NULL, _PICK]
# C.2.r.1.2, D.7.2, G.k.7.r.1 ...: blank text is absent
TextOrNull = Annotated[
    Annotated[
        Annotated[str, AfterValidator(_required_text)],
        Tag("<value>"),
    ]
    | _NULL,
    _PICK,
]
OptTextOrNull = Annotated[TextOrNull | None, BeforeValidator(_blank_to_none), Field(default=None)]
BoolOrNull = Annotated[Annotated[bool, Tag("<value>")] | _NULL, _PICK]  # D.7.1.r.3, D.9.3
SexOrNull = Annotated[Annotated[Sex, Tag("<value>")] | _NULL, _PICK]  # D.5, D.10.6
CountryOrNull = Annotated[Annotated[Country, Tag("<value>")] | _NULL, _PICK]  # C.2.r.3, C.5.1.r.2
OptCountryOrNull = Annotated[
    CountryOrNull | None, BeforeValidator(_blank_to_none), Field(default=None)
]

_T = TypeVar("_T")


def value_of(value: _T | Null | None) -> _T | None:
    """The value itself; None when it is absent or sent as a nullFlavor."""
    return None if value is None or isinstance(value, Null) else value


# F.r.3.2: a number, or NINF / PINF (below / above the measurable range).
DecimalOrNull = Annotated[
    Annotated[Decimal, Field(max_digits=12, decimal_places=4), Tag("<value>")] | _NULL, _PICK
]


def _unknown_is_absent(value: Any) -> Any:
    """For an element always sent, absent is written as nullFlavor UNK (D.1, D.10.1): a UNK read
    back is the same absence, so the model holds one form for one XML."""
    if isinstance(value, Null):
        flavor = value.null_flavor
    elif isinstance(value, dict) and set(value) == {"null_flavor"}:
        flavor = value["null_flavor"]
    else:
        return value
    return None if flavor == NullFlavor.UNK else value


# D.1, D.10.1: text or a nullFlavor other than UNK (which is how absence is sent).
SentTextOrNull = Annotated[OptTextOrNull, BeforeValidator(_unknown_is_absent)]


class MeddraTerm(Model):
    """A MedDRA coded term: version and LLT code travel together (e.g. E.i.2.1a/b)."""

    version: MeddraVersion = e2b("a", "MedDRA version")
    code: MeddraLltCode = e2b("b", "MedDRA code")


class TermId(Model):
    """An ISO IDMP / EDQM term (dose form, route): version and id travel together (e.g.
    G.k.4.r.10.2a/b), with the code system they were sent under and its display name."""

    # ICH allows 10 characters; FDA's own examples send 12 ("201411011202"), so the limit is a
    # model rule's (a received file keeps what it sent, with a warning).
    version: OptText = e2b("a", "term version date / number", default=None, max_length=100)
    # HL7 CE: a code is one token, a code system an OID. 1000 is the longest TermID (an MPID);
    # each element's own limit (100 for a route) is a model rule's, from the element table.
    code: str = e2b("b", "term id", max_length=1000, pattern=r"^\S+$")
    # An OID, or ICH's placeholder until ISO IDMP assigns one ("TBD-MPID", "TBD-Substance").
    system: str | None = e2b(
        None,
        "code system (OID)",
        default=None,
        max_length=100,
        pattern=r"^([0-2](\.\d+)+|TBD-[A-Za-z]+)$",
    )
    display: OptText = e2b(None, "display name", default=None, max_length=250)


class Attachment(Model):
    """An included document (C.1.6.1.r.2, C.4.r.2): HL7 ED text as sent, base64 for a file."""

    data: Annotated[str, AfterValidator(_no_control_characters)] = e2b(
        None, "content (base64 when representation is B64)"
    )
    media_type: OptText = e2b(None, "media type", default=None, max_length=100)
    representation: OptText = e2b(None, "representation (B64 or TXT)", default=None)
    compression: OptText = e2b(None, "compression (e.g. DF)", default=None)
    file_name: OptText = e2b(None, "file name (the ED's reference)", default=None)


def _title_only(value: Any) -> Any:
    """A document held given by its title alone (how C.1.6.1.r was kept before C.1.6.1.r.2)."""
    return {"title": value} if isinstance(value, str) else value


class HeldDocument(Model):
    """C.1.6.1.r: a document held by the sender, and the document itself if sent."""

    title: Annotated[ReqText, Field(max_length=2000)] = e2b(
        "C.1.6.1.r.1", "document held by sender"
    )
    document: Attachment | None = e2b("C.1.6.1.r.2", "included document", default=None)


class Literature(Model):
    """C.4.r: a published article the case comes from, and the article itself if sent."""

    reference: TextOrNull = e2b(
        "C.4.r.1", "literature reference", description="or nullFlavor ASKU / NASK"
    )
    document: Attachment | None = e2b("C.4.r.2", "included document", default=None)


class Quantity(Model):
    """A number with its (constrained UCUM) unit; value and unit are always sent together."""

    value: Decimal = e2b("a", "number", max_digits=12, decimal_places=4)
    unit: str = e2b("b", "unit", min_length=1, max_length=50, pattern=r"^[^\s]+$")


class Age(Model):
    """D.2.2a/b or D.10.2.2a/b."""

    value: Decimal = e2b("a", "age", gt=0, max_digits=5, decimal_places=1)
    unit: AgeUnit = e2b("b", "age unit")


class Gestation(Model):
    """D.2.2.1a/b or G.k.6a/b."""

    value: Decimal = e2b("a", "gestation period", gt=0, max_digits=3, decimal_places=0)
    unit: GestationUnit = e2b("b", "gestation unit")


class Interval(Model):
    """A duration or time interval (E.i.6, G.k.4.r.6, G.k.9.i.3)."""

    value: Decimal = e2b("a", "number", ge=0, max_digits=5, decimal_places=0)
    unit: TimeUnit = e2b("b", "unit")


# ---------------------------------------------------------------- C: case, sources, sender


class OtherCaseId(Model):
    """C.1.9.1.r: the same case as known to another organisation."""

    source: ReqText = e2b("C.1.9.1.r.1", "source of the case identifier", max_length=100)
    case_id: ReqText = e2b("C.1.9.1.r.2", "case identifier", max_length=100)


class CaseIdentification(Model):
    """C.1: identification of the case safety report."""

    sender_report_id: ReportId = e2b("C.1.1", "sender's safety report unique ID")
    created_at: datetime = e2b("C.1.2", "date of creation")
    report_type: ReportType = e2b("C.1.3", "type of report", default=ReportType.SPONTANEOUS)
    first_received: PartialDate = e2b("C.1.4", "date first received from the reporter")
    most_recent: PartialDate = e2b("C.1.5", "date of most recent information")
    additional_documents: bool = e2b("C.1.6.1", "additional documents available", default=False)
    documents: list[Annotated[HeldDocument, BeforeValidator(_title_only)]] = e2b(
        "C.1.6.1.r",
        "documents held by sender",
        default_factory=list,
        description="a title alone is taken as a document without its content",
    )
    expedited: bool | None = e2b(
        "C.1.7",
        "fulfils local criteria for an expedited report",
        default=None,
        description=(
            "None is sent as nullFlavor NI, the only one C.1.7 (mandatory) allows, and NI reads "
            "back as None: for cases first received in E2B(R2) without it"
        ),
    )
    worldwide_case_id: ReportId = e2b("C.1.8.1", "worldwide unique case ID")
    first_sender: FirstSender = e2b(
        "C.1.8.2", "first sender of this case", default=FirstSender.OTHER
    )
    other_case_ids_in_previous: BoolOrNull | None = e2b(
        "C.1.9.1",
        "other case identifiers in previous transmissions",
        default=None,
        description=(
            "None: as C.1.9.1.r says (true when other identifiers are listed, else nullFlavor "
            "NI); set only when a received file says otherwise, so that it is kept"
        ),
    )
    other_case_ids: list[OtherCaseId] = e2b(
        "C.1.9.1.r", "other case identifiers", default_factory=list
    )
    linked_reports: list[Annotated[ReqText, Field(max_length=100)]] = e2b(
        "C.1.10.r", "linked report numbers", default_factory=list
    )
    nullification: Nullification | None = e2b("C.1.11.1", "nullification / amendment", default=None)
    nullification_reason: OptText = e2b(
        "C.1.11.2", "reason for nullification / amendment", default=None, max_length=2000
    )

    @field_validator("created_at")
    @classmethod
    def _to_the_second(cls, value: datetime) -> datetime:
        """C.1.2 is sent to the second; its offset is kept as given (none if none was sent)."""
        return value.replace(microsecond=0)


class PrimarySource(Model):
    """C.2.r: a person who reported the case (the healthcare professional)."""

    # Three-state: a value, the nullFlavor sent in its place (e.g. MSK: withheld for privacy),
    # or absent. Lengths are the element table's (a model rule checks them).
    title: OptTextOrNull = e2b("C.2.r.1.1", "title")
    given_name: OptTextOrNull = e2b("C.2.r.1.2", "given name")
    middle_name: OptTextOrNull = e2b("C.2.r.1.3", "middle name")
    family_name: OptTextOrNull = e2b("C.2.r.1.4", "family name")
    organisation: OptTextOrNull = e2b("C.2.r.2.1", "organisation")
    department: OptTextOrNull = e2b("C.2.r.2.2", "department")
    street: OptTextOrNull = e2b("C.2.r.2.3", "street")
    city: OptTextOrNull = e2b("C.2.r.2.4", "city")
    state: OptTextOrNull = e2b("C.2.r.2.5", "state or province")
    postcode: OptTextOrNull = e2b("C.2.r.2.6", "postcode")
    phone: Phone = e2b("C.2.r.2.7", "telephone")
    email: Email = e2b("C.2.r.2.8", "e-mail")
    country: OptCountryOrNull = e2b("C.2.r.3", "country")
    qualification: Qualification | None = e2b(
        "C.2.r.4",
        "qualification",
        default=None,
        description=(
            "None is sent as nullFlavor UNK, the only one C.2.r.4 (mandatory) allows, and UNK "
            "reads back as None"
        ),
    )
    primary_for_regulatory: bool = e2b(
        "C.2.r.5", "primary source for regulatory purposes", default=True
    )

    @property
    def display_name(self) -> str:
        """The name as given (parts sent as a nullFlavor left out)."""
        parts = [self.title, self.given_name, self.middle_name, self.family_name]
        return " ".join(p for p in map(value_of, parts) if p) or (value_of(self.organisation) or "")


class StudyRegistration(Model):
    """C.5.1.r: a registration of the study (a trial register number and its country)."""

    number: OptTextOrNull = e2b("C.5.1.r.1", "study registration number")
    country: OptCountryOrNull = e2b("C.5.1.r.2", "study registration country")


class Study(Model):
    """C.5: the study the case comes from (a report from study, C.1.3 = 2)."""

    registrations: list[StudyRegistration] = e2b(
        "C.5.1.r", "study registrations", default_factory=list
    )
    name: OptTextOrNull = e2b("C.5.2", "study name")
    sponsor_number: OptTextOrNull = e2b("C.5.3", "sponsor study number")
    study_type: StudyType | None = e2b("C.5.4", "study type", default=None)


class Sender(Model):
    """C.3: who sends the ICSR (this tool's operator, from configuration)."""

    sender_type: SenderType = e2b("C.3.1", "sender type", default=SenderType.HEALTH_PROFESSIONAL)
    organisation: OptText = e2b("C.3.2", "sender's organisation", default=None, max_length=100)
    department: OptText = e2b("C.3.3.1", "sender's department", default=None, max_length=60)
    title: OptText = e2b("C.3.3.2", "sender's title", default=None, max_length=50)
    given_name: OptText = e2b("C.3.3.3", "sender's given name", default=None, max_length=60)
    middle_name: OptText = e2b("C.3.3.4", "sender's middle name", default=None, max_length=60)
    family_name: OptText = e2b("C.3.3.5", "sender's family name", default=None, max_length=60)
    street: OptText = e2b("C.3.4.1", "sender's street", default=None, max_length=100)
    city: OptText = e2b("C.3.4.2", "sender's city", default=None, max_length=35)
    state: OptText = e2b("C.3.4.3", "sender's state or province", default=None, max_length=40)
    postcode: OptText = e2b("C.3.4.4", "sender's postcode", default=None, max_length=15)
    country: OptCountry = e2b("C.3.4.5", "sender's country", default=None)
    phone: Phone = e2b("C.3.4.6", "sender's telephone")
    fax: Phone = e2b("C.3.4.7", "sender's fax")
    email: Email = e2b("C.3.4.8", "sender's e-mail")


# ---------------------------------------------------------------- D: patient


class ParentMedicalHistory(Model):
    """D.10.7.1.r: a disease, procedure or condition of the parent, MedDRA coded.

    ICH gives the parent's history no family-history flag (D.7.1.r.6 is the patient's only), so
    this block has none: the model cannot hold what the XML has no element for."""

    condition: MeddraTerm = e2b("D.7.1.r.1", "condition (MedDRA)")
    start: DateOrNull | None = e2b("D.7.1.r.2", "start date", default=None)
    continuing: BoolOrNull | None = e2b("D.7.1.r.3", "continuing", default=None)
    end: DateOrNull | None = e2b("D.7.1.r.4", "end date", default=None)
    comments: OptText = e2b("D.7.1.r.5", "comments", default=None, max_length=2000)


class MedicalHistory(ParentMedicalHistory):
    """D.7.1.r: a disease, procedure or condition of the patient, MedDRA coded."""

    family_history: bool = e2b("D.7.1.r.6", "family history", default=False)


class PastDrug(Model):
    """D.8.r (or D.10.8.r): a relevant earlier medicine, e.g. a prior MS therapy.

    ICH: a drug is named by its MPID or its PhPID, never both (a model rule)."""

    name: TextOrNull = e2b("D.8.r.1", "name of drug as reported")
    mpid: TermId | None = e2b("D.8.r.2", "medicinal product identifier (MPID)", default=None)
    phpid: TermId | None = e2b("D.8.r.3", "pharmaceutical product identifier (PhPID)", default=None)
    start: DateOrNull | None = e2b("D.8.r.4", "start date", default=None)
    end: DateOrNull | None = e2b("D.8.r.5", "end date", default=None)
    indication: MeddraTerm | None = e2b("D.8.r.6", "indication (MedDRA)", default=None)
    reaction: MeddraTerm | None = e2b("D.8.r.7", "reaction (MedDRA)", default=None)


class CauseOfDeath(Model):
    """D.9.2.r / D.9.4.r: a cause of death, coded and as reported."""

    term: MeddraTerm | None = e2b("D.9.2.r.1", "cause of death (MedDRA)", default=None)
    text: OptText = e2b("D.9.2.r.2", "cause of death as reported", default=None, max_length=250)


class Death(Model):
    """D.9: in case of death."""

    date: DateOrNull | None = e2b("D.9.1", "date of death", default=None)
    reported_causes: list[CauseOfDeath] = e2b(
        "D.9.2.r", "reported causes of death", default_factory=list
    )
    autopsy: BoolOrNull | None = e2b("D.9.3", "autopsy done", default=None)
    autopsy_causes: list[CauseOfDeath] = e2b(
        "D.9.4.r", "autopsy-determined causes", default_factory=list
    )


class Parent(Model):
    """D.10: the parent, for a parent-child / foetus report (the report is about the child)."""

    identification: SentTextOrNull = e2b(
        "D.10.1",
        "parent identification",
        description="None is sent as nullFlavor UNK",
    )
    birth_date: DateOrNull | None = e2b("D.10.2.1", "parent's date of birth", default=None)
    age: Age | None = e2b("D.10.2.2", "parent's age", default=None)
    last_menstrual_period: DateOrNull | None = e2b(
        "D.10.3", "parent's last menstrual period", default=None
    )
    weight_kg: Decimal | None = e2b(
        "D.10.4", "parent's weight (kg)", default=None, gt=0, max_digits=6, decimal_places=2
    )
    height_cm: Decimal | None = e2b(
        "D.10.5", "parent's height (cm)", default=None, gt=0, max_digits=3, decimal_places=0
    )
    sex: SexOrNull | None = e2b("D.10.6", "parent's sex", default=None)
    medical_history: list[ParentMedicalHistory] = e2b(
        "D.10.7.1.r", "parent's medical history", default_factory=list
    )
    medical_history_text: OptText = e2b(
        "D.10.7.2", "parent's medical history (text)", default=None, max_length=10000
    )
    drug_history: list[PastDrug] = e2b(
        "D.10.8.r", "parent's past drug history", default_factory=list
    )


class Patient(Model):
    """D: the patient."""

    initials: SentTextOrNull = e2b(
        "D.1",
        "patient initials",
        description="Initials only; nullFlavor MSK when known but withheld; None is sent as "
        "nullFlavor UNK",
    )
    gp_record_number: OptTextOrNull = e2b("D.1.1.1", "GP medical record number")
    specialist_record_number: OptTextOrNull = e2b("D.1.1.2", "specialist record number")
    hospital_record_number: OptTextOrNull = e2b("D.1.1.3", "hospital record number")
    investigation_number: OptTextOrNull = e2b("D.1.1.4", "investigation number")
    birth_date: DateOrNull | None = e2b("D.2.1", "date of birth", default=None)
    age: Age | None = e2b("D.2.2", "age at onset", default=None)
    gestation_at_onset: Gestation | None = e2b(
        "D.2.2.1", "gestation period at onset (foetus)", default=None
    )
    age_group: AgeGroup | None = e2b("D.2.3", "age group", default=None)
    weight_kg: Decimal | None = e2b(
        "D.3", "weight (kg)", default=None, gt=0, max_digits=6, decimal_places=2
    )
    height_cm: Decimal | None = e2b(
        "D.4", "height (cm)", default=None, gt=0, max_digits=3, decimal_places=0
    )
    sex: SexOrNull | None = e2b("D.5", "sex", default=None)
    last_menstrual_period: DateOrNull | None = e2b("D.6", "last menstrual period", default=None)
    medical_history: list[MedicalHistory] = e2b(
        "D.7.1.r", "relevant medical history", default_factory=list
    )
    medical_history_text: OptTextOrNull = e2b("D.7.2", "medical history (text)")
    concomitant_therapies: bool = e2b("D.7.3", "concomitant therapies", default=False)
    drug_history: list[PastDrug] = e2b("D.8.r", "past drug history", default_factory=list)
    death: Death | None = e2b("D.9", "death", default=None)
    parent: Parent | None = e2b("D.10", "parent", default=None)


# ---------------------------------------------------------------- E: reactions


class Seriousness(Model):
    """E.i.3.2a-f. ICH IG: each is sent as true, or as nullFlavor NI when it does not apply."""

    death: bool = e2b("E.i.3.2a", "results in death", default=False)
    life_threatening: bool = e2b("E.i.3.2b", "life threatening", default=False)
    hospitalisation: bool = e2b("E.i.3.2c", "caused or prolonged hospitalisation", default=False)
    disability: bool = e2b("E.i.3.2d", "disabling or incapacitating", default=False)
    congenital_anomaly: bool = e2b("E.i.3.2e", "congenital anomaly or birth defect", default=False)
    other_medically_important: bool = e2b(
        "E.i.3.2f", "other medically important condition", default=False
    )

    @property
    def serious(self) -> bool:
        return any(self.model_dump().values())

    def criteria(self) -> list[str]:
        """Titles of the criteria that apply, for summaries."""
        return [
            str(info.title) for name, info in type(self).model_fields.items() if getattr(self, name)
        ]


def _new_id() -> str:
    return str(uuid.uuid4())


Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]


class Reaction(Model):
    """E.i: one suspected reaction or event as reported."""

    id: Uuid = e2b(
        None,
        "internal reaction ID",
        default_factory=_new_id,
        json_schema_extra={"xml": "observation/id/@root, referenced by G.k.9.i.1"},
    )
    verbatim: OptText = e2b("E.i.1.1a", "reaction as reported", default=None, max_length=250)
    language: Language = e2b("E.i.1.1b", "language of the reported term", default="eng")
    translation: OptText = e2b(
        "E.i.1.2", "reaction as reported, translated", default=None, max_length=250
    )
    term: MeddraTerm = e2b("E.i.2.1", "MedDRA term")
    highlighted: bool | None = e2b("E.i.3.1", "term highlighted by the reporter", default=None)
    seriousness: Seriousness = e2b("E.i.3.2", "seriousness criteria", default_factory=Seriousness)
    start: DateOrNull | None = e2b("E.i.4", "start date", default=None)
    end: DateOrNull | None = e2b("E.i.5", "end date", default=None)
    duration: Interval | None = e2b("E.i.6", "duration", default=None)
    outcome: Outcome = e2b("E.i.7", "outcome")
    medically_confirmed: bool | None = e2b("E.i.8", "medically confirmed", default=None)
    country: OptCountry = e2b("E.i.9", "country where it occurred", default=None)

    @model_validator(mode="after")
    def _language_goes_with_the_term(self) -> Reaction:
        """E.i.1.1b is the language of E.i.1.1a; without a reported term it is not sent."""
        if self.verbatim is None and self.language != "eng":
            self.language = "eng"
        return self

    @property
    def highlighted_code(self) -> TermHighlighted | None:
        """E.i.3.1 carries highlighting and seriousness in one code."""
        if self.highlighted is None:
            return None
        serious = self.seriousness.serious
        if self.highlighted:
            return (
                TermHighlighted.HIGHLIGHTED_SERIOUS
                if serious
                else TermHighlighted.HIGHLIGHTED_NOT_SERIOUS
            )
        return (
            TermHighlighted.NOT_HIGHLIGHTED_SERIOUS
            if serious
            else TermHighlighted.NOT_HIGHLIGHTED_NOT_SERIOUS
        )


# ---------------------------------------------------------------- F: tests


class ResultValue(Model):
    """F.r.3.2 / F.r.3.3: a test result's number and its (constrained UCUM) unit. The number may
    be nullFlavor NINF or PINF, a result below or above the measurable range, still with its
    unit."""

    value: DecimalOrNull = e2b("F.r.3.2", "test result (value)")
    unit: str = e2b(
        "F.r.3.3", "test result (unit)", min_length=1, max_length=50, pattern=r"^[^\s]+$"
    )


class TestResult(Model):
    """F.r: a test or procedure result relevant to the case (e.g. a platelet count)."""

    __test__ = False  # not a pytest class

    date: PartialDate | None = e2b("F.r.1", "test date", default=None)
    name: OptText = e2b("F.r.2.1", "test name", default=None, max_length=250)
    test: MeddraTerm | None = e2b("F.r.2.2", "test name (MedDRA)", default=None)
    result_code: TestResultCode | None = e2b("F.r.3.1", "result (coded)", default=None)
    result: ResultValue | None = e2b("F.r.3", "result value and unit", default=None)
    result_text: OptText = e2b("F.r.3.4", "result (free text)", default=None, max_length=2000)
    # F.r.4/F.r.5 travel as PQ values in the result's unit (ICH IG), so they are numbers.
    normal_low: Decimal | None = e2b(
        "F.r.4", "normal low value", default=None, max_digits=12, decimal_places=4
    )
    normal_high: Decimal | None = e2b(
        "F.r.5", "normal high value", default=None, max_digits=12, decimal_places=4
    )
    comments: OptText = e2b("F.r.6", "comments", default=None, max_length=2000)
    more_information: bool | None = e2b("F.r.7", "more information available", default=None)


# ---------------------------------------------------------------- G: drugs


class Substance(Model):
    """G.k.2.3.r: an active ingredient and its strength."""

    name: ReqText = e2b("G.k.2.3.r.1", "substance name", max_length=250)
    term: TermId | None = e2b("G.k.2.3.r.2", "substance (term id)", default=None)
    strength: Quantity | None = e2b("G.k.2.3.r.3", "strength", default=None)


class Dosage(Model):
    """G.k.4.r: one dosage regimen; for LEMTRADA one treatment course (12 mg/day IV)."""

    dose: Quantity | None = e2b("G.k.4.r.1", "dose", default=None)
    interval_count: Decimal | None = e2b(
        "G.k.4.r.2",
        "number of units in the interval",
        default=None,
        gt=0,
        max_digits=4,  # ICH: 4 characters, numeric; "0.5" (twice a day) is sent too
    )
    interval_unit: IntervalUnit | None = e2b("G.k.4.r.3", "interval unit", default=None)
    start: DateOrNull | None = e2b("G.k.4.r.4", "first administration", default=None)
    end: DateOrNull | None = e2b("G.k.4.r.5", "last administration", default=None)
    duration: Interval | None = e2b("G.k.4.r.6", "duration of administration", default=None)
    batch: OptText = e2b("G.k.4.r.7", "batch / lot number", default=None, max_length=35)
    text: OptText = e2b("G.k.4.r.8", "dosage text", default=None, max_length=2000)
    dose_form: OptTextOrNull = e2b("G.k.4.r.9.1", "pharmaceutical dose form")
    dose_form_term: TermId | None = e2b("G.k.4.r.9.2", "dose form (term id)", default=None)
    route: OptTextOrNull = e2b("G.k.4.r.10.1", "route of administration")
    route_term: TermId | None = e2b(
        "G.k.4.r.10.2", "route of administration (term id)", default=None
    )
    parent_route: OptTextOrNull = e2b("G.k.4.r.11.1", "parent route of administration")
    parent_route_term: TermId | None = e2b(
        "G.k.4.r.11.2", "parent route of administration (term id)", default=None
    )


class Indication(Model):
    """G.k.7.r: what the drug was given for."""

    text: OptTextOrNull = e2b("G.k.7.r.1", "indication as reported")
    term: MeddraTerm | None = e2b("G.k.7.r.2", "indication (MedDRA)", default=None)


class Causality(Model):
    """G.k.9.i.2.r: one assessment of whether the drug caused the reaction (each part optional)."""

    source: OptText = e2b("G.k.9.i.2.r.1", "source of assessment", default=None, max_length=60)
    method: OptText = e2b("G.k.9.i.2.r.2", "method of assessment", default=None, max_length=60)
    result: OptText = e2b("G.k.9.i.2.r.3", "result of assessment", default=None, max_length=60)


class DrugReaction(Model):
    """G.k.9.i: how one drug relates to one reaction."""

    reaction_id: Uuid = e2b("G.k.9.i.1", "reaction assessed")
    causality: list[Causality] = e2b("G.k.9.i.2.r", "causality assessments", default_factory=list)
    time_to_onset: Interval | None = e2b(
        "G.k.9.i.3.1", "time from first dose to onset", default=None
    )
    time_since_last_dose: Interval | None = e2b(
        "G.k.9.i.3.2", "time from last dose to onset", default=None
    )
    recurrence: Recurrence | None = e2b(
        "G.k.9.i.4", "recurrence on re-administration", default=None
    )


class Drug(Model):
    """G.k: one medicine: LEMTRADA as suspect, premedication and concomitant drugs.

    ICH: a drug is identified by its MPID or its PhPID, never both (a model rule)."""

    id: Uuid = e2b(None, "internal drug ID", default_factory=_new_id)
    role: DrugRole = e2b("G.k.1", "role of the drug")
    mpid: TermId | None = e2b("G.k.2.1.1", "medicinal product identifier (MPID)", default=None)
    phpid: TermId | None = e2b(
        "G.k.2.1.2", "pharmaceutical product identifier (PhPID)", default=None
    )
    product_name: ReqText = e2b("G.k.2.2", "medicinal product name as reported", max_length=250)
    substances: list[Substance] = e2b("G.k.2.3.r", "active substances", default_factory=list)
    obtained_country: OptCountry = e2b(
        "G.k.2.4", "country where the drug was obtained", default=None
    )
    blinded: bool = e2b(
        "G.k.2.5",
        "investigational product blinded",
        default=False,
        description="Sent as true; not sent when the product is not blinded",
    )
    authorisation_number: OptText = e2b(
        "G.k.3.1", "authorisation number", default=None, max_length=35
    )
    authorisation_country: OptCountry = e2b("G.k.3.2", "country of authorisation", default=None)
    authorisation_holder: OptText = e2b(
        "G.k.3.3", "marketing authorisation holder", default=None, max_length=60
    )
    dosages: list[Dosage] = e2b("G.k.4.r", "dosages", default_factory=list)
    cumulative_dose: Quantity | None = e2b(
        "G.k.5", "cumulative dose to first reaction", default=None
    )
    gestation_at_exposure: Gestation | None = e2b(
        "G.k.6", "gestation period at exposure", default=None
    )
    indications: list[Indication] = e2b("G.k.7.r", "indications", default_factory=list)
    action_taken: ActionTaken | None = e2b("G.k.8", "action taken with the drug", default=None)
    reactions: list[DrugReaction] = e2b(
        "G.k.9.i", "drug-reaction assessments", default_factory=list
    )
    additional_info_codes: list[AdditionalDrugInfo] = e2b(
        "G.k.10.r", "additional information (coded)", default_factory=list
    )
    additional_info: OptText = e2b(
        "G.k.11", "additional information", default=None, max_length=2000
    )


# ---------------------------------------------------------------- H: narrative


class CaseSummary(Model):
    """H.5.r: case summary and reporter's comments in the reporter's language (e.g. Arabic)."""

    text: ReqText = e2b("H.5.r.1a", "summary text", max_length=100000)
    language: Language = e2b("H.5.r.1b", "language")


class Narrative(Model):
    """H: narrative case summary and further information."""

    narrative: ReqText = e2b("H.1", "case narrative", max_length=100000)
    reporter_comments: OptText = e2b("H.2", "reporter's comments", default=None, max_length=20000)
    sender_diagnoses: list[MeddraTerm] = e2b(
        "H.3.r.1", "sender's diagnosis (MedDRA)", default_factory=list
    )
    sender_comments: OptText = e2b("H.4", "sender's comments", default=None, max_length=20000)
    summaries: list[CaseSummary] = e2b(
        "H.5.r", "case summaries in native language", default_factory=list
    )


# ---------------------------------------------------------------- N.2.r: the message header


class MessageHeader(Model):
    """N.2.r: the message wrapper of a received ICSR, where it says other than the writer derives
    (N.2.r.1 = C.1.1, N.2.r.2/3 = the batch's sender/receiver N.1.3/N.1.4, N.2.r.4 = C.1.2).

    The reader keeps only what differs, so a partner's identifiers survive a rebuild and a file of
    our own reads back without a header; the writer derives each field that is None.
    """

    message_id: OptText = e2b("N.2.r.1", "message identifier", default=None, max_length=100)
    sender_id: OptText = e2b("N.2.r.2", "message sender identifier", default=None, max_length=60)
    receiver_id: OptText = e2b(
        "N.2.r.3", "message receiver identifier", default=None, max_length=60
    )
    created_at: datetime | None = e2b("N.2.r.4", "date of message creation", default=None)

    @field_validator("created_at")
    @classmethod
    def _to_the_second(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.replace(microsecond=0)


# ---------------------------------------------------------------- the report


class ICSR(Model):
    """One ICSR (E2B(R3) sections C-H). The batch header (N.1) is the writer's `BatchHeader`
    (the reader's `ReadBatch`); the message header (N.2.r) is derived unless `message_header`
    holds what a received file said otherwise."""

    message_header: MessageHeader | None = e2b("N.2.r", "message header", default=None)

    case: CaseIdentification = e2b("C.1", "case identification")
    primary_sources: list[PrimarySource] = e2b("C.2.r", "reporters", min_length=1)
    sender: Sender = e2b("C.3", "sender", default_factory=Sender)
    literature: list[Literature] = e2b("C.4.r", "literature references", default_factory=list)
    study: Study | None = e2b("C.5", "study", default=None)
    patient: Patient = e2b("D", "patient")
    reactions: list[Reaction] = e2b("E.i", "reactions", min_length=1)
    tests: list[TestResult] = e2b("F.r", "tests and procedures", default_factory=list)
    drugs: list[Drug] = e2b("G.k", "drugs", min_length=1)
    narrative: Narrative = e2b("H", "narrative")

    @property
    def serious(self) -> bool:
        return any(r.seriousness.serious for r in self.reactions)

    @property
    def suspect_drugs(self) -> list[Drug]:
        return [d for d in self.drugs if d.role in (DrugRole.SUSPECT, DrugRole.INTERACTING)]

    @property
    def primary_source(self) -> PrimarySource:
        """The reporter flagged primary for regulatory purposes (C.2.r.5)."""
        flagged = [s for s in self.primary_sources if s.primary_for_regulatory]
        return flagged[0] if flagged else self.primary_sources[0]
