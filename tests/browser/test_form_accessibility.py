"""The report form's ARIA and focus in Debian Chromium (issue 11): axe-core after a failed submit
and on the confirmation, focus moved where the page asks the user to look, invalid and required
fields announced as such, the seriousness tick boxes one group, a report filed with the keyboard
alone, and the form on a 390 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.test_accessibility import axe_script, summary, violations
from tests.browser.test_report_journeys import (
    ITP_TERM,
    SUBMIT,
    Form,
    Screenshot,
    error_under,
    fill_lemtrada,
    fill_patient,
    fill_reporter,
    wait_for_confirmation,
)

pytestmark = pytest.mark.browser
__all__ = ["axe_script"]  # the fixture, shared with test_accessibility

PROBLEMS = ".st-key-problems_at_submit"
FOCUSED_IN_PROBLEMS = f"() => !!document.activeElement?.closest('{PROBLEMS}')"
FOCUSED_TEXT = "() => document.activeElement ? document.activeElement.textContent.trim() : ''"


@pytest.fixture
def form(page: Page, app_url: str) -> Form:
    driver = Form(page)
    driver.open(app_url)
    return driver


def focus_in_problems(page: Page) -> bool:
    return bool(page.evaluate(FOCUSED_IN_PROBLEMS))


def test_after_a_failed_submit_the_focus_is_on_the_problem_list_and_axe_finds_nothing(
    form: Form, axe_script: Path
) -> None:
    form.text("E-mail", "not-an-address")
    form.submit()
    page = form.page
    page.wait_for_function(FOCUSED_IN_PROBLEMS)
    problems = page.locator(PROBLEMS)
    expect(problems.get_by_role("link").first).to_be_visible()
    assert problems.get_by_role("listitem").count() >= 3
    found = violations(page, axe_script)
    assert found == [], summary(found)


def test_an_invalid_field_is_marked_and_described_by_its_visible_message(form: Form) -> None:
    form.text("E-mail", "not-an-address")
    form.submit()
    page = form.page
    reaction = form.reaction(1)
    outcome = reaction.get_by_role("combobox", name="Outcome *", exact=True)
    mail = page.get_by_role("textbox", name="E-mail", exact=True)
    for field, says in ((outcome, "outcome is required"), (mail, "e-mail")):
        expect(field).to_have_attribute("aria-invalid", "true")
        described = field.get_attribute("aria-describedby")
        assert described, "no aria-describedby"
        message = page.locator(f"[id='{described.split()[-1]}']")
        expect(message).to_be_visible()
        expect(message).to_contain_text(says)
        expect(field).to_have_accessible_description(message.inner_text().strip())
    # A field without problems is not marked; corrected and checked again, the mark goes.
    expect(page.get_by_role("textbox", name="Title", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    form.text("E-mail", "n.example@example.org")
    with form.rerun():
        page.get_by_role("button", name="Check my report").click()
    expect(outcome).to_have_attribute("aria-invalid", "true")
    expect(mail).not_to_have_attribute("aria-invalid", "true")
    assert not (mail.get_attribute("aria-describedby") or "").endswith("-error")


def test_required_fields_are_announced_and_seriousness_is_one_group(form: Form) -> None:
    page = form.page
    reaction = form.reaction(1)
    expect(reaction.get_by_role("combobox", name="Outcome *", exact=True)).to_have_attribute(
        "aria-required", "true"
    )
    expect(page.get_by_role("textbox", name="Case narrative *", exact=True)).to_have_attribute(
        "aria-required", "true"
    )
    expect(page.get_by_role("textbox", name="Title", exact=True)).not_to_have_attribute(
        "aria-required", "true"
    )
    group = reaction.get_by_role("group", name="Seriousness (tick all that apply)")
    expect(group).to_have_count(1)
    expect(group.get_by_role("checkbox")).to_have_count(6)


def test_a_new_reaction_takes_the_focus_to_its_heading(form: Form) -> None:
    with form.rerun():
        form.page.get_by_role("button", name="Add another reaction").click()
    form.page.wait_for_function(f"() => ({FOCUSED_TEXT})() === 'Reaction 2'")
    expect(form.page.get_by_role("heading", name="Reaction 2", exact=True)).to_be_in_viewport()


def fill_itp_reaction(form: Form) -> None:
    reaction = form.reaction(1)
    form.choose("Event group", "Delayed autoimmune", reaction)
    form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    form.choose("MedDRA term *", ITP_TERM, reaction)
    form.text("Start date", "2026-09-14", reaction)
    form.choose("Outcome *", "Recovering / resolving", reaction)


def test_the_confirmation_takes_the_focus_and_has_no_wcag_violation(
    form: Form, axe_script: Path
) -> None:
    fill_reporter(form)
    fill_patient(form)
    fill_itp_reaction(form)
    fill_lemtrada(form)
    form.text("Case narrative *", "Synthetic case: petechiae 20 months after course 2.")
    form.submit()
    case_id = wait_for_confirmation(form)
    form.page.wait_for_function(f"() => ({FOCUSED_TEXT})() === 'Report {case_id} submitted'")
    found = violations(form.page, axe_script)
    assert found == [], summary(found)


def test_the_form_fits_a_390_px_phone(
    browser: Browser, app_url: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        form = Form(context.new_page())
        form.open(app_url)
        page = form.page
        links = page.locator(".st-key-progress").get_by_role("link")
        expect(links).to_have_count(10)
        overflow = page.evaluate(
            """() => Math.max(document.documentElement.scrollWidth,
                              document.querySelector('[data-testid="stMain"]').scrollWidth)
                     - window.innerWidth"""
        )
        assert overflow <= 0, f"the page is {overflow} px wider than the phone"
        # The section list's last link leads to the submit button, which fits on the screen.
        links.last.click()
        submit = page.get_by_role("button", name=SUBMIT, exact=True)
        expect(submit).to_be_in_viewport()
        box = submit.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        screenshot(page, "phone-form")
    finally:
        context.close()


# The accessible name of the focused element, as far as this form needs: its aria-label, its
# label, or its text.
FOCUSED_NAME = """() => {
  const e = document.activeElement;
  if (!e) return '';
  const label = e.getAttribute('aria-label') || (e.labels && e.labels[0]?.textContent)
    || e.closest('label')?.textContent || e.textContent || '';
  return label.trim();
}"""
MOST_TAB_STOPS = 400


class Keyboard:
    """Fills the form with key presses only: Tab and Shift+Tab to a field, then typing, Enter,
    Space or arrow keys, the way a person without a mouse does."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.keys = form.page.keyboard

    def focused(self) -> str:
        return str(self.form.page.evaluate(FOCUSED_NAME))

    def to(self, name: str, *, back: bool = False) -> None:
        """Tab (or Shift+Tab) until the focus is on the element called `name`."""
        for _ in range(MOST_TAB_STOPS):
            if self.focused() == name:
                return
            self.keys.press("Shift+Tab" if back else "Tab")
        pytest.fail(f"Tab never reached {name!r}")

    def type(self, name: str, value: str) -> None:
        self.to(name)
        self.keys.type(value)
        with self.form.rerun():
            self.keys.press("Tab")  # a text input commits when left

    def number(self, name: str, value: str) -> None:
        self.to(name)
        self.keys.type(value)
        with self.form.rerun():
            self.keys.press("Enter")

    def choose(self, name: str, typed: str, option: str) -> None:
        """Type to filter a drop-down, arrow down to the option, Enter to take it.

        A rerun still under way from the field just left can redraw the list while it is
        open; the choice is then made again, as a person would, from the settled page."""
        page = self.form.page
        box = page.get_by_role("combobox", name=name).first
        for _attempt in range(3):
            self.form.idle()
            if box.input_value() == option:
                break
            self.to(name)
            self.keys.type(typed)
            wanted = page.get_by_role("option", name=option, exact=True)
            expect(wanted).to_be_visible()
            try:
                with self.form.rerun():
                    # Typing may already point at the first match (aria-activedescendant).
                    for _ in range(page.get_by_role("option").count() + 1):
                        active = box.get_attribute("aria-activedescendant")
                        if active == wanted.get_attribute("id"):
                            break
                        self.keys.press("ArrowDown")
                    self.keys.press("Enter")
            except PlaywrightTimeout:
                self.keys.press("Escape")  # the list was redrawn under the keys: nothing taken
        expect(box).to_have_value(option)


