"""The submission log as a safety officer uses it, in Debian Chromium: hidden from a visitor, a
wrong password refused, then log in, filter, open a case, move it to "Submitted to SFDA",
download its XML and the filtered CSV, and log out again."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from e2b.validate import validate_bytes
from pv.store import CSV_COLUMNS, Store
from pv.transmissions import transmissions
from pv.users import add_user, get_user
from pv.workflow import CaseStatus
from tests.browser.test_report_journeys import Form, is_session_socket
from tests.cases import TODAY
from tests.pv.submissions import builder

pytestmark = pytest.mark.browser

OFFICER = "officer1"
PASSWORD = "a long officer password for the browser test"
GOLDEN = ("itp_course2", "thyroid_graves", "pml_death")
# Streamlit's glide-data-grid geometry: header and row heights, the row-marker column's middle.
HEADER_HEIGHT, ROW_HEIGHT, ROW_MARKER_X = 36, 35, 16
Screenshot = Callable[[Page, str], Path]  # the conftest fixture: page, name -> saved file


class Workspace(Form):
    """The officer page, driven like the report form (every committing step waits for its
    rerun)."""

    def open(self, url: str) -> None:
        with self.page.expect_websocket(is_session_socket) as socket:
            self.page.goto(f"{url}/log")
        self._socket = socket.value
        self.page.get_by_role("heading", name="Submission log").wait_for()
        self.idle()

    @property
    def sidebar(self) -> Locator:
        return self.page.get_by_test_id("stSidebar")

    def log_in(self, password: str) -> None:
        self.page.get_by_role("textbox", name="User name", exact=True).fill(OFFICER)
        self.page.get_by_role("textbox", name="Password", exact=True).fill(password)
        with self.rerun():
            self.page.get_by_role("button", name="Log in", exact=True).click()

    def click(self, name: str, scope: Page | Locator | None = None) -> None:
        with self.rerun():
            (scope or self.page).get_by_role("button", name=name, exact=True).click()

    def tab(self, name: str) -> None:
        """Tabs switch in the browser alone: no rerun."""
        tab = self.page.get_by_role("tab", name=name, exact=True)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")

    def shown_text(self) -> str:
        return self.page.locator("body").inner_text()


def table(scope: Locator) -> Locator:
    """The list's rows as the grid tells assistive technology: glide-data-grid paints cells on a
    canvas and keeps the rows in view, as text, in a table inside it (drawn a moment later)."""
    return scope.get_by_test_id("stDataFrame").first.locator('table[role="grid"]')


def column(grid: Locator, n: int) -> Locator:
    """Column n's cells (1 = the first data column), one per row in view."""
    return grid.locator(f'tbody td[role="gridcell"][aria-colindex="{n}"]')


def metric(page: Page, label: str) -> Locator:
    """The value of the case header's metric called `label`."""
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.get_by_test_id("stMetricValue")


