"""Data-entry rules: what this tool asks of a health professional typing a report, beyond ICH.

They refuse the form's answers, never a file received from others: such a file is read as
sent, held to the ICH rules of `e2b.model_rules`, and its implausible parts (`PLAUSIBILITY`)
are named as warnings. Each finding names the field the reporter can fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from e2b.codelists import AgeUnit, Outcome, ReportType, Sex
from e2b.dates import Precision, is_before, precision
from e2b.elements import element
from e2b.findings import Finding
from e2b.model import value_of
from e2b.model_rules import finding
from pv.model import Report

# The guide categories that mean exposure in pregnancy (pv/data/guide_categories.csv).
PREGNANCY_CATEGORIES = frozenset({"pregnancy_exposure"})
DOSAGE_TEXT_LIMIT = 2000  # G.k.4.r.8, with the course prefix
# H.1 with the treatment and dechallenge lines, G.k.11 with the batch expiry lines.
NARRATIVE_LIMIT = element("H.1").max_length or 0
ADDITIONAL_INFO_LIMIT = element("G.k.11").max_length or 0


# The highest plausible value of each measure a reporter types (every one must be above 0).
MEASURE_LIMITS: dict[str, Decimal] = {
    "patient.weight_kg": Decimal(650),
    "patient.height_cm": Decimal(300),
}
AGE_LIMITS: dict[AgeUnit, Decimal] = {
    AgeUnit.DECADE: Decimal(15),
    AgeUnit.YEAR: Decimal(150),
    AgeUnit.MONTH: Decimal(1800),
    AgeUnit.WEEK: Decimal(7800),
    AgeUnit.DAY: Decimal(55000),
    AgeUnit.HOUR: Decimal("9999.9"),
}


def is_measure(path: str) -> bool:
    """A patient's age, weight or height: above 0, and within a plausible limit."""
    return path == "patient.age.value" or path in MEASURE_LIMITS


def measure_limit(path: str, unit: AgeUnit | None = None) -> Decimal | None:
    """The highest plausible value at `path` (an age's depends on its unit); None: no limit."""
    if path == "patient.age.value":
        return AGE_LIMITS.get(unit) if unit is not None else None
    return MEASURE_LIMITS.get(path)


def _error(element: str, path: str, text: str) -> Finding:
    return finding("error", element, path, text)


def _birth_date_is_a_full_date(report: Report, today: date) -> Iterator[Finding]:
    """ICH IG D.2.1: at least the day; a year or a month alone is sent as an age instead."""
    birth = value_of(report.patient.birth_date)
    if birth and precision(birth) < Precision.DAY:
        yield Finding(
            "error",
            "D.2.1",
            "patient.birth_date",
            "Give the full date of birth (day, month and year), or leave it empty and give the "
            "age instead.",
        )


def _initials_or_withheld(report: Report, today: date) -> Iterator[Finding]:
    """The form's D.1: initials typed, or the tick box "known but withheld" (MSK), not both."""
    patient = report.patient
    if patient.initials_withheld and isinstance(patient.initials, str):
        yield _error(
            "D.1",
            "patient.initials_withheld",
            "initials are given and also marked as withheld: choose one",
        )


def _study(report: Report, today: date) -> Iterator[Finding]:
    """The form files spontaneous reports; it does not collect C.5 study details."""
    if report.case.report_type is ReportType.STUDY:
        yield _error(
            "C.5.4",
            "case.report_type",
            "this form files spontaneous reports; it does not collect the study details (C.5) "
            "a report from a study needs",
        )


def _onsets(report: Report) -> Iterator[tuple[int, str]]:
    """(index, start date) of each reaction whose start is a date (not absent, not a null)."""
    for i, reaction in enumerate(report.reactions):
        onset = value_of(reaction.start)
        if onset:
            yield i, onset


def _plausible_patient(report: Report, today: date) -> Iterator[Finding]:
    """A male patient or parent has no last menstrual period; birth comes before onset."""
    patient = report.patient
    if patient.last_menstrual_period and patient.sex is Sex.MALE:
        yield _error(
            "D.6",
            "patient.last_menstrual_period",
            "a last menstrual period is given but the patient's sex is male",
        )
    birth = value_of(patient.birth_date)
    if birth:
        for i, onset in _onsets(report):
            if not is_before(birth, onset):
                yield _error(
                    "D.2.1",
                    "patient.birth_date",
                    f"date of birth is after the start of reaction {i + 1}",
                )
    parent = patient.parent
    if parent is not None and parent.last_menstrual_period and parent.sex is Sex.MALE:
        yield _error(
            "D.10.3",
            "patient.parent.last_menstrual_period",
            "a last menstrual period is given but the parent's sex is male",
        )


def _pregnancy(report: Report, today: date) -> Iterator[Finding]:
    """Exposure in pregnancy needs a female patient, or a parent block for a child/foetus report."""
    patient = report.patient
    pregnancy = [
        i for i, r in enumerate(report.reactions) if r.guide_category in PREGNANCY_CATEGORIES
    ]
    exposed = [i for i, d in enumerate(report.drugs) if d.gestation_at_exposure is not None]
    if not (pregnancy or exposed):
        return
    if patient.parent is None and patient.sex is not Sex.FEMALE:
        path = (
            f"reactions[{pregnancy[0]}].guide_category"
            if pregnancy
            else f"drugs[{exposed[0]}].gestation_at_exposure"
        )
        yield _error(
            "D.5",
            path,
            "exposure during pregnancy needs a female patient, or the parent's details (D.10) "
            "when the report is about the child",
        )
    if patient.parent is not None and patient.parent.sex is Sex.MALE and pregnancy:
        yield finding(
            "warning",
            "D.10.6",
            "patient.parent.sex",
            "exposure during pregnancy is reported with a male parent; check whether the "
            "father was exposed (G.k.10.r 'drug taken by the father')",
        )


