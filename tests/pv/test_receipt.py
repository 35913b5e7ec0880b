"""The reporter's receipt: one A4 page for every golden case, in English and Arabic, however long
the narrative and however many reactions, with the case ID, the link and clinical wording."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pv.catalogue import load_catalogue
from pv.config import Settings
from pv.model import Report
from pv.pdf import ELLIPSIS
from pv.receipt import MAX_COURSES, MAX_REACTIONS, receipt_pdf
from tests.cases import case_names, load_case
from tests.pv.pdf_reading import (
    one_line_text,
    page_count,
    pdf_text,
    render,
    urls,
    words,
)

SUBMITTED = datetime(2026, 11, 20, 9, 5, tzinfo=timezone(timedelta(hours=3)))
LINK = "https://pv.example.org/draft/8f14e45fceea167a5a36dedd4bea2543?key=Zm9vYmFy"
SETTINGS = Settings(
    database_url="sqlite://",
    sfda_recipient="npc.drug@sfd.gov.sa",
    mah_recipient="Ksa_pharmacovigilance@sanofi.com",
)
ARABIC = "المريضة لديها نزيف"  # "the patient has bleeding"
MARGIN = 15.0
A4_WIDTH, A4_HEIGHT = 210.0, 297.0
# An E2B element number such as E.i.2.1b, D.2.2 or G.k.4.r.8: never on the reporter's page.
ELEMENT_NUMBER = re.compile(r"\b[A-HN]\.(?:\d|[a-z]\.\d)")


def _report(name: str, **changes: Any) -> Report:
    data = load_case(name)
    data.update(changes)
    return Report.model_validate(data)


def _receipt(report: Report, *, language: str = "en", link: str | None = LINK, **kw: Any) -> bytes:
    return receipt_pdf(
        report,
        case_id=kw.pop("case_id", report.case.sender_report_id),
        submitted_at=kw.pop("submitted_at", SUBMITTED),
        link=link,
        language=language,
        settings=kw.pop("settings", SETTINGS),
    )


def _term(code: str) -> str:
    term = load_catalogue().term_by_code(code)
    assert term is not None, code
    return term.term


def _within_margins(data: bytes, tmp_path: Path, keep_as: str | None = None) -> None:
    ink = render(data, tmp_path, keep_as)
    assert ink.pages == 1
    assert ink.dark_share > 0.002  # text, not a blank page
    assert ink.left >= MARGIN - 0.5
    assert ink.right <= A4_WIDTH - MARGIN + 0.5
    assert ink.top >= MARGIN - 0.5
    assert ink.bottom <= A4_HEIGHT - MARGIN + 0.5


@pytest.mark.parametrize("name", case_names())
def test_each_golden_case_fits_one_page_with_its_id_link_and_reactions(
    name: str, tmp_path: Path
) -> None:
    report = _report(name)
    data = _receipt(report)
    assert data.startswith(b"%PDF-")
    assert page_count(data, tmp_path) == 1
    text = one_line_text(data, tmp_path)
    assert report.case.sender_report_id in text
    assert LINK in text
    assert urls(data, tmp_path) == [LINK]  # clickable (one annotation per line of the link)
    for reaction in report.reactions:
        assert _term(reaction.term.code) in text
        if isinstance(reaction.start, str):
            assert f"onset: {reaction.start}" in text
        assert f"outcome: {reaction.outcome.label.lower()}" in text
    assert "npc.drug@sfd.gov.sa" in text
    assert "Ksa_pharmacovigilance@sanofi.com" in text
    assert report.narrative.narrative.split()[0] in text
    assert ELEMENT_NUMBER.search(text) is None, ELEMENT_NUMBER.search(text)
    _within_margins(data, tmp_path, keep_as=f"{name}-en" if name == "pml_death" else None)


def test_clinical_wording(tmp_path: Path) -> None:
    """Age, sex, seriousness and outcome in words; dates and courses as a clinician reads them."""
    text = one_line_text(_receipt(_report("pml_death")), tmp_path, layout=True)
    assert "TH, male, 47 years" in text
    assert " a," not in text and "47 a" not in text  # no UCUM unit codes
    assert "outcome: fatal" in text
    assert "serious: results in death, life threatening" in text
    assert "serious: other medically important condition" in text
    assert "Course 1: 2024-03-10 to 2024-03-14 (batch SYN-LOT-0006)" in text
    assert "Course 2: 2025-03-16 to 2025-03-18 (batch SYN-LOT-0007)" in text
    assert "Submitted 2026-11-20 09:05 UTC+03:00" in text
    assert "Saudi Food and Drug Authority (SFDA): npc.drug@sfd.gov.sa" in text
    assert "Sanofi, marketing authorisation holder: Ksa_pharmacovigilance@sanofi.com" in text


def test_the_reporters_words_are_shortened_so_the_quote_closes(tmp_path: Path) -> None:
    text = pdf_text(_receipt(_report("pml_death")), tmp_path, layout=True)
    term = _term("10036807")
    line = next(line for line in text.splitlines() if line.startswith(f"1. {term}"))
    assert line.rstrip().endswith(f"{ELLIPSIS}\u201d)")  # cut, and the quote still closes
    assert "(reported as: \u201cProgressive multifocal" in line


@pytest.mark.parametrize(
    ("patient", "expected"),
    [
        ({"initials": "AB", "sex": "2", "age": {"value": 1, "unit": "a"}}, "AB, female, 1 year"),
        ({"initials_withheld": True, "age": {"value": 18, "unit": "mo"}}, "initials withheld"),
        ({"age_group": "6"}, "initials not given, sex not given, elderly"),
    ],
)
def test_patient_in_words(patient: dict[str, Any], expected: str, tmp_path: Path) -> None:
    report = _report("itp_course2", patient=patient)
    text = one_line_text(_receipt(report), tmp_path)
    assert expected in text
    if "age" in patient and patient["age"]["unit"] == "mo":
        assert "18 months" in text


def test_recipients_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url="sqlite://",
        sfda_recipient="pv-test@sfda.example, second@sfda.example",
        mah_recipient="mah-test@example.com",
    )
    text = one_line_text(_receipt(_report("itp_course2"), settings=settings), tmp_path)
    assert "pv-test@sfda.example, second@sfda.example" in text
    assert "mah-test@example.com" in text
    assert "npc.drug@sfd.gov.sa" not in text


def test_without_a_link_the_page_says_so_and_links_nothing(tmp_path: Path) -> None:
    data = _receipt(_report("itp_course2"), link=None)
    assert "Private link not available" in one_line_text(data, tmp_path, layout=True)
    assert urls(data, tmp_path) == []


def test_a_utc_time_says_utc(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 20, 6, 5, tzinfo=UTC)
    text = one_line_text(
        _receipt(_report("itp_course2"), submitted_at=moment), tmp_path, layout=True
    )
    assert "Submitted 2026-11-20 06:05 UTC" in text


def test_an_arabic_narrative_reads_back_in_logical_order(tmp_path: Path) -> None:
    narrative = f"{ARABIC} بعد الدورة الثانية.\nPlatelets 12 on 2026-05-03; course 2 of LEMTRADA."
    report = _report("itp_course2")
    report.narrative.narrative = narrative
    for language in ("en", "ar"):
        data = _receipt(report, language=language)
        text = one_line_text(data, tmp_path)
        assert f"{ARABIC} بعد الدورة الثانية" in text
        assert "Platelets 12 on 2026-05-03; course 2 of LEMTRADA." in text
        # The Arabic paragraph runs right to left: its first word is its rightmost.
        found = {w.text: w for w in words(data, tmp_path)}
        first, second = found[ARABIC.split()[0]], found[ARABIC.split()[1]]
        assert first.y_min == pytest.approx(second.y_min)
        assert first.x_min > second.x_max
        assert first.x_max == pytest.approx(A4_WIDTH - MARGIN, abs=2.5)


@pytest.mark.parametrize("name", ["pml_death", "itp_course2"])
def test_arabic_receipt_has_arabic_headings_on_the_right(name: str, tmp_path: Path) -> None:
    report = _report(name)
    data = _receipt(report, language="ar")
    assert page_count(data, tmp_path) == 1
    text = one_line_text(data, tmp_path)
    # Headings without lam-alef: poppler gives that ligature's two letters back reversed.
    for heading in ("رقم الحالة", "الرابط الخاص", "المريض", "الجانبية", "وصف الحالة"):
        assert heading in text
    assert report.case.sender_report_id in text
    assert LINK in text
    assert urls(data, tmp_path) == [LINK]
    for reaction in report.reactions:
        assert _term(reaction.term.code) in text
    assert "Case ID" not in text and "Reactions" not in text
    on_page = words(data, tmp_path)
    case_id = next(w for w in on_page if w.text == report.case.sender_report_id)
    # "رقم الحالة", the case ID's label, on the same line: its first word at the right margin.
    label = next(w for w in on_page if w.text == "رقم" and abs(w.y_min - case_id.y_min) < 2)
    assert label.x_max == pytest.approx(A4_WIDTH - MARGIN, abs=2.5)
    assert case_id.x_max < label.x_min  # the value to the label's left
    assert ELEMENT_NUMBER.search(text) is None
    _within_margins(data, tmp_path, keep_as=f"{name}-ar" if name == "pml_death" else None)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_huge_report_still_fits_one_page(language: str, tmp_path: Path) -> None:
    """Ten reactions with long words, twenty courses and a 100,000-character narrative: one
    page, the narrative cut with "…", the footer still there, nothing beyond the margins."""
    data = load_case("pml_death")
    reaction = data["reactions"][0]
    data["reactions"] = [
        {
            **reaction,
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "verbatim": f"Reaction {n} " + "extraordinarilylongword" * 8,
        }
        for n in range(12)
    ]
    data["drugs"][0]["reactions"] = []
    course = data["drugs"][0]["dosages"][0]
    data["drugs"][0]["dosages"] = [{**course, "course": n} for n in range(1, 21)]
    data["narrative"]["narrative"] = ("Bleeding after the third course. " * 3100)[:100_000]
    report = Report.model_validate(data)
    pdf = _receipt(report, language=language)
    assert page_count(pdf, tmp_path) == 1
    text = one_line_text(pdf, tmp_path)
    assert ELLIPSIS in text
    assert "Bleeding after the third course." in text
    assert text.count("Bleeding after the third course.") < 200
    assert report.case.sender_report_id in text and LINK in text
    if language == "en":
        assert f"Reactions ({len(report.reactions)})" in text
        assert f"{len(report.reactions) - MAX_REACTIONS} more in the complete report" in text
        assert f"{20 - MAX_COURSES} more in the complete report" in text
        assert "goes by e-mail to both recipients." in text  # the footer, after everything
    else:
        assert "الجهتين" in text  # the footer
    # The reporter's words ("Reaction 0 extraordinarily...") of the ten reactions shown.
    assert len(re.findall(r"Reaction(?!s)", text)) == MAX_REACTIONS
    _within_margins(pdf, tmp_path, keep_as=f"huge-{language}")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_hostile_text_stays_on_the_page(language: str, tmp_path: Path) -> None:
    """Text the model accepts (RTL overrides, long words) and text it would refuse but the
    receipt must still survive (control characters in the case ID and link)."""
    report = _report("thyroid_graves")
    report.narrative.narrative = (
        "Start \u202eevil\u202c text " + "W" * 5000 + " " + "(" * 1500 + "\n" * 300 + "end"
    )
    report.reactions[0].verbatim = "\u202etxt.exe\u202c" + "X" * 240
    report.patient.initials = "\u202eAB"
    data = receipt_pdf(
        report,
        case_id="SA-LEMTRADAPV-\x00\x1b[31m000\u202e123",
        submitted_at=SUBMITTED,
        link="https://pv.example.org/d\x07raft\n" + "a" * 3000,
        language=language,
        settings=SETTINGS,
    )
    assert page_count(data, tmp_path) == 1
    text = pdf_text(data, tmp_path)
    assert "\u202e" not in text and "\x1b" not in text
    assert "Start evil text" in " ".join(text.split())
    assert urls(data, tmp_path) == []  # the link is no plain web address: not clickable
    _within_margins(data, tmp_path)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        _receipt(_report("itp_course2"), language="fr")
