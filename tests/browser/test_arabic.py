"""The report form in Arabic in Debian Chromium: the sidebar switch turns the document right to
left, a complete report filed with Arabic labels and Arabic texts gives a valid XML with the
texts tagged `ara`, screenshots of both languages at desktop and phone width, and axe-core
finds no WCAG 2.1 A/AA violation on the empty Arabic form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import axe_script, summary, violations
from tests.browser.test_report_journeys import (
    CASE_ID,
    ITP_TERM,
    Form,
    Screenshot,
    is_session_socket,
    read_report,
)
from ui.choices import arabic_choices
from ui.field_labels import arabic_titles
from ui.strings_ar import ARABIC

pytestmark = pytest.mark.browser
__all__ = ["axe_script"]  # the fixture, used by name

PHONE = {"width": 390, "height": 844}
SWITCH = "Language · اللغة"  # the switch names itself in both languages
VERBATIM = "نمشات ونزف لثوي، الصفائح 12 x10^3/µL"
NARRATIVE = (
    "حالة افتراضية للاختبار: نمشات بعد 20 شهرًا من الدورة الثانية، والصفائح 12 x10^3/µL؛ "
    "نُوِّمت المريضة وعولجت بـ IVIG."
)
SUBMITTED = re.compile(r"(SA-LEMTRADAPV-\d+)")


def title(path: str, required: bool = False) -> str:
    """A field's Arabic label from the model's title table, with its required marker."""
    return arabic_titles()[path] + (" *" if required else "")


class ArabicForm(Form):
    """The journeys' driver, finding the reaction's box by its Arabic heading."""

    def open(self, url: str) -> None:
        with self.page.expect_websocket(is_session_socket) as socket:
            self.page.goto(url)
        self._socket = socket.value
        self.page.locator('[data-testid="stTextInput"]').first.wait_for()
        self.idle()

    def reaction(self, n: int) -> Locator:
        heading = self.page.get_by_role("heading", name=f"{ARABIC['reaction.title'].format(n=n)}")
        return self.page.locator('[data-testid="stLayoutWrapper"]').filter(has=heading).last

    def to_arabic(self) -> None:
        self.radio(SWITCH, "العربية")
        expect(self.page.get_by_role("heading", name=ARABIC["section.reporter"])).to_be_visible()


@pytest.fixture
def form(page: Page, app_url: str) -> ArabicForm:
    driver = ArabicForm(page)
    driver.open(app_url)
    return driver


def direction(page: Page) -> tuple[str, str, str]:
    """The document's dir and lang, and the direction the app's text actually runs."""
    found = page.evaluate(
        """() => [document.documentElement.dir, document.documentElement.lang,
                  getComputedStyle(document.querySelector('[data-testid="stMain"] h1')).direction]"""
    )
    return (str(found[0]), str(found[1]), str(found[2]))


def test_the_switch_turns_the_document_right_to_left_and_the_url_keeps_it(
    form: ArabicForm, screenshot: Screenshot, app_url: str
) -> None:
    assert direction(form.page) == ("ltr", "en", "ltr")
    screenshot(form.page, "english-desktop")
    form.page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    form.page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    screenshot(form.page, "english-390")
    form.page.set_viewport_size(DESKTOP)
    form.to_arabic()
    assert direction(form.page) == ("rtl", "ar", "rtl")
    assert "lang=ar" in form.page.url
    h1 = form.page.locator('[data-testid="stMain"] h1').first
    expect(h1).to_have_text(ARABIC["app.title"])
    # Right to left: the title's text is flush with the right edge of its heading box.
    box = h1.bounding_box()
    text = h1.evaluate(
        "(e) => { const r = document.createRange(); r.selectNodeContents(e); "
        "const b = r.getBoundingClientRect(); return [b.left, b.right]; }"
    )
    assert box is not None
    assert abs(text[1] - (box["x"] + box["width"])) < 4
    assert text[0] - box["x"] > 20
    # A number input keeps its digits left to right.
    age = form.page.get_by_role("spinbutton", name=ARABIC["patient.age"], exact=True)
    assert age.evaluate("(e) => getComputedStyle(e).direction") == "ltr"
    screenshot(form.page, "arabic-desktop")
    form.page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    form.page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    screenshot(form.page, "arabic-390")
    form.page.set_viewport_size(DESKTOP)
    # A reload keeps Arabic (?lang=ar in the address).
    reloaded = ArabicForm(form.page)
    reloaded.open(form.page.url)
    assert direction(form.page)[:2] == ("rtl", "ar")
    expect(form.page.get_by_role("heading", name=ARABIC["section.reporter"])).to_be_visible()


def test_a_complete_report_filed_in_arabic_gives_valid_xml_tagged_ara(
    form: ArabicForm, screenshot: Screenshot, tmp_path: Path
) -> None:
    form.to_arabic()
    p = "primary_sources"
    form.text(title(f"{p}.title"), "Dr")
    form.text(title(f"{p}.given_name"), "نورة")
    form.text(title(f"{p}.family_name"), "Al-Example")
    form.choose(ARABIC["reporter.qualification"], ARABIC["profession.physician"])
    form.text(title(f"{p}.email"), "n.example@example.org")
    form.text(title(f"{p}.phone"), "+966 11 555 0100")
    form.text(title("patient.initials"), "SA")
    form.radio(title("patient.sex"), arabic_choices()["Sex.2"])
    form.number(ARABIC["patient.age"], 34)
    reaction = form.reaction(1)
    form.choose(ARABIC["reaction.group"], arabic_choices()["group.delayed_autoimmune"], reaction)
    form.choose(ARABIC["reaction.category"], arabic_choices()["category.itp"], reaction)
    form.choose(f"{ARABIC['reaction.term']} *", ITP_TERM, reaction)
    form.text(ARABIC["reaction.verbatim"], VERBATIM, reaction)
    form.text(title("reactions.start"), "2026-09-14", reaction)
    form.choose(title("reactions.outcome", required=True), arabic_choices()["Outcome.2"], reaction)
    form.tick(title("reactions.seriousness.hospitalisation"), reaction)
    form.number(ARABIC["lab.value"].format(name="Platelet count"), 12, reaction)
    form.text(ARABIC["lab.date"].format(name="Platelet count"), "14/09/2026", reaction)
    form.choose(ARABIC["lemtrada.courses"], "2")
    for n, (start, end) in enumerate(
        [("2024-01-08", "2024-01-12"), ("2025-01-13", "2025-01-15")], start=1
    ):
        form.text(ARABIC["lemtrada.course.start"].format(n=n), start)
        form.text(ARABIC["lemtrada.course.end"].format(n=n), end)
        form.text(ARABIC["lemtrada.course.batch"].format(n=n), f"SYN-LOT-{n}")
    form.text(f"{ARABIC['narrative.narrative']} *", NARRATIVE)
    # Typed Arabic with Latin units reads in order: each text takes its own first letter's
    # direction.
    box = form.page.get_by_role("textbox", name=f"{ARABIC['narrative.narrative']} *")
    assert box.evaluate("(e) => getComputedStyle(e).unicodeBidi") == "plaintext"
    screenshot(form.page, "arabic-filled")

    with form.rerun():
        form.page.get_by_role("button", name=ARABIC["review.submit"], exact=True).click()
    banner = form.page.get_by_text(ARABIC["done.title"].split(" {")[0])
    banner.first.wait_for()
    found = SUBMITTED.search(banner.first.inner_text())
    assert found is not None
    case_id = found.group(1)
    assert CASE_ID.fullmatch(case_id)
    screenshot(form.page, "arabic-confirmation")
    with form.page.expect_download() as download:
        form.page.get_by_role("button", name=ARABIC["done.xml"]).click()
    xml_file = tmp_path / "report.xml"
    download.value.save_as(xml_file)
    xml = xml_file.read_bytes()
    report = read_report(xml)  # schema and ICH rules pass, and it reads back
    [itp] = report.reactions
    assert (itp.term.code, itp.verbatim, itp.language) == ("10083842", VERBATIM, "ara")
    assert [(s.text, s.language) for s in report.narrative.summaries] == [(NARRATIVE, "ara")]
    assert report.narrative.narrative.startswith(NARRATIVE)
    assert report.reactions[0].outcome.value == "2"
    languages = {n.get("language") for n in etree.fromstring(xml).iter() if n.get("language")}
    assert languages == {"ara"}


def test_the_empty_arabic_form_has_no_wcag_violation(form: ArabicForm, axe_script: Path) -> None:
    form.to_arabic()
    found = violations(form.page, axe_script)
    assert found == [], summary(found)