def _death(report: Report, today: date) -> Iterator[Finding]:
    """A death is reported with its details, and the details with a fatal reaction."""
    fatal = _fatal(report)
    death = report.patient.death
    if fatal and death is None:
        yield _error(
            "D.9",
            "patient.death",
            "a reaction resulted in death: give the cause of death, and the date of death if known",
        )
    if death is None:
        return
    if not fatal:
        yield _error(
            "E.i.7",
            "patient.death",
            "death details are given but no reaction has a fatal outcome or results in death",
        )
    died = value_of(death.date)
    if died:
        for i, onset in _onsets(report):
            if not is_before(onset, died):
                yield _error(
                    "D.9.1",
                    "patient.death.date",
                    f"date of death is before the start of reaction {i + 1}",
                )


def _fatal(report: Report) -> bool:
    return any(r.outcome is Outcome.FATAL or r.seriousness.death for r in report.reactions)


def _cause_of_death(report: Report, today: date) -> Iterator[Finding]:
    """The form asks for the cause of a death it reports (MedDRA code or as reported); ICH
    leaves D.9.2.r optional. With no death details at all, `_death` says so once."""
    death = report.patient.death
    if death is None or not _fatal(report):
        return
    if not any(c.term is not None or c.text for c in death.reported_causes):
        yield _error(
            "D.9.2.r",
            "patient.death.reported_causes",
            "a reaction resulted in death: give the cause of death, as a MedDRA code or as "
            "reported",
        )


def _plausible_measures(report: Report, today: date) -> Iterator[Finding]:
    """Age, weight and height within what a person can have (a typing slip, e.g. 700 kg)."""
    patient = report.patient
    typed: list[tuple[str, str, str, Decimal | None, AgeUnit | None]] = [
        ("D.3", "patient.weight_kg", "weight", patient.weight_kg, None),
        ("D.4", "patient.height_cm", "height", patient.height_cm, None),
    ]
    if patient.age is not None:
        age = patient.age
        typed.append(("D.2.2a", "patient.age.value", "age", age.value, age.unit))
    for code, path, name, value, unit in typed:
        limit = measure_limit(path, unit)
        if value is not None and limit is not None and value > limit:
            yield _error(code, path, f"{name} {value} is not plausible (at most {limit})")


def _dosage_text_fits(report: Report, today: date) -> Iterator[Finding]:
    """G.k.4.r.8 holds 2,000 characters, the "Course N: " prefix included."""
    for k, drug in enumerate(report.drugs):
        for r, dosage in enumerate(drug.dosages):
            sent = dosage.sent_text()
            if sent is not None and len(sent) > DOSAGE_TEXT_LIMIT:
                yield _error(
                    "G.k.4.r.8",
                    f"drugs[{k}].dosages[{r}].text",
                    f"dosage text is too long (at most {DOSAGE_TEXT_LIMIT - 50} characters)",
                )


def _local_facts_fit(report: Report, today: date) -> Iterator[Finding]:
    """What travels inside another element fits it: H.1 with the treatment and dechallenge
    lines, G.k.11 with the batch expiry lines; an expiry names the batch it belongs to."""
    limit = NARRATIVE_LIMIT
    if len(report.sent_narrative()) > limit:
        yield _error(
            "H.1",
            "narrative.narrative",
            "the narrative with the treatment and dechallenge of each reaction is too long "
            f"(at most {limit:,} characters in all)",
        )
    for k, drug in enumerate(report.drugs):
        for r, dosage in enumerate(drug.dosages):
            batch = dosage.batch
            if dosage.batch_expiry is not None and (
                batch is None or dosage.course is None or "".join(batch.splitlines()) != batch
            ):
                yield _error(
                    "G.k.4.r.7",
                    f"drugs[{k}].dosages[{r}].batch",
                    "give the batch number the expiry date belongs to",
                )
        sent = drug.sent_additional_info()
        if sent is not None and len(sent) > ADDITIONAL_INFO_LIMIT:
            yield _error(
                "G.k.11",
                f"drugs[{k}].additional_info",
                "the additional information with the batch expiry dates is too long "
                f"(at most {ADDITIONAL_INFO_LIMIT:,} characters in all)",
            )


def _copy_needs_consent_and_address(report: Report, today: date) -> Iterator[Finding]:
    """A copy of the e-mail goes to the reporter only with their consent to be contacted, and
    to their e-mail address (C.2.r.2.8)."""
    if not report.copy_to_reporter:
        return
    if not report.reporter_consents_to_contact:
        yield _error(
            "C.2.r.2.8",
            "copy_to_reporter",
            "a copy can be sent to you only if you agree to be contacted about this report",
        )
    if not report.primary_source.email:
        yield _error(
            "C.2.r.2.8",
            "primary_sources[0].email",
            "give your e-mail address to receive a copy of the report",
        )


EntryRule = Callable[[Report, date], Iterator[Finding]]

# Implausible data: refused when typed, named as a warning when another system sent it.
PLAUSIBILITY: tuple[EntryRule, ...] = (_plausible_patient, _pregnancy, _death)
# What the form asks beyond ICH and plausibility (a received file is held to ICH alone).
RULES: tuple[EntryRule, ...] = (
    _birth_date_is_a_full_date,
    _initials_or_withheld,
    _study,
    *PLAUSIBILITY,
    _cause_of_death,
    _plausible_measures,
    _dosage_text_fits,
    _local_facts_fit,
    _copy_needs_consent_and_address,
)


def entry_findings(report: Report, today: date | None = None) -> list[Finding]:
    """Every data-entry problem of a report typed into the form."""
    today = today or date.today()
    return [f for rule in RULES for f in rule(report, today)]
