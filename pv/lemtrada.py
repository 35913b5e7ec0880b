"""LEMTRADA facts a report is pre-filled with (SmPC and the HCP guide), as report input pieces.

The form offers these as choices; the report model still checks everything they produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from e2b.codelists import DrugRole, FirstSender, ReportType, SenderType
from pv.config import Settings

PRODUCT = "LEMTRADA"
SUBSTANCE = "alemtuzumab"
HOLDER = "Sanofi"
INDICATION = "Highly active relapsing-remitting multiple sclerosis"
DOSE_MG = 12
ROUTE = "Intravenous"
DOSE_FORM = "Concentrate for solution for infusion"
MAX_COURSES = 6


def course_days(course: int) -> int:
    """Course 1 is 12 mg/day on 5 consecutive days; every later course on 3 days."""
    return 5 if course == 1 else 3


def course_dosage(
    course: int, start: str | None, end: str | None, batch: str | None
) -> dict[str, Any]:
    """G.k.4.r for one treatment course, as report input."""
    days = course_days(course)
    return {
        "course": course,
        "dose": {"value": DOSE_MG, "unit": "mg"},
        "interval_count": 1,
        "interval_unit": "d",
        "start": start,
        "end": end,
        "batch": batch,
        "text": f"{DOSE_MG} mg/day by intravenous infusion on {days} consecutive days",
        "dose_form": DOSE_FORM,
        "route": ROUTE,
    }


def suspect_drug(drug_id: str, country: str) -> dict[str, Any]:
    """G.k for LEMTRADA as the suspect drug, without courses, action or assessments."""
    return {
        "id": drug_id,
        "role": DrugRole.SUSPECT.value,
        "product_name": PRODUCT,
        "substances": [{"name": SUBSTANCE}],
        "obtained_country": country,
        "authorisation_holder": HOLDER,
        "indications": [{"text": INDICATION}],
    }


@dataclass(frozen=True)
class Premedication:
    """A medicine given around each infusion as the guide advises, offered by product name so
    the report names what was given (cetirizine, not "an antihistamine")."""

    key: str
    purpose: str  # the guide's group: corticosteroid, antihistamine, antipyretic, antiviral
    product_name: str
    substance: str
    text: str
    route: str

    @property
    def label(self) -> str:
        """How the form offers it: "Cetirizine (antihistamine): before the LEMTRADA infusion"."""
        return f"{self.product_name} ({self.purpose}): {self.text[0].lower()}{self.text[1:]}"

    def drug(self, drug_id: str) -> dict[str, Any]:
        """G.k for this premedication as a concomitant drug."""
        return {
            "id": drug_id,
            "role": DrugRole.CONCOMITANT.value,
            "product_name": self.product_name,
            "substances": [{"name": self.substance}],
            "dosages": [{"text": self.text, "route": self.route}],
            "indications": [{"text": f"{PREMEDICATION_INDICATION} ({self.purpose})"}],
        }


PREMEDICATION_INDICATION = "Premedication / prophylaxis for LEMTRADA infusion"
_BEFORE = "Before the LEMTRADA infusion"
_STEROID = "1 g IV immediately before the LEMTRADA infusion on the first 3 days of each course"
_HERPES = "from the first day of each course for at least 1 month"


def _premedication(purpose: str, substance: str, text: str, route: str) -> Premedication:
    return Premedication(substance, purpose, substance.capitalize(), substance, text, route)


# The guide: corticosteroid on the first 3 days of each course; an antihistamine and/or an
# antipyretic may be given; oral herpes prophylaxis from day 1 for at least a month. The products
# used for these in practice, so the reporter picks the one given (others: "Other medicines").
PREMEDICATIONS = (
    _premedication("corticosteroid", "methylprednisolone", _STEROID, "Intravenous"),
    _premedication("antihistamine", "cetirizine", _BEFORE, "Oral"),
    _premedication("antihistamine", "loratadine", _BEFORE, "Oral"),
    _premedication("antihistamine", "fexofenadine", _BEFORE, "Oral"),
    _premedication("antihistamine", "chlorphenamine", _BEFORE, "Intravenous"),
    _premedication("antihistamine", "diphenhydramine", _BEFORE, "Intravenous"),
    _premedication("antipyretic", "paracetamol", _BEFORE, "Oral"),
    _premedication("antipyretic", "ibuprofen", _BEFORE, "Oral"),
    _premedication("antiviral prophylaxis", "aciclovir", f"200 mg twice daily {_HERPES}", "Oral"),
    _premedication(
        "antiviral prophylaxis", "valaciclovir", f"500 mg twice daily {_HERPES}", "Oral"
    ),
)

PRIOR_MS_THERAPIES = (
    "Interferon beta",
    "Glatiramer acetate",
    "Teriflunomide",
    "Dimethyl fumarate",
    "Fingolimod",
    "Siponimod",
    "Ozanimod",
    "Natalizumab",
    "Ocrelizumab",
    "Ofatumumab",
    "Cladribine",
)

PREGNANCY_OUTCOMES = (
    "Pregnancy ongoing",
    "Live birth, no congenital anomaly",
    "Live birth with congenital anomaly",
    "Spontaneous abortion",
    "Elective termination",
    "Stillbirth",
    "Ectopic pregnancy",
    "Outcome unknown / lost to follow-up",
)


def case_identification(report_id: str, now: datetime, serious: bool) -> dict[str, Any]:
    """C.1 for a report a healthcare professional files today through this tool."""
    today = now.date().isoformat()
    return {
        "sender_report_id": report_id,
        "created_at": now.isoformat(),
        "report_type": ReportType.SPONTANEOUS.value,
        "first_received": today,
        "most_recent": today,
        "expedited": serious,
        "worldwide_case_id": report_id,
        "first_sender": FirstSender.OTHER.value,
    }


def sender(settings: Settings, reporter: str | None = None) -> dict[str, Any]:
    """C.3: the organisation operating this tool, from configuration; until it is configured,
    the reporting health professional (their institution, else their name) is the sender."""
    return {
        "sender_type": SenderType.HEALTH_PROFESSIONAL.value,
        "organisation": settings.sender_organisation or reporter or None,
        "country": settings.sender_country,
    }


def draft_report_id(settings: Settings) -> str:
    """A C.1.1 placeholder for checking a report before the log gives it its number."""
    return f"{settings.sender_country}-{settings.sender_id}-DRAFT"
