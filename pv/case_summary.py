"""A report as the case page reads it: patient, reactions, suspect drugs and their courses, tests
grouped by test (serial values as one dated series), narrative and reporters, in clinical words.

Plain data for any page or printout; nothing here draws. Absent values are None, a value sent as
a nullFlavor is its words ("withheld", "unknown").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from e2b.codelists import ActionTaken, AgeUnit, DrugRole, Outcome, Qualification, Sex
from e2b.model import Null
from pv.catalogue import load_catalogue
from pv.clinical import clinical_unit
from pv.email import NULL_WORDS
from pv.model import Dosage, Drug, PrimarySource, Reaction, Report, TestResult

_AGE_UNITS = {
    AgeUnit.DECADE: ("decade", "decades"),
    AgeUnit.YEAR: ("year", "years"),
    AgeUnit.MONTH: ("month", "months"),
    AgeUnit.WEEK: ("week", "weeks"),
    AgeUnit.DAY: ("day", "days"),
    AgeUnit.HOUR: ("hour", "hours"),
}


@dataclass(frozen=True)
class PatientSummary:
    initials: str | None
    sex: Sex | str | None  # the code, or a nullFlavor's words
    age: str | None  # "34 years", else the age group ("adult")
    weight: str | None  # "62.5 kg"


@dataclass(frozen=True)
class ReactionSummary:
    number: int  # 1-based, as the report orders them
    term: str  # the MedDRA name where the guide's table knows it, else the code
    code: str
    verbatim: str | None
    start: str | None
    end: str | None
    outcome: Outcome
    seriousness: tuple[str, ...]  # titles of the criteria that apply; empty: not serious

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)


@dataclass(frozen=True)
class CourseSummary:
    """One dosage of a suspect drug; for LEMTRADA one treatment course."""

    course: int | None
    start: str | None
    end: str | None
    dose: str | None  # "12 mg every day", else the dosage text
    route: str | None
    batch: str | None
    batch_expiry: str | None


@dataclass(frozen=True)
class DrugSummary:
    product: str
    substances: tuple[str, ...]
    role: DrugRole  # suspect or interacting
    action_taken: ActionTaken | None
    courses: tuple[CourseSummary, ...]


@dataclass(frozen=True)
class TestValue:
    """One dated result of a test: the number (None when sent as below/above range or as text)
    and how it reads ("9 x10^3/µL", "positive", "below the measurable range x10^3/µL")."""

    __test__ = False  # not a pytest class

    date: str | None
    value: Decimal | None
    shown: str
    comments: str | None


@dataclass(frozen=True)
class TestSeries:
    """Every result of one test, oldest first; `unit` is the clinical unit they share."""

    __test__ = False  # not a pytest class

    name: str
    unit: str | None
    normal_range: str | None  # "150-400 x10^3/µL"
    values: tuple[TestValue, ...]

    @property
    def serial(self) -> bool:
        """Two or more dated numbers in one unit: a series worth a chart."""
        return self.unit is not None and len(self.points) >= 2

    @property
    def points(self) -> list[tuple[str, Decimal]]:
        """(date, number) of each dated numeric result, for a chart."""
        return [(v.date, v.value) for v in self.values if v.date and v.value is not None]


@dataclass(frozen=True)
class ReporterSummary:
    name: str | None
    profession: Qualification | None
    institution: str | None
    department: str | None
    city: str | None
    country: str | None
    primary: bool


@dataclass(frozen=True)
class ReadableCase:
    """Everything the case page shows of one report version."""

    patient: PatientSummary
    reactions: tuple[ReactionSummary, ...]
    suspect_drugs: tuple[DrugSummary, ...]
    tests: tuple[TestSeries, ...]
    narrative: str
    reporter_comments: str | None
    native_summaries: tuple[tuple[str, str], ...]  # (language, text), e.g. ("ara", "...")
    reporters: tuple[ReporterSummary, ...]  # the primary source first

    @property
    def serious(self) -> bool:
        return any(r.serious for r in self.reactions)

    @property
    def seriousness(self) -> tuple[str, ...]:
        """The criteria met by any reaction, each once."""
        return tuple(dict.fromkeys(c for r in self.reactions for c in r.seriousness))


def summarise(report: Report) -> ReadableCase:
    """The readable case of one report."""
    primary = report.primary_source
    sources = [primary, *(s for s in report.primary_sources if s is not primary)]
    return ReadableCase(
        patient=_patient(report),
        reactions=tuple(_reaction(n, r) for n, r in enumerate(report.reactions, start=1)),
        suspect_drugs=tuple(_drug(d) for d in report.suspect_drugs),
        tests=_series(report.tests),
        narrative=report.narrative.narrative,
        reporter_comments=report.narrative.reporter_comments,
        native_summaries=tuple((s.language, s.text) for s in report.narrative.summaries),
        reporters=tuple(_reporter(s, s is primary) for s in sources),
    )


def age_words(value: Decimal, unit: AgeUnit) -> str:
    """34 a -> "34 years"; 1 mo -> "1 month"."""
    one, many = _AGE_UNITS[unit]
    return f"{number(value)} {one if value == 1 else many}"


def number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 34, 62.5."""
    return format(value.normalize(), "f")


