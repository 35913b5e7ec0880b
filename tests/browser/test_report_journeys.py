"""The report form as a healthcare professional uses it, in Debian Chromium: complete ITP and
pregnancy reports submitted and their XML, mail link and .eml checked; field errors shown where
they belong; answers kept across pages; hostile text that breaks neither page, XML nor e-mail."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from e2b.reader import read_bytes
from e2b.validate import validate_bytes
from pv.model import Report

pytestmark = pytest.mark.browser

SFDA = "npc.drug@sfd.gov.sa"
MAH = "Ksa_pharmacovigilance@sanofi.com"
CASE_ID = re.compile(r"SA-LEMTRADAPV-\d+")
SUBMITTED = re.compile(r"Report (SA-LEMTRADAPV-\d+) submitted")
PLATELET_COUNT = "10035525"  # MedDRA test name of the guide's "Platelet count" lab
ITP_TERM = "Immune thrombocytopenia (PT 10083842)"
PREGNANCY_TERM = "Exposure during pregnancy (PT 10073513)"
SUBMIT = "Check and submit report"
Screenshot = Callable[[Page, str], Path]  # the conftest fixture: page, name -> saved file

SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def is_session_socket(socket: WebSocket) -> bool:
    return socket.url.endswith("/_stcore/stream")


def is_run_finished(payload: bytes | str) -> bool:
    """A server message saying a script run has ended (not one cut short by a newer rerun)."""
    if not isinstance(payload, bytes):
        return False
    message = ForwardMsg()
    message.ParseFromString(payload)
    return (
        message.WhichOneof("type") == "script_finished"
        and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
    )


class Form:
    """Drives the Streamlit form by label and role, the way a person fills it in.

    Every change that commits a value waits for the rerun it causes, so the next step sees the
    page the server drew for it.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self._socket: WebSocket | None = None

    def open(self, url: str) -> None:
        with self.page.expect_websocket(is_session_socket) as socket:
            self.page.goto(url)
        self._socket = socket.value
        self.page.get_by_role("textbox", name="Given name", exact=True).wait_for()
        self.idle()

    def idle(self) -> None:
        """Until the page shows no script running and has drawn what it received."""
        self.page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        expect(self.page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
        self.page.evaluate(SETTLED)
        self.no_exception()

    def no_exception(self) -> None:
        """The page drew no Python exception (Streamlit shows one in place of the rest)."""
        shown = self.page.locator('[data-testid="stException"]')
        if shown.count():
            pytest.fail(f"the page shows an exception: {shown.first.inner_text()[:1000]}")

    @contextmanager
    def rerun(self) -> Iterator[None]:
        """The action inside starts a rerun: wait for the server to say the script finished,
        then for the page to show it. (The page's own running flag is no proof: when the
        browser is slow, React may draw "running" and "not running" as one update.)"""
        assert self._socket is not None, "open() the form first"
        with self._socket.expect_event("framereceived", predicate=is_run_finished):
            yield
        self.idle()

    def reaction(self, n: int) -> Locator:
        """Reaction n's bordered box (its inputs repeat the other reactions' labels)."""
        heading = self.page.get_by_role("heading", name=f"Reaction {n}", exact=True)
        return self.page.locator('[data-testid="stLayoutWrapper"]').filter(has=heading).last

    def text(self, label: str, value: str, scope: Page | Locator | None = None) -> None:
        box = (scope or self.page).get_by_role("textbox", name=label, exact=True)
        with self.rerun():
            box.fill(value)
            box.press("Tab")  # text inputs and areas commit on blur

    def type(self, label: str, value: str, scope: Page | Locator | None = None) -> None:
        """Key by key, as a person types (fill() is a paste)."""
        box = (scope or self.page).get_by_role("textbox", name=label, exact=True)
        with self.rerun():
            box.press_sequentially(value)
            box.press("Tab")

    def number(self, label: str, value: float, scope: Page | Locator | None = None) -> None:
        box = (scope or self.page).get_by_role("spinbutton", name=label, exact=True)
        with self.rerun():
            box.fill(str(value))
            box.press("Enter")

    def choose(self, label: str, option: str, scope: Page | Locator | None = None) -> None:
        """Open a drop-down and pick an option by its text."""
        box = (scope or self.page).get_by_role("combobox", name=label, exact=True)
        if box.input_value() == option:
            return  # already chosen: picking it again changes nothing and starts no rerun
        choice = self.page.get_by_role("option", name=option, exact=True)
        with self.rerun():
            for _attempt in range(3):
                # The list closes whenever the page scrolls (react-aria), and a rerun that
                # changes the height above moves the page: centre the box, let the scroll end,
                # and try again if the list closed before the click.
                box.evaluate("(e) => e.scrollIntoView({block: 'center'})")
                self.page.evaluate(SETTLED)
                box.click()
                try:
                    choice.click(timeout=3_000)
                    expect(box).to_have_value(option, timeout=3_000)
                    break
                except (PlaywrightTimeout, AssertionError):
                    continue
            else:
                pytest.fail(f"could not choose {option!r} in {label!r}")

    def radio(self, group: str, option: str) -> None:
        with self.rerun():
            self.page.get_by_role("radiogroup", name=group).get_by_text(option, exact=True).click()

    def tick(self, label: str, scope: Page | Locator | None = None) -> None:
        where = scope or self.page
        with self.rerun():
            where.get_by_text(label, exact=True).click()
        expect(where.get_by_role("checkbox", name=label, exact=True)).to_be_checked()

    def submit(self) -> None:
        with self.rerun():
            self.page.get_by_role("button", name=SUBMIT, exact=True).click()


@dataclass
class Confirmation:
    """What the confirmation offers, fetched as the user would."""

    case_id: str
    xml_name: str
    xml: bytes
    mailto: str
    eml: EmailMessage


@pytest.fixture
def form(page: Page, app_url: str) -> Form:
    driver = Form(page)
    driver.open(app_url)
    return driver


def wait_for_confirmation(form: Form) -> str:
    """The case ID from the confirmation banner (failing with the page's errors if refused)."""
    banner = form.page.get_by_text(SUBMITTED)
    try:
        banner.wait_for()
    except PlaywrightTimeout:
        errors = form.page.locator('[data-testid="stAlert"]').all_inner_texts()
        pytest.fail(f"no confirmation; the page says: {errors}")
    found = SUBMITTED.search(banner.inner_text())
    assert found is not None
    return found.group(1)


def collect(form: Form, case_id: str, tmp_path: Path) -> Confirmation:
    page = form.page
    # The download buttons do not rerun the page (on_click="ignore"): only the file comes.
    with page.expect_download() as xml_download:
        page.get_by_role("button", name="Download E2B(R3) XML").click()
    xml_file = tmp_path / "report.xml"
    xml_download.value.save_as(xml_file)
    with page.expect_download() as eml_download:
        page.get_by_role("button", name="Download e-mail with attachment (.eml)").click()
    eml_file = tmp_path / "report.eml"
    eml_download.value.save_as(eml_file)
    assert eml_download.value.suggested_filename == f"{case_id}.eml"
    href = page.get_by_role("link", name="Open pre-filled e-mail").get_attribute("href")
    assert href is not None
    message = email.message_from_bytes(eml_file.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return Confirmation(
        case_id=case_id,
        xml_name=xml_download.value.suggested_filename,
        xml=xml_file.read_bytes(),
        mailto=href,
        eml=message,
    )


def read_report(xml: bytes) -> Report:
    """The submitted XML passes the project's validator and reads back into the model."""
    assert validate_bytes(xml) == []
    batch = read_bytes(xml)
    assert len(batch.reports) == 1
    report = batch.reports[0].report
    assert report is not None, batch.reports[0].findings
    return Report.from_icsr(report)


def check_mail(done: Confirmation, *, serious: bool) -> None:
    """mailto: link and .eml both go to SFDA with the MAH in copy, naming the case."""
    link = urlsplit(done.mailto)
    assert link.scheme == "mailto"
    assert unquote(link.path) == SFDA
    query = parse_qs(link.query, strict_parsing=True)
    assert query["cc"] == [MAH]
    [subject] = query["subject"]
    assert done.case_id in subject
    assert "LEMTRADA" in subject
    assert ("SERIOUS" in subject) is serious
    assert "\n" not in subject and "\r" not in subject

    eml = done.eml
    assert eml["To"] == SFDA
    assert eml["Cc"] == MAH
    assert eml["Bcc"] is None
    assert done.case_id in eml["Subject"]
    assert "LEMTRADA" in eml["Subject"]
    attachments = list(eml.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{done.case_id}.xml"]
    assert attachments[0].get_content_type() == "application/xml"
    assert attachments[0].get_payload(decode=True) == done.xml


def fill_reporter(form: Form) -> None:
    form.text("Title", "Dr")
    form.text("Given name", "Noura")
    form.text("Family name", "Al-Example")
    form.choose("Your profession", "Physician")
    form.text("E-mail", "n.example@example.org")
    form.text("Telephone", "+966 11 555 0100")


def fill_patient(form: Form) -> None:
    form.text("Patient initials", "SA")
    form.radio("Sex", "Female")
    form.number("Age", 34)


def fill_lemtrada(form: Form) -> None:
    form.choose("Number of courses received", "2")
    form.text("Course 1: first infusion date", "2024-01-08")
    form.text("Course 1: last infusion date", "2024-01-12")
    form.text("Course 1: batch / lot number", "SYN-LOT-11")
    form.text("Course 2: first infusion date", "2025-01-13")
    form.text("Course 2: last infusion date", "2025-01-15")
    form.text("Course 2: batch / lot number", "SYN-LOT-77")


def test_itp_report_is_submitted_with_valid_xml_mail_link_and_eml(
    form: Form, screenshot: Screenshot, tmp_path: Path
) -> None:
    fill_reporter(form)
    fill_patient(form)
    reaction = form.reaction(1)
    form.choose("Event group", "Delayed autoimmune", reaction)
    form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    form.choose("MedDRA term *", ITP_TERM, reaction)
    form.text("Reaction in the reporter's words", "Petechiae, platelets 12", reaction)
    form.text("Start date", "2026-09-14", reaction)
    form.choose("Outcome *", "Recovering / resolving", reaction)
    form.tick("Caused or prolonged hospitalisation", reaction)
    form.text("Platelet count: date", "14/09/2026", reaction)
    form.number("Platelet count: result", 12, reaction)
    form.number("Platelet count: normal low", 150, reaction)
    form.number("Platelet count: normal high", 400, reaction)
    fill_lemtrada(form)
    form.text(
        "Case narrative *",
        "Synthetic case: petechiae 20 months after course 2; platelets 12 x10^9/L; admitted.",
    )
    screenshot(form.page, "itp-form")

    form.submit()
    case_id = wait_for_confirmation(form)
    screenshot(form.page, "itp-confirmation")
    done = collect(form, case_id, tmp_path)

    assert CASE_ID.fullmatch(case_id)
    assert done.xml_name == f"{case_id}.xml"
    report = read_report(done.xml)
    assert report.case.sender_report_id == case_id
    [itp] = report.reactions
    assert itp.term.code == "10083842"
    assert itp.verbatim == "Petechiae, platelets 12"
    assert itp.start == "2026-09-14"
    assert itp.seriousness.hospitalisation
    [platelets] = report.tests
    assert platelets.test is not None and platelets.test.code == PLATELET_COUNT
    assert platelets.date == "2026-09-14"
    assert platelets.result is not None and platelets.result.value == 12
    assert (platelets.normal_low, platelets.normal_high) == (Decimal(150), Decimal(400))
    lemtrada = report.drugs[0]
    assert [(d.course, d.start, d.end, d.batch) for d in lemtrada.dosages] == [
        (1, "2024-01-08", "2024-01-12", "SYN-LOT-11"),
        (2, "2025-01-13", "2025-01-15", "SYN-LOT-77"),
    ]
    check_mail(done, serious=True)
    # The one-page receipt names the case, its private link and the reaction.
    with form.page.expect_download() as receipt:
        form.page.get_by_role("button", name="Download receipt (PDF)").click()
    assert receipt.value.suggested_filename == f"{case_id}-receipt.pdf"
    pdf = tmp_path / "receipt.pdf"
    receipt.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert case_id in text
    assert re.search(r"\?draft=[A-Za-z0-9_-]{43}", text), text
    assert "mmune thrombocytopeni" in text
    # ... and the CIOMS I form of the same report.
    with form.page.expect_download() as cioms:
        form.page.get_by_role("button", name="Download CIOMS I form (PDF)").click()
    cioms_pdf = tmp_path / "cioms.pdf"
    cioms.value.save_as(cioms_pdf)
    form_text = subprocess.run(
        ["pdftotext", "-layout", str(cioms_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert case_id in form_text and "[X]" in form_text


def test_pregnancy_exposure_report_sends_lmp_and_gestation(form: Form, tmp_path: Path) -> None:
    fill_reporter(form)
    reaction = form.reaction(1)
    # The category comes before the patient's sex: the other order hits the bug pinned by
    # test_choosing_pregnancy_for_a_female_patient_keeps_the_page_working.
    form.choose("Event group", "Pregnancy and breastfeeding", reaction)
    form.choose("Guide category", "Exposure during pregnancy", reaction)
    fill_patient(form)
    form.choose("MedDRA term *", PREGNANCY_TERM, reaction)
    form.text("Start date", "2026-04-06", reaction)
    form.choose("Outcome *", "Unknown", reaction)
    form.text("Last menstrual period", "2026-03-01", reaction)
    form.number("Gestational age at exposure (weeks)", 5, reaction)
    form.choose("Pregnancy outcome", "Pregnancy ongoing", reaction)
    form.text("Course 1: first infusion date", "2026-04-06")
    form.text("Course 1: last infusion date", "2026-04-10")
    form.text(
        "Case narrative *", "Synthetic case: course 1 given in week 5 of an unknown pregnancy."
    )

    form.submit()
    case_id = wait_for_confirmation(form)
    done = collect(form, case_id, tmp_path)

    assert done.xml_name == f"{case_id}.xml"
    report = read_report(done.xml)
    assert report.patient.last_menstrual_period == "2026-03-01"  # D.6
    gestation = report.drugs[0].gestation_at_exposure  # G.k.6
    assert gestation is not None
    assert (gestation.value, gestation.unit.value) == (Decimal(5), "wk")
    [exposure] = report.reactions
    assert exposure.term.code == "10073513"
    assert not exposure.seriousness.serious
    assert "Pregnancy outcome (reaction 1): Pregnancy ongoing" in report.narrative.narrative
    check_mail(done, serious=False)


def review_summary(page: Page) -> Locator:
    """The summary list in section 8, which repeats what was typed."""
    return page.get_by_test_id("stMarkdownContainer").filter(has_text="Reporter:")


def visible_text(element: Locator) -> str:
    """The text a person reads: invisible format characters (e.g. a word joiner the page may
    put in to keep an address from becoming a link) left out."""
    return "".join(c for c in element.inner_text() if unicodedata.category(c) != "Cf")


def error_under(field: Locator) -> Locator:
    """The red message Streamlit draws right after a field's element."""
    return field.locator(
        'xpath=ancestor::*[@data-testid="stElementContainer"][1]/following-sibling::*[1]'
    ).locator('[data-testid="stMarkdownContainer"]')


def test_an_invalid_report_shows_the_problems_at_the_top_and_under_the_fields(
    form: Form, screenshot: Screenshot
) -> None:
    form.text("E-mail", "not-an-address")
    reaction = form.reaction(1)
    form.text("Start date", "2031-02-30", reaction)

    form.submit()
    lists = form.page.locator('[data-testid="stAlert"]').filter(has_text="cannot be submitted yet")
    expect(lists).to_have_count(2)  # at the top, and at the submit button
    summary = lists.first
    expect(lists.last).to_be_in_viewport()  # the page stays at the button: the list is there
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("outcome is required")
    screenshot(form.page, "invalid-report")

    mail = form.page.get_by_role("textbox", name="E-mail", exact=True)
    expect(mail).to_have_value("not-an-address")  # kept for correction
    mail_error = error_under(mail)
    expect(mail_error).to_contain_text("e-mail")
    outcome = reaction.get_by_role("combobox", name="Outcome *", exact=True)
    expect(error_under(outcome)).to_contain_text("outcome is required")
    start = reaction.get_by_role("textbox", name="Start date", exact=True)
    expect(error_under(start)).to_contain_text("Reaction 1")
    red = mail_error.locator("span").first.evaluate("(e) => getComputedStyle(e).color")
    assert red.startswith("rgb(") and red != "rgb(0, 0, 0)", red
    expect(form.page.get_by_text(SUBMITTED)).to_have_count(0)

    # Each problem in the list at the button links to its field, some 4,000 px up the page.
    expect(mail).not_to_be_in_viewport()
    lists.last.get_by_role("link", name="e-mail").first.click()
    expect(mail).to_be_in_viewport()
    expect(mail).to_have_value("not-an-address")  # a jump on the page, not a reload


def test_a_date_is_checked_when_its_field_is_left(form: Form) -> None:
    reaction = form.reaction(1)
    form.text("Start date", "2031-02", reaction)
    start = reaction.get_by_role("textbox", name="Start date", exact=True)
    expect(error_under(start)).to_contain_text("in the future")
    form.text("Start date", "March 2025", reaction)
    expect(error_under(start)).to_contain_text("not a date")


def test_choosing_pregnancy_for_a_female_patient_keeps_the_page_working(form: Form) -> None:
    form.radio("Sex", "Female")
    expect(form.page.get_by_role("textbox", name="Last menstrual period")).to_have_count(1)
    reaction = form.reaction(1)
    form.choose("Event group", "Pregnancy and breastfeeding", reaction)
    form.choose("Guide category", "Exposure during pregnancy", reaction)
    expect(form.page.get_by_role("textbox", name="Last menstrual period")).to_have_count(1)
    expect(reaction.get_by_role("textbox", name="Last menstrual period")).to_have_count(1)


def test_a_category_without_terms_asks_for_the_code_straight_away(form: Form) -> None:
    reaction = form.reaction(1)
    form.choose("Event group", "Other", reaction)
    form.choose("Guide category", "Other suspected adverse reaction", reaction)
    # The page has finished its rerun: what it shows now is final.
    expect(reaction.get_by_role("textbox", name="MedDRA LLT code (8 digits) *")).to_be_visible(
        timeout=1_000
    )


def test_typed_addresses_and_urls_stay_plain_text(form: Form) -> None:
    form.text("Given name", "evil@example.com")
    form.text("Family name", "https://evil.example/x")
    summary = review_summary(form.page)
    assert "evil@example.com https://evil.example/x" in visible_text(summary)
    expect(summary.locator("a")).to_have_count(0, timeout=1_000)


def test_answers_survive_a_visit_to_the_guide_page(form: Form) -> None:
    form.text("Given name", "Noura")
    form.radio("Sex", "Female")
    form.number("Age", 34)
    reaction = form.reaction(1)
    form.choose("Event group", "Delayed autoimmune", reaction)
    form.choose("Guide category", "Immune thrombocytopenic purpura (ITP)", reaction)
    form.text("Case narrative *", "Typed before looking at the guide.")
    sidebar = form.page.get_by_test_id("stSidebarNav")

    with form.rerun():
        sidebar.get_by_role("link", name="About and guide").click()
    expect(
        form.page.get_by_role("heading", name="About this tool and the LEMTRADA guide")
    ).to_be_visible()
    expect(form.page.get_by_role("textbox", name="Given name", exact=True)).to_have_count(0)
    with form.rerun():
        sidebar.get_by_role("link", name="Report a reaction").click()

    page = form.page
    expect(page.get_by_role("textbox", name="Given name", exact=True)).to_have_value("Noura")
    expect(page.get_by_role("radio", name="Female")).to_be_checked()
    expect(page.get_by_role("spinbutton", name="Age", exact=True)).to_have_value("34")
    reaction = form.reaction(1)
    expect(reaction.get_by_role("combobox", name="Event group", exact=True)).to_have_value(
        "Delayed autoimmune"
    )
    expect(reaction.get_by_role("combobox", name="Guide category", exact=True)).to_have_value(
        "Immune thrombocytopenic purpura (ITP)"
    )
    expect(reaction.get_by_role("spinbutton", name="Platelet count: result")).to_be_visible()
    expect(page.get_by_role("textbox", name="Case narrative *", exact=True)).to_have_value(
        "Typed before looking at the guide."
    )


def test_the_form_works_at_tablet_width(
    browser: Browser, app_url: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    try:
        form = Form(context.new_page())
        form.open(app_url)
        page = form.page
        for section in ("1. Reporter", "3. What happened", "8. Review and submit"):
            expect(page.get_by_role("heading", name=section, exact=True)).to_be_attached()
        form.text("Given name", "Noura")
        form.choose("Your profession", "Pharmacist")
        expect(page.get_by_role("textbox", name="Given name", exact=True)).to_have_value("Noura")
        main = page.get_by_test_id("stMain")
        overflow = main.evaluate("(e) => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"the form is {overflow} px wider than a tablet"
        screenshot(form.page, "tablet-form")
    finally:
        context.close()


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CRLF = "Line1\r\nBcc: evil@example.com"
ARABIC = "تقرير عن رد فعل"
EMOJI = "🩸💉"
# 10,000 characters for the 10,000- and 20,000-character areas; no emoji here, since the browser
# counts an emoji as two characters against the limit.
LONG = (f"{SCRIPT} {IMG} {ARABIC} \r\nBcc: evil@example.com ¶ " * 120)[:10_000]
LONG_LINE = f"{SCRIPT} {ARABIC} " * 3  # 123 characters, typed into 60- and 35-character inputs
# Every header a draft may carry (pv.email.build_eml): an injected Bcc would be an extra one.
MAIL_HEADERS = {
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "x-unsent",
    "mime-version",
    "content-type",
}
UNLISTED_CODE = "10012345"  # eight digits the guide does not list: the subject uses the words


def test_hostile_text_breaks_neither_page_nor_xml_nor_email(
    form: Form, screenshot: Screenshot, tmp_path: Path
) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    form.page.on("dialog", refuse)
    page = form.page
    form.text("Title", SCRIPT)
    form.text("Given name", IMG)
    form.text("Family name", CRLF)
    form.choose("Your profession", "Physician")
    form.text("Organisation", f"{ARABIC} {EMOJI}")
    # Streamlit refuses a paste longer than an input's limit (the model's max length) whole,
    # and stops typing at the limit.
    department = page.get_by_role("textbox", name="Department", exact=True)
    department.fill(LONG)
    expect(department).to_have_value("")
    form.type("Department", LONG_LINE[:80])
    form.text("City", f"{EMOJI}{ARABIC}")
    form.text("Patient initials", "<b>")
    form.text("Relevant medical history", LONG)
    form.text("Other previous medicines (one per line)", CRLF)
    reaction = form.reaction(1)
    form.choose("Event group", "Other", reaction)
    form.choose("Guide category", "Other suspected adverse reaction", reaction)
    # The category lists no terms, yet "Other" is not preselected (the bug pinned by
    # test_a_category_without_terms_asks_for_the_code_straight_away): choose it.
    form.choose("MedDRA term *", "Other MedDRA term (type the code)", reaction)
    form.text("MedDRA LLT code (8 digits) *", UNLISTED_CODE, reaction)
    form.text("Reaction in the reporter's words", f"{CRLF} {SCRIPT} {ARABIC} {EMOJI}", reaction)
    form.choose("Outcome *", "Unknown", reaction)
    form.type("Course 1: batch / lot number", LONG_LINE[:50])
    form.text("Case narrative *", LONG)
    form.text("Your comments", f"{IMG}\r\n{CRLF}\r\n{ARABIC} {EMOJI}")

    # Single-line inputs take no line breaks; typing stops at the model's limits.
    family = page.get_by_role("textbox", name="Family name", exact=True).input_value()
    words = reaction.get_by_role("textbox", name="Reaction in the reporter's words").input_value()
    for one_line in (family, words):
        assert "Bcc: evil@example.com" in one_line
        assert "\r" not in one_line and "\n" not in one_line
    expect(department).to_have_value(LONG_LINE[:60])
    expect(page.get_by_role("textbox", name="Course 1: batch / lot number")).to_have_value(
        LONG_LINE[:35]
    )
    # What was typed is shown as text in the summary, never as markup.
    assert f"{SCRIPT} {IMG} {family}" in visible_text(review_summary(page))
    # (The one script in the page is its own: ui.a11y's.)
    assert page.locator('main img[src="x"], main script:not(#pv-a11y)').count() == 0
    screenshot(form.page, "hostile-form")

    form.submit()
    case_id = wait_for_confirmation(form)
    form.no_exception()
    done = collect(form, case_id, tmp_path)
    assert dialogs == []

    report = read_report(done.xml)
    source = report.primary_source
    assert (source.title, source.given_name, source.family_name) == (SCRIPT, IMG, family)
    assert source.department == LONG_LINE[:60].strip()
    assert report.drugs[0].dosages[0].batch == LONG_LINE[:35].strip()
    assert source.organisation == f"{ARABIC} {EMOJI}"
    # Text areas keep line breaks as "\n"; markup and "Bcc:" lines stay data.
    assert report.narrative.narrative == LONG.replace("\r\n", "\n").strip()
    assert report.patient.medical_history_text == LONG.replace("\r\n", "\n").strip()
    assert [d.name for d in report.patient.drug_history] == ["Line1", "Bcc: evil@example.com"]
    assert report.narrative.reporter_comments == (
        f"{IMG}\nLine1\nBcc: evil@example.com\n{ARABIC} {EMOJI}"
    )
    assert report.reactions[0].verbatim == words

    check_mail(done, serious=False)
    assert set(parse_qs(urlsplit(done.mailto).query)) == {"cc", "subject", "body"}
    assert [h for h in done.eml if h.lower() not in MAIL_HEADERS] == []
    subject = done.eml["Subject"]
    assert "\n" not in subject and "\r" not in subject
    assert words in subject  # the reporter's words name a term the guide does not list
    body = done.eml.get_body(preferencelist=("plain",))
    assert body is not None
    assert IMG in body.get_content()
