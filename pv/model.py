"""The report a healthcare professional files: the ICSR of `e2b.model` plus what is local to this
tool: the guide category of each reaction, its treatment and dechallenge, the LEMTRADA course
and batch expiry of each dosage, and the reporter's consent to be contacted and to receive a copy.

None is an E2B(R3) element. The course travels as a "Course N: " prefix of the dosage text
(G.k.4.r.8), a batch expiry as a line of the drug's additional information (G.k.11), treatment
and dechallenge as lines under the narrative (H.1); each is read back from there. The guide
category and the consent stay in the log. Everything else is the ICSR's own classes, re-exported
here so the tool's code names one model.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator
from pydantic_core import PydanticCustomError

from e2b import model as icsr
from e2b.codelists import DrugRole
from e2b.model import (
    EMAIL_PATTERN,
    ICSR,
    Age,
    Attachment,
    CaseIdentification,
    CaseSummary,
    Causality,
    CauseOfDeath,
    Death,
    DrugReaction,
    Gestation,
    Indication,
    Interval,
    Literature,
    MeddraTerm,
    MedicalHistory,
    Narrative,
    Null,
    NullFlavor,
    OptText,
    OtherCaseId,
    Parent,
    PastDrug,
    PrimarySource,
    Quantity,
    Sender,
    Seriousness,
    Substance,
    TermId,
    TestResult,
    e2b,
)

__all__ = [
    "EMAIL_PATTERN",
    "ICSR",
    "Age",
    "Attachment",
    "CaseIdentification",
    "CaseSummary",
    "Causality",
    "CauseOfDeath",
    "Death",
    "Dechallenge",
    "Dosage",
    "Drug",
    "DrugReaction",
    "Gestation",
    "Indication",
    "Interval",
    "Literature",
    "MeddraTerm",
    "MedicalHistory",
    "Narrative",
    "OtherCaseId",
    "Parent",
    "PastDrug",
    "Patient",
    "PrimarySource",
    "Quantity",
    "Reaction",
    "Report",
    "Sender",
    "Seriousness",
    "Substance",
    "TermId",
    "TestResult",
]

COURSE_PREFIX = "Course {course}"
TREATMENT_LIMIT = 1000
# Only the model's course numbers (1 to 20) are split off a received text; other text stays whole.
_COURSE = re.compile(r"^Course (?P<course>[1-9]|1[0-9]|20)(?:: (?P<text>.*))?$", re.DOTALL)


# A batch expiry in G.k.11: "LEMTRADA course 2 batch ABC123: expiry 2027-03".
EXPIRY_LINE = "LEMTRADA course {course} batch {batch}: expiry {expiry}"
_EXPIRY = re.compile(
    r"^LEMTRADA course (?P<course>[1-9]|1[0-9]|20) batch (?P<batch>[^\n]*): "
    r"expiry (?P<expiry>\d{4}-\d{2}(?:-\d{2})?)$"
)
# Treatment and dechallenge under the narrative (H.1), after a blank line and this heading.
FACTS_HEADING = "Reported on the form:"
TREATMENT_LINE = "Treatment of reaction {n}: {text}"
DECHALLENGE_LINE = "Dechallenge, reaction {n}: {label}"
_FACT = re.compile(
    r"^(?:Treatment of reaction (?P<t>\d{1,3}): (?P<text>.+)"
    r"|Dechallenge, reaction (?P<d>\d{1,3}): (?P<label>.+))$"
)

# What `for_sending` leaves out: the fields above that are no E2B(R3) element.
_LOCAL: Any = {
    "patient": {"initials_withheld"},
    "reactions": {"__all__": {"guide_category", "treatment", "dechallenge"}},
    "drugs": {"__all__": {"dosages": {"__all__": {"course", "batch_expiry"}}}},
    "reporter_consents_to_contact": True,
    "copy_to_reporter": True,
}


class Dechallenge(StrEnum):
    """Did the reaction abate when LEMTRADA was stopped or its dose reduced? No ICH element
    (E2B(R3) codes only rechallenge, G.k.9.i.4): sent as a line under the narrative."""

    ABATED = "abated"
    NOT_ABATED = "not_abated"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _DECHALLENGE_LABELS[self]


_DECHALLENGE_LABELS = {
    Dechallenge.ABATED: "reaction abated after LEMTRADA was stopped or reduced",
    Dechallenge.NOT_ABATED: "reaction did not abate after LEMTRADA was stopped or reduced",
    Dechallenge.NOT_APPLICABLE: "not applicable (LEMTRADA not stopped or reduced, or no "
    "infusion after onset)",
    Dechallenge.UNKNOWN: "unknown",
}
_DECHALLENGE_BY_LABEL = {label: value for value, label in _DECHALLENGE_LABELS.items()}


def _one_line(value: str | None) -> str | None:
    """A single line: line breaks become spaces (the line under the narrative is read back)."""
    return None if value is None else " ".join(value.splitlines()).strip() or None


def _expiry(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(
        r"\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?", value
    ):
        raise PydanticCustomError(
            "expiry", "give the expiry date as YYYY-MM or YYYY-MM-DD, as printed on the pack", {}
        )
    return value


OneLine = Annotated[OptText, AfterValidator(_one_line)]


class Patient(icsr.Patient):
    """D, with the form's tick box "initials known but withheld": ticked without initials, D.1 is
    the nullFlavor MSK; D.1 received as MSK ticks it."""

    initials_withheld: bool = e2b(
        "D.1",
        "initials known but withheld",
        default=False,
        description="Sent as nullFlavor MSK when the initials are known but not transmitted",
    )

    @model_validator(mode="after")
    def _withheld_is_masked(self) -> Patient:
        masked = isinstance(self.initials, Null) and self.initials.null_flavor is NullFlavor.MSK
        if self.initials_withheld and self.initials is None:
            self.initials = Null(null_flavor=NullFlavor.MSK)
        elif masked:
            self.initials_withheld = True
        return self


class Reaction(icsr.Reaction):
    """E.i, with the guide category the reporter chose it under, how it was treated and what
    stopping LEMTRADA did (both sent under the narrative, H.1)."""

    guide_category: str | None = e2b(None, "guide category", default=None)
    treatment: OneLine = e2b(
        "H.1", "treatment of the reaction", default=None, max_length=TREATMENT_LIMIT
    )
    dechallenge: Dechallenge | None = e2b("H.1", "dechallenge", default=None)


class Dosage(icsr.Dosage):
    """G.k.4.r; for LEMTRADA one treatment course (12 mg/day IV)."""

    # No ICH element of its own: sent as a "Course N: " prefix of G.k.4.r.8, read back from it.
    course: int | None = e2b("G.k.4.r.8", "LEMTRADA course number", default=None, ge=1, le=20)
    # No ICH element either: a line of the drug's additional information (G.k.11).
    batch_expiry: Annotated[str | None, AfterValidator(_expiry)] = e2b(
        "G.k.11", "batch expiry date", default=None
    )

    def sent_text(self) -> str | None:
        """G.k.4.r.8 as sent: the course number in front ("Course 2: 12 mg/day ...")."""
        if self.course is None:
            return self.text
        prefix = COURSE_PREFIX.format(course=self.course)
        return f"{prefix}: {self.text}" if self.text is not None else prefix


class Drug(icsr.Drug):
    """G.k, whose dosages may name their LEMTRADA course and batch expiry."""

    dosages: list[Dosage] = e2b("G.k.4.r", "dosages", default_factory=list)  # type: ignore[assignment]

    def sent_additional_info(self) -> str | None:
        """G.k.11 as sent: a line per batch with an expiry, then the text given."""
        lines = [
            EXPIRY_LINE.format(course=d.course, batch=d.batch, expiry=d.batch_expiry)
            for d in self.dosages
            if d.batch_expiry is not None and d.course is not None and d.batch is not None
        ]
        if not lines:
            return self.additional_info
        return "\n".join([*lines, self.additional_info] if self.additional_info else lines)


class Report(ICSR):
    """The ICSR a reporter files here; `for_sending` is what goes into the E2B(R3) file."""

    patient: Patient = e2b("D", "patient")
    reactions: list[Reaction] = e2b("E.i", "reactions", min_length=1)  # type: ignore[assignment]
    drugs: list[Drug] = e2b("G.k", "drugs", min_length=1)  # type: ignore[assignment]
    reporter_consents_to_contact: bool = e2b(
        None,
        "the reporter may be contacted about this report",
        default=False,
        description="Consent given on the form; kept in the log, not sent in the E2B(R3) file",
    )
    copy_to_reporter: bool = e2b(
        None,
        "send the reporter a copy",
        default=False,
        description=(
            "With consent to be contacted, the e-mail copies (Cc) the reporter's address "
            "(C.2.r.2.8); not sent in the E2B(R3) file"
        ),
    )

    @property
    def suspect_drugs(self) -> list[Drug]:  # type: ignore[override]
        return [d for d in self.drugs if d.role in (DrugRole.SUSPECT, DrugRole.INTERACTING)]

    def for_sending(self) -> ICSR:
        """The ICSR as written: local fields left out, each course number moved into its dosage
        text (G.k.4.r.8), batch expiries into G.k.11, treatment and dechallenge under the
        narrative (H.1). The data-entry rules keep each within its element's length."""
        data = self.model_dump(mode="json", exclude=_LOCAL)
        for drug, sent in zip(self.drugs, data["drugs"], strict=True):
            for dosage, out in zip(drug.dosages, sent["dosages"], strict=True):
                out["text"] = dosage.sent_text()
            sent["additional_info"] = drug.sent_additional_info()
        data["narrative"]["narrative"] = self.sent_narrative()
        return ICSR.model_validate(data)

    def sent_narrative(self) -> str:
        """H.1 as sent: the narrative, then each reaction's treatment and dechallenge."""
        lines: list[str] = []
        for n, reaction in enumerate(self.reactions, start=1):
            if reaction.treatment is not None:
                lines.append(TREATMENT_LINE.format(n=n, text=reaction.treatment))
            if reaction.dechallenge is not None:
                lines.append(DECHALLENGE_LINE.format(n=n, label=reaction.dechallenge.label))
        text = self.narrative.narrative
        return "\n\n".join([text, "\n".join([FACTS_HEADING, *lines])]) if lines else text

    @classmethod
    def from_icsr(cls, report: ICSR) -> Report:
        """A received ICSR as this tool's report: the local facts split off their elements
        again ("Course N: " prefixes, expiry lines, the lines under the narrative)."""
        data = report.model_dump(mode="json")
        for drug in data["drugs"]:
            expiries, drug["additional_info"] = _expiries(drug.get("additional_info"))
            for dosage in drug["dosages"]:
                dosage.update(_course_and_text(dosage.get("text")))
                key = (dosage.get("course"), dosage.get("batch"))
                if key in expiries:
                    dosage["batch_expiry"] = expiries.pop(key)
            if expiries:  # a line naming no dosage of the drug stays text
                kept = [
                    EXPIRY_LINE.format(course=c, batch=b, expiry=e)
                    for (c, b), e in expiries.items()
                ]
                drug["additional_info"] = "\n".join(filter(None, [*kept, drug["additional_info"]]))
        narrative = data.get("narrative") or {}
        facts = _facts(narrative.get("narrative"), len(data["reactions"]))
        if facts is not None:
            narrative["narrative"], per_reaction = facts
            for n, fields in per_reaction.items():
                data["reactions"][n - 1].update(fields)
        return cls.model_validate(data)


