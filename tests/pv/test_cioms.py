"""The CIOMS I form: every golden case fills its boxes on page 1; boxes too long for it continue,
complete, on further pages; Arabic reads right to left; hostile text stays on the page."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from e2b.codelists import DrugRole
from pv import cioms
from pv.catalogue import load_catalogue
from pv.cioms import CHECKED, UNCHECKED, cioms_pdf
from pv.config import Settings
from pv.model import Dechallenge, Report
from tests.cases import case_names, load_case
from tests.pv.pdf_reading import one_line_text, page_count, pdf_text, render, words

SETTINGS = Settings(
    database_url="sqlite://",
    sfda_recipient="npc.drug@sfd.gov.sa",
    mah_recipient="Ksa_pharmacovigilance@sanofi.com",
)
CASE_ID = "SA-LEMTRADAPV-000777"
ARABIC = "المريضة لديها نزيف"  # "the patient has bleeding"
MARGIN = 15.0
A4_WIDTH, A4_HEIGHT = 210.0, 297.0
# An E2B element number such as E.i.2.1b, D.2.2 or G.k.4.r.8: never on the form.
ELEMENT_NUMBER = re.compile(r"\b[A-HN]\.(?:\d|[a-z]\.\d)")
SERIOUSNESS_BOXES = {
    "death": "Patient died",
    "hospitalisation": "Involved or prolonged inpatient hospitalisation",
    "disability": "Involved persistent or significant disability or incapacity",
    "life_threatening": "Life threatening",
}
BOX_LABELS = [
    "1. PATIENT INITIALS",
    "1a. COUNTRY",
    "2. DATE OF BIRTH",
    "2a. AGE",
    "3. SEX",
    "4-6. REACTION ONSET",
    "7 + 13. DESCRIBE REACTION(S)",
    "8-12. CHECK ALL APPROPRIATE",
    "14. SUSPECT DRUG(S)",
    "15. DAILY DOSE(S)",
    "16. ROUTE(S)",
    "17. INDICATION(S)",
    "18. THERAPY DATES",
    "19. THERAPY DURATION",
    "20. DID REACTION ABATE",
    "21. DID REACTION REAPPEAR",
    "22. CONCOMITANT DRUG(S)",
    "23. OTHER RELEVANT HISTORY",
    "24a. NAME AND ADDRESS OF MANUFACTURER",
    "24b. MFR CONTROL NO.",
    "24c. DATE RECEIVED BY MANUFACTURER",
    "24d. REPORT SOURCE",
    "DATE OF THIS REPORT",
    "25a. REPORT TYPE",
]


def _report(name: str, **changes: Any) -> Report:
    data = load_case(name)
    data.update(changes)
    return Report.model_validate(data)


def _form(report: Report, **kw: Any) -> bytes:
    return cioms_pdf(report, case_id=kw.pop("case_id", CASE_ID), settings=SETTINGS, **kw)


def _term(code: str) -> str:
    term = load_catalogue().term_by_code(code)
    assert term is not None, code
    return term.term


def _first_page_on_paper(data: bytes, tmp_path: Path) -> None:
    ink = render(data, tmp_path)
    assert ink.dark_share > 0.002  # text, not a blank page
    assert ink.left >= MARGIN - 0.5
    assert ink.right <= A4_WIDTH - MARGIN + 0.5
    assert ink.top >= MARGIN - 0.5
    assert ink.bottom <= A4_HEIGHT - MARGIN + 0.5


def _page_one(text: str) -> str:
    """The text up to page 1's footer (pdftotext reads page by page)."""
    end = text.find(". Page 1 of ")
    assert end > 0, "page 1 has no footer"
    return text[:end]


def _without_page_furniture(text: str) -> str:
    """The text with each page's footer and each continuation page's header taken out, so a
    sentence running over a page break reads as one."""
    furniture = r" ?CIOMS I form, case \S+, version \d+(?:\. Page \d+ of \d+|: continuation) ?"
    return " ".join(re.sub(furniture, " ", text).split())


def _pages(text: str) -> list[str]:
    """The text of each page, cut at the pages' footers."""
    return re.split(r"CIOMS I form, case \S+, version \d+\. Page \d+ of \d+", text)[:-1]


