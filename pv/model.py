"""The report a healthcare professional files: the ICSR of `e2b.model` plus what is local to this
tool, the guide category of each reaction, the LEMTRADA course of each dosage and the reporter's
consent to be contacted and to receive a copy.

None is an E2B(R3) element. The course travels as a "Course N: " prefix of the dosage text
(G.k.4.r.8) and is read back from it; the guide category and the consent stay in the log.
Everything else is the ICSR's own classes, re-exported here so the tool's code names one model.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import model_validator

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
# Only the model's course numbers (1 to 20) are split off a received text; other text stays whole.
_COURSE = re.compile(r"^Course (?P<course>[1-9]|1[0-9]|20)(?:: (?P<text>.*))?$", re.DOTALL)


# What `for_sending` leaves out: the fields above that are no E2B(R3) element.
_LOCAL: Any = {
    "patient": {"initials_withheld"},
    "reactions": {"__all__": {"guide_category"}},
    "drugs": {"__all__": {"dosages": {"__all__": {"course"}}}},
    "reporter_consents_to_contact": True,
    "copy_to_reporter": True,
}


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
    """E.i, with the guide category the reporter chose it under."""

    guide_category: str | None = e2b(None, "guide category", default=None)


class Dosage(icsr.Dosage):
    """G.k.4.r; for LEMTRADA one treatment course (12 mg/day IV)."""

    # No ICH element of its own: sent as a "Course N: " prefix of G.k.4.r.8, read back from it.
    course: int | None = e2b("G.k.4.r.8", "LEMTRADA course number", default=None, ge=1, le=20)

    def sent_text(self) -> str | None:
        """G.k.4.r.8 as sent: the course number in front ("Course 2: 12 mg/day ...")."""
        if self.course is None:
            return self.text
        prefix = COURSE_PREFIX.format(course=self.course)
        return f"{prefix}: {self.text}" if self.text is not None else prefix


class Drug(icsr.Drug):
    """G.k, whose dosages may name their LEMTRADA course."""

    dosages: list[Dosage] = e2b("G.k.4.r", "dosages", default_factory=list)  # type: ignore[assignment]


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
        text (G.k.4.r.8; the data-entry rules keep the two within 2,000 characters)."""
        data = self.model_dump(mode="json", exclude=_LOCAL)
        for drug, sent in zip(self.drugs, data["drugs"], strict=True):
            for dosage, out in zip(drug.dosages, sent["dosages"], strict=True):
                out["text"] = dosage.sent_text()
        return ICSR.model_validate(data)

    @classmethod
    def from_icsr(cls, report: ICSR) -> Report:
        """A received ICSR as this tool's report: "Course N: " prefixes split off again."""
        data = report.model_dump(mode="json")
        for drug in data["drugs"]:
            for dosage in drug["dosages"]:
                dosage.update(_course_and_text(dosage.get("text")))
        return cls.model_validate(data)


def _course_and_text(text: str | None) -> dict[str, Any]:
    match = _COURSE.match(text or "")
    if match is None:
        return {"text": text}
    return {"course": int(match["course"]), "text": match["text"]}
