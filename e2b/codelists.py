"""ICH E2B(R3) code lists as enums; values are the codes sent in the XML.

Labels and OIDs live in `data/codelists.json` (read once); a test keeps both in step.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any


@cache
def _table() -> dict[str, Any]:
    text = resources.files("e2b").joinpath("data/codelists.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def codelist(name: str) -> dict[str, str]:
    """Code -> label for one list, e.g. codelist("Outcome")["5"] == "Fatal"."""
    codes: dict[str, str] = _table()[name]["codes"]
    return codes


def codelist_oid(name: str) -> str:
    """The OID a list's codes are sent under (codeSystem)."""
    oid: str = _table()[name]["oid"]
    return oid


def codelist_names() -> list[str]:
    """Names of all code lists in the data file."""
    return [k for k in _table() if not k.startswith("_")]


class CodeList(StrEnum):
    """An E2B code list; the member value is the code, `label` is what a person reads."""

    @property
    def label(self) -> str:
        return codelist(type(self).__name__)[self.value]

    @classmethod
    def oid(cls) -> str:
        return codelist_oid(cls.__name__)


class ReportType(CodeList):
    """C.1.3"""

    SPONTANEOUS = "1"
    STUDY = "2"
    OTHER = "3"
    UNKNOWN = "4"


class FirstSender(CodeList):
    """C.1.8.2"""

    REGULATOR = "1"
    OTHER = "2"


class Nullification(CodeList):
    """C.1.11.1"""

    NULLIFICATION = "1"
    AMENDMENT = "2"


class Qualification(CodeList):
    """C.2.r.4"""

    PHYSICIAN = "1"
    PHARMACIST = "2"
    OTHER_HEALTH_PROFESSIONAL = "3"
    LAWYER = "4"
    CONSUMER = "5"


class SenderType(CodeList):
    """C.3.1"""

    PHARMACEUTICAL_COMPANY = "1"
    REGULATORY_AUTHORITY = "2"
    HEALTH_PROFESSIONAL = "3"
    REGIONAL_PV_CENTRE = "4"
    WHO_CENTRE = "5"
    OTHER = "6"
    PATIENT = "7"


class StudyType(CodeList):
    """C.5.4: the kind of study in which the reactions were observed."""

    CLINICAL_TRIAL = "1"
    INDIVIDUAL_PATIENT_USE = "2"
    OTHER_STUDY = "3"


class AgeGroup(CodeList):
    """D.2.3"""

    FOETUS = "0"
    NEONATE = "1"
    INFANT = "2"
    CHILD = "3"
    ADOLESCENT = "4"
    ADULT = "5"
    ELDERLY = "6"


class Sex(CodeList):
    """D.5 / D.10.6 (ISO 5218)."""

    MALE = "1"
    FEMALE = "2"


class TermHighlighted(CodeList):
    """E.i.3.1: highlighting and seriousness in one code."""

    HIGHLIGHTED_NOT_SERIOUS = "1"
    NOT_HIGHLIGHTED_NOT_SERIOUS = "2"
    HIGHLIGHTED_SERIOUS = "3"
    NOT_HIGHLIGHTED_SERIOUS = "4"


class Outcome(CodeList):
    """E.i.7"""

    UNKNOWN = "0"
    RECOVERED = "1"
    RECOVERING = "2"
    NOT_RECOVERED = "3"
    RECOVERED_WITH_SEQUELAE = "4"
    FATAL = "5"


class TestResultCode(CodeList):
    """F.r.3.1"""

    __test__ = False  # not a pytest class

    POSITIVE = "1"
    NEGATIVE = "2"
    BORDERLINE = "3"
    INCONCLUSIVE = "4"


class DrugRole(CodeList):
    """G.k.1"""

    SUSPECT = "1"
    CONCOMITANT = "2"
    INTERACTING = "3"
    NOT_ADMINISTERED = "4"


class ActionTaken(CodeList):
    """G.k.8"""

    WITHDRAWN = "1"
    DOSE_REDUCED = "2"
    DOSE_INCREASED = "3"
    DOSE_NOT_CHANGED = "4"
    UNKNOWN = "0"
    NOT_APPLICABLE = "9"


class Recurrence(CodeList):
    """G.k.9.i.4"""

    RECURRED = "1"
    DID_NOT_RECUR = "2"
    RECHALLENGE_OUTCOME_UNKNOWN = "3"
    NO_RECHALLENGE = "4"


class AdditionalDrugInfo(CodeList):
    """G.k.10.r"""

    COUNTERFEIT = "1"
    OVERDOSE = "2"
    TAKEN_BY_FATHER = "3"
    BEYOND_EXPIRY = "4"
    BATCH_WITHIN_SPEC = "5"
    BATCH_NOT_WITHIN_SPEC = "6"
    MEDICATION_ERROR = "7"
    MISUSE = "8"
    ABUSE = "9"
    OCCUPATIONAL_EXPOSURE = "10"
    OFF_LABEL_USE = "11"


class AgeUnit(CodeList):
    """D.2.2b / D.10.2.2b (constrained UCUM)."""

    DECADE = "{decade}"
    YEAR = "a"
    MONTH = "mo"
    WEEK = "wk"
    DAY = "d"
    HOUR = "h"


class GestationUnit(CodeList):
    """D.2.2.1b / G.k.6b (constrained UCUM)."""

    TRIMESTER = "{trimester}"
    MONTH = "mo"
    WEEK = "wk"
    DAY = "d"


class TimeUnit(CodeList):
    """E.i.6b, G.k.4.r.6b, G.k.9.i.3.1b/3.2b (constrained UCUM)."""

    YEAR = "a"
    MONTH = "mo"
    WEEK = "wk"
    DAY = "d"
    HOUR = "h"
    MINUTE = "min"
    SECOND = "s"


class IntervalUnit(CodeList):
    """G.k.4.r.3 (constrained UCUM plus the ICH non-units)."""

    YEAR = "a"
    MONTH = "mo"
    WEEK = "wk"
    DAY = "d"
    HOUR = "h"
    MINUTE = "min"
    SECOND = "s"
    CYCLICAL = "{cyclical}"
    AS_NECESSARY = "{asnecessary}"
    TOTAL = "{total}"


ALL_CODELISTS: tuple[type[CodeList], ...] = (
    ReportType,
    FirstSender,
    Nullification,
    Qualification,
    SenderType,
    StudyType,
    AgeGroup,
    Sex,
    TermHighlighted,
    Outcome,
    TestResultCode,
    DrugRole,
    ActionTaken,
    Recurrence,
    AdditionalDrugInfo,
    AgeUnit,
    GestationUnit,
    TimeUnit,
    IntervalUnit,
)