def _course_and_text(text: str | None) -> dict[str, Any]:
    match = _COURSE.match(text or "")
    if match is None:
        return {"text": text}
    return {"course": int(match["course"]), "text": match["text"]}


def _expiries(text: str | None) -> tuple[dict[tuple[int, str], str], str | None]:
    """The expiry lines at the start of G.k.11 by (course, batch), and the text after them."""
    found: dict[tuple[int, str], str] = {}
    lines = (text or "").split("\n")
    while lines:
        match = _EXPIRY.match(lines[0])
        if match is None:
            break
        found[(int(match["course"]), match["batch"])] = match["expiry"]
        lines.pop(0)
    rest = "\n".join(lines)
    return found, (rest if rest else None) if found else text


def _facts(text: str | None, reactions: int) -> tuple[str, dict[int, dict[str, Any]]] | None:
    """The narrative and the treatment/dechallenge lines under it, by reaction number; None when
    the narrative does not end with such lines, each naming one of the reactions."""
    if not text:
        return None
    head, sep, tail = text.rpartition("\n\n" + FACTS_HEADING + "\n")
    if not sep or not head:
        return None
    found: dict[int, dict[str, Any]] = {}
    for line in tail.split("\n"):
        match = _FACT.match(line)
        if match is None:
            return None
        n = int(match["t"] or match["d"])
        if not 1 <= n <= reactions:
            return None
        if match["t"]:
            found.setdefault(n, {})["treatment"] = match["text"]
        else:
            value = _DECHALLENGE_BY_LABEL.get(match["label"])
            if value is None:
                return None
            found.setdefault(n, {})["dechallenge"] = value.value
    return head, found