def test_a_report_is_filed_with_the_keyboard_alone(form: Form) -> None:
    keys = Keyboard(form)
    page = form.page
    keys.type("Given name", "Noura")
    keys.type("Family name", "Al-Example")
    keys.choose("Your profession", "Pharm", "Pharmacist")
    keys.type("E-mail", "n.example@example.org")
    keys.to("Telephone", back=True)  # back up a field
    keys.keys.type("+966 11 555 0100")
    with form.rerun():
        keys.keys.press("Tab")
    keys.type("Patient initials", "SA")
    keys.to("Male")
    with form.rerun():
        keys.keys.press("ArrowRight")  # arrow keys move through a radio group, choosing
    expect(page.get_by_role("radio", name="Female")).to_be_checked()
    keys.number("Age", "34")
    keys.choose("Event group", "Delayed", "Delayed autoimmune")
    keys.choose("Guide category", "Immune thr", "Immune thrombocytopenic purpura (ITP)")
    keys.choose("MedDRA term *", "Immune thrombocytopenia (PT", ITP_TERM)
    keys.type("Start date", "2026-09-14")
    keys.choose("Outcome *", "Recovering", "Recovering / resolving")
    keys.to("Caused or prolonged hospitalisation")
    with form.rerun():
        keys.keys.press("Space")
    expect(page.get_by_role("checkbox", name="Caused or prolonged hospitalisation")).to_be_checked()
    keys.type("Course 1: first infusion date", "2024-01-08")
    keys.type("Course 1: last infusion date", "2024-01-12")
    keys.type("Case narrative *", "Synthetic case: petechiae 20 months after course 1.")
    keys.to(SUBMIT)
    with form.rerun():
        keys.keys.press("Enter")
    case_id = wait_for_confirmation(form)
    page.wait_for_function(f"() => ({FOCUSED_TEXT})() === 'Report {case_id} submitted'")