@pytest.mark.parametrize("name", case_names())
def test_each_golden_case_fills_the_form(name: str, tmp_path: Path) -> None:
    report = _report(name)
    data = _form(report)
    text = one_line_text(data, tmp_path)
    first = _page_one(text)
    for label in BOX_LABELS:
        assert label in first, label
    assert CASE_ID in first
    assert f" {report.patient.initials} " in first
    assert "LEMTRADA (alemtuzumab" in first
    for reaction in report.reactions:
        assert _term(reaction.term.code) in text
        assert str(reaction.start) in first  # onset, box 4-6
    for criterion, label in SERIOUSNESS_BOXES.items():
        ticked = any(getattr(r.seriousness, criterion) for r in report.reactions)
        assert f"{CHECKED if ticked else UNCHECKED} {label}" in first
    assert str(report.case.first_received) in first  # box 24c
    assert str(report.case.most_recent) in first  # date of this report
    assert f"{CHECKED} Initial {UNCHECKED} Follow-up" in first
    for drug in report.drugs:
        if drug.role is DrugRole.CONCOMITANT:
            assert drug.product_name in text
    for dosage in report.suspect_drugs[0].dosages:  # box 18, therapy dates
        assert f"{dosage.start} to {dosage.end}" in text
        assert isinstance(dosage.route, str) and dosage.route in text  # box 16
    # Nothing of the narrative is lost: its last words are on the form.
    assert " ".join(report.narrative.narrative.split()[-8:]) in text
    assert ELEMENT_NUMBER.search(text) is None
    pages = page_count(data, tmp_path)
    assert all(f"Page {page} of {pages}" in text for page in range(1, pages + 1))
    _first_page_on_paper(data, tmp_path)


def test_the_pml_death_has_patient_died_checked(tmp_path: Path) -> None:
    text = one_line_text(_form(_report("pml_death")), tmp_path)
    assert f"{CHECKED} Patient died" in text
    assert f"{CHECKED} Life threatening" in text
    # Rechallenge (box 21) from the drug's assessment of the reaction.
    assert "Not applicable (no rechallenge done)" in text
    thyroid = one_line_text(_form(_report("thyroid_graves")), tmp_path)
    assert f"{UNCHECKED} Patient died" in thyroid


def test_dechallenge_fills_box_20(tmp_path: Path) -> None:
    report = _report("thyroid_graves")
    report.reactions[0].dechallenge = Dechallenge.NOT_ABATED
    text = one_line_text(_form(report), tmp_path)
    term = _term(report.reactions[0].term.code)
    assert f"Reaction 1 ({term}): No (reaction did not abate after LEMTRADA" in text


def test_a_follow_up_says_so(tmp_path: Path) -> None:
    text = one_line_text(_form(_report("itp_course2"), follow_up=True, version=3), tmp_path)
    assert f"{UNCHECKED} Initial {CHECKED} Follow-up Version 3" in text
    assert f"{CASE_ID}, version 3. Page 1 of" in text


def test_a_huge_narrative_continues_complete_on_further_pages(tmp_path: Path) -> None:
    report = _report("pml_death")
    sentences = [f"Visit {n:04d} showed bleeding after the third course." for n in range(600)]
    report.narrative.narrative = " ".join(sentences) + " END-OF-NARRATIVE."
    data = _form(report)
    pages = page_count(data, tmp_path)
    assert pages >= 4
    text = one_line_text(data, tmp_path)
    assert "(continued on page 2)" in _page_one(text)
    assert "25a. REPORT TYPE" in _page_one(text)  # page 1 still holds every box
    assert "DESCRIBE REACTION(S) (continued from page 1)" in text
    assert f"Page {pages} of {pages}" in text
    text = _without_page_furniture(text)
    for sentence in sentences:
        assert sentence in text
    assert "END-OF-NARRATIVE." in text
    _first_page_on_paper(data, tmp_path)


def test_every_box_too_long_still_leaves_every_box_on_page_one(tmp_path: Path) -> None:
    data = load_case("pml_death")
    long = "Extraordinarily long entry for this box " * 40
    data["patient"]["medical_history_text"] = long + "HISTORY-END"
    data["reactions"] = [
        {**data["reactions"][0], "id": f"00000000-0000-4000-8000-{n:012d}", "verbatim": long[:250]}
        for n in range(12)
    ]
    data["drugs"][0]["reactions"] = []
    data["drugs"][0]["dosages"] = [
        {**data["drugs"][0]["dosages"][0], "course": n} for n in range(1, 21)
    ]
    data["drugs"][0]["indications"] = [{"text": f"Indication {n} {long[:200]}"} for n in range(5)]
    data["drugs"].append(
        {**data["drugs"][0], "id": "00000000-0000-4000-8000-999999999999", "role": "2"}
    )
    report = Report.model_validate(data)
    pdf = _form(report)
    text = one_line_text(pdf, tmp_path)
    first = _page_one(text)
    for label in BOX_LABELS:
        assert label in first, label
    assert first.count("(continued on page") >= 8
    assert "HISTORY-END" in text
    # Each "continued on page N" names a page where a continued box starts, and each such page
    # is named.
    pages = _pages(text)
    assert len(pages) == page_count(pdf, tmp_path) > 2
    named = {int(n) for n in re.findall(r"\(continued on page (\d+)\)", first)}
    starting = {n for n, page in enumerate(pages, 1) if "(continued from page 1)" in page}
    assert named == starting
    assert 1 not in starting
    assert "Course 20: 2024-03-10 to 2024-03-14" in text
    _first_page_on_paper(pdf, tmp_path)