def words(value: object) -> str | None:
    """A three-state value as read: the value, a nullFlavor's words, or None when absent."""
    if isinstance(value, Null):
        return NULL_WORDS[value.null_flavor]
    return None if value is None else str(value)


def _patient(report: Report) -> PatientSummary:
    patient = report.patient
    sex = patient.sex
    if patient.age is not None:
        age: str | None = age_words(patient.age.value, patient.age.unit)
    else:
        age = patient.age_group.label.lower() if patient.age_group is not None else None
    return PatientSummary(
        initials=words(patient.initials),
        sex=words(sex) if isinstance(sex, Null) else sex,
        age=age,
        weight=f"{number(patient.weight_kg)} kg" if patient.weight_kg is not None else None,
    )


def _term(code: str) -> str:
    known = load_catalogue().term_by_code(code)
    return known.term if known is not None else code


def _reaction(number_: int, reaction: Reaction) -> ReactionSummary:
    return ReactionSummary(
        number=number_,
        term=_term(reaction.term.code),
        code=reaction.term.code,
        verbatim=reaction.verbatim,
        start=words(reaction.start),
        end=words(reaction.end),
        outcome=reaction.outcome,
        seriousness=tuple(reaction.seriousness.criteria()),
    )


def _dose(dosage: Dosage) -> str | None:
    if dosage.dose is None:
        return dosage.text
    text = f"{number(dosage.dose.value)} {dosage.dose.unit}"
    if dosage.interval_count is not None and dosage.interval_unit is not None:
        unit = dosage.interval_unit.label.lower()
        if dosage.interval_count == 1:
            text += f" every {unit.removesuffix('s')}"
        else:
            text += f" every {number(dosage.interval_count)} {unit}"
    return text


def _drug(drug: Drug) -> DrugSummary:
    return DrugSummary(
        product=drug.product_name,
        substances=tuple(s.name for s in drug.substances),
        role=drug.role,
        action_taken=drug.action_taken,
        courses=tuple(
            CourseSummary(
                course=d.course,
                start=words(d.start),
                end=words(d.end),
                dose=_dose(d),
                route=words(d.route),
                batch=d.batch,
                batch_expiry=d.batch_expiry,
            )
            for d in drug.dosages
        ),
    )


def _test_name(test: TestResult) -> str:
    if test.name:
        return test.name
    return _term(test.test.code) if test.test is not None else "Test"


def _value(test: TestResult) -> TestValue:
    parts: list[str] = []
    number_: Decimal | None = None
    if test.result is not None:
        unit = clinical_unit(test.result.unit)
        if isinstance(test.result.value, Null):
            parts.append(f"{NULL_WORDS[test.result.value.null_flavor]} {unit}")
        else:
            number_ = test.result.value
            parts.append(f"{number(number_)} {unit}")
    if test.result_code is not None:
        parts.append(test.result_code.label.lower())
    if test.result_text:
        parts.append(test.result_text)
    return TestValue(
        date=test.date,
        value=number_,
        shown="; ".join(parts) or "result not given",
        comments=test.comments,
    )


def _series(tests: Iterable[TestResult]) -> tuple[TestSeries, ...]:
    """Results grouped by test (MedDRA code, else name), in the order each test first appears;
    within a test oldest first, undated last."""
    groups: dict[str, list[TestResult]] = {}
    for test in tests:
        key = test.test.code if test.test is not None else _test_name(test).casefold()
        groups.setdefault(key, []).append(test)
    series = []
    for members in groups.values():
        members = sorted(members, key=lambda m: (m.date is None, m.date or ""))
        units = {m.result.unit for m in members if m.result is not None}
        unit = clinical_unit(units.pop()) if len(units) == 1 else None
        series.append(
            TestSeries(
                name=_test_name(members[0]),
                unit=unit,
                normal_range=next(
                    (r for r in (_range(m, unit) for m in reversed(members)) if r), None
                ),
                values=tuple(_value(m) for m in members),
            )
        )
    return tuple(series)


def _range(test: TestResult, unit: str | None) -> str | None:
    if test.normal_low is None and test.normal_high is None:
        return None
    low = number(test.normal_low) if test.normal_low is not None else ""
    high = number(test.normal_high) if test.normal_high is not None else ""
    return f"{low}-{high} {unit}" if unit else f"{low}-{high}"


def _reporter(source: PrimarySource, primary: bool) -> ReporterSummary:
    return ReporterSummary(
        name=source.display_name or None,
        profession=source.qualification,
        institution=words(source.organisation),
        department=words(source.department),
        city=words(source.city),
        country=words(source.country),
        primary=primary,
    )


__all__ = [
    "CourseSummary",
    "DrugSummary",
    "PatientSummary",
    "ReactionSummary",
    "ReadableCase",
    "ReporterSummary",
    "TestSeries",
    "TestValue",
    "age_words",
    "number",
    "summarise",
    "words",
]