def assert_log_hidden(work: Workspace, case_ids: list[str]) -> None:
    """The login form and nothing of the log: no table, no case ID anywhere on the page."""
    page = work.page
    expect(page.get_by_role("textbox", name="Password", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_role("tab", name="Cases", exact=True)).to_have_count(0)
    text = work.shown_text()
    assert "SA-LEMTRADAPV-" not in text
    for case_id in case_ids:
        assert case_id not in text
        assert case_id not in page.content()


@pytest.fixture
def seeded(app_store: Store) -> list[str]:
    """An officer account and three golden cases in the running app's own log."""
    if get_user(app_store, OFFICER) is None:  # the app (and its log) is shared by the package
        add_user(app_store, OFFICER, PASSWORD, role="officer")
    return [app_store.submit(builder(name)).case_id for name in GOLDEN]


def test_an_officer_works_a_case_from_login_to_sfda_and_exports(
    page: Page,
    app_url: str,
    app_store: Store,
    seeded: list[str],
    screenshot: Screenshot,
    tmp_path: Path,
) -> None:
    pml = seeded[GOLDEN.index("pml_death")]
    work = Workspace(page)
    work.open(app_url)
    assert_log_hidden(work, seeded)

    work.log_in("not the password at all")
    expect(page.get_by_text("User name or password is not right.")).to_be_visible()
    assert_log_hidden(work, seeded)

    work.log_in(PASSWORD)
    expect(work.sidebar.get_by_text(f"Logged in as {OFFICER}")).to_be_visible()
    cases = work.page.get_by_test_id("stTabPanel").first
    expect(cases.get_by_text(re.compile(r"^\d+ case\(s\) · page 1 of \d+$"))).to_be_visible()
    listed = column(table(cases), 1)
    for case_id in seeded:
        expect(listed.filter(has_text=re.compile(f"^{case_id}$"))).to_have_count(1)
    screenshot(page, "officer-log")

    # Filter: the PML case by its ID; it is serious, so "Non-serious" hides it, "Serious" not.
    work.text("Search case ID, reporter, terms", pml, work.sidebar)
    expect(cases.get_by_text("1 case(s) · page 1 of 1", exact=True)).to_be_visible()
    expect(listed).to_have_text([pml])
    work.radio("Seriousness", "Non-serious")
    expect(cases.get_by_text(re.compile(r"^0 case\(s\)"))).to_be_visible()
    expect(table(cases).locator("tbody")).not_to_contain_text("SA-LEMTRADAPV-")
    work.radio("Seriousness", "Serious")
    expect(cases.get_by_text("1 case(s) · page 1 of 1", exact=True)).to_be_visible()
    expect(listed).to_have_text([pml])
    expect(column(table(cases), 3)).to_have_text(["Yes"])

    # Tick the only row (its marker is painted on the canvas: click where it is drawn); the
    # list offers to open it, and the Case tab shows it.
    canvas = table(cases).locator("xpath=ancestor::canvas[1]")
    box = canvas.bounding_box()
    assert box is not None
    with work.rerun():
        page.mouse.click(box["x"] + ROW_MARKER_X, box["y"] + HEADER_HEIGHT + ROW_HEIGHT / 2)
    work.click(f"Open case {pml}")
    work.tab("Case")
    expect(page.get_by_role("textbox", name="Case ID", exact=True)).to_have_value(pml)
    expect(page.get_by_role("heading", name=f"Case {pml}", exact=True)).to_be_visible()
    expect(metric(page, "Status")).to_have_text("Received")

    # The workflow: received -> in review -> submitted to SFDA.
    work.choose("Move to", "In review")
    work.click("Apply")
    expect(metric(page, "Status")).to_have_text("In review")
    # "Submitted to SFDA" is not picked: it is recorded with its evidence.
    expect(page.get_by_role("combobox", name="Move to", exact=True)).not_to_contain_text(
        "Submitted to SFDA"
    )
    # The file for SFDA first (kept, audited, its own batch ID), then the evidence it was sent.
    with page.expect_download() as prepared:
        page.get_by_role("button", name="Prepare file for SFDA", exact=True).click()
    sfda_file = tmp_path / "sfda.xml"
    prepared.value.save_as(sfda_file)
    assert validate_bytes(sfda_file.read_bytes(), TODAY) == []
    record = page.get_by_test_id("stForm")
    channel = record.get_by_role("combobox", name="Channel", exact=True)
    channel.evaluate("(e) => e.scrollIntoView({block: 'center'})")
    channel.click()
    page.keyboard.type("Portal")
    page.keyboard.press("Enter")  # a drop-down inside a form starts no rerun
    expect(channel).to_have_value("Portal")
    record.get_by_role("textbox", name="Reference", exact=True).fill("Sent to the SFDA portal")
    work.click("Record submission")
    expect(metric(page, "Status")).to_have_text("Submitted to SFDA")
    expect(page.get_by_text(re.compile(r"Recorded: .+-SFDA-1, \d+ day\(s\) late"))).to_be_visible()
    screenshot(page, "officer-case")

    detail = app_store.get_case(pml)
    assert detail.row.status is CaseStatus.SUBMITTED_TO_SFDA
    [sent] = transmissions(app_store, pml)
    assert (sent.recipient, sent.channel, sent.reference) == (
        "sfda", "portal", "Sent to the SFDA portal"
    )
    assert sent.batch_id.encode() in sfda_file.read_bytes()
    assert sent.submitted_on is not None
    assert sent.days_late == (sent.submitted_on - sent.due_date).days > 0  # the case is overdue
    assert [(h.from_status, h.to_status, h.user, h.comment) for h in detail.status_history] == [
        (None, CaseStatus.RECEIVED, "hcp", None),
        (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, OFFICER, None),
        (
            CaseStatus.IN_REVIEW,
            CaseStatus.SUBMITTED_TO_SFDA,
            OFFICER,
            f"{sent.batch_id} submitted on {sent.submitted_on} by portal",
        ),
    ]
    assert app_store.verify_audit() == []

    # The stored XML, byte for byte, from the latest version's box.
    [version] = detail.versions
    with page.expect_download() as xml_download:
        page.get_by_role("button", name="Download the XML of version 1", exact=True).click()
    assert xml_download.value.suggested_filename == f"{pml}-v1.xml"
    xml_file = tmp_path / "case.xml"
    xml_download.value.save_as(xml_file)
    xml = xml_file.read_bytes()
    assert xml == version.xml
    assert validate_bytes(xml, TODAY) == []

    # The filtered list as CSV: one row, the case as it stands now.
    work.tab("Cases")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV of the filtered list", exact=True).click()
    assert re.fullmatch(r"submission-log-\d{8}\.csv", csv_download.value.suggested_filename)
    csv_file = tmp_path / "log.csv"
    csv_download.value.save_as(csv_file)
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == list(CSV_COLUMNS)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["case_id"], row["status"], row["serious"]) == (pml, "Submitted to SFDA", "yes")

    # "Case ... opened" was a toast: it fades by itself (and is no part of the logged-out page).
    expect(page.get_by_test_id("stToast")).to_have_count(0, timeout=10_000)
    work.click("Log out", work.sidebar)
    assert_log_hidden(work, seeded)
    expect(work.sidebar.get_by_text(f"Logged in as {OFFICER}")).to_have_count(0)