def test_an_arabic_narrative_and_names_read_in_logical_order(tmp_path: Path) -> None:
    report = _report("itp_course2")
    report.narrative.narrative = (
        f"{ARABIC} بعد الدورة الثانية.\nPlatelets 12 on 2026-05-03; course 2 of LEMTRADA."
    )
    report.primary_sources[0].given_name = "عبدالله"
    report.primary_sources[0].family_name = "الغامدي"
    report.patient.initials = "ع غ"
    data = _form(report)
    text = one_line_text(data, tmp_path)
    assert f"{ARABIC} بعد الدورة الثانية" in text
    assert "Platelets 12 on 2026-05-03; course 2 of LEMTRADA." in text
    assert "عبدالله الغامدي" in text
    # Arabic initials in box 1, in logical order (poppler drops the narrow gap between them).
    assert "عغ" in _page_one(text).replace(" ", "")
    # The Arabic paragraph runs right to left: its first word is right of its second.
    found = {w.text: w for w in words(data, tmp_path)}
    first, second = found[ARABIC.split()[0]], found[ARABIC.split()[1]]
    assert first.y_min == pytest.approx(second.y_min)
    assert first.x_min > second.x_max
    # ... from the right edge of its box: box 7 + 13 (70% of the width) or a continuation page.
    right_edges = (MARGIN + 0.7 * (A4_WIDTH - 2 * MARGIN) - 1, A4_WIDTH - MARGIN)
    assert any(first.x_max == pytest.approx(edge, abs=2.5) for edge in right_edges)
    _first_page_on_paper(data, tmp_path)


def test_hostile_text_neither_crashes_nor_leaves_the_page(tmp_path: Path) -> None:
    report = _report("thyroid_graves")
    report.narrative.narrative = (
        "Start \u202eevil\u202c text " + "W" * 5000 + " " + "(" * 1500 + "\n" * 300 + "end"
    )
    report.reactions[0].verbatim = "\u202etxt.exe\u202c" + "X" * 240
    report.patient.initials = "\u202eAB"
    # Characters no shipped font has (CJK, an emoji) show as U+FFFD, not as nothing.
    report.narrative.reporter_comments = "\u60a3\u8005 \U0001fa78 comment-end"
    report.sender.organisation = "Pharma\x07 \u202eCo" + "Z" * 90
    data = _form(report, case_id="SA-LEMTRADAPV-\x00\x1b[31m000\u202e123")
    text = pdf_text(data, tmp_path)
    assert "\u202e" not in text and "\x1b" not in text and "\x00" not in text
    flat = " ".join(text.split())
    assert "Start evil text" in flat
    assert "SA-LEMTRADAPV- [31m000123" in flat
    assert flat.rstrip().endswith(
        f"Page {page_count(data, tmp_path)} of {page_count(data, tmp_path)}"
    )
    assert " end " in flat  # the narrative's last word, after 300 blank lines
    assert "\ufffd\ufffd \ufffd comment-end" in flat
    _first_page_on_paper(data, tmp_path)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        _form(_report("itp_course2"), language="fr")


def test_page_one_holds_every_box_at_its_fullest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every box's text too long for page 1 at once: page 1 still shows every box, cut with
    where it continues, within the margins; each box's text ends on a continuation page."""
    filled = cioms._boxes

    def overflowing(report: Report, **kw: Any) -> dict[str, cioms.Box]:
        boxes = filled(report, **kw)
        return {
            key: replace(box, text=f"Text of box {key} " * 150 + f"END-{key}")
            if key != "top"
            else box
            for key, box in boxes.items()
        }

    monkeypatch.setattr(cioms, "_boxes", overflowing)
    data = _form(_report("pml_death"))
    text = one_line_text(data, tmp_path)
    first = _page_one(text)
    for label in BOX_LABELS:
        assert label in first, label
    assert first.count("(continued on page") == len(cioms.BOXES) - 1
    rest = _without_page_furniture(text[len(first) :])
    for key in cioms.BOXES:
        if key != "top":
            assert f"Text of box {key} END-{key}" in rest
    _first_page_on_paper(data, tmp_path)
