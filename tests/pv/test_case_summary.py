"""pv.case_summary: the case page's reading of a report, from the golden cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from e2b.codelists import ActionTaken, AgeUnit, DrugRole, Outcome, Qualification, Sex
from pv.case_summary import age_words, summarise
from pv.model import Report
from tests.cases import load_case


def _report(name: str = "itp_course2", **changes: Any) -> Report:
    data = load_case(name)
    for key, change in changes.items():
        change(data[key])
    return Report.model_validate(data)


def test_patient_in_clinical_words() -> None:
    patient = summarise(_report()).patient
    assert (patient.initials, patient.sex, patient.age, patient.weight) == (
        "NA",
        Sex.FEMALE,
        "34 years",
        "62.5 kg",
    )
    assert age_words(Decimal(1), AgeUnit.MONTH) == "1 month"


def test_withheld_initials_and_absent_age_read_as_such() -> None:
    def change(patient: dict[str, Any]) -> None:
        patient.pop("initials")
        patient.update(initials_withheld=True, age=None, age_group=None, weight_kg=None)

    patient = summarise(_report(patient=change)).patient
    assert patient.initials == "withheld"
    assert (patient.age, patient.weight) == (None, None)


def test_reactions_keep_term_verbatim_dates_outcome_and_seriousness() -> None:
    case = summarise(_report())
    itp, petechiae, _ = case.reactions
    assert (itp.number, itp.term, itp.code) == (1, "Immune thrombocytopenia", "10083842")
    assert itp.verbatim == "Immune thrombocytopenia (platelets 9 x 10^3/uL)"
    assert (itp.start, itp.end, itp.outcome) == ("2026-10-03", None, Outcome.RECOVERING)
    assert itp.seriousness == (
        "caused or prolonged hospitalisation",
        "other medically important condition",
    )
    assert (petechiae.end, petechiae.outcome, petechiae.serious) == (
        "2026-10-15",
        Outcome.RECOVERED,
        False,
    )
    assert case.serious and case.seriousness == itp.seriousness


def test_only_suspect_drugs_with_each_course_dates_dose_and_batch() -> None:
    [drug] = summarise(_report()).suspect_drugs  # the premedications are concomitant
    assert (drug.product, drug.substances, drug.role) == (
        "LEMTRADA",
        ("alemtuzumab",),
        DrugRole.SUSPECT,
    )
    assert drug.action_taken is ActionTaken.NOT_APPLICABLE
    first, second = drug.courses
    assert (first.course, first.start, first.end, first.batch) == (
        1,
        "2024-02-04",
        "2024-02-08",
        "SYN-LOT-0001",
    )
    assert (second.course, second.dose, second.route) == (2, "12 mg every day", "Intravenous")


def test_serial_lab_values_form_one_dated_series_in_clinical_units() -> None:
    def shuffle(tests: list[dict[str, Any]]) -> None:
        tests.reverse()  # the series is ordered by date, not as entered

    platelets, haemoglobin = summarise(_report(tests=shuffle)).tests[::-1]
    assert platelets.name == "Platelet count"
    assert (platelets.unit, platelets.normal_range) == ("x10^3/µL", "150-400 x10^3/µL")
    assert platelets.points == [
        ("2026-09-07", Decimal(171)),
        ("2026-10-06", Decimal(9)),
        ("2026-10-09", Decimal(27)),
        ("2026-10-15", Decimal(88)),
        ("2026-10-30", Decimal(146)),
    ]
    assert platelets.values[1].shown == "9 x10^3/µL"
    assert platelets.values[1].comments is not None
    assert platelets.serial
    assert haemoglobin.name == "Haemoglobin" and not haemoglobin.serial


def test_a_result_below_the_range_is_words_not_a_point() -> None:
    def below(tests: list[dict[str, Any]]) -> None:
        tests[1]["result"]["value"] = {"null_flavor": "NINF"}

    [platelets, _] = summarise(_report(tests=below)).tests
    assert platelets.values[1].shown == "below the measurable range x10^3/µL"
    assert platelets.values[1].value is None
    assert [d for d, _ in platelets.points] == [
        "2026-09-07",
        "2026-10-09",
        "2026-10-15",
        "2026-10-30",
    ]


def test_narrative_and_reporter_with_profession_institution_and_city() -> None:
    case = summarise(_report())
    assert case.narrative.startswith("A 34-year-old woman")
    assert case.reporter_comments is not None and "ITP" in case.reporter_comments
    [reporter] = case.reporters
    assert reporter.name == "Dr Huda Al-Qahtani"
    assert (reporter.profession, reporter.institution, reporter.city, reporter.country) == (
        Qualification.PHYSICIAN,
        "Example Neuroscience Hospital",
        "Riyadh",
        "SA",
    )
    assert reporter.primary


def test_an_arabic_narrative_and_native_summary_are_kept_as_written() -> None:
    arabic = "مريض عمره 38 عامًا.\n\nتحسنت وظائف الكلى."

    def narrate(narrative: dict[str, Any]) -> None:
        narrative["narrative"] = arabic

    case = summarise(_report("nephropathy_anti_gbm", narrative=narrate))
    assert case.narrative == arabic
    [(language, text)] = case.native_summaries
    assert language == "ara" and text.strip()


def test_the_normal_range_is_the_latest_one_given() -> None:
    def later_without_range(tests: list[dict[str, Any]]) -> None:
        tests[0]["normal_low"], tests[0]["normal_high"] = 140, 450
        tests.insert(5, {**tests[4], "date": "2026-11-13", "normal_low": None, "normal_high": None})

    [platelets, _] = summarise(_report(tests=later_without_range)).tests
    assert platelets.values[-1].date == "2026-11-13"
    assert platelets.normal_range == "150-400 x10^3/µL"  # 2026-10-30's, not 2026-09-07's