# ---------------------------------------------------------------- the same states in Arabic


def to_arabic(form: Form) -> None:
    """The sidebar's language switch: the page redraws in Arabic, answers and state kept."""
    with form.rerun():
        form.page.get_by_test_id("stSidebar").get_by_text("العربية", exact=True).click()
    expect(form.page.locator("html")).to_have_attribute("dir", "rtl")


@pytest.mark.parametrize("state", ["category", "failed submit", "confirmation"])
def test_the_arabic_form_has_no_wcag_violation(form: Form, axe_script: Path, state: str) -> None:
    if state == "category":
        reaction = form.reaction(1)
        form.choose("Event group", "Delayed autoimmune", reaction)
        form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    elif state == "failed submit":
        form.text("E-mail", "not-an-address")
        form.submit()
    else:
        fill_reporter(form)
        fill_patient(form)
        fill_itp_reaction(form)
        fill_lemtrada(form)
        form.text("Case narrative *", "Synthetic case: petechiae 20 months after course 2.")
        form.submit()
        wait_for_confirmation(form)
    to_arabic(form)
    found = violations(form.page, axe_script)
    assert found == [], summary(found)


def test_a_death_without_its_cause_is_refused_at_the_cause_field(form: Form) -> None:
    """Results in death ticked: the death details appear, and without a cause the submit is
    refused with the reason under the cause field."""
    reaction = form.reaction(1)
    form.tick("Results in death", reaction)
    cause = form.page.get_by_role("textbox", name="Cause(s) of death as reported (one per line)")
    expect(cause).to_be_visible()
    form.submit()
    message = error_under(cause)
    expect(message).to_contain_text("cause")
    assert cause.get_attribute("aria-invalid") == "true"
